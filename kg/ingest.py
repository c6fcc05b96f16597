"""Stage 1: turn input files into :class:`~kg.types.Document` records.

A file goes through four steps, each a public function so it can be tested and reused alone:

1. :func:`decode` finds the encoding of the raw bytes (UTF-8, UTF-16, GB18030) and refuses
   binary garbage instead of guessing;
2. :func:`normalise` makes a matching copy of the text (full-width forms, odd spaces) that has
   exactly the same length, so an offset found in one is valid in the other;
3. :func:`parse_text` separates metadata (title, dateline, reporters, editors, source) from the
   content and splits the content into paragraphs and sentences with exact character offsets;
4. :func:`read_documents` walks files and directories and yields one Document per file.

Every offset in a Document is a character offset into ``Document.text``; for each sentence
``text[s.start:s.end] == s.text`` and ``norm[s.start:s.end] == s.norm``.
"""
from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import unicodedata
from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from .errors import DecodeError, InputError, KGError
from .types import Document, Metadata, Sentence

__all__ = ["decode", "normalise", "parse_text", "read_documents"]

PathLike = Union[str, "os.PathLike[str]"]

# --------------------------------------------------------------------------------------------
# decode
# --------------------------------------------------------------------------------------------

# A byte-order mark settles the encoding: (BOM, codec of what follows, name returned). The
# name returned decodes the raw bytes, BOM included.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_TRIED = ("utf-8", "utf-16", "gb18030")

# Control characters a text file may hold; any other (NUL, ESC, ...) means binary data.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")
# Share of private-use / unassigned / surrogate characters above which a decoding is refused.
_MAX_ODD_SHARE = 0.02
# BOM-less UTF-16 without any NUL byte (pure CJK text) is accepted only when this share of its
# characters is ordinary text and at least half are CJK ideographs. GBK bytes read as UTF-16
# land in Hangul, Yi, surrogates and private use, never in the ideograph block, so GBK text
# cannot pass.
_MIN_COMMON_SHARE = 0.95
_MIN_IDEOGRAPH_SHARE = 0.5
# An error is blamed on UTF-8 (then UTF-16) when that codec read this many characters of text
# (non-ASCII ones for UTF-8) before it; otherwise on the codec that read furthest.
_EVIDENCE_CHARS = 3


def decode(data: bytes, path: str) -> Tuple[str, str]:
    """Decode the raw bytes of a text file; return ``(text, encoding)``.

    The encoding is found in this order: a byte-order mark (``utf-8-sig``, ``utf-16``); strict
    UTF-8 (``utf-8``); BOM-less UTF-16 recognised by its NUL bytes or, for pure CJK text, by the
    characters it yields (``utf-16-le``, ``utf-16-be``); strict GB18030, which covers GBK and
    GB2312 (``gb18030``). The returned name decodes ``data`` back to ``text``.

    A decoding that yields control characters other than tab, newline, carriage return and form
    feed, or more than 2 % private-use or unassigned characters, is refused: GB18030 maps almost
    any byte string to *some* text.

    Raises :class:`~kg.errors.DecodeError` with the byte offset of the first bad byte for the
    most plausible codec: UTF-8 when the bytes before its error hold a few non-ASCII UTF-8
    characters, else UTF-16 when they read as Chinese text in UTF-16, else whichever codec read
    furthest.

    >>> decode("国务院".encode("gb18030"), "a.txt")
    ('国务院', 'gb18030')
    >>> decode(codecs.BOM_UTF8 + "国务院".encode(), "a.txt")
    ('国务院', 'utf-8-sig')
    >>> decode("国务院\\n".encode("utf-16-le"), "a.txt")
    ('国务院\\n', 'utf-16-le')
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text, bad = _try(data[len(bom) :], codec, utf8=codec == "utf-8")
            if bad is not None:
                raise DecodeError(path, len(bom) + bad, (name,))
            return text, name

    text, utf8_bad = _try(data, "utf-8", utf8=True)
    if utf8_bad is None:
        return text, "utf-8"

    utf16_bad = None
    found = _utf16_without_bom(data)
    if found is not None:
        text, name, utf16_bad = found
        if utf16_bad is None:
            return text, name

    text, gb_bad = _try(data, "gb18030", utf8=False)
    if gb_bad is None:
        return text, "gb18030"

    if _non_ascii_before(data, utf8_bad) >= _EVIDENCE_CHARS:
        offset = utf8_bad
    elif utf16_bad is not None and utf16_bad >= 2 * _EVIDENCE_CHARS:
        offset = utf16_bad
    else:
        offset = max(b for b in (utf8_bad, utf16_bad, gb_bad) if b is not None)
    raise DecodeError(path, offset, _TRIED)


def _try(data: bytes, codec: str, *, utf8: bool) -> Tuple[str, Optional[int]]:
    """Decode strictly; return the text and None, or ``("", offset of the first bad byte)``."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        return "", exc.start
    if utf8:
        # Valid UTF-8 with NUL bytes is UTF-16 of ASCII text or binary data, not a text file.
        nul = data.find(b"\x00")
        return (text, None) if nul < 0 else ("", nul)
    bad = _first_implausible(text)
    if bad is None:
        return text, None
    return "", _byte_offset(data, codec, bad)


