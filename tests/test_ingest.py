"""Tests of kg.ingest: decoding, normalisation, metadata, paragraphs and sentences, file walking."""
from __future__ import annotations

import codecs
import doctest
import hashlib
import random
from pathlib import Path

import pytest

import kg.ingest
from kg.errors import DecodeError, InputError
from kg.ingest import decode, normalise, parse_text, read_documents
from kg.types import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_000 = SEEDS / "000_b141859fa34bbaf2.txt"
SEED_001 = SEEDS / "001_ee3f52ac81cc7dfa.txt"
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus"

# Our own sample: Chinese, ASCII digits, full-width punctuation, newlines.
SAMPLE = "国务院常务会议部署稳经济措施。\n工信部：全力以赴保通保畅！（2022年）\n"
# No ASCII at all (so no NUL byte in UTF-16), with 一 (U+4E00, a NUL low byte in UTF-16).
SAMPLE_CJK = "国务院常务会议部署稳经济一揽子政策措施"


@pytest.fixture(scope="module")
def seeds():
    docs = {doc.doc_id: doc for doc in read_documents([SEEDS])}
    return docs["000_b141859fa34bbaf2"], docs["001_ee3f52ac81cc7dfa"]


def check_invariants(doc: Document) -> None:
    """Offsets shared by text and norm; sentences ordered, stripped and apart from metadata."""
    assert len(doc.norm) == len(doc.text)
    previous_end, previous_paragraph = 0, 0
    for index, s in enumerate(doc.sentences):
        assert s.index == index
        assert s.text == doc.text[s.start : s.end]
        assert s.norm == doc.norm[s.start : s.end]
        assert s.text and s.text == s.text.strip() and s.norm == s.norm.strip()
        assert s.start >= previous_end
        assert s.paragraph in (previous_paragraph, previous_paragraph + 1)
        assert s.kind in ("body", "heading", "question")
        for m0, m1 in doc.metadata.spans:
            assert s.end <= m0 or s.start >= m1, (s.text, doc.text[m0:m1])
        previous_end, previous_paragraph = s.end, s.paragraph
    if doc.sentences:
        assert doc.sentences[0].paragraph == 0
    spans = doc.metadata.spans
    assert all(a < b for a, b in spans)
    assert all(b0 <= a1 for (_, b0), (a1, _) in zip(spans, spans[1:]))


# --------------------------------------------------------------------------------------------
# decode
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("gb2312"), "gb18030"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE_CJK.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE_CJK.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE_CJK.encode("gbk"), "gb18030"),
    ],
)
def test_decode_finds_the_encoding(data, expected):
    text, encoding = decode(data, "sample.txt")
    assert encoding == expected
    assert text in (SAMPLE, SAMPLE_CJK)
    assert data.decode(encoding) == text  # the name returned reads the raw bytes back


@pytest.mark.parametrize(
    "text",
    ["中文", "国务院", "经济运行总体平稳", "工业和信息化部副部长辛国斌", "一季度增长6.5%，\n物流畅通。"],
)
def test_gbk_is_never_read_as_utf16(text):
    assert decode(text.encode("gbk"), "a.txt") == (text, "gb18030")


def test_empty_file_decodes_to_empty_text():
    assert decode(b"", "empty.txt") == ("", "utf-8")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _gbk(text: str) -> bytes:
    return text.encode("gbk")


@pytest.mark.parametrize(
    "data, offset",
    [
        # UTF-8 text with one invalid byte: UTF-8's offset.
        (_utf8("国务院常务会议") + b"\xff" + _utf8("部署"), 21),
        (_utf8("ASCII first, 然后是中文内容") + b"\x80", len(_utf8("ASCII first, 然后是中文内容"))),
        # GBK text with one invalid byte: GB18030 read furthest.
        (_gbk("经济运行") + b"\xff" + _gbk("平稳"), 8),
        # GBK text followed by user-defined (private-use) characters: the first of them.
        (_gbk("经济") + b"\xaa\xa1" * 10, 4),
        # Binary data: PNG header, the first control byte (\x1a) that is not text.
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 6),
        # A BOM settles the codec; the offset counts the BOM.
        (codecs.BOM_UTF8 + _utf8("中文") + b"\xff", 9),
        (codecs.BOM_UTF16_LE + "中文".encode("utf-16-le") + b"\x00\xd8", 6),
        # BOM-less UTF-16 with a lone surrogate.
        ("产业链供应链稳定\n".encode("utf-16-le") + b"\x00\xdc" + "畅通".encode("utf-16-le"), 18),
    ],
)
def test_undecodable_bytes_report_file_and_offset(data, offset):
    with pytest.raises(DecodeError) as info:
        decode(data, "inputs/bad.txt")
    assert info.value.offset == offset
    assert info.value.path == "inputs/bad.txt"
    assert "inputs/bad.txt" in str(info.value) and f"offset {offset}" in str(info.value)
    assert info.value.tried


