"""Stage 4: entity recognition.

:class:`EntityRecogniser` finds the entities of one document in two passes over its sentences:

1. *find*: the lexicon (longest match on word boundaries) and patterns for what no lexicon
   lists: ``《…》`` titles, quoted names with an instrument head (“白名单”制度, “中小企助查”App),
   names ending in an instrument head or an organisation suffix (…协调平台, …领导小组), and
   people from a post title (副部长辛国斌) or a speaker turn (辛国斌：, 辛国斌表示);
2. *resolve*: every name found by a pattern becomes part of a document gazetteer, so its later
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
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .lexicon import MAX_ENDING as _MAX_HEAD
from .lexicon import Lexicon, match_key
from .ontology import ClassTree
from .types import Document, Entity, Mention, Sentence, Token

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
_TITLE_RE = re.compile(r"《([^《》]{2,80})》")
_QUOTED_RE = re.compile(r"[“\"「『]([^“”\"「」『』]{1,24})[”\"」』]")
_TRAILING_PAREN_RE = re.compile(r"\([^()]*\)$")
# Policy slogans named by counting their parts: 六稳, 六保, 三去一降一补, 两新一重.
_NUMBERED_SLOGAN_RE = re.compile(r"^(?:[一二三四五六七八九十两][^一二三四五六七八九十两\d]){1,4}$")


class Trie:
    """Longest-match lookup of many strings at a position of a text.

    >>> t = Trie({"长三角": "长江三角洲", "长三角地区": "长江三角洲"})
    >>> t.longest("聚焦长三角地区", 2)
    (7, '长江三角洲')
    """

    _END = object()

    def __init__(self, items: Mapping[str, str]):
        self.root: dict = {}
        for key, value in items.items():
            node = self.root
            for ch in key:
                node = node.setdefault(ch, {})
            node[self._END] = value

    def matches(self, text: str, start: int) -> List[Tuple[int, str]]:
        """Every (end, value) of a key starting at ``start``, shortest first."""
        out, node = [], self.root
        for i in range(start, len(text)):
            node = node.get(text[i])
            if node is None:
                break
            if self._END in node:
                out.append((i + 1, node[self._END]))
        return out

    def longest(self, text: str, start: int) -> Optional[Tuple[int, str]]:
        found = self.matches(text, start)
        return found[-1] if found else None


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
            "Actor": _words_with_any(lexicon, verbs | {"stop"}) - generic,
        }
        # A clause-opening marker (一是, 第一) glued to a name is not part of it either.
        self.leading_verbs = {
            "Instrument": tuple(sorted(_words_with_any(lexicon, verbs | {"focus", "marker"}), key=len, reverse=True)),
            "Actor": tuple(sorted(_words_with_any(lexicon, verbs | {"marker"}), key=len, reverse=True)),
        }
        self.generic = set(lexicon.words_with("generic")) | set(self.modifiers)
        self.generic_longest_first = tuple(sorted(self.generic, key=lambda w: (-len(w), w)))
        self.action_verbs = set(lexicon.words_with("launch")) | set(lexicon.words_with("implement"))
        self.focus_verbs = set(lexicon.words_with("focus")) - self.action_verbs

    # ------------------------------------------------------------------ public entry point
    def __call__(self, doc: Document, tokens: Sequence[Tuple[Token, ...]]) -> Tuple[Mention, ...]:
        """Mentions of ``doc``; ``tokens[i]`` are the words of ``doc.sentences[i]``."""
        found = [self.find(s, toks) for s, toks in zip(doc.sentences, tokens)]
        gazetteer = self._gazetteer(c for cands in found for c in cands)
        names = Trie({k: k for k in gazetteer})  # built once per document, used per sentence
        mentions: List[Mention] = []
        for s, toks, cands in zip(doc.sentences, tokens, found):
            cands = cands + self._gazetteer_matches(s, toks, gazetteer, names)
            for c in _settle(cands):
                key, cls = gazetteer.get(c.key, (c.key, c.cls))
                if c.rule == "lexicon":
                    key, cls = c.key, c.cls
                mentions.append(Mention(start=s.start + c.start, end=s.start + c.end,
                                        text=doc.text[s.start + c.start:s.start + c.end],
                                        key=key, cls=cls, rule=c.rule, sentence=s.index))
        return tuple(mentions)

    def find(self, s: Sentence, tokens: Sequence[Token]) -> List[_Candidate]:
        """Pass 1 on one sentence: lexicon and pattern candidates, overlapping."""
        bounds = _bounds(s, tokens)
        rel = [Token(t.start - s.start, t.end - s.start, t.text) for t in tokens]
        cands = self._lexicon(s.norm, bounds)
        cands += self._titles(s.norm)
        cands += self._quoted(s.norm)
        cands += self._headed(s.norm, rel, cands)
        cands += self._elliptical(s.norm, rel, cands)
        cands += self._people(s, bounds, cands)
        return cands

    # ------------------------------------------------------------------ pass 1 finders
    def _lexicon(self, norm: str, bounds: Set[int]) -> List[_Candidate]:
        out = []
        for i in sorted(bounds):
            for end, canonical in reversed(self.surfaces.matches(norm, i)):
                if end in bounds:
                    e = self.lexicon.by_canonical[canonical]
                    out.append(_Candidate(i, end, canonical, e.cls, "lexicon"))
                    break
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
        """“X” directly followed by an instrument head: the instrument X+head, alias X."""
        out = []
        for m in _QUOTED_RE.finditer(norm):
            inner = m.group(1)
            head = _prefix_head(self.heads, norm, m.end())
            if head is None:
                if _NUMBERED_SLOGAN_RE.match(inner):
                    out.append(_Candidate(m.start(), m.end(), inner, "Programme", "numbered-slogan"))
                continue
            end = m.end() + len(head)
            out.append(_Candidate(m.start(), end, match_key(inner + head), self.heads[head][1],
                                  "quoted-instrument", alias=match_key(inner)))
        return out

    def _headed(self, norm: str, tokens: Sequence[Token], found: Sequence[_Candidate]) -> List[_Candidate]:
        """Names ending in an instrument head or an organisation suffix, run back to a breaker."""
        actor_starts = {c.start: c for c in found if c.rule == "lexicon" and self.tree.top_class(c.cls) == "Actor"}
        known_ends = {c.end: c.start for c in found if c.rule == "lexicon"}
        out = []
        for j, tok in enumerate(tokens):
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
                if _unbalanced_quotes(name) or self._is_generic(name[: len(name) - head_len]):
                    continue
                if _verb_before_known_name(tokens, start, tok.end, known_ends):
                    continue  # 建设|中关村国家自主创新示范区: the known name is the whole name
                out.append(_Candidate(start, tok.end, match_key(name), cls, rule))
        return out

    def _elliptical(self, norm: str, tokens: Sequence[Token], found: Sequence[_Candidate]) -> List[_Candidate]:
        """Shared heads in coordination: 支农、支小再贷款 names 支农再贷款 too, 高技术和装备制造业
        names 高技术制造业 (the first conjunct borrows the second's ending)."""
        out = []
        for c in found:
            if c.start < 2 or norm[c.start - 1] not in "、和与及" or c.rule not in ("lexicon", "instrument-head"):
                continue
            first = self._conjunct_before(norm, tokens, c.start - 1)
            if first is None:
                continue
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
            if (t.text in self.breakers[top] or any(ch in _NAME_BREAK for ch in t.text)
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
        leading = self.modifiers + (self.leading_verbs["Actor"] if governed else self.leading_verbs[top])
        moved = True
        while moved:  # 至|所有|自贸试验区: a preposition, then a modifier
            before = start
            start = self._skip_leading(norm, start, head_start, leading)
            start = _skip_governing_words(tokens, start, head_start, known_ends,
                                          _FUNCTION_TAGS if governed else _GOVERNING_TAGS)
            moved = start != before
        start = _skip_unbalanced_quote(norm, start, head_start)
        return start

    @staticmethod
    def _skip_leading(norm: str, start: int, limit: int, words: Sequence[str]) -> int:
        """Skip modifiers and verbs the segmenter glued to the name (新一轮…, 用好…)."""
        changed = True
        while changed:
            changed = False
            for m in words:
                if norm.startswith(m, start) and start + len(m) <= limit:
                    start += len(m)
                    changed = True
        return start

    def _is_generic(self, specific: str) -> bool:
        """True when the words before the head are only generic: 重大工程, 相关平台."""
        s = "".join(ch for ch in specific if ch not in _OPEN_QUOTES + _CLOSE_QUOTES)
        if len(s) < 2:
            return True
        for g in self.generic_longest_first:
            s = s.replace(g, "")
        return len(s) < 2

    def _people(self, s: Sentence, bounds: Set[int], found: Sequence[_Candidate]) -> List[_Candidate]:
        """People after a post title (副部长辛国斌) or opening a speaker turn (辛国斌：/辛国斌表示)."""
        norm = s.norm
        out = []
        for i in range(len(norm)):
            hit = self.posts.longest(norm, i)
            if hit is None:
                continue
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
                            and self.tree.top_class(c) == "Instrument" and k[len(key):] in self.title_ends)
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

    def _gazetteer_matches(self, s: Sentence, tokens: Sequence[Token],
                           gaz: Mapping[str, Tuple[str, str]], trie: Trie) -> List[_Candidate]:
        if not gaz:
            return []
        bounds = _bounds(s, tokens)
        out = []
        for i in sorted(bounds):
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
def _bounds(s: Sentence, tokens: Sequence[Token]) -> Set[int]:
    out = {0, len(s.norm)}
    for t in tokens:
        out.add(t.start - s.start)
        out.add(t.end - s.start)
    return out


def _settle(cands: Sequence[_Candidate]) -> List[_Candidate]:
    """Non-overlapping candidates, longest first; ties go to the lexicon, then position."""
    order = {"lexicon": 0, "title": 1, "quoted-instrument": 2, "title-person": 3, "speaker": 4,
             "organisation-suffix": 5, "instrument-head": 6, "gazetteer": 7}
    taken: List[_Candidate] = []
    used: Set[int] = set()
    for c in sorted(set(cands), key=lambda c: (-(c.end - c.start), order.get(c.rule, 9), c.start, c.key)):
        span = set(range(c.start, c.end))
        if span & used:
            continue
        used |= span
        taken.append(c)
    return sorted(taken, key=lambda c: c.start)


def _covered(cands: Sequence[_Candidate]) -> Set[int]:
    return {i for c in cands for i in range(c.start, c.end)}


def _clause_starts(norm: str, markers: Trie) -> List[int]:
    """Positions where a clause's content begins (after punctuation and 一是-style markers)."""
    starts = [0] + [i + 1 for i, ch in enumerate(norm) if ch in ",;:!?。"]
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


def _suffix_table(table: Mapping[str, str]) -> Dict[str, Tuple[int, str]]:
    return {k: (len(k), v) for k, v in table.items()}


def _suffix_lookup_len(table: Mapping[str, Tuple[int, str]], text: str) -> Optional[Tuple[int, str]]:
    """(length, class) of the longest key that ``text`` ends with."""
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


@functools.lru_cache(maxsize=1)
def _general_dictionary() -> Dict[str, Tuple[int, str]]:
    """Words of up to four characters in jieba's general dictionary: word -> (frequency, tag)."""
    import jieba

    words: Dict[str, Tuple[int, str]] = {}
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) <= 4:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


# Parts of speech (jieba's dictionary tags) that never run through a name: prepositions,
# conjunctions, particles, pronouns, numerals and measure words.
_FUNCTION_TAGS = ("p", "c", "u", "r", "m", "q")
# ...and that do not open one: a name starts after a governing verb or adverb (确保|试点,
# 鼓励|商业银行, 用于|中小银行).  Inside a name a verb is fine (新能源汽车下乡活动).
_GOVERNING_TAGS = ("v", "vd", "d", "ad", "a") + _FUNCTION_TAGS
# A first conjunct (高技术 in 高技术和装备制造业) runs back to a verb, adverb, locative or function word.
_CONJUNCT_STOP_TAGS = ("v", "vd", "d", "ad", "f") + _FUNCTION_TAGS
_NUMBER_RE = re.compile(r"^\d[\d.,]*(?:[%万亿千百个元家户辆项年月日多余]|$)")


def word_tag(word: str) -> str:
    """The part-of-speech tag jieba's general dictionary gives ``word`` ("" if it has none)."""
    entry = _general_dictionary().get(word)
    return entry[1] if entry else ""


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
        start = inside[0].end
        inside = inside[1:]
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