def _first_implausible(text: str) -> Optional[int]:
    """Index of the first character showing that ``text`` is not text, or None."""
    # Each distinct character is classified once (a text has a few thousand), not each one.
    counts = Counter(text)
    categories = {ch: unicodedata.category(ch) for ch in counts}
    bad = [ch for ch, cat in categories.items() if cat == "Cc" and ch not in _ALLOWED_CONTROLS]
    if bad:
        return _first_of(text, bad)
    odd = [ch for ch, cat in categories.items() if cat in ("Co", "Cn", "Cs")]
    if odd and sum(counts[ch] for ch in odd) > _MAX_ODD_SHARE * len(text):
        return _first_of(text, odd)
    return None


def _first_of(text: str, chars: Iterable[str]) -> int:
    """Index of the first character of ``text`` that is one of ``chars`` (there is one)."""
    return re.search(f"[{re.escape(''.join(chars))}]", text).start()  # type: ignore[union-attr]


def _byte_offset(data: bytes, codec: str, char_index: int) -> int:
    """Byte offset in ``data`` where the character ``char_index`` of its decoding starts."""
    decoder = codecs.getincrementaldecoder(codec)()
    produced = 0
    for offset in range(len(data)):
        if produced >= char_index:
            return offset
        produced += len(decoder.decode(data[offset : offset + 1]))
    return len(data)


def _non_ascii_before(data: bytes, end: int) -> int:
    """How many non-ASCII characters ``data[:end]`` holds when read as UTF-8."""
    return sum(1 for ch in data[:end].decode("utf-8", "ignore") if ord(ch) > 0x7F)


def _utf16_without_bom(data: bytes) -> Optional[Tuple[str, str, Optional[int]]]:
    """Try BOM-less UTF-16; None when the bytes do not read as UTF-16 at all.

    A byte order reads as UTF-16 when what it decodes (up to its first bad code unit, if any)
    is mostly ordinary Chinese-text characters and, if the bytes hold no NUL (every ASCII
    character, newline included, has one in UTF-16), mostly CJK ideographs. Return
    ``(text, codec, None)`` when such a byte order decodes all of ``data``, else
    ``("", codec, offset of the first bad byte)`` for the one that read furthest.
    """
    if len(data) < 2 or len(data) % 2:
        return None
    has_nul = b"\x00" in data
    found: List[Tuple[bool, int, float, str, str, Optional[int]]] = []
    for codec in ("utf-16-le", "utf-16-be"):
        text, bad = _try(data, codec, utf8=False)
        if bad is not None:
            text = data[:bad].decode(codec, "ignore")
        common, ideographs = _text_shares(text)
        if common < _MIN_COMMON_SHARE or (not has_nul and ideographs < _MIN_IDEOGRAPH_SHARE):
            continue
        found.append((bad is None, len(text), common, text, codec, bad))
    if not found:
        return None
    ok, _, _, text, codec, bad = max(found, key=lambda f: f[:3])
    return (text, codec, None) if ok else ("", codec, bad)