# --------------------------------------------------------------------------------------------
# normalise
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ＧＤＰ增长６．５％", "GDP增长6.5%"),
        ("（一）：，；！？", "(一):,;!?"),
        ("a\u3000b\u00a0c\u2009d\u202fe\u205ff", "a b c d e f"),
        ("零\u200b宽\u200d字\ufeff符", "零 宽 字 符"),
        ("第①条", "第1条"),
        ("\uf900", "\u8c48"),  # compatibility ideograph -> unified ideograph
        ("行\u2028分", "行\n分"),
        ("。、“”《》—…", "。、“”《》—…"),  # no half-width form: kept
        ("㈠ﬁ", "㈠ﬁ"),  # NFKC form longer than one character: kept
    ],
)
def test_normalise_maps_forms(text, expected):
    assert normalise(text) == expected


def test_normalise_keeps_length_for_every_bmp_character():
    text = "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF)
    assert len(normalise(text)) == len(text)


# --------------------------------------------------------------------------------------------
# sentences and kinds
# --------------------------------------------------------------------------------------------


def sentences(text: str):
    doc = parse_text(text, "t")
    check_invariants(doc)
    return [s.text for s in doc.sentences]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "今年经济平稳。工业增长6.5%！还有问题吗？有；但可控",
            ["今年经济平稳。", "工业增长6.5%！", "还有问题吗？", "有；", "但可控"],
        ),
        # A quote that ends with 。 ends the sentence after its closing mark.
        (
            "他说：“我们要稳增长。保就业。”会议指出，要继续努力。",
            ["他说：“我们要稳增长。保就业。”", "会议指出，要继续努力。"],
        ),
        # A quote holding 。 inside a sentence stays in it.
        ("企业反映“融资难。融资贵”等问题。", ["企业反映“融资难。融资贵”等问题。"]),
        # Never split inside 《》, even on ！ or 。.
        (
            "发布《奋斗吧！青年》和《关于做好工作的通知。》两份文件。下一句。",
            ["发布《奋斗吧！青年》和《关于做好工作的通知。》两份文件。", "下一句。"],
        ),
        # A closing bracket right after the terminator stays with the sentence.
        ("（这是括注。）接着说。", ["（这是括注。）", "接着说。"]),
        ("等等……后来又说。", ["等等……", "后来又说。"]),
        ("还有很多……", ["还有很多……"]),
        ("真的吗？！是的。", ["真的吗？！", "是的。"]),
        (
            "Hello world! How are you? Fine; thanks.",
            ["Hello world!", "How are you?", "Fine;", "thanks."],
        ),
        # An unclosed quote does not swallow the rest of the paragraph.
        ("“这是没有闭合的引号。后面还有句子。", ["“这是没有闭合的引号。", "后面还有句子。"]),
        # Long comma chains are not split.
        ("一，二，三，四，五，六，七，八，九，十，十一，十二。", ["一，二，三，四，五，六，七，八，九，十，十一，十二。"]),
        # Whitespace around and between sentences is not part of them.
        ("\u3000\u3000第一句。 第二句。\t\r\n", ["第一句。", "第二句。"]),
        ("", []),
        (" \n\t\n", []),
    ],
)
def test_sentence_splitting(text, expected):
    assert sentences(text) == expected


def test_paragraphs_count_nonempty_lines():
    doc = parse_text(" 第一段。 \n\n\n  第二段第一句。第二句。\n \t\n\r\n第三段。", "t")
    check_invariants(doc)
    assert [(s.text, s.paragraph) for s in doc.sentences] == [
        ("第一段。", 0),
        ("第二段第一句。", 1),
        ("第二句。", 1),
        ("第三段。", 2),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Layout with headings on their own lines (like seed 000).
        (
            "工业经济如何稳？\n辛国斌：做好四方面“全力以赴”\n一、总体要求\n要坚持稳字当头。",
            ["question", "heading", "heading", "body"],
        ),
        # Run-on layout (like seed 001): a question followed by body text.
        ("面对困难，中小企业如何稳？来看专访。", ["question", "body"]),
        ("主要内容如下：", ["body"]),
        ("稳" * 60, ["body"]),  # too long for a heading
        ("会议指出，要稳增长。", ["body"]),
        ("“引号里的话。”", ["body"]),
        ("《关于做好工作的通知》", ["heading"]),
    ],
)
def test_sentence_kinds(text, expected):
    assert [s.kind for s in parse_text(text, "t").sentences] == expected


