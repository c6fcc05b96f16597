"""Stage 4: entity recognition.

:class:`EntityRecogniser` finds the entities of one document in two passes over its sentences:

1. *find*: the lexicon (longest match on word boundaries) and patterns for what no lexicon
   lists: ``《…》`` titles, quoted names with an instrument head (“白名单”制度, “中小企助查”App),
   names ending in an instrument head or an organisation suffix (…协调平台, …领导小组),
   measures described rather than named (免征增值税 → 增值税减免, …阶段性降低5%政策), zones and
   clusters named by a place and a head (北京城市副中心, 成都都市圈), sector varieties (现代商贸),
   and people from a post title (副部长辛国斌) or a speaker turn (辛国斌：, 辛国斌表示); sector
   words that name a product or a facility here (电动汽车, 物流中心) are dropped;
2. *resolve*: a name several places share (朝阳区) names the one whose parent the document names,
   if any; every name found by a pattern becomes part of a document gazetteer, so its later
   bare mentions (辛国斌, 白名单) are found too and point at the same entity.

Overlapping candidates are settled longest first: 汽车产业链供应链畅通协调平台 is one
Platform, not a sector 汽车 followed by words.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from pathlib import Path
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .lexicon import MAX_ENDING as _MAX_HEAD
from .lexicon import MIN_SPECIFIC, SECTOR_FORMS, Lexicon, match_key
from .ontology import ClassTree
from .segment import new_token
from .types import Document, Entity, LexiconEntry, Mention, Sentence, Token

__all__ = ["EntityRecogniser", "resolve_entities", "Trie"]

# Punctuation (after normalisation) that ends a name; quotes do not: 制造业“十四五”规划.
_NAME_BREAK = set(",.;:!?、。()[]<>《》·…—-/|　 ") | {"\t", "\n"}
_OPEN_QUOTES, _CLOSE_QUOTES = "“‘「『\"", "”’」』\""
# Characters that end a person's name rather than belong to it.
_NAME_STOP = set("的是了在和与及等将对从向把被表说指称会同为就于、,.:;，。：；（）()")
_MAX_NAME_TOKENS = 10
# Titles that refer back to a document named in full earlier (《通知》, 《意见》).
_SHORT_TITLES = frozenset({"通知", "意见", "决定", "公告", "办法", "方案", "规划", "纲要", "规划纲要", "实施方案"})
_MAX_NAME_CHARS = 28
_MAX_ZONE_QUALIFIER = 10  # characters between a place and a zone head: 武汉|东湖|新技术产业开发区
_MAX_COMPOUND = 4  # characters of the general dictionary's words that a sector word may end (电动汽车)
# Tags of ordinary nouns and set phrases in jieba's dictionary; names (nt 中国汽车, nz, nr) are not
# ordinary words, and its many nt/nz entries are companies and brands.
_ORDINARY_NOUN_TAGS = ("n", "l")
_SECTOR_HEADS = ("产业", "行业")  # what names an industry after a quoted coinage: “高精尖”产业
_TITLE_RE = re.compile(r"《([^《》]{2,80})》")
_QUOTED_RE = re.compile(r"[“\"「『]([^“”\"「」『』]{1,24})[”\"」』]")
_TRAILING_PAREN_RE = re.compile(r"\([^()]*\)$")
# Policy slogans named by counting their parts: 六稳, 六保, 三去一降一补, 两新一重.
# Nouns naming a measure by its content (…阶段性降低5%政策), and what may sit inside a description.
_MEASURE_RE = re.compile(r"政策|措施|安排")
_MAX_MEASURE_CHARS = 16
_ENUM_JOINERS = ("、", "和", "及", "与", "以及")
_MAX_TAX_OBJECT = 12  # characters between an exempting verb and the tax: 免征湖北境内小规模纳税人增值税
_AMOUNT_RE = re.compile(r"\d[\d.]*%?|[一二三四五六七八九十]+成|个百分点")
_CREDIT_RE = re.compile(r"贷|利率|还本|付息|偿还")
_TEMPORARY_RE = re.compile(r"阶段性|临时性|暂时")  # how long a measure lasts says not what it is
_AMOUNT_BEFORE_RE = re.compile(r"\d[\d.]*(?:万亿|亿|万|千)?元$")
# An enumeration closed by 等(重点)领域 lists fields of work (智能驾驶体系等重点领域), not instruments.
_FIELD_LIST_RE = re.compile(r"(?:、[^,;:。、]{1,12})*等(?:重点|关键|主要|相关|新兴)?(?:领域|方面|环节|技术)")
_NUMBERED_SLOGAN_RE = re.compile(r"^(?:[一二三四五六七八九十两][^一二三四五六七八九十两\d]){1,4}$")


class Trie:
    """Longest-match lookup of many strings at a position of a text.

    >>> t = Trie({"长三角": "长江三角洲", "长三角地区": "长江三角洲"})
    >>> t.longest("聚焦长三角地区", 2)
    (7, '长江三角洲')
    >>> t.each_longest("长三角和长三角地区")
    [(0, (3, '长江三角洲')), (4, (9, '长江三角洲'))]
    """

    _END = object()

    def __init__(self, items: Mapping[str, str]):
        self.root: dict = {}
        for key, value in items.items():
            node = self.root
            for ch in key:
                node = node.setdefault(ch, {})
            node[self._END] = value
        self._first: Optional[re.Pattern] = None  # compiled on first use of each_longest

    def matches(self, text: str, start: int) -> List[Tuple[int, str]]:
        """Every (end, value) of a key starting at ``start`` (non-negative), shortest first."""
        found = self.each_matches(text, (start,))
        return found[0][1] if found else []

    def longest(self, text: str, start: int) -> Optional[Tuple[int, str]]:
        """(end, value) of the longest key starting at ``start``, or None."""
        if not 0 <= start < len(text):
            return None
        node = self.root.get(text[start])
        if node is None:
            return None
        mark, best = self._END, None
        for i in range(start + 1, len(text)):
            if mark in node:
                best = (i, node)
            node = node.get(text[i])
            if node is None:
                break
        else:
            if mark in node:
                best = (len(text), node)
        return (best[0], best[1][mark]) if best else None

    def starts(self, text: str, positions: Iterable[int]) -> List[int]:
        """The ``positions`` (non-negative, in their order) where a key may start: those whose
        character some key begins with (a filter for the positions worth a :meth:`longest` or
        :meth:`matches`)."""
        root, size = self.root, len(text)
        return [i for i in positions if i < size and text[i] in root]

    def each_matches(self, text: str, positions: Iterable[int]) -> List[Tuple[int, List[Tuple[int, str]]]]:
        """(start, :meth:`matches` at start) for each of ``positions`` (non-negative, in their
        order) where some key starts: one walk per position, no call per position."""
        root, mark, size = self.root, self._END, len(text)
        out = []
        for start in positions:
            node = root.get(text[start]) if start < size else None
            found = []
            i = start
            while node is not None:
                i += 1
                if mark in node:
                    found.append((i, node[mark]))
                node = node.get(text[i]) if i < size else None
            if found:
                out.append((start, found))
        return out

    def each_longest(self, text: str) -> List[Tuple[int, Tuple[int, str]]]:
        """(start, (end, value)) for every position of ``text`` where a key starts, in order."""
        if self._first is None:
            firsts = "".join(sorted(ch for ch in self.root if ch is not self._END))
            self._first = re.compile(f"[{re.escape(firsts)}]" if firsts else r"(?!)")
        out = []
        for m in self._first.finditer(text):
            hit = self.longest(text, m.start())
            if hit is not None:
                out.append((m.start(), hit))
        return out


@dataclass(frozen=True)
class _Candidate:
    start: int  # sentence-relative
    end: int
    key: str
    cls: str
    rule: str
    alias: Optional[str] = None  # another name the pattern revealed (the quoted core)


class EntityRecogniser:
    """Finds :class:`~kg.types.Mention` s in a segmented document (see the module doc)."""

    def __init__(self, lexicon: Lexicon, tree: ClassTree):
        self.lexicon = lexicon
        self.tree = tree
        self.surfaces = Trie(dict(lexicon.surfaces))
        self.heads = _suffix_table(lexicon.instrument_heads)
        self.suffixes = _suffix_table(lexicon.actor_suffixes)
        self.title_classes = _suffix_table(lexicon.title_classes)
        self.ending_chars = frozenset(self.heads.lengths) | frozenset(self.suffixes.lengths)
        self.title_ends = set(lexicon.title_classes) | set(lexicon.instrument_heads)
        self.posts = Trie({p: p for p in lexicon.posts})
        self.speech = Trie({w: w for w in lexicon.words_with("speech")})
        self.markers = Trie({w: w for w in lexicon.words_with("marker")})
        self.modifiers = lexicon.words_with("modifier")
        verbs = {"launch", "implement", "means", "collaborate", "speech"}
        # An organisation's name may hold a focus verb (促进中小企业发展工作领导小组), an
        # instrument's name starts after one.
        generic = set(lexicon.words_with("generic"))
        # Generic words run through names (产业发展规划, 中小企业发展专项督查) even when
        # they can also be focus verbs elsewhere.
        self.breakers = {
            "Instrument": _words_with_any(lexicon, verbs | {"focus", "stop"}) - generic,
            # 财政部|鼓励|地方银行: urging names the urged, it is no part of their name.
            "Actor": _words_with_any(lexicon, verbs | {"stop", "encourage"}) - generic,
        }
        # Looked up by length where a breaker may end a measure's description (not word by word).
        self._breaker_lengths = tuple(sorted({len(w) for w in self.breakers["Instrument"]}))
        # A clause-opening marker (一是, 第一) glued to a name is not part of it either.
        self.leading_verbs = {
            "Instrument": tuple(sorted(_words_with_any(lexicon, verbs | {"focus", "marker"}), key=len, reverse=True)),
            "Actor": tuple(sorted(_words_with_any(lexicon, verbs | {"marker"}), key=len, reverse=True)),
        }
        # What a name's start skips (_skip_leading): modifiers, then those verbs.
        self.leading = {top: _Words(self.modifiers + words) for top, words in self.leading_verbs.items()}
        self.generic = set(lexicon.words_with("generic")) | set(self.modifiers)
        self.generic_longest_first = tuple(sorted(self.generic, key=lambda w: (-len(w), w)))
        self.action_verbs = set(lexicon.words_with("launch")) | set(lexicon.words_with("implement"))
        self.focus_verbs = set(lexicon.words_with("focus")) - self.action_verbs
        self.stop_words = set(lexicon.words_with("stop"))
        self.exempt = Trie({w: w for w in lexicon.words_with("exempt")})
        self.relief = lexicon.words_with("relief")
        self.taxes = Trie({w: w for w in lexicon.words_with("tax")})
        self.tax_reliefs = _tax_relief_index(lexicon)
        self.contextual = Trie({k: k for k in lexicon.contextual})
        self.region_heads = _suffix_table(lexicon.region_heads)
        self.facilities = frozenset(lexicon.words_with("facility"))
        self.varieties = lexicon.words_with("variety")

    # ------------------------------------------------------------------ public entry point
    def __call__(self, doc: Document, tokens: Sequence[Tuple[Token, ...]]) -> Tuple[Mention, ...]:
        """Mentions of ``doc``; ``tokens[i]`` are the words of ``doc.sentences[i]``."""
        bounds = [_bounds(s, toks) for s, toks in zip(doc.sentences, tokens)]
        found = [self.find(s, toks, b) for s, toks, b in zip(doc.sentences, tokens, bounds)]
        found = self._resolve_contextual(found)
        gazetteer = self._gazetteer(c for cands in found for c in cands)
        names = Trie({k: k for k in gazetteer})  # built once per document, used per sentence
        mentions: List[Mention] = []
        for s, b, cands in zip(doc.sentences, bounds, found):
            cands = cands + self._gazetteer_matches(s, b, gazetteer, names)
            for c in _settle(cands):
                key, cls = gazetteer.get(c.key, (c.key, c.cls))
                if c.rule == "lexicon":
                    key, cls = c.key, c.cls
                mentions.append(Mention(start=s.start + c.start, end=s.start + c.end,
                                        text=doc.text[s.start + c.start:s.start + c.end],
                                        key=key, cls=cls, rule=c.rule, sentence=s.index))
        return tuple(mentions)

    def find(self, s: Sentence, tokens: Sequence[Token], bounds: _Bounds) -> List[_Candidate]:
        """Pass 1 on one sentence: lexicon and pattern candidates, overlapping; ``bounds`` are
        its word boundaries (:func:`_bounds`, also used by pass 2)."""
        rel = [new_token(t.start - s.start, t.end - s.start, t.text) for t in tokens]
        cands = self._sector_words(s.norm, rel, self._lexicon(s.norm, bounds))
        cands += self._contextual(s.norm, bounds)
        cands += self._sector_varieties(s.norm, bounds, cands)
        cands += self._quoted_sectors(s.norm, rel)
        cands += self._titles(s.norm)
        cands += self._quoted(s.norm)
        cands += self._tax_reliefs(s.norm, bounds)
        cands += self._measures(s.norm, bounds, cands)
        cands += self._headed(s.norm, rel, cands)
        cands += self._elliptical(s.norm, rel, cands)
        cands = [c for c in cands if not self._zone_kind(s.norm, c)]
        cands += self._zones(s.norm, rel, bounds, cands)
        cands += self._people(s, bounds, cands)
        return cands

    # ------------------------------------------------------------------ pass 1 finders
    def _lexicon(self, norm: str, bounds: _Bounds) -> List[_Candidate]:
        out = []
        for i, found in self.surfaces.each_matches(norm, bounds.ordered):
            for end, canonical in reversed(found):
                if end in bounds:
                    end = _unglued_end(norm, end, canonical, found, bounds)
                    e = self.lexicon.by_canonical[canonical]
                    out.append(_Candidate(i, end, canonical, e.cls, "lexicon"))
                    break
        return out

    def _sector_words(self, norm: str, tokens: Sequence[Token], cands: List[_Candidate]) -> List[_Candidate]:
        """Drop a sector word that names no industry here: the last part of a longer ordinary
        word (电动汽车, 终身教育: a kind of product or activity), or the first part of a place or
        facility (物流|中心, 汽车|站)."""
        sectors = [c for c in cands if self.tree.top_class(c.cls) == "Sector"]
        if not sectors:
            return cands
        starts = {t.start: t.text for t in tokens}
        dropped = {c for c in sectors if starts.get(c.end) in self.facilities or self._compound_tail(norm, c)}
        return [c for c in cands if c not in dropped] if dropped else cands

    def _compound_tail(self, norm: str, c: _Candidate) -> bool:
        """True when an ordinary word of the general dictionary (not a name, not in the lexicon)
        ends where the sector's name ends, or where its …产业/…行业 form's name part ends, and
        starts before it: 电动|汽车, 终身|教育."""
        surface = norm[c.start:c.end]
        ends = {c.end} | {c.end - len(f) for f in SECTOR_FORMS if surface.endswith(f) and len(surface) > len(f)
                          and self.lexicon.surfaces.get(match_key(surface[:-len(f)])) == c.key}
        for end in ends:
            for start in range(max(0, end - _MAX_COMPOUND), c.start):
                word = norm[start:end]
                if word_tag(word) in _ORDINARY_NOUN_TAGS and match_key(word) not in self.lexicon.surfaces:
                    return True
        return False

    def _sector_varieties(self, norm: str, bounds: Set[int], cands: Sequence[_Candidate]) -> List[_Candidate]:
        """现代商贸, 先进装备制造: a variety word right before a sector names a sector of its own
        (the lexicon's own names, such as 现代服务业, are found by the lexicon first)."""
        out = []
        for c in cands:
            if c.rule != "lexicon" or self.tree.top_class(c.cls) != "Sector":
                continue
            for v in self.varieties:
                start = c.start - len(v)
                if start in bounds and norm.startswith(v, start):
                    out.append(_Candidate(start, c.end, match_key(v + c.key), c.cls, "sector-variety"))
                    break
        return out

    def _quoted_sectors(self, norm: str, tokens: Sequence[Token]) -> List[_Candidate]:
        """“高精尖”产业: a quoted coinage followed by 产业 or 行业, where the phrase ends (no noun
        follows it, as 规划 does in “十四五”产业规划), names an industry."""
        out = []
        for m in _QUOTED_RE.finditer(norm):
            form = next((f for f in _SECTOR_HEADS if norm.startswith(f, m.end())), None)
            if form is None or not _all_han(m.group(1)):
                continue
            end = m.end() + len(form)
            following = next((t.text for t in tokens if t.start == end), "")
            if following and _tag(following).startswith("n"):
                continue
            out.append(_Candidate(m.start(), end, match_key(m.group(1) + form), "Industry", "quoted-sector"))
        return out

    def _contextual(self, norm: str, bounds: _Bounds) -> List[_Candidate]:
        """Names several places share (朝阳区), on the segmenter's own word boundaries; which
        place, if any, is decided for the whole document (:meth:`_resolve_contextual`)."""
        out = []
        for i, found in self.contextual.each_matches(norm, bounds.ordered):
            for end, form in reversed(found):
                if end in bounds:
                    out.append(_Candidate(i, end, form, "", "contextual"))
                    break
        return out

    def _resolve_contextual(self, found: List[List[_Candidate]]) -> List[List[_Candidate]]:
        """A shared name names the one place whose parent the document names elsewhere, else its
        grandparent (a document naming 北京 or 北京市 reads 朝阳区 as 北京市朝阳区); with no such
        place, or several, it names none."""
        if not any(c.rule == "contextual" for cands in found for c in cands):
            return found
        named = {c.key for cands in found for c in cands if c.rule == "lexicon"}
        by_canonical = self.lexicon.by_canonical
        out = []
        for cands in found:
            kept = []
            for c in cands:
                if c.rule != "contextual":
                    kept.append(c)
                    continue
                ranked = sorted((rank, o) for o in self.lexicon.contextual[c.key]
                                for rank in [_context_rank(by_canonical, o, named)] if rank is not None)
                if ranked and (len(ranked) == 1 or ranked[0][0] < ranked[1][0]):
                    chosen = ranked[0][1]
                    kept.append(_Candidate(c.start, c.end, chosen, by_canonical[chosen].cls, "lexicon"))
            out.append(kept)
        return out

    def _titles(self, norm: str) -> List[_Candidate]:
        out = []
        for m in _TITLE_RE.finditer(norm):
            name = m.group(1)
            bare = _TRAILING_PAREN_RE.sub("", name)  # 规划(2021—2035年) ends in 规划
            cls = _suffix_lookup(self.title_classes, bare)
            if cls is None:  # 《新闻联播》, 《人民日报》: a programme or a paper, not a policy
                continue
            out.append(_Candidate(m.start(), m.end(), match_key(name), cls, "title"))
        return out

    def _quoted(self, norm: str) -> List[_Candidate]:
        """“X” directly followed by an instrument head: the instrument X+head, alias X; a
        quoted name ending in a head itself (“便民办税春风行动”) is the instrument X."""
        out = []
        for m in _QUOTED_RE.finditer(norm):
            inner = m.group(1)
            head = _prefix_head(self.heads, norm, m.end())
            own = _suffix_lookup_len(self.heads, inner)
            if head is None and own is not None and not self._is_generic(inner[:-own[0]]):
                out.append(_Candidate(m.start(), m.end(), match_key(inner), own[1], "quoted-instrument"))
                continue
            if head is None:
                if _NUMBERED_SLOGAN_RE.match(inner) and not _counts_things(inner):
                    # a slogan the lexicon knows (“一带一路”) keeps its canonical name
                    key = self.lexicon.surfaces.get(match_key(inner), inner)
                    cls = self.lexicon.by_canonical[key].cls if key in self.lexicon.by_canonical else "Programme"
                    out.append(_Candidate(m.start(), m.end(), key, cls, "numbered-slogan"))
                continue
            end = m.end() + len(head)
            out.append(_Candidate(m.start(), end, match_key(inner + head), self.heads[head][1],
                                  "quoted-instrument", alias=match_key(inner)))
        return out

    def _tax_reliefs(self, norm: str, bounds: _Bounds) -> List[_Candidate]:
        """免征增值税, 减免城镇土地使用税: exempting a named tax is a relief measure, named
        "<tax>减免", or the lexicon's relief of that tax for the payer the clause names
        (对小规模纳税人免征增值税 → 增值税小规模纳税人减免增值税).  Coordinated taxes are each
        relieved: 减免房产税和城镇土地使用税."""
        out = []
        for i in self.exempt.starts(norm, bounds.ordered):
            verb = self.exempt.longest(norm, i)
            if verb is None or verb[0] not in bounds:
                continue
            tax = self._tax_after(norm, verb[0])
            first = True
            while tax is not None:
                tax_start, tax_end, tax_word = tax
                clause = norm[_clause_start(norm, i):tax_start]
                payer, canonical = max(((p, c) for p, c in self.tax_reliefs.get(tax_word, ()) if p in clause),
                                       key=lambda pc: len(pc[0]), default=("", None))
                key = canonical or self.lexicon.surfaces.get(tax_word + "减免", tax_word + "减免")
                cls = self.lexicon.by_canonical[key].cls if key in self.lexicon.by_canonical else "FiscalTool"
                # The mention is the verb and the tax, or the payer and the tax when other words
                # (a place: 免征湖北境内小规模纳税人增值税) stand between the verb and the tax.
                inner = norm.find(payer, verb[0], tax_start) if payer and first else -1
                start = i if tax_start == verb[0] else inner if inner >= 0 else tax_start
                out.append(_Candidate(start, tax_end, key, cls, "tax-relief"))
                joiner = next((j for j in _ENUM_JOINERS if norm.startswith(j, tax_end)), None)
                hit = self.taxes.longest(norm, tax_end + len(joiner)) if joiner else None
                tax = (tax_end + len(joiner), hit[0], hit[1]) if hit else None
                first = False
        return out

    def _tax_after(self, norm: str, pos: int) -> Optional[Tuple[int, int, str]]:
        """(start, end, tax) of the first tax named in the words right after ``pos``."""
        for j in range(pos, min(len(norm), pos + _MAX_TAX_OBJECT)):
            if norm[j] in _NAME_BREAK or norm[j] in ",;:":
                return None
            hit = self.taxes.longest(norm, j)
            if hit is not None:
                return j, hit[0], hit[1]
        return None

    def _measures(self, norm: str, bounds: Set[int], found: Sequence[_Candidate]) -> List[_Candidate]:
        """A 政策, 措施 or 安排 named by what it cuts or grants: 工商业电价阶段性降低5%政策,
        临时性延期还本付息安排, 车辆购置税减免政策 (a known measure keeps its lexicon name)."""
        out = []
        actor_ends = {c.end for c in found if c.rule == "lexicon" and self.tree.top_class(c.cls) == "Actor"}
        for m in _MEASURE_RE.finditer(norm):
            if m.start() not in bounds or m.end() not in bounds:
                continue  # 政策性银行: the noun is part of another word
            start = self._measure_start(norm, m.start(), bounds, actor_ends)
            start = self._skip_leading(norm, start, m.start(), self.leading["Instrument"])
            described = norm[start:m.start()]
            head = _suffix_lookup_len(self.heads, described)
            tool = head is not None and head[1] in ("FiscalTool", "FinancialTool")
            cuts = [w for w in self.relief if w in described]
            if not (tool or cuts):
                continue
            content = _AMOUNT_RE.sub("", _TEMPORARY_RE.sub("", described))
            for w in cuts + ([described[-head[0]:]] if tool else []):
                content = content.replace(w, "")
            if self._is_generic(content):
                continue  # 减免政策, 阶段性降低政策: nothing says what is cut
            known = self.lexicon.surfaces.get(match_key(described))
            if known is not None:
                out.append(_Candidate(start, m.end(), known, self.lexicon.by_canonical[known].cls, "measure"))
                continue
            cls = head[1] if tool else "FinancialTool" if _CREDIT_RE.search(described) else "FiscalTool"
            out.append(_Candidate(start, m.end(), match_key(norm[start:m.end()]), cls, "measure"))
        return out

    def _measure_start(self, norm: str, pos: int, bounds: Set[int], actor_ends: Set[int]) -> int:
        """Where the description of a measure ending at ``pos`` begins: back to punctuation, 的,
        a verb or function word, an actor (its subject), or the 外 closing a 除…外 exception."""
        i = pos
        clause = _clause_start(norm, pos)
        breakers, lengths = self.breakers["Instrument"], self._breaker_lengths
        while i > clause and pos - i < _MAX_MEASURE_CHARS:
            ch = norm[i - 1]
            if ch in _NAME_BREAK or ch == "的" or i in actor_ends:
                break
            if ch == "外" and "除" in norm[clause:i - 1]:
                break
            if i in bounds and any(i - n in bounds and norm[i - n:i] in breakers for n in lengths):
                break
            i -= 1
        return i

    def _headed(self, norm: str, tokens: Sequence[Token], found: Sequence[_Candidate]) -> List[_Candidate]:
        """Names ending in an instrument head or an organisation suffix, run back to a breaker."""
        actor_starts = {c.start: c for c in found if c.rule == "lexicon" and self.tree.top_class(c.cls) == "Actor"}
        known_ends = {c.end: c.start for c in found if c.rule == "lexicon"}
        out = []
        for j, tok in enumerate(tokens):
            if norm[tok.end - 1] not in self.ending_chars:
                continue  # most words end in no head's or suffix's last character
            prefix = norm[max(0, tok.end - _MAX_HEAD):tok.end]  # heads are short: look no further
            for table, top, rule in ((self.heads, "Instrument", "instrument-head"),
                                     (self.suffixes, "Actor", "organisation-suffix")):
                hit = _suffix_lookup_len(table, prefix)
                if hit is None:
                    continue
                head_len, cls = hit
                if _used_as_verb(norm[tok.end - head_len:tok.end], tokens[j + 1] if j + 1 < len(tokens) else None):
                    continue  # 出租方减免|租金: the head word is the verb of a clause here
                start = self._name_start(norm, tokens, j, tok.end - head_len, top, actor_starts, known_ends)
                if start is None:
                    continue
                name = norm[start:tok.end]
                minimum = self.lexicon.head_specific.get(name[-head_len:], MIN_SPECIFIC) if top == "Instrument" else MIN_SPECIFIC
                if _unbalanced_quotes(name):
                    continue
                if self._is_generic(name[: len(name) - head_len], minimum):
                    if top != "Instrument" or not _quantified_tool(norm, tok.end - head_len, head_len, cls):
                        continue
                    start, name = tok.end - head_len, name[-head_len:]  # the amount is no part of it
                if top == "Instrument" and _FIELD_LIST_RE.match(norm, tok.end):
                    continue  # 动力电池系统、智能驾驶体系等重点领域: fields of work, not instruments
                if _verb_before_known_name(tokens, start, tok.end, known_ends):
                    continue  # 建设|中关村国家自主创新示范区: the known name is the whole name
                out.append(_Candidate(start, tok.end, match_key(name), cls, rule))
        return out

    def _zones(self, norm: str, tokens: Sequence[Token], bounds: _Bounds, found: Sequence[_Candidate]) -> List[_Candidate]:
        """A place the lexicon knows, then qualifying words, then a zone or cluster head names a
        zone or cluster: 北京城市副中心, 武汉东湖新技术产业开发区, 成都都市圈.  The name runs from
        the farthest such place (江苏南京江北新区), unless a shorter one is a lexicon name; a
        片区 of a known zone is named after the zone's canonical name (上海自贸试验区临港新片区 is
        中国（上海）自由贸易试验区临港新片区)."""
        places = sorted((c for c in found if c.rule == "lexicon" and self.tree.top_class(c.cls) == "Region"
                         and c.cls != "Country"), key=lambda c: c.start)
        if not places:
            return []
        out = self._zone_parts(places)
        for end in bounds.ordered:
            if not end or norm[end - 1] not in self.region_heads.lengths:
                continue
            for size in self.region_heads.lengths[norm[end - 1]]:  # longest head first
                head_start = end - size
                if head_start not in bounds or norm[head_start:end] not in self.region_heads:
                    continue  # 苏州|高新技术|产业|开发区: the head starts inside a word, try a shorter one
                starts = [p for p in places if p.end <= head_start
                          and self._zone_qualifier(norm, tokens, p.end, head_start)]
                if starts:
                    out.append(self._zone_name(norm, starts, end, self.region_heads[norm[head_start:end]][1]))
                break
        return out

    def _zone_kind(self, norm: str, c: _Candidate) -> bool:
        """True for a zone found by its instrument head whose name is no more than a zone head
        (各地|自由贸易试验区, 综合保税区): the kind of zone, not one zone."""
        if c.rule != "instrument-head" or self.tree.top_class(c.cls) != "Region":
            return False
        return any(norm.startswith(h, c.end - len(h)) and c.end - len(h) <= c.start
                   for h in self.region_heads if len(h) <= c.end)

    def _zone_parts(self, places: Sequence[_Candidate]) -> List[_Candidate]:
        """A zone the lexicon knows, written right after the zone it is part of, is one name:
        上海自贸试验区临港新片区 is 中国（上海）自由贸易试验区临港新片区, not two zones."""
        ends = {p.end: p for p in places if p.cls == "EconomicZone"}
        out = []
        for c in places:
            whole = ends.get(c.start)
            if whole is not None and c.cls == "EconomicZone" and self.lexicon.by_canonical[c.key].parent == whole.key:
                out.append(_Candidate(whole.start, c.end, c.key, c.cls, "zone"))
        return out

    def _zone_qualifier(self, norm: str, tokens: Sequence[Token], start: int, end: int) -> bool:
        """True when the words from ``start`` to ``end`` may stand between a place and a zone head:
        short, no punctuation, no verb of action, no function word."""
        if end - start > _MAX_ZONE_QUALIFIER or any(ch in _NAME_BREAK or ch in ",;:" for ch in norm[start:end]):
            return False
        inside = [t for t in tokens if start <= t.start and t.end <= end]
        if sum(len(t.text) for t in inside) != end - start:
            return False  # a word runs across the place's end or the head's start
        return not any(t.text in self.breakers["Instrument"] or _is_function_word(t.text)
                       or _tag(t.text) in _FUNCTION_TAGS for t in inside)

    def _zone_name(self, norm: str, starts: Sequence[_Candidate], end: int, cls: str) -> _Candidate:
        """The zone ending at ``end`` whose name starts at one of the places ``starts``."""
        surfaces, by_canonical = self.lexicon.surfaces, self.lexicon.by_canonical
        for p in starts:  # farthest first: the longest name that the lexicon knows
            known = surfaces.get(match_key(norm[p.start:end]))
            if known is not None:
                return _Candidate(p.start, end, known, by_canonical[known].cls, "zone")
        first = starts[0]
        rest = norm[first.end:end]
        if by_canonical[first.key].cls == "EconomicZone":  # a part of a known zone: 片区, 新片区
            key = match_key(first.key + rest)
            known = surfaces.get(key)
            return _Candidate(first.start, end, known or key, by_canonical[known].cls if known else cls, "zone")
        return _Candidate(first.start, end, match_key(norm[first.start:end]), cls, "zone")

    def _elliptical(self, norm: str, tokens: Sequence[Token], found: Sequence[_Candidate]) -> List[_Candidate]:
        """Shared heads in coordination: 支农、支小再贷款 names 支农再贷款 too, 高技术和装备制造业
        names 高技术制造业 (the first conjunct borrows the second's ending)."""
        out = []
        for c in found:
            if c.start < 2 or norm[c.start - 1] not in "、和与及" or c.rule not in ("lexicon", "instrument-head"):
                continue
            first = self._conjunct_before(norm, tokens, c.start - 1)
            if first is None or _suffix_lookup_len(self.heads, norm[first:c.start - 1]):
                continue  # 京张高铁、京雄城际: a first conjunct with a head of its own borrows none
            surface = norm[c.start:c.end]
            for cut in range(1, len(surface)):
                tail = surface[cut:]
                name = norm[first:c.start - 1] + tail
                canonical = self.lexicon.surfaces.get(match_key(name))
                if canonical is not None:
                    out.append(_Candidate(first, c.start - 1, canonical, self.lexicon.by_canonical[canonical].cls, "ellipsis"))
                    break
                if self.tree.top_class(c.cls) == "Instrument" and tail in self.heads:
                    out.append(_Candidate(first, c.start - 1, match_key(name), self.heads[tail][1], "ellipsis"))
                    break
        return out

    def _conjunct_before(self, norm: str, tokens: Sequence[Token], end: int) -> Optional[int]:
        """Start of the 2-4 character word group ending at ``end`` (the first conjunct), or None."""
        start = end
        for t in reversed([t for t in tokens if t.end <= end]):
            if (t.end != start or t.text in self.breakers["Instrument"] or not _all_han(t.text)
                    or _tag(t.text) in _CONJUNCT_STOP_TAGS):  # 规模以上|高技术: a locative ends it
                break
            if end - t.start > 4:
                return None  # a longer first conjunct is a name of its own, not a shared head's
            start = t.start
        return start if 2 <= end - start <= 4 else None

    def _name_start(self, norm, tokens, j, head_start, top, actor_starts, known_ends) -> Optional[int]:
        """Where a name ending with tokens[j] begins, or None when it names no specific thing.

        Left of a quoted core (“白名单”制度) only a known sector, region or body extends the
        name (制造业“十四五”规划); other words before the quote describe it, not name it.
        """
        first = j
        while first > 0 and tokens[first].start > head_start:
            first -= 1
        start = tokens[first].start
        k = first - 1
        taken = 0
        while k >= 0 and taken < _MAX_NAME_TOKENS:
            t = tokens[k]
            if ((t.text in self.breakers[top] and not self._second_of_compound(tokens, k, top))
                    or any(ch in _NAME_BREAK for ch in t.text)
                    or tokens[first].end - t.start > _MAX_NAME_CHARS or _is_function_word(t.text)):
                # 开展|促进中小企业发展专项督查: a purpose right after an action verb is named too.
                if (top == "Instrument" and t.text in self.focus_verbs and k > 0
                        and tokens[k - 1].text in self.action_verbs and tokens[k - 1].end == t.start):
                    start = t.start
                    k -= 1
                break
            # An actor named before an instrument is its subject, not part of its name.
            if top == "Instrument" and t.start in actor_starts:
                break
            # A nested instrument ends the name: 规划 | 重大工程 are two things.
            if (top == "Instrument" and start < head_start and _suffix_lookup_len(self.heads, t.text)
                    and t.text not in self.generic):
                break
            if norm[start] in _OPEN_QUOTES and t.end == start and norm[head_start - 1:head_start] in _CLOSE_QUOTES:
                qualifier = known_ends.get(start)
                if qualifier is None:
                    break
                start = qualifier
                while k >= 0 and tokens[k].start >= qualifier:
                    k -= 1
                taken += 1
                continue
            start = t.start
            taken += 1
            k -= 1
        if start >= 1 and norm[start - 1] == "等":  # X、Y等平台: a category, not a name
            return None
        # After 开展/组织 the name may open with a purpose (开展|促进中小企业发展专项督查).
        governed = (k >= 0 and tokens[k].text in self.action_verbs and k + 1 < len(tokens)
                    and tokens[k + 1].text in self.focus_verbs)
        leading = self.leading["Actor" if governed else top]
        moved = True
        while moved:  # 至|所有|自贸试验区: a preposition, then a modifier
            before = start
            start = self._skip_leading(norm, start, head_start, leading)
            start = _skip_governing_words(tokens, start, head_start, known_ends,
                                          _FUNCTION_TAGS if governed else _GOVERNING_TAGS)
            moved = start != before
        start = _skip_unbalanced_quote(norm, start, head_start)
        return start

    def _second_of_compound(self, tokens: Sequence[Token], k: int, top: str) -> bool:
        """True when tokens[k], a verb that would end a name, closes a verb pair with the
        word before it (回收|利用, 开发|利用): the pair is an activity inside the name."""
        if top != "Instrument" or k == 0 or tokens[k - 1].end != tokens[k].start:
            return False
        first, second = tokens[k - 1].text, tokens[k].text
        return (_tag(first) == "v" and first not in self.breakers[top] and second not in self.stop_words
                and len(first) == len(second) == 2 and _all_han(first + second))

    @staticmethod
    def _skip_leading(norm: str, start: int, limit: int, words: _Words) -> int:
        """Skip modifiers and verbs the segmenter glued to the name (新一轮…, 用好…)."""
        if start >= limit or norm[start] not in words.firsts:
            return start  # no word can start here: the usual case, without trying each
        changed = True
        while changed:
            changed = False
            for m in words.words:
                if norm.startswith(m, start) and start + len(m) <= limit:
                    start += len(m)
                    changed = True
        return start

    def _is_generic(self, specific: str, minimum: int = MIN_SPECIFIC) -> bool:
        """True when the words before the head are only generic (重大工程, 相关平台), or fewer
        than ``minimum`` characters once the generic words are gone (标准体系 for 体系)."""
        s = "".join(ch for ch in specific if ch not in _OPEN_QUOTES + _CLOSE_QUOTES)
        if len(s) < minimum:
            return True
        for g in self.generic_longest_first:
            s = s.replace(g, "")
        return len(s) < minimum

    def _people(self, s: Sentence, bounds: Set[int], found: Sequence[_Candidate]) -> List[_Candidate]:
        """People after a post title (副部长辛国斌) or opening a speaker turn (辛国斌：/辛国斌表示)."""
        norm = s.norm
        out = []
        for i, hit in self.posts.each_longest(norm):
            end = self._name_end(norm, hit[0], bounds)
            if end is not None and not _is_common_word(norm[hit[0]:end]):
                out.append(_Candidate(hit[0], end, norm[hit[0]:end], "Person", "title-person"))
            before = self._name_before(norm, i, bounds)
            if before is not None:
                out.append(_Candidate(before, i, norm[before:i], "Person", "person-title"))
        covered = _covered(found)
        for start in _clause_starts(norm, self.markers):
            if start in covered:
                continue
            end = self._name_end(norm, start, bounds)
            if end is None or norm[start:end] in self.lexicon.surfaces or _is_common_word(norm[start:end]):
                continue
            if norm.startswith(":", end) or self.speech.longest(norm, end):
                out.append(_Candidate(start, end, norm[start:end], "Person", "speaker"))
        return out

    def _name_before(self, norm: str, pos: int, bounds: Set[int]) -> Optional[int]:
        """Start of a personal name ending right before a title at ``pos`` (习近平总书记), or None."""
        for length in (3, 2, 4):
            start = pos - length
            if start < 0 or start not in bounds:
                continue
            if start > 0 and _all_han(norm[start - 1]) and norm[start - 1] not in "以由经据和与及、的":
                continue  # the name must open a phrase: 以习近平同志…, 、李强总理
            if self._name_end(norm, start, bounds | {pos}) == pos:
                name = norm[start:pos]
                if name not in self.lexicon.surfaces and not _is_common_word(name):
                    return start
        return None

    def _name_end(self, norm: str, pos: int, bounds: Set[int]) -> Optional[int]:
        """End of a Chinese personal name starting at ``pos``, or None.

        A surname (compound first), then one or two given-name characters; the name must end
        on a word boundary, preferring the longer name.
        """
        for slen in (2, 1):
            if norm[pos:pos + slen] not in self.lexicon.surnames:
                continue
            for given in (2, 1):
                end = pos + slen + given
                name = norm[pos:end]
                if len(name) == slen + given and _all_han(name) and not (set(name) & _NAME_STOP) and end in bounds:
                    return end
        return None

    # ------------------------------------------------------------------ pass 2
    def _gazetteer(self, cands: Iterable[_Candidate]) -> Dict[str, Tuple[str, str]]:
        """Names and aliases found by patterns -> (entity key, class), for the whole document."""
        gaz: Dict[str, Tuple[str, str]] = {}
        for c in sorted(cands, key=lambda c: (c.rule == "lexicon", c.start)):
            if c.rule == "lexicon":
                continue
            gaz.setdefault(c.key, (c.key, c.cls))
            if c.alias and c.alias not in self.lexicon.surfaces:
                gaz.setdefault(c.alias, (c.key, c.cls))
        # A short back-reference (《规划纲要》, 该通知) names the document's full title ending so.
        for key, (_, cls) in list(gaz.items()):
            if self.tree.top_class(cls) != "Instrument" or not self._is_short_reference(key):
                continue
            fuller = sorted((k for k, (t, c) in gaz.items() if t == k and k != key and k.endswith(key)
                             and self.tree.top_class(c) == "Instrument"), key=lambda k: (-len(k), k))
            if fuller:
                gaz[key] = gaz[fuller[0]]
        for key, (target, cls) in list(gaz.items()):
            if target != key or self.tree.top_class(cls) != "Instrument":
                continue
            longer = sorted(k for k, (t, c) in gaz.items() if t == k and k.startswith(key) and k != key
                            and self.tree.top_class(c) == "Instrument"
                            and (k[len(key):] in self.title_ends or _MEASURE_RE.fullmatch(k[len(key):])))
            if longer:
                gaz[key] = gaz[longer[0]]
        return gaz

    def _is_short_reference(self, key: str) -> bool:
        """True for a name made only of heads and generic words: 规划纲要, 实施方案, 通知."""
        rest = key
        while rest:
            hit = _suffix_lookup_len(self.heads, rest) or _suffix_lookup_len(self.title_classes, rest)
            if hit is None:
                break
            rest = rest[: -hit[0]]
        return self._is_generic(rest) if rest != key else key in _SHORT_TITLES

    def _gazetteer_matches(self, s: Sentence, bounds: _Bounds,
                           gaz: Mapping[str, Tuple[str, str]], trie: Trie) -> List[_Candidate]:
        if not gaz:
            return []
        out = []
        for i in trie.starts(s.norm, bounds.ordered):
            hit = trie.longest(s.norm, i)
            if hit and hit[0] in bounds:
                out.append(_Candidate(i, hit[0], hit[1], gaz[hit[1]][1], "gazetteer"))
        return out


# ---------------------------------------------------------------------- resolution
def resolve_entities(mentions: Iterable[Mention], lexicon: Lexicon) -> Tuple[Entity, ...]:
    """One :class:`Entity` per key, with every surface form seen and the lexicon's aliases."""
    forms: Dict[str, Set[str]] = defaultdict(set)
    classes: Dict[str, str] = {}
    for m in mentions:
        classes.setdefault(m.key, m.cls)
        forms[m.key].add(match_key(m.text))
    out = []
    for key in sorted(classes):
        entry = lexicon.by_canonical.get(key)
        labels = set(forms[key])
        if entry is not None:
            labels.update(entry.aliases)
        labels.discard(key)
        out.append(Entity(key=key, cls=entry.cls if entry else classes[key], labels=tuple(sorted(labels)),
                          codes=entry.codes if entry else (), parent=entry.parent if entry else None))
    return tuple(out)


# ---------------------------------------------------------------------- helpers
class _Bounds(frozenset):
    """A sentence's word boundaries (sentence-relative offsets), also kept in order (``ordered``)."""

    __slots__ = ("ordered",)
    ordered: List[int]


def _bounds(s: Sentence, tokens: Sequence[Token]) -> _Bounds:
    base = s.start
    edges = {t.start - base for t in tokens}
    edges.update([t.end - base for t in tokens])
    edges.add(0)
    edges.add(len(s.norm))
    out = _Bounds(edges)
    out.ordered = sorted(edges)
    return out


# Which rule's candidate wins between two of the same length (_settle); unlisted rules come last.
_RULE_ORDER = {"lexicon": 0, "title": 1, "quoted-instrument": 2, "quoted-sector": 2, "title-person": 3, "speaker": 4,
               "zone": 5, "organisation-suffix": 5, "sector-variety": 5, "instrument-head": 6, "tax-relief": 6,
               "measure": 6, "gazetteer": 7}


def _settle(cands: Sequence[_Candidate]) -> List[_Candidate]:
    """Non-overlapping candidates, longest first; ties go to the lexicon, then position."""
    taken: List[_Candidate] = []
    used: Set[int] = set()
    for c in sorted(set(cands), key=lambda c: (-(c.end - c.start), _RULE_ORDER.get(c.rule, 9), c.start, c.key)):
        span = set(range(c.start, c.end))
        if span & used:
            continue
        used |= span
        taken.append(c)
    return sorted(taken, key=lambda c: c.start)


def _unglued_end(norm: str, end: int, canonical: str, found: Sequence[Tuple[int, str]], bounds: Set[int]) -> int:
    """北京市|场|主体: a segmenter that keeps a name whole may cut the word its last character
    makes with the next one (市场, 区域, 市长) in two; the name's shorter form (北京) ends there.

    >>> _unglued_end("北京市场主体", 3, "北京市", [(2, "北京市"), (3, "北京市")], {0, 3, 4, 6})
    2
    """
    if end + 1 not in bounds or (end - 1, canonical) not in found:
        return end
    return end - 1 if word_tag(norm[end - 1:end + 1]) == "n" else end


def _context_rank(by_canonical: Mapping[str, LexiconEntry], canonical: str, named: Set[str]) -> Optional[int]:
    """1 when the parent of ``canonical`` is among the ``named``, 2 for its grandparent, else None."""
    parent = by_canonical[canonical].parent
    if parent in named:
        return 1
    grandparent = by_canonical[parent].parent if parent in by_canonical else None
    return 2 if grandparent in named else None


def _covered(cands: Sequence[_Candidate]) -> Set[int]:
    return {i for c in cands for i in range(c.start, c.end)}


_CLAUSE_PUNCT_RE = re.compile(r"[,;:!?。]")


def _clause_starts(norm: str, markers: Trie) -> List[int]:
    """Positions where a clause's content begins (after punctuation and 一是-style markers)."""
    starts = [0] + [m.end() for m in _CLAUSE_PUNCT_RE.finditer(norm)]
    out = []
    for p in starts:
        while p < len(norm) and norm[p] in " “”\"":
            p += 1
        hit = markers.longest(norm, p)
        if hit:
            p = hit[0]
            if p < len(norm) and norm[p] == ",":
                p += 1
        out.append(p)
    return out


def _quantified_tool(norm: str, head_start: int, head_len: int, cls: str) -> bool:
    """True for a compound fiscal or financial head right after an amount: 增加3500亿元专项信贷
    names one allocation, where 专项信贷 alone is a kind of tool (and 补贴 alone always is)."""
    return (head_len >= 4 and cls in ("FiscalTool", "FinancialTool")
            and _AMOUNT_BEFORE_RE.search(norm, 0, head_start) is not None)


def _clause_start(norm: str, pos: int) -> int:
    """Start of the clause holding ``pos`` (after the last punctuation before it)."""
    return max(norm.rfind(ch, 0, pos) for ch in ",;:!?。") + 1


def _tax_relief_index(lexicon: Lexicon) -> Dict[str, List[Tuple[str, str]]]:
    """tax -> (payer, canonical) for every lexicon relief named "<payer><tax>减免"
    (新能源汽车车辆购置税减免: payer 新能源汽车, tax 车辆购置税; 车辆购置税减免: no payer)."""
    taxes = lexicon.words_with("tax")  # longest first: 车辆购置税 before 所得税
    index: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for surface, canonical in sorted(lexicon.surfaces.items()):
        if not surface.endswith("减免") or lexicon.by_canonical[canonical].cls != "FiscalTool":
            continue
        tax = next((t for t in taxes if surface[:-2].endswith(t)), None)
        if tax is not None:
            index[tax].append((surface[:-2 - len(tax)], canonical))
    return dict(index)


def _counts_things(slogan: str) -> bool:
    """True when every counted word of a numbered phrase is a noun: “两翼”, “一核两翼” count
    places or parts, not the policy aims a slogan counts (六稳, 三去一降一补)."""
    return all(_tag(ch).startswith("n") for ch in slogan[1::2])


class _SuffixTable(dict):
    """ending -> (length, class), and for each last character the lengths of the endings with it
    (longest first), so that a word ending in no listed character costs one lookup."""

    def __init__(self, table: Mapping[str, str]):
        super().__init__((k, (len(k), v)) for k, v in table.items())
        lengths: Dict[str, Set[int]] = {}
        for k in self:
            if 0 < len(k) <= _MAX_HEAD:
                lengths.setdefault(k[-1], set()).add(len(k))
        self.lengths = {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}


class _Words:
    """Words tried in order at a position, with the characters they start with (most
    positions start none of them, and are answered without trying each)."""

    def __init__(self, words: Tuple[str, ...]):
        self.words = words
        self.firsts = frozenset(w[0] for w in words if w)


def _suffix_table(table: Mapping[str, str]) -> _SuffixTable:
    return _SuffixTable(table)


def _suffix_lookup_len(table: Mapping[str, Tuple[int, str]], text: str) -> Optional[Tuple[int, str]]:
    """(length, class) of the longest key that ``text`` ends with."""
    if isinstance(table, _SuffixTable):
        if not text:
            return None
        size = len(text)
        for n in table.lengths.get(text[-1], ()):
            if n <= size:
                hit = table.get(text[-n:])
                if hit is not None:
                    return hit
        return None
    best = None
    for n in range(min(len(text), _MAX_HEAD), 0, -1):
        hit = table.get(text[-n:])
        if hit is not None:
            best = hit
            break
    return best


def _suffix_lookup(table: Mapping[str, Tuple[int, str]], text: str) -> Optional[str]:
    hit = _suffix_lookup_len(table, text)
    return hit[1] if hit else None


def _prefix_head(table: Mapping[str, Tuple[int, str]], norm: str, pos: int) -> Optional[str]:
    for n in range(_MAX_HEAD, 0, -1):
        if norm[pos:pos + n] in table:
            return norm[pos:pos + n]
    return None


def _skip_unbalanced_quote(norm: str, start: int, limit: int) -> int:
    """Drop a leading closing quote, or an opening one whose partner is outside the name."""
    while start < limit and (norm[start] in _CLOSE_QUOTES and norm[start] not in _OPEN_QUOTES):
        start += 1
    return start


# A word frequent in general Chinese text is no one's name (权威, 同时), however it is tagged.
_COMMON_WORD_FREQ = 1000


def _is_common_word(word: str) -> bool:
    """True when jieba's dictionary knows ``word`` as an ordinary word rather than a name."""
    entry = _general_dictionary().get(word) if len(word) >= 2 else None
    return entry is not None and (not entry[1].startswith("nr") or entry[0] >= _COMMON_WORD_FREQ)


# Filled once by _general_dictionary; word_tag, asked of most tokens, reads it without a call.
_GENERAL: Dict[str, Tuple[int, str]] = {}


def _general_dictionary() -> Dict[str, Tuple[int, str]]:
    """Words of up to four characters in jieba's general dictionary: word -> (frequency, tag)."""
    if _GENERAL:
        return _GENERAL
    import jieba

    words: Dict[str, Tuple[int, str]] = {}
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) <= 4:
                words[parts[0]] = (int(parts[1]), parts[2])
    _GENERAL.update(words)  # whole or not at all
    return _GENERAL