def _text_shares(text: str) -> Tuple[float, float]:
    """Shares of ``text`` that are ordinary Chinese-text characters and CJK ideographs."""
    if not text:
        return 0.0, 0.0
    counts = Counter(text)  # each distinct character tested once
    common = sum(n for ch, n in counts.items() if _is_common(ch))
    ideographs = sum(n for ch, n in counts.items() if _is_ideograph(ch))
    return common / len(text), ideographs / len(text)


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_common(ch: str) -> bool:
    """Ideographs, ASCII text, CJK and general punctuation, full-width forms, Latin-1."""
    return (
        _is_ideograph(ch)
        or " " <= ch <= "~"
        or ch in _ALLOWED_CONTROLS
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2000" <= ch <= "\u206f"
        or "\u00a0" <= ch <= "\u00ff"
    )


# --------------------------------------------------------------------------------------------
# normalise
# --------------------------------------------------------------------------------------------

_SPACES = "\u3000\u00a0\u202f\u205f" + "".join(chr(cp) for cp in range(0x2000, 0x200B))
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
_LINE_BREAKS = "\u2028\u2029\u0085"


class _NormTable(dict):
    """``str.translate`` table that works out and caches each character's mapping on demand."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if 0xFF01 <= cp <= 0xFF5E:
            out = chr(cp - 0xFEE0)
        elif ch in _SPACES or ch in _ZERO_WIDTH:
            out = " "
        elif ch in _LINE_BREAKS:
            out = "\n"
        else:
            nfkc = unicodedata.normalize("NFKC", ch)
            out = nfkc if len(nfkc) == 1 else ch
        self[cp] = out
        return out


_NORM_TABLE = _NormTable()


def normalise(text: str) -> str:
    """Return a matching copy of ``text`` with exactly the same length, character for character.

    Full-width ASCII forms become ASCII, Unicode spaces (ideographic, no-break, thin, ...) and
    zero-width characters become ``' '``, Unicode line and paragraph separators become ``'\\n'``,
    and any other character becomes its NFKC form when that is a single character. Chinese
    punctuation with no half-width form (。、“”《》—…) is kept.

    >>> normalise("ＧＤＰ增长６．５％，\u3000“稳”……")
    'GDP增长6.5%, “稳”……'
    """
    return text.translate(_NORM_TABLE)


# --------------------------------------------------------------------------------------------
# parse_text: metadata
# --------------------------------------------------------------------------------------------
# The patterns run on the normalised text, where ：（）， are already : ( ) ,.

_CJK = r"\u3400-\u9fff"
# A person's name: 2-4 ideographs, or parts joined by a middle dot (minority and foreign names).
_NAME = re.compile(rf"[{_CJK}]{{2,4}}|[{_CJK}]+(?:[·•・][{_CJK}]+)+")
_ROLE = re.compile(r"(?:特约|见习|实习|摄影|首席)?记者|通讯员|实习生|摄影|摄像")
_NAME_TOKEN = re.compile(r"[^\s、,/:]+")
_NOT_NAMES = frozenset({"报道", "摄", "发自", "综合报道"})
_OUTLET_MAX = 12

_TITLE = re.compile(r"[【\[]?(?:原标题|标题)\s*:\s*")
# A label is followed by a colon, or by a space when it opens the line (``来源 商务部网站``).
_FIELD = re.compile(r"[【\[(]?(责任编辑|责编|编辑|校对|审核|来源|作者)(?:\s*:|\s+(?=\S))")
_FIELD_MAX = 40
_EDITOR_FIELDS = frozenset({"责任编辑", "责编", "编辑", "校对", "审核"})
_PAREN = re.compile(r"\(([^()\n]{1,120})\)")
_END_MARK = re.compile(r"\((?:完|END|end)\)")
# 新华社北京3月1日电（记者 张三 李四）
_DATELINE = re.compile(
    r"[^\s\d,。;:!?()【】“”《》]{2,16}?\d{1,2}月\d{1,2}日(?:电|讯)(?=[\s(:—])"
    r"(?:\s*\(([^()\n]{1,80})\))?[\s:—]*"
)
# 央视网消息（新闻联播）：
_LEAD_IN = re.compile(
    r"([^\s\d,。;:!?()【】“”《》]{0,10}?(?:网|社|台|报|新闻|客户端))消息\s*(?:\([^()\n]{1,20}\))?\s*:"
)
# A metadata item at the end of a line must follow one of these (or start the line).
_BOUNDARY = frozenset("。!?;)】”」』…")
# An item opened by one of these ends with its closing mark: 【责任编辑:邓健】.
_ITEM_BRACKETS = {"【": "】", "[": "]", "(": ")"}


class _MetaBuilder:
    """Collects what :func:`_tail_metadata` and :func:`_head_metadata` find, in reading order."""

    def __init__(self) -> None:
        self.title: Optional[str] = None
        self.source: Optional[str] = None
        self.reporters: List[str] = []
        self.editors: List[str] = []
        self.spans: List[Tuple[int, int]] = []

    def add_names(self, names: Iterable[str], editors: bool = False) -> None:
        target = self.editors if editors else self.reporters
        for name in names:
            if name not in target:
                target.append(name)

    def build(self) -> Metadata:
        return Metadata(
            title=self.title,
            reporters=tuple(self.reporters),
            editors=tuple(self.editors),
            source=self.source,
            spans=tuple(sorted(self.spans)),
        )


def _reporter_names(norm: str, text: str, start: int, end: int, *, whole_line: bool = False):
    """Names in a reporter block such as ``总台央视记者 张勤 王琰`` or ``记者张三、李四``.

    Returns the names (from ``text``) or None when ``norm[start:end]`` is not such a block.
    On a line of its own, a role without an outlet must be followed by a separator, so that
    ``记者了解到`` is not read as a reporter called 了解到.
    """
    role = _ROLE.search(norm, start, end)
    if role is None:
        return None
    outlet = norm[start : role.start()].strip()
    if len(outlet) > _OUTLET_MAX or re.search(r"[\s,。;!?:、()]", outlet):
        return None
    if whole_line and not outlet and not norm[role.end() : role.end() + 1].isspace():
        if norm[role.end() : role.end() + 1] != ":":
            return None
    names: List[str] = []
    pos = role.end()
    for piece in _NAME_TOKEN.finditer(norm[pos:end]):
        token_start, token_end = pos + piece.start(), pos + piece.end()
        # A further role word ("通讯员") may sit inside the list or glued to a name.
        for part_start, part_end in _split_on_roles(norm, token_start, token_end):
            token = norm[part_start:part_end]
            if token in _NOT_NAMES:
                continue
            if not _NAME.fullmatch(token):
                return None
            names.append(text[part_start:part_end])
    return names or None


def _split_on_roles(norm: str, start: int, end: int) -> Iterator[Tuple[int, int]]:
    """The parts of ``norm[start:end]`` between role words."""
    pos = start
    for m in _ROLE.finditer(norm, start, end):
        if m.start() > pos:
            yield pos, m.start()
        pos = m.end()
    if pos < end:
        yield pos, end


def _split_names(norm: str, text: str, start: int, end: int) -> List[str]:
    """Editor names of a field value, split on spaces, 、, commas and slashes."""
    pieces = re.finditer(r"[^\s、,/]+", norm[start:end])
    return [text[start + m.start() : start + m.end()] for m in pieces]


def _value_range(norm: str, opener_at: int, start: int, end: int) -> Tuple[int, int]:
    """The value ``[start, end)`` of an item, without spaces and the bracket closing the item."""
    start, end = _strip_range(norm, start, end)
    closer = _ITEM_BRACKETS.get(norm[opener_at])
    if closer and end > start and norm[end - 1] == closer:
        start, end = _strip_range(norm, start, end - 1)
    return start, end


def _strip_range(norm: str, start: int, end: int) -> Tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace at both ends."""
    while start < end and norm[start].isspace():
        start += 1
    while end > start and norm[end - 1].isspace():
        end -= 1
    return start, end