# --------------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fields, content",
    [
        (
            "原标题：稳增长有哪些举措？→今年经济平稳。",
            {"title": "稳增长有哪些举措？"},
            ["今年经济平稳。"],
        ),
        ("标题: 关于做好工作的通知\n正文一句。", {"title": "关于做好工作的通知"}, ["正文一句。"]),
        (
            "正文。\n（总台央视记者 张勤 王琰）\n责任编辑：邓健",
            {"reporters": ("张勤", "王琰"), "editors": ("邓健",)},
            ["正文。"],
        ),
        (
            "正文一句。（记者 张三）责任编辑：李四 王五",
            {"reporters": ("张三",), "editors": ("李四", "王五")},
            ["正文一句。"],
        ),
        ("(记者张三、李四)\n正文。", {"reporters": ("张三", "李四")}, ["正文。"]),
        ("本报记者 张三\n正文。", {"reporters": ("张三",)}, ["正文。"]),
        (
            "新华社北京3月1日电（记者 张三 李四）国务院日前印发通知。",
            {"reporters": ("张三", "李四")},
            ["国务院日前印发通知。"],
        ),
        ("央视网消息（新闻联播）：今天举行记者会。", {"source": "央视网"}, ["今天举行记者会。"]),
        ("来源：新华社\n正文。", {"source": "新华社"}, ["正文。"]),
        ("正文。\n来源 商务部网站", {"source": "商务部网站"}, ["正文。"]),
        (
            "正文。\n编辑：张三、李四\n校对：王五\n审核：赵六\n责编：钱七",
            {"editors": ("张三", "李四", "王五", "赵六", "钱七")},
            ["正文。"],
        ),
        ("正文。\n（完）", {}, ["正文。"]),
        ("正文。\n【责任编辑：邓健】", {"editors": ("邓健",)}, ["正文。"]),
        ("【原标题：关于开展试点的通知（试行）】\n正文。", {"title": "关于开展试点的通知（试行）"}, ["正文。"]),
        ("来源：新华社（北京）\n正文。", {"source": "新华社（北京）"}, ["正文。"]),
        # Look-alikes that are content.
        ("记者了解到，今年以来政策持续发力。", {}, ["记者了解到，今年以来政策持续发力。"]),
        ("会议期间（记者会后）继续讨论。", {}, ["会议期间（记者会后）继续讨论。"]),
        ("资金来源：财政拨款。", {}, ["资金来源：财政拨款。"]),
        ("今年3月1日电网负荷创新高。", {}, ["今年3月1日电网负荷创新高。"]),
    ],
)
def test_metadata(text, fields, content):
    doc = parse_text(text, "t")
    check_invariants(doc)
    expected = {"title": None, "reporters": (), "editors": (), "source": None, **fields}
    found = {key: getattr(doc.metadata, key) for key in expected}
    assert found == expected
    assert [s.text for s in doc.sentences] == content


def test_metadata_spans_cover_what_is_left_out():
    text = "原标题：标题文字→正文第一句。（记者 张三）责任编辑：李四"
    doc = parse_text(text, "t")
    covered = "".join(text[a:b] for a, b in doc.metadata.spans)
    assert covered == "原标题：标题文字→（记者 张三）责任编辑：李四"


# --------------------------------------------------------------------------------------------
# the seeds: one article in two layouts
# --------------------------------------------------------------------------------------------


def test_seed_run_on_layout_metadata(seeds):
    _, run_on = seeds
    meta = run_on.metadata
    assert meta.title == "工业经济如何持续平稳增长？助企纾困有哪些帮扶举措？看工信部权威发声"
    assert meta.reporters == (
        "张勤", "王琰", "钟敏", "郭茜", "李琳", "神浩", "唐志坚", "王海东", "张昊", "费文涛", "赵林",
    )
    assert meta.editors == ("邓健",)
    assert run_on.sentences[0].text.startswith("今年一季度")
    assert run_on.sentences[-1].text.endswith("进一步增强企业获得感。")


