"""Stage 3: word segmentation with spaCy ``zh`` (pkuseg or jieba) and the domain user dictionary.

The pipeline is loaded once per process (it costs seconds: the pkuseg model is 180 MB) and
sentences are segmented in batches with ``nlp.pipe``.
"""
from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from .config import SEGMENTERS
from .errors import ConfigError, KGError
from .types import Sentence, Token

__all__ = ["Segmenter", "load_segmenter", "new_token"]


class Segmenter:
    """A loaded spaCy Chinese tokenizer; call :meth:`segment` on sentences."""

    def __init__(self, nlp, kind: str):
        from spacy.attrs import IDX, IS_SPACE, LENGTH

        self.nlp = nlp
        self.kind = kind
        self._columns = [IDX, LENGTH, IS_SPACE]  # what _tokens reads of each Doc

    def segment(self, sentences: Sequence[Sentence], batch_size: int = 256) -> List[Tuple[Token, ...]]:
        """Tokens of each sentence (of its normalised text), with document offsets."""
        docs = self.nlp.pipe((s.norm for s in sentences), batch_size=batch_size)
        return [_tokens(doc, s.start, self._columns) for doc, s in zip(docs, sentences)]

    def words(self, text: str) -> List[str]:
        """The words of ``text`` (for tests and debugging)."""
        return [t.text for t in self.nlp(text) if not t.is_space]


def _tokens(doc, base: int, columns) -> Tuple[Token, ...]:
    # Offsets and lengths read as one array (``columns``: IDX, LENGTH, IS_SPACE): iterating the
    # Doc makes a spaCy Token per word, which costs more than our own Token.
    text = doc.text
    return tuple([new_token(base + i, base + i + n, text[i:i + n])
                  for i, n, space in doc.to_array(columns).tolist() if not space])


def new_token(start: int, end: int, text: str, _new=object.__new__) -> Token:
    """``Token(start, end, text)``, made without the frozen dataclass's ``__init__``.

    That ``__init__`` sets each field through ``object.__setattr__``, which makes it three
    times slower than filling the instance's ``__dict__``; tokens are made by the hundred
    thousand, so this is a measurable share of segmentation.  The result is equal to
    ``Token(start, end, text)`` in every way (fields, equality, hash, pickling).

    >>> new_token(0, 2, "国务") == Token(0, 2, "国务")
    True
    """
    token = _new(Token)
    fields = token.__dict__
    fields["start"] = start
    fields["end"] = end
    fields["text"] = text
    return token


def load_segmenter(kind: str, user_words: Iterable[str], model_dir: Optional[Path] = None) -> Segmenter:
    """spaCy ``zh`` with the given segmenter and ``user_words`` kept whole.

    ``model_dir`` is the pkuseg model directory (see :mod:`kg.model`); found in the cache when
    not given.  jieba needs no model.
    """
    if kind not in SEGMENTERS:
        raise ConfigError(f"segmenter {kind!r} is not one of {', '.join(SEGMENTERS)}")
    try:
        from spacy.lang.zh import Chinese
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise KGError("spaCy is not installed: pip install 'spacy>=3.7,<4'") from exc
    words = sorted(set(user_words))
    if kind == "jieba":
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not ours to print
    nlp = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": kind}}})
    if kind == "pkuseg":
        from .model import locate_model

        model = Path(model_dir) if model_dir else locate_model()
        # spacy-pkuseg prints a warning that the 0.0.25 model has features.pkl, not .msgpack:
        # expected for this model, so it is not passed on to the user.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            nlp.tokenizer.initialize(pkuseg_model=str(model), pkuseg_user_dict="default")
        nlp.tokenizer.pkuseg_update_user_dict(words)
    else:
        _add_jieba_words(nlp, words)
    return Segmenter(nlp, kind)


def _add_jieba_words(nlp, words: Sequence[str]) -> None:
    seg = nlp.tokenizer.jieba_seg
    for w in words:
        seg.add_word(w)