def _tail_metadata(norm: str, text: str, start: int, end: int, meta: _MetaBuilder) -> int:
    """Record metadata items ending the line ``[start, end)``; return where the content ends.

    Items are reporter blocks ``(记者 张三)``, fields ``责任编辑:邓健`` / ``来源:新华社`` and the end
    mark ``(完)``; they run on after the last sentence of the line or stand on their own line.
    """
    candidates = []
    start, end = _strip_range(norm, start, end)
    for m in _FIELD.finditer(norm, start, end):
        if m.start() == start or (
            m.group(0).endswith(":")
            and (norm[m.start() - 1].isspace() or norm[m.start() - 1] in _BOUNDARY)
        ):
            candidates.append((m.start(), "field", m))
    for m in _PAREN.finditer(norm, start, end):
        if _END_MARK.fullmatch(m.group(0)):
            candidates.append((m.start(), "end", m))
        else:
            names = _reporter_names(norm, text, m.start(1), m.end(1))
            if names:
                candidates.append((m.start(), "reporters", (m, names)))
    candidates.sort(key=lambda c: c[0])

    tail = end
    for pos, kind, found in reversed(candidates):
        if pos >= tail:
            continue
        if kind == "field":
            label = found.group(1)
            v0, v1 = _value_range(norm, pos, found.end(), tail)
            value = norm[v0:v1]
            if not value or len(value) > _FIELD_MAX or re.search(r"[。!?;]", value):
                break
            if label == "来源":
                meta.source = meta.source or text[v0:v1]
            else:
                meta.add_names(_split_names(norm, text, v0, v1), editors=label in _EDITOR_FIELDS)
            meta.spans.append(_strip_range(norm, pos, tail))
        else:
            m = found[0] if kind == "reporters" else found
            if norm[m.end() : tail].strip():
                break
            if kind == "reporters":
                meta.add_names(found[1])
            meta.spans.append((m.start(), m.end()))
        tail = pos
    return tail