@pytest.mark.parametrize("marker", ["原标题", "→", "记者", "张勤", "赵林", "责任编辑", "邓健"])
def test_seed_metadata_is_in_no_sentence(seeds, marker):
    for doc in seeds:
        assert not any(marker in s.text for s in doc.sentences)


def test_seed_paragraph_layout(seeds):
    layout, run_on = seeds
    assert layout.metadata.spans == ()
    assert layout.sentences[0].start == 1  # the leading space is not part of the sentence
    assert len({s.paragraph for s in layout.sentences}) == 21
    assert len({s.paragraph for s in run_on.sentences}) == 1
    kinds = {s.text: s.kind for s in layout.sentences}
    assert kinds["工业经济如何稳？"] == "question"
    assert kinds["辛国斌：做好四方面“全力以赴”"] == "heading"
    assert kinds["辛国斌：三方面发力 保重点企业 保重点行业 保重点区域"] == "heading"
    assert kinds["面对困难，工业经济如何稳？"] == "question"
    assert [s.text for s in run_on.sentences if s.kind == "heading"] == []
    assert [s.text for s in run_on.sentences if s.kind == "question"] == [
        "面对困难，工业经济如何稳？",
        "产业链供应链如何稳？",
        "中小企业如何稳？",
        "工业经济如何稳？",
        "产业链供应链如何稳？",
        "中小企业如何稳？",
    ]


def test_seed_invariants(seeds):
    for doc in seeds:
        check_invariants(doc)
        assert doc.encoding == "utf-8"
        assert doc.sha256 == hashlib.sha256(Path(doc.path).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff原标题：ＡＢＣ？→正文。（记者 张三）\r\n\u3000\u3000第二段“引用。”\u200b结束！\n责任编辑：李四",
        "《标题！》\n\n“引号。”\n…\n（完）",
        "新华社北京3月1日电 国务院印发通知。\n\n\n央视网消息（新闻联播）：今天。",
        "\n\n\n",
        "a",
    ],
)
def test_offsets_on_tricky_inputs(text):
    check_invariants(parse_text(text, "t"))


def test_offsets_on_random_inputs():
    rng = random.Random(20240301)
    alphabet = "国务院记者张三李四编辑责任来源原标题：:（）()“”《》「」。！？!?；;…—，、 \n\r\t\u3000\u200b→电月日1消息网完【】·"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        check_invariants(parse_text(text, "t"))


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason="shared/dev-corpus is not beside the repo")
def test_dev_corpus_reads_cleanly():
    docs = list(read_documents([DEV_CORPUS]))
    assert len(docs) >= 10
    for doc in docs:
        check_invariants(doc)
        assert doc.encoding == "utf-8"
        assert doc.sentences[0].kind == "heading"  # the title line


# --------------------------------------------------------------------------------------------
# read_documents
# --------------------------------------------------------------------------------------------


def test_directory_with_one_bad_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes("国务院常务会议召开。".encode("utf-8"))
    (tmp_path / "bad.txt").write_bytes("经济".encode("utf-8") + b"\xff\x00\x01binary")
    (tmp_path / "sub" / "b.txt").write_bytes("工信部部署工作。".encode("gbk"))
    (tmp_path / ".hidden.txt").write_bytes(b"skipped")
    (tmp_path / "notes.md").write_bytes(b"not matched")

    errors: list = []
    docs = list(read_documents([tmp_path], errors=errors))
    assert [d.doc_id for d in docs] == ["a", "sub/b"]
    assert [d.encoding for d in docs] == ["utf-8", "gb18030"]
    assert [s.text for s in docs[1].sentences] == ["工信部部署工作。"]
    assert len(errors) == 1 and isinstance(errors[0], DecodeError)
    assert errors[0].path.endswith("bad.txt") and errors[0].offset == 6

    with pytest.raises(DecodeError):
        list(read_documents([tmp_path]))


def test_file_given_directly(tmp_path):
    path = tmp_path / "news.item.txt"
    data = codecs.BOM_UTF8 + "正文。".encode("utf-8")
    path.write_bytes(data)
    (doc,) = read_documents(str(path))  # a single path is accepted too
    assert doc.doc_id == "news.item"
    assert doc.path == str(path)
    assert doc.encoding == "utf-8-sig"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("content", ["", " \n\n\t", "原标题：只有标题\n责任编辑：张三"])