# Parts of speech (jieba's dictionary tags) that never run through a name: prepositions,
# conjunctions, particles, pronouns, numerals and measure words.
_FUNCTION_TAGS = ("p", "c", "u", "r", "m", "q")
# ...and that do not open one: a name starts after a governing verb or adverb (确保|试点,
# 鼓励|商业银行, 用于|中小银行).  Inside a name a verb is fine (新能源汽车下乡活动).
_GOVERNING_TAGS = ("v", "vd", "d", "ad", "a") + _FUNCTION_TAGS
# A first conjunct (高技术 in 高技术和装备制造业) runs back to a verb, adverb, locative or function word.
_MEASURE_TAGS = ("m", "q")  # numerals and measure words: 亿元, 个
_CONJUNCT_STOP_TAGS = ("v", "vd", "d", "ad", "f") + _FUNCTION_TAGS
_NUMBER_RE = re.compile(r"^\d[\d.,]*(?:[%万亿千百个元家户辆项年月日多余]|$)")


def word_tag(word: str) -> str:
    """The part-of-speech tag jieba's general dictionary gives ``word`` ("" if it has none)."""
    entry = (_GENERAL or _general_dictionary()).get(word)
    return entry[1] if entry else ""


@functools.lru_cache(maxsize=1)
def verb_words() -> FrozenSet[str]:
    """The words jieba's general dictionary tags as verbs ("v")."""
    return frozenset(word for word, (_, tag) in _general_dictionary().items() if tag == "v")