def _head_metadata(norm: str, text: str, start: int, end: int, meta: _MetaBuilder) -> int:
    """Record metadata items opening the line ``[start, end)``; return where the content starts.

    Items are a title ``原标题:…`` (to the end of the line, or up to a ``→`` followed by content),
    a dateline ``新华社北京3月1日电(记者 张三)``, a lead-in ``央视网消息(新闻联播):``, a reporter
    line ``本报记者 张三`` or a reporter block ``(记者 张三)``.
    """
    while True:
        start, end = _strip_range(norm, start, end)
        if start >= end:
            return start
        m = _TITLE.match(norm, start, end)
        if m:
            arrow = norm.find("→", m.end(), end)
            if arrow >= 0 and norm[arrow + 1 : end].strip():
                t0, t1 = _value_range(norm, start, m.end(), arrow)
                meta.spans.append((start, arrow + 1))
                start = arrow + 1
            else:
                t0, t1 = _value_range(norm, start, m.end(), end)
                meta.spans.append((start, end))
                start = end
            if meta.title is None and t1 > t0:
                meta.title = text[t0:t1]
            continue
        m = _DATELINE.match(norm, start, end)
        if m:
            if m.group(1):
                names = _reporter_names(norm, text, m.start(1), m.end(1))
                meta.add_names(names or ())
            meta.spans.append(_strip_range(norm, start, m.end()))
            start = m.end()
            continue
        m = _LEAD_IN.match(norm, start, end)
        if m:
            meta.source = meta.source or text[m.start(1) : m.end(1)]
            meta.spans.append((start, m.end()))
            start = m.end()
            continue
        names = _reporter_names(norm, text, start, end, whole_line=True)
        if names:
            meta.add_names(names)
            meta.spans.append((start, end))
            return end
        m = _PAREN.match(norm, start, end)
        if m:
            names = _reporter_names(norm, text, m.start(1), m.end(1))
            if names:
                meta.add_names(names)
                meta.spans.append((start, m.end()))
                start = m.end()
                continue
        return start


# --------------------------------------------------------------------------------------------
# parse_text: sentences
# --------------------------------------------------------------------------------------------

_TERMINATORS = frozenset("。!?;…")
_CLOSERS = frozenset("”’」』)】\"'")
# Bracket pairs a sentence is never split inside (titles) or only where the pair closes (quotes).
_TITLE_PAIRS = {"《": "》", "〈": "〉"}
_QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_OPENERS = {**_TITLE_PAIRS, **_QUOTE_PAIRS}
_CLOSER_OF = {close: open_ for open_, close in _OPENERS.items()}
_BRACKET_RE = re.compile(f"[{re.escape(''.join(_OPENERS) + ''.join(_CLOSER_OF))}]")
_TERMINATOR_RE = re.compile(f"[{re.escape(''.join(sorted(_TERMINATORS)))}]")
# A heading is a line of at most this many characters without sentence-final punctuation.
_HEADING_MAX = 50
_NOT_HEADING_END = frozenset("。!?;,、:…")