def test_empty_files_give_documents_without_sentences(tmp_path, content):
    (tmp_path / "empty.txt").write_text(content, encoding="utf-8")
    (doc,) = read_documents([tmp_path])
    assert doc.doc_id == "empty" and doc.sentences == ()


def test_missing_path_raises_at_once(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_documents([tmp_path / "missing"])  # raised before any iteration


def test_directory_without_matching_files(tmp_path):
    (tmp_path / "a.md").write_text("正文。", encoding="utf-8")
    with pytest.raises(InputError, match=r"\*\.txt"):
        read_documents([tmp_path])
    assert [d.doc_id for d in read_documents([tmp_path], pattern="*.md")] == ["a"]


def test_duplicate_doc_ids_across_roots(tmp_path):
    for root in ("one", "two"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "x.txt").write_text("正文。", encoding="utf-8")
    with pytest.raises(InputError, match="'x' is already taken"):
        read_documents([tmp_path / "one", tmp_path / "two"])


def test_unreadable_file_is_reported(tmp_path):
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    (tmp_path / "b.txt").mkdir()  # matches the pattern but is a directory: not listed
    (tmp_path / "c.txt").write_text("正文。", encoding="utf-8")
    errors: list = []
    reader = read_documents([tmp_path], errors=errors)
    strict = read_documents([tmp_path])
    (tmp_path / "c.txt").unlink()  # vanishes between listing and reading
    assert [d.doc_id for d in reader] == ["a"]
    assert len(errors) == 1 and type(errors[0]) is InputError
    assert "c.txt: cannot read" in str(errors[0])
    with pytest.raises(InputError, match="cannot read"):
        list(strict)


def test_docstring_examples_run():
    assert doctest.testmod(kg.ingest).failed == 0


# -- the scans that skip ahead give the answers of a character-by-character reading ------------

def _sentences_read_char_by_char(norm):
    """The splitting rules of parse_text, applied one character at a time (a reference)."""
    pairs = {"《": "》", "〈": "〉", "“": "”", "‘": "’", "「": "」", "『": "』"}
    closer_of = {c: o for o, c in pairs.items()}
    in_title, in_quote = [0] * (len(norm) + 1), [0] * (len(norm) + 1)
    stack = []
    for i, ch in enumerate(norm):
        if ch in pairs:
            stack.append((ch, i))
        elif ch in closer_of:
            depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] == closer_of[ch]), None)
            if depth is None:
                continue
            o = stack[depth][1]
            del stack[depth:]
            for k in (range(o + 1, i) if ch in "》〉" else range(o + 1, i + 1)):
                (in_title if ch in "》〉" else in_quote)[k] += 1
    out, begin, i = [], 0, 0
    while i < len(norm):
        if norm[i] in "。!?;…" and not in_title[i]:
            j = i + 1
            while j < len(norm) and norm[j] in "。!?;…":
                j += 1
            k = j
            while k < len(norm) and norm[k] in "”’」』)】\"'":
                k += 1
            if k >= len(norm) or not in_quote[k]:
                out.append(norm[begin:k].strip())
                begin = k
            i = max(k, i + 1)
        else:
            i += 1
    out.append(norm[begin:].strip())
    return [s for s in out if s]


def test_sentence_splitting_agrees_with_a_char_by_char_reading():
    rng = random.Random(20261124)
    alphabet = "国务院会议指出要稳经济。。!?;…“”‘’「」『』《》〈〉)】\"' ,"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        assert sentences(text) == _sentences_read_char_by_char(text), text


@pytest.mark.parametrize("text", [
    "国务院常务会议",
    "国务院\x07常务会议",  # a control character: not text
    "\ue000" * 3 + "国务院" * 40,  # a little private use: still text
    "国务院\ue000\ue001\x1b常务",  # the control character is found even after private use
    "\ue000\U000f0000国务院",  # mostly private use
    "\ud800国务院",  # a lone surrogate
    "tab\tnewline\nreturn\rfeed\f",
])
def test_implausible_characters_are_found_as_by_a_char_by_char_reading(text):
    import unicodedata

    odd = [i for i, ch in enumerate(text) if unicodedata.category(ch) in ("Co", "Cn", "Cs")]
    control = [i for i, ch in enumerate(text) if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"]
    expected = control[0] if control else odd[0] if odd and len(odd) > 0.02 * len(text) else None
    assert kg.ingest._first_implausible(text) == expected