_tag = word_tag


def _is_function_word(word: str) -> bool:
    """A number, or a preposition, conjunction, particle or pronoun of two or more characters
    (a single character is too often a segmentation fragment to end a name on)."""
    return bool(_NUMBER_RE.match(word)) or (len(word) >= 2 and _tag(word) in ("p", "c", "u", "r"))


def _skip_governing_words(tokens: Sequence[Token], start: int, head_start: int, known_ends: Mapping[int, int],
                          tags: Sequence[str] = _GOVERNING_TAGS) -> int:
    """Move a name's start past a leading verb, adverb or function word, and past a verb phrase
    whose object the name is (高标准建设|上海自由贸易试验区: a verb right before a known name)."""
    inside = [t for t in tokens if start <= t.start and t.end <= head_start]
    # A verb right before the head is the name's own activity (就业补助, 协调机制), not a
    # governing verb, so at least one word stays in front of the head.
    while len(inside) > 1 and (_tag(inside[0].text) in tags or _NUMBER_RE.match(inside[0].text)):
        if _tag(inside[0].text) in ("d", "ad") and _tag(inside[1].text).startswith("n"):
            break  # 长期|护理保险制度: an adverb right before a noun qualifies it, it governs nothing
        start = inside[0].end
        inside = inside[1:]
    if inside and _tag(inside[0].text) in _MEASURE_TAGS:  # 3500|亿元|专项信贷: the amount's unit
        start = inside[0].end
    for i, t in enumerate(inside[:-1]):
        if tags is _GOVERNING_TAGS and _tag(t.text) in ("v", "vn") and inside[i + 1].start in set(known_ends.values()):
            start = inside[i + 1].start
    return start


def _used_as_verb(head: str, following: Optional[Token]) -> bool:
    """True when a head that is also a verb (减免, 补助, 担保) takes an object right after it."""
    return (following is not None and _tag(head) == "v" and _all_han(following.text)
            and following.text not in ("等", "和", "与", "及", "的", "或"))


def _verb_before_known_name(tokens: Sequence[Token], start: int, end: int, known_ends: Mapping[int, int]) -> bool:
    """True when the span is verbs or adverbs followed by a lexicon name ending where it ends."""
    known_start = known_ends.get(end)
    if known_start is None or known_start <= start:
        return False
    lead = [t for t in tokens if start <= t.start and t.end <= known_start]
    return bool(lead) and all(_tag(t.text) in ("v", "vn", "d", "ad", "a") for t in lead)


def _words_with_any(lexicon: Lexicon, roles: Set[str]) -> Set[str]:
    return {w for w, r in lexicon.words.items() if r & roles}


def _unbalanced_quotes(name: str) -> bool:
    return any(name.count(a) != name.count(b) for a, b in ("“”", "‘’", "「」", "『』"))


def _all_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)
