"""Stage 5: relations between entities, each a direct fact with its evidence sentence.

Patterns, in the order they run over a document:

- **posts**: an organisation, one or more post titles and a person (工业和信息化部副部长辛国斌)
  give ``person officialOf organisation`` with the title as role;
- **sub-units**: an organisation whose name begins with a known body's name
  (国务院促进中小企业发展工作领导小组) is a sub-unit of that body;
- **names**: an instrument whose name contains a sector or region (汽车产业链…平台) addresses it;
- **discourse**: clause by clause, the agent is the actor opening the clause, or the one carried
  over from an earlier clause, sentence or ``一是/二是`` item when the subject is omitted, or
  the organisation of the official speaking (辛国斌表示…).  Then

  * an instrument after a launch or implement verb: ``agent launches/implements instrument``;
  * an actor after 会同/联合: ``agent collaboratesWith actor``;
  * sectors and regions after a focus verb (保障, 聚焦 …), whole ``、`` enumerations of them:
    ``instrument prioritisesSector / targetsRegion`` for the instrument the sentence works
    through (发挥X作用, 用好X, 依托X), else for the agent;
  * an instrument named in a speaker's turn: ``speaker announces instrument``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .entities import Trie
from .lexicon import Lexicon
from .ontology import ClassTree
from .types import Attribution, Document, Evidence, Extraction, Mention, Relation, Sentence

__all__ = ["RelationExtractor"]

_CLAUSE_END = ",;:!?。"
_ENUM_JOINERS = ("、", "和", "与", "及", "以及", "或", ",")
_SKIPPABLE = " “”\"'"


@dataclass
class _State:
    """What carries from clause to clause: the omitted subject and the current speaker."""

    subject: Optional[Mention] = None
    speaker: Optional[Mention] = None
    paragraph: int = -1


@dataclass
class _Sink:
    doc: Document
    relations: List[Relation] = field(default_factory=list)
    seen: Set[Tuple[str, str, str, int]] = field(default_factory=set)

    def add(self, subject: str, predicate: str, obj: str, s: Sentence, start: int, end: int,
            rule: str, role: Optional[str] = None) -> None:
        if subject == obj or (subject, predicate, obj, s.index) in self.seen:
            return
        self.seen.add((subject, predicate, obj, s.index))
        ev = Evidence(doc_id=self.doc.doc_id, sentence=s.index, start=start, end=end, text=s.text)
        self.relations.append(Relation(subject, predicate, obj, ev, rule, role))


class RelationExtractor:
    """Extracts the relations of a document from its sentences and mentions."""

    def __init__(self, lexicon: Lexicon, tree: ClassTree):
        self.lexicon = lexicon
        self.tree = tree
        self.posts = Trie({p: p for p in lexicon.posts})
        self.launch = lexicon.words_with("launch")
        self.implement = lexicon.words_with("implement")
        self.means = lexicon.words_with("means")
        self.focus = lexicon.words_with("focus")
        self.collaborate = lexicon.words_with("collaborate")
        self.speech = Trie({w: w for w in lexicon.words_with("speech")})
        self.markers = Trie({w: w for w in lexicon.words_with("marker")})
        self.surfaces = Trie(dict(lexicon.surfaces))

    def __call__(self, doc: Document, mentions: Sequence[Mention]) -> Extraction:
        by_sentence: Dict[int, List[Mention]] = {}
        for m in sorted(mentions, key=lambda m: m.start):
            by_sentence.setdefault(m.sentence, []).append(m)
        sink = _Sink(doc)
        person_org = self._posts(doc, by_sentence, sink)
        self._sub_units(doc, by_sentence, sink)
        self._names(doc, by_sentence, sink)
        attributions = self._discourse(doc, by_sentence, person_org, sink)
        return Extraction(doc.doc_id, tuple(mentions), tuple(sink.relations), tuple(attributions))

    def top(self, m: Mention) -> str:
        return self.tree.top_class(m.cls)

    # ------------------------------------------------------------------ posts
    def _posts(self, doc, by_sentence, sink) -> Dict[str, str]:
        person_org: Dict[str, str] = {}
        for s in doc.sentences:
            ms = by_sentence.get(s.index, [])
            for org, person in zip(ms, ms[1:]):
                if person.cls != "Person" or self.top(org) != "Actor" or org.cls == "Person":
                    continue
                titles = self._titles_between(s.norm[org.end - s.start:person.start - s.start])
                if titles:
                    role = titles[-1]
                    sink.add(person.key, "officialOf", org.key, s, org.start, person.end, "post", role)
                    person_org.setdefault(person.key, org.key)
        return person_org

    def _titles_between(self, gap: str) -> List[str]:
        """The post titles making up ``gap`` entirely (党组书记、部长), or [] if it is anything else."""
        titles, i = [], 0
        while i < len(gap):
            if gap[i] in "、 ":
                i += 1
                continue
            hit = self.posts.longest(gap, i)
            if hit is None:
                return []
            titles.append(hit[1])
            i = hit[0]
        return titles

    # ------------------------------------------------------------------ sub-units and names
    def _sub_units(self, doc, by_sentence, sink) -> None:
        for s in doc.sentences:
            for m in by_sentence.get(s.index, []):
                if m.rule == "lexicon" or self.top(m) != "Actor" or m.cls == "Person":
                    continue
                hit = self.surfaces.longest(m.key, 0)
                if hit is None or len(m.key) - hit[0] < 2:
                    continue
                parent = hit[1]
                if self.tree.top_class(self.lexicon.by_canonical[parent].cls) == "Actor":
                    sink.add(m.key, "subUnitOf", parent, s, m.start, m.end, "name-prefix")

    def _names(self, doc, by_sentence, sink) -> None:
        for s in doc.sentences:
            for m in by_sentence.get(s.index, []):
                if self.top(m) != "Instrument":
                    continue
                for i in range(len(m.key)):
                    hit = self.surfaces.longest(m.key, i)
                    if hit is None:
                        continue
                    cls = self.lexicon.by_canonical[hit[1]].cls
                    predicate = {"Sector": "prioritisesSector", "Region": "targetsRegion"}.get(self.tree.top_class(cls))
                    if predicate:
                        sink.add(m.key, predicate, hit[1], s, m.start, m.end, "instrument-name")

    # ------------------------------------------------------------------ discourse
    def _discourse(self, doc, by_sentence, person_org, sink) -> List[Attribution]:
        state = _State()
        attributions: List[Attribution] = []
        for s in doc.sentences:
            ms = by_sentence.get(s.index, [])
            if s.paragraph != state.paragraph:
                state.paragraph = s.paragraph
                if not self._starts_with_marker(s.norm):
                    state.subject = None
            if s.kind == "question":
                state.subject = state.speaker = None
                continue
            if s.kind == "heading":
                state.subject = None
                state.speaker = self._heading_speaker(s, ms)
                continue
            self._sentence(s, ms, state, person_org, sink)
            if state.speaker is not None:
                attributions.append(Attribution(doc.doc_id, s.index, state.speaker.key))
        return attributions

    def _heading_speaker(self, s: Sentence, ms: Sequence[Mention]) -> Optional[Mention]:
        if ms and ms[0].cls == "Person" and ms[0].start == s.start and s.norm[ms[0].end - s.start:].startswith(":"):
            return ms[0]
        return None

    def _sentence(self, s: Sentence, ms: Sequence[Mention], state: _State, person_org, sink) -> None:
        means: Optional[Mention] = None  # the instrument the sentence's actions are done with
        for c_start, c_end in _clauses(s.norm):
            in_clause = [m for m in ms if c_start <= m.start - s.start < c_end]
            lead = self._lead(s, c_start, in_clause)
            if lead is not None:
                after = s.norm[lead.end - s.start:]
                if lead.cls == "Person" and (after.startswith(":") or self.speech.longest(after, 0)):
                    state.speaker = lead
                elif not after.startswith(("的", "是")):
                    state.subject = lead
            agent = self._agent(state, person_org)
            prev: Optional[Mention] = lead
            prev_link: Optional[Tuple[str, str]] = None  # (owner, predicate) of the last enumerated link
            for m in in_clause:
                if m is lead:
                    continue
                top = self.top(m)
                before = s.norm[(prev.end if prev else s.start + c_start) - s.start:m.start - s.start]
                since_clause = s.norm[c_start:m.start - s.start]
                joined = prev_link is not None and before.strip(_SKIPPABLE) in _ENUM_JOINERS
                link: Optional[Tuple[str, str]] = None
                if top == "Instrument":
                    verb = _last_word(since_clause, self.launch + self.implement)
                    if verb is not None:
                        if agent is not None:
                            predicate = "launches" if verb[1] in self.launch else "implements"
                            sink.add(agent, predicate, m.key, s, s.start + c_start + verb[0], m.end, "verb-object")
                        if state.speaker is not None:
                            sink.add(state.speaker.key, "announces", m.key, s, m.start, m.end, "speaker")
                        if _last_word(since_clause, self.means):
                            means = m
                elif top == "Actor" and agent is not None:
                    if _last_word(before, self.collaborate) or (joined and prev_link[1] == "collaboratesWith"):
                        link = (agent, "collaboratesWith")
                elif top in ("Sector", "Region"):
                    predicate = "prioritisesSector" if top == "Sector" else "targetsRegion"
                    owner = means.key if means is not None else agent
                    if joined and prev_link[1] == predicate:
                        link = prev_link
                    elif owner is not None and _last_word(since_clause, self.focus):
                        link = (owner, predicate)
                if link is not None:
                    sink.add(link[0], link[1], m.key, s, m.start, m.end, "enumeration" if joined else "focus")
                prev_link = link
                prev = m

    def _lead(self, s: Sentence, c_start: int, in_clause: Sequence[Mention]) -> Optional[Mention]:
        """The actor opening a clause (after any 一是/同时-style marker), if one does."""
        if not in_clause or self.top(in_clause[0]) != "Actor":
            return None
        m = in_clause[0]
        head = s.norm[c_start:m.start - s.start].strip(_SKIPPABLE)
        while head:
            hit = self.markers.longest(head, 0)
            if hit is None:
                return None
            head = head[hit[0]:].strip(_SKIPPABLE + ",")
        return m

    def _agent(self, state: _State, person_org: Dict[str, str]) -> Optional[str]:
        if state.subject is not None:
            if state.subject.cls == "Person" and state.subject.key in person_org:
                return person_org[state.subject.key]
            return state.subject.key
        if state.speaker is not None:
            # An official speaking for their organisation: the organisation acts.
            return person_org.get(state.speaker.key, state.speaker.key)
        return None

    def _starts_with_marker(self, norm: str) -> bool:
        return self.markers.longest(norm.lstrip(_SKIPPABLE), 0) is not None


def _clauses(norm: str) -> List[Tuple[int, int]]:
    out, start = [], 0
    for i, ch in enumerate(norm):
        if ch in _CLAUSE_END:
            out.append((start, i + 1))
            start = i + 1
    if start < len(norm):
        out.append((start, len(norm)))
    return out


def _last_word(text: str, words: Iterable[str]) -> Optional[Tuple[int, str]]:
    """(position, word) of the word from ``words`` that ends last in ``text``."""
    best: Optional[Tuple[int, str]] = None
    for w in words:
        i = text.rfind(w)
        if i >= 0 and (best is None or i + len(w) > best[0] + len(best[1])):
            best = (i, w)
    return best