def _bracket_cover(norm: str, start: int, end: int) -> Tuple[List[int], List[int]]:
    """For each position of ``norm[start:end]``: how many titles and quotes enclose it.

    Only matched pairs count, so an unclosed “ (a quote running over several paragraphs) does
    not stop the splitting. ``titles[i]`` counts pairs with ``open < i < close``;
    ``quotes[i]`` counts pairs with ``open < i <= close`` (a boundary before ``i`` is inside).
    """
    size = end - start
    titles = [0] * (size + 1)
    quotes = [0] * (size + 1)
    stack: List[Tuple[str, int]] = []
    for m in _BRACKET_RE.finditer(norm, start, end):  # only the brackets, not every character
        i = m.start()
        ch = norm[i]
        if ch in _OPENERS:
            stack.append((ch, i))
        elif ch in _CLOSER_OF:
            opener = _CLOSER_OF[ch]
            depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] == opener), None)
            if depth is None:
                continue
            o = stack[depth][1]
            del stack[depth:]
            if opener in _TITLE_PAIRS:
                titles[o + 1 - start] += 1
                titles[i - start] -= 1
            else:
                quotes[o + 1 - start] += 1
                quotes[i + 1 - start] -= 1
    return list(accumulate(titles)), list(accumulate(quotes))


def _split_sentences(norm: str, start: int, end: int) -> Iterator[Tuple[int, int]]:
    """Sentence ranges of the content ``norm[start:end]``, stripped of whitespace, none empty."""
    titles, quotes = _bracket_cover(norm, start, end)
    sentence_start = start
    resume = start  # terminators before this were read with the one before them
    for m in _TERMINATOR_RE.finditer(norm, start, end):
        i = m.start()
        if i < resume or titles[i - start]:
            continue
        j = i + 1
        while j < end and norm[j] in _TERMINATORS:
            j += 1
        k = j
        while k < end and norm[k] in _CLOSERS:
            k += 1
        if k >= end or not quotes[k - start]:
            yield from _nonempty(norm, sentence_start, k)
            sentence_start = k
        resume = k if k > i + 1 else i + 1
    yield from _nonempty(norm, sentence_start, end)


def _nonempty(norm: str, start: int, end: int) -> Iterator[Tuple[int, int]]:
    start, end = _strip_range(norm, start, end)
    if start < end:
        yield start, end


def _sentence_kind(sentence_norm: str, alone: bool) -> str:
    """``question`` (ends in ?), ``heading`` (short line of its own, no final mark) or ``body``."""
    core = sentence_norm.rstrip("".join(_CLOSERS))
    tail = len(core)
    while tail and core[tail - 1] in _TERMINATORS:
        tail -= 1
    if "?" in core[tail:]:
        return "question"
    if alone and core and len(sentence_norm) <= _HEADING_MAX and core[-1] not in _NOT_HEADING_END:
        return "heading"
    return "body"


def to_simplified(norm: str) -> str:
    """Traditional Chinese converted to simplified (OpenCC ``t2s``) for matching, same length.

    Only the matching form changes: labels and evidence are taken from the original text.

    >>> to_simplified("國務院推動產業鏈供應鏈穩定")
    '国务院推动产业链供应链稳定'
    """
    traditional = _traditional_chars()
    if traditional.isdisjoint(norm):
        return norm
    converted = _t2s().convert(norm)
    if len(converted) == len(norm):
        return converted
    # A phrase conversion changed the length: convert character by character instead so
    # that offsets stay shared with the original text.
    convert = _t2s().convert
    return "".join(ch if ch not in traditional or len(c := convert(ch)) != 1 else c for ch in norm)


@functools.lru_cache(maxsize=1)
def _t2s():
    try:
        from opencc import OpenCC
    except ImportError as exc:  # pragma: no cover - a hard dependency
        raise KGError("OpenCC is not installed: pip install 'opencc-python-reimplemented>=0.1.7,<0.2'") from exc
    return OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _traditional_chars() -> frozenset:
    """Characters OpenCC converts from traditional to simplified (read from its dictionary)."""
    import opencc

    table = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    chars = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1 and values and values.split()[0] != key:
            chars.add(key)
    return frozenset(chars)


