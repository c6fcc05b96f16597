"""Tests of kg.segment: tokens carry document offsets that slice the normalised text exactly."""
from __future__ import annotations

import pytest

from kg.ingest import parse_text
from kg.segment import new_token
from kg.types import Token

TEXT = "工业和信息化部 副部长辛国斌表示，要用好“白名单”制度。\n新能源汽车下乡活动在 长三角 开展。"


@pytest.mark.parametrize("which", ["pipeline", "jieba_pipeline"])
def test_tokens_slice_the_sentence_and_skip_spaces(which, request):
    seg = request.getfixturevalue(which).segmenter
    doc = parse_text(TEXT, "t")
    per_sentence = seg.segment(doc.sentences)
    assert len(per_sentence) == len(doc.sentences) == 2
    assert all(" " in s.norm for s in doc.sentences)  # so the spaces' tokens are there to be skipped
    for sentence, tokens in zip(doc.sentences, per_sentence):
        assert tokens, sentence
        assert all(isinstance(t, Token) for t in tokens)
        assert all(not t.text.isspace() for t in tokens)
        for t in tokens:  # document offsets: the sentence's start plus the word's place in it
            assert sentence.norm[t.start - sentence.start:t.end - sentence.start] == t.text
        assert [t.start for t in tokens] == sorted(t.start for t in tokens)
        # nothing but spaces is left out
        assert "".join(t.text for t in tokens) == "".join(sentence.norm.split())
    assert "辛国斌" in seg.words("副部长辛国斌表示")


def test_new_token_equals_the_dataclass():
    assert new_token(3, 5, "国务") == Token(3, 5, "国务")
    assert hash(new_token(3, 5, "国务")) == hash(Token(3, 5, "国务"))