def parse_text(
    text: str,
    doc_id: str,
    path: str = "",
    encoding: str = "utf-8",
    sha256: str = "",
) -> Document:
    """Normalise ``text``, separate its metadata and split its content into sentences.

    Each line is a paragraph (blank lines only separate); metadata at the start of a line
    (title, dateline, lead-in) or at its end (reporters, editors, source) is recorded in
    :class:`~kg.types.Metadata` and left out of the sentences. Sentences end after 。！？!?；;
    and …, with any closing quote or bracket; never inside 《》, and inside “” only where the
    quote itself ends the sentence. Paragraph numbers count paragraphs that have content.

    >>> doc = parse_text("原标题：稳增长→工业经济如何稳？一是保通保畅。（记者 张三）", "x")
    >>> doc.metadata.title, doc.metadata.reporters
    ('稳增长', ('张三',))
    >>> [(s.text, s.kind) for s in doc.sentences]
    [('工业经济如何稳？', 'question'), ('一是保通保畅。', 'body')]
    """
    norm = to_simplified(normalise(text))
    meta = _MetaBuilder()
    sentences: List[Sentence] = []
    paragraph = 0
    for line in re.finditer(r"[^\n\r]+", norm):
        end = _tail_metadata(norm, text, line.start(), line.end(), meta)
        start = _head_metadata(norm, text, line.start(), end, meta)
        ranges = list(_split_sentences(norm, start, end))
        if not ranges:
            continue
        for s0, s1 in ranges:
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=s0,
                    end=s1,
                    text=text[s0:s1],
                    norm=norm[s0:s1],
                    paragraph=paragraph,
                    kind=_sentence_kind(norm[s0:s1], alone=len(ranges) == 1),
                )
            )
        paragraph += 1
    return Document(
        doc_id=doc_id,
        path=path,
        text=text,
        norm=norm,
        encoding=encoding,
        sha256=sha256,
        metadata=meta.build(),
        sentences=tuple(sentences),
    )


# --------------------------------------------------------------------------------------------
# read_documents
# --------------------------------------------------------------------------------------------


def read_documents(
    paths: Union[PathLike, Sequence[PathLike]],
    *,
    pattern: str = "*.txt",
    errors: Optional[List[Exception]] = None,
) -> Iterator[Document]:
    """Read every file in ``paths`` (files, or directories searched recursively) as Documents.

    A directory yields its files matching ``pattern`` in sorted order, skipping hidden files and
    folders; a Document's ``doc_id`` is its path relative to that directory without the suffix,
    with ``/`` as separator (a file given directly: its stem).

    The paths are checked before anything is read: a path that does not exist, a directory
    without a matching file, or two files with the same ``doc_id`` raise
    :class:`~kg.errors.InputError` at once. A file that cannot be read or decoded raises
    :class:`~kg.errors.InputError` / :class:`~kg.errors.DecodeError` when it is reached, unless
    ``errors`` is a list: then the error is appended to it, the file skipped and the others read.
    """
    files = _list_files(paths, pattern)
    return _read_files(files, errors)


def _list_files(paths, pattern: str) -> List[Tuple[str, str]]:
    """``(doc_id, path)`` of every input file, in order; checks existence and unique ids."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: List[Tuple[str, str]] = []
    seen = {}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            found = []
            for file in root.rglob(pattern):
                rel = file.relative_to(root)
                if file.is_file() and not any(part.startswith(".") for part in rel.parts):
                    doc_id = rel.with_suffix("").as_posix()
                    found.append((doc_id, os.path.join(str(given), *rel.parts)))
            if not found:
                raise InputError(f"{given}: no file matching {pattern!r} in this directory")
            found.sort()
        elif root.is_file():
            found = [(root.stem, str(given))]
        else:
            raise InputError(f"{given}: no such file or directory")
        for doc_id, path in found:
            if doc_id in seen:
                raise InputError(
                    f"{path}: doc_id {doc_id!r} is already taken by {seen[doc_id]}; "
                    "give the two inputs different relative paths or names"
                )
            seen[doc_id] = path
            files.append((doc_id, path))
    return files


def _read_files(
    files: List[Tuple[str, str]], errors: Optional[List[Exception]]
) -> Iterator[Document]:
    for doc_id, path in files:
        try:
            yield _read_file(doc_id, path)
        except InputError as exc:  # DecodeError included
            if errors is None:
                raise
            errors.append(exc)


def _read_file(doc_id: str, path: str) -> Document:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    text, encoding = decode(data, path)
    sha256 = hashlib.sha256(data).hexdigest()
    return parse_text(text, doc_id, path=path, encoding=encoding, sha256=sha256)
