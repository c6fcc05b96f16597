"""Stage 5: relations between entities, each a direct fact with its evidence sentence.

Patterns, in the order they run over a document:

- **posts**: an organisation, one or more post titles and a person (工业和信息化部副部长辛国斌)
  give ``person officialOf organisation`` with the title as role;
- **sub-units**: an organisation whose name begins with a known body's name
  (国务院促进中小企业发展工作领导小组) is a sub-unit of that body;
- **names**: an instrument whose name contains a sector or region (汽车产业链…平台) addresses it;
- **discourse**: clause by clause, the agent is the actor opening the clause, or the one carried
  over from an earlier clause, sentence or ``一是/二是`` item when the subject is omitted, or
  the organisation of the official speaking (辛国斌表示… for its paragraph, 辛国斌：… for the
  turn), or the body answering in a 答记者问 text.  Cue words are read outside names only.  Then

  * an instrument after a launch or implement verb: ``agent launches/implements instrument``,
    and ``instrument targetsRegion place`` for the places of 在…开展 before the verb;
  * an actor after 会同/联合: ``agent collaboratesWith actor``;
  * sectors and regions after a focus verb (保障, 聚焦 …), whole ``、`` enumerations of them:
    ``instrument prioritisesSector / targetsRegion`` for the instrument the sentence works
    through (发挥X作用, 用好X, 依托X), else for the agent (but what a scope word such as 覆盖
    or 包括 introduces belongs to an instrument only);
  * an instrument named in a speaker's turn: ``speaker announces instrument``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .entities import Trie
from .lexicon import Lexicon
from .ontology import ClassTree
from .types import Attribution, Document, Evidence, Extraction, Mention, Relation, Sentence, Token

__all__ = ["RelationExtractor"]

_CLAUSE_END = ",;:!?。"
_CLAUSE_END_RE = re.compile(f"[{re.escape(_CLAUSE_END)}]")
_ENUM_JOINERS = ("、", "和", "与", "及", "以及", "或", ",")
_SKIPPABLE = " “”\"'"
_MEETINGS = ("常务会议", "全体会议", "党组会议", "会议")
# What an instrument's name says of a sector or region it names: 新能源汽车下乡 prioritises 新能源汽车.
_NAMED_LINKS = {"Sector": "prioritisesSector", "Region": "targetsRegion"}
_MAX_MODIFIER = 16  # characters of a 的-modifier before a clause's subject
_OFFICIALS = ("有关负责人", "相关负责人", "负责人", "负责同志")
# Nouns of goods that close a list of sectors as 等 does (家电、家居产品以旧换新).
_GOODS = ("产品", "商品", "消费品", "类产品", "类商品")
_MAX_LOCATIVE_TAIL = 8  # characters between the last place of 在… and the verb: 等重点地区持续
_BLANK = "□"  # stands for a character of a name where cue words are looked for
# A heading of the 答记者问 form names the body whose official answers; 答: opens an answer.
_ANSWERS_RE = re.compile(r"答记者问|回答记者提问|答问$")
_ANSWER = "答:"
# Convening a meeting whose name holds no body: 主持召开部务会议, 召开全体会议.
_CONVENES_RE = re.compile(r"召开[^,;:。!?]{0,12}?会议")


@dataclass
class _State:
    """What carries from clause to clause: the omitted subject and the current speaker."""

    subject: Tuple[str, ...] = ()  # keys of the acting entities
    speaker: Optional[Mention] = None
    # A turn opened by "name：" lasts until the next question or turn; a speaker named by a speech
    # verb (辛国斌表示，…) speaks for the paragraph, and the enumerated items continuing it.
    turn: bool = False
    answerer: Tuple[str, ...] = ()  # the body whose official answers, in a 答记者问 text
    meeting: Tuple[str, ...] = ()  # the body whose meeting the text reports
    paragraph: int = -1


@dataclass
class _Sink:
    doc: Document
    verb_ends: Set[Tuple[int, str]] = field(default_factory=set)  # (end offset, word) of the verbs
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
        # the cue words of a clause, each set asked which of its words ends last (_LastWord)
        self.verbs = _LastWord(self.launch + lexicon.words_with("implement") + lexicon.words_with("focus")
                               + lexicon.words_with("encourage"))
        self.means = _LastWord(lexicon.words_with("means"))
        self.focus = _LastWord(lexicon.words_with("focus"))
        self.scope = frozenset(lexicon.words_with("scope"))
        self.encourage = _LastWord(lexicon.words_with("encourage"))
        self.exempt = lexicon.words_with("exempt")
        self.collaborate = _LastWord(lexicon.words_with("collaborate"))
        self.speech = Trie({w: w for w in lexicon.words_with("speech")})
        self.markers = Trie({w: w for w in lexicon.words_with("marker")})
        self.surfaces = Trie(dict(lexicon.surfaces))
        self._tops: Dict[str, str] = {}
        self._names_in: Dict[str, Tuple[Tuple[str, str], ...]] = {}  # see _named_in

    def __call__(self, doc: Document, mentions: Sequence[Mention],
                 tokens: Optional[Sequence[Sequence[Token]]] = None) -> Extraction:
        """Relations of ``doc``; ``tokens[i]`` (the words of sentence i) let any verb, not only
        the listed ones, govern an instrument."""
        by_sentence: Dict[int, List[Mention]] = {}
        for m in sorted(mentions, key=lambda m: m.start):
            by_sentence.setdefault(m.sentence, []).append(m)
        sink = _Sink(doc, _verb_ends(tokens) if tokens is not None else set())
        person_org = self._posts(doc, by_sentence, sink)
        self._sub_units(doc, by_sentence, sink)
        self._names(doc, by_sentence, sink)
        attributions = self._discourse(doc, by_sentence, person_org, sink)
        return Extraction(doc.doc_id, tuple(mentions), tuple(sink.relations), tuple(attributions))

    def top(self, m: Mention) -> str:
        top = self._tops.get(m.cls)  # asked for every mention, many times: kept per class
        if top is None:
            top = self._tops[m.cls] = self.tree.top_class(m.cls)
        return top

    # ------------------------------------------------------------------ posts
    def _posts(self, doc, by_sentence, sink) -> Dict[str, str]:
        person_org: Dict[str, str] = {}
        for s in doc.sentences:
            ms = by_sentence.get(s.index, [])
            for org, person in zip(ms, ms[1:]):
                if person.cls != "Person" or self.top(org) != "Actor" or org.cls == "Person":
                    continue
                titles = [t for t in self._titles_between(s.norm[org.end - s.start:person.start - s.start])
                          if self.lexicon.posts[t] != "honorific"]
                if titles:
                    role = titles[-1]
                    sink.add(person.key, "officialOf", org.key, s, org.start, person.end, "post", role)
                    person_org.setdefault(person.key, org.key)
            for person in ms:
                if person.cls == "Person" and person.key not in person_org:
                    self._implied_post(s, person, sink)
        return person_org

    def _implied_post(self, s: Sentence, person: Mention, sink: _Sink) -> None:
        """A title that alone names its body (习近平总书记, 国务院总理李强 aside): officialOf that body."""
        after = s.norm[person.end - s.start:]
        before = s.norm[:person.start - s.start]
        titles = [t for t in self.lexicon.post_orgs if after.startswith(t) or before.endswith(t)]
        if titles:
            title = max(titles, key=len)
            sink.add(person.key, "officialOf", self.lexicon.post_orgs[title], s, person.start, person.end,
                     "implied-post", title)

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
                for predicate, named in self._named_in(m.key):
                    sink.add(m.key, predicate, named, s, m.start, m.end, "instrument-name")

    def _named_in(self, name: str) -> Tuple[Tuple[str, str], ...]:
        """(predicate, canonical name) of each sector and region the lexicon finds in an instrument's
        name, in the name's order; kept per name, as an instrument is named again and again."""
        found = self._names_in.get(name)
        if found is None:
            out = []
            for i in range(len(name)):
                hit = self.surfaces.longest(name, i)
                if hit is None:
                    continue
                predicate = _NAMED_LINKS.get(self.tree.top_class(self.lexicon.by_canonical[hit[1]].cls))
                if predicate:
                    out.append((predicate, hit[1]))
            found = self._names_in[name] = tuple(out)
        return found

    # ------------------------------------------------------------------ discourse
    def _discourse(self, doc, by_sentence, person_org, sink) -> List[Attribution]:
        state = _State()
        attributions: List[Attribution] = []
        for s in doc.sentences:
            ms = by_sentence.get(s.index, [])
            if s.paragraph != state.paragraph:
                state.paragraph = s.paragraph
                if not self._starts_with_marker(s.norm):
                    state.subject = ()
                    if not state.turn:
                        state.speaker = None
                if state.answerer and s.norm.startswith(_ANSWER):
                    state.subject = state.answerer  # 答：…我们将…: the answering body acts
            if s.kind == "question":
                state.subject, state.speaker = (), None
                continue
            if s.kind == "heading":
                # A headline states facts too (商务部等六部门：扩大…试点), but its subject does
                # not carry into the body; a speaker heading (辛国斌：…) opens a turn.
                state.subject = ()
                self._sentence(s, ms, state, person_org, sink)
                state.subject = ()
                state.speaker = self._heading_speaker(s, ms)
                state.turn = state.speaker is not None
                state.answerer = self._answering_body(s, ms) or state.answerer
                continue
            self._note_meeting(s, ms, state, person_org)
            self._sentence(s, ms, state, person_org, sink)
            self._locative_frame(s, ms, sink)
            if state.speaker is not None:
                attributions.append(Attribution(doc.doc_id, s.index, state.speaker.key))
        return attributions

    def _answering_body(self, s: Sentence, ms: Sequence[Mention]) -> Tuple[str, ...]:
        """生态环境部有关负责人就…答记者问: the one body whose official answers the questions."""
        if not ms or self.top(ms[0]) != "Actor" or ms[0].cls == "Person" or not _ANSWERS_RE.search(s.norm):
            return ()
        after = s.norm[ms[0].end - s.start:]
        return (ms[0].key,) if after.startswith(_OFFICIALS) else ()

    def _heading_speaker(self, s: Sentence, ms: Sequence[Mention]) -> Optional[Mention]:
        if ms and ms[0].cls == "Person" and ms[0].start == s.start and s.norm[ms[0].end - s.start:].startswith(":"):
            return ms[0]
        return None

    def _locative_frame(self, s: Sentence, ms: Sequence[Mention], sink: _Sink) -> None:
        """在天津，…平台可以发放…: a sentence framed by a place puts its instruments there."""
        if not s.norm.startswith("在") or not ms or self.top(ms[0]) != "Region" or ms[0].start != s.start + 1:
            return
        if not s.norm[ms[0].end - s.start:].startswith(","):
            return
        for m in ms[1:]:
            if self.top(m) == "Instrument":
                sink.add(m.key, "targetsRegion", ms[0].key, s, s.start, m.end, "locative-frame")

    def _note_meeting(self, s: Sentence, ms: Sequence[Mention], state: _State, person_org: Dict[str, str]) -> None:
        """Remember whose meeting it is: the body in its name (国务院常务会议), else the body of
        whoever convenes it (交通运输部部长李国华主持召开部务会议); a later 会议指出… is that body."""
        for m in ms:
            if self.top(m) == "Actor" and m.cls != "Person" and s.norm[m.end - s.start:].startswith(_MEETINGS):
                state.meeting = (m.key,)
                return
        convened = _CONVENES_RE.search(s.norm)
        if convened is None:
            return
        clause = _CLAUSE_END_RE.split(s.norm[:convened.start()])[-1]
        lead = [m for m in ms if self.top(m) == "Actor" and convened.start() - len(clause) <= m.start - s.start
                and m.end - s.start <= convened.start()]
        if lead:
            state.meeting = (self._acting_for(lead[-1].key, person_org),)

    def _sentence(self, s: Sentence, ms: Sequence[Mention], state: _State, person_org, sink) -> None:
        means: Optional[Mention] = None  # the instrument the sentence's actions are done with
        urging, previous = False, ""
        words = _outside_names(s, ms)  # cue words are looked for here: 发展 in 国家发展改革委 is none
        resume: Tuple[str, ...] = ()  # the subject a place interrupted, back after the sentence
        for c_start, c_end in _clauses(s.norm):
            in_clause = [m for m in ms if c_start <= m.start - s.start < c_end]
            leads = self._leads(s, c_start, in_clause)
            # 鼓励金融机构…，给予…安排: the urged actors stay the subject of the clauses that
            # follow, until a clause names its own subject or a ; closes the item.
            urging = (not leads and not previous.endswith(";")
                      and (urging or self.encourage.last_in(previous) is not None))
            previous = words[c_start:c_end]
            if leads:
                after = s.norm[leads[-1].end - s.start:]
                said = self._after_titles(after)
                if len(leads) == 1 and leads[0].cls == "Person" and (said.startswith(":") or self._speaks(said)):
                    state.speaker, state.turn = leads[0], said.startswith(":")
                elif not after.startswith(("的", "是")):
                    state.subject = tuple(self._acting_for(m.key, person_org) for m in leads)
                    # 国家发展改革委、财政部有关负责人回答…: their officials, not a joint act.
                    joint = not (after.startswith(_OFFICIALS) or self.posts.longest(after, 0))
                    for other in state.subject[1:] if joint else ():
                        sink.add(state.subject[0], "collaboratesWith", other, s, leads[0].start, leads[-1].end, "joint-subject")
            elif self._opens_with(s.norm, c_start, "会议") and state.meeting:
                state.subject = state.meeting
            elif in_clause and self.top(in_clause[0]) == "Instrument" and self._opens_with(
                    s.norm, c_start, None, upto=in_clause[0].start - s.start):
                means = in_clause[0]
            elif in_clause and self.top(in_clause[0]) == "Region" and self._opens_with(
                    s.norm, c_start, None, upto=in_clause[0].start - s.start) and state.subject:
                # 北京城市副中心…，有效支持…: a place is the subject of this sentence, and it is no
                # actor (see docs/annotation.md), so the earlier actor sits out until the next one.
                resume, state.subject = state.subject, ()
            agents = self._agents(state, person_org)
            prev: Optional[Mention] = leads[-1] if leads else None
            prev_link: Optional[Tuple[str, str]] = None  # (predicate, owner) of the last enumerated link
            co_issuers: List[str] = []  # 甲联合乙印发《…》: 乙 issues the document too
            for m in in_clause:
                if m in leads:
                    continue
                top = self.top(m)
                before = s.norm[(prev.end if prev else s.start + c_start) - s.start:m.start - s.start]
                since_clause = words[c_start:m.start - s.start]
                joined = prev_link is not None and before.strip(_SKIPPABLE) in _ENUM_JOINERS
                link: Optional[Tuple[str, Tuple[str, ...]]] = None
                if top == "Instrument":
                    verb = (self.verbs.last_in(since_clause)
                            or _any_verb(sink.verb_ends, s, c_start, m) or _disposal(since_clause)
                            or self._own_verb(s, c_start, m))
                    urged = urging or self.encourage.last_in(since_clause) is not None
                    if verb is not None and not urged:
                        predicate = "launches" if verb[1] in self.launch else "implements"
                        for agent in agents:
                            sink.add(agent, predicate, m.key, s, s.start + c_start + verb[0], m.end, "verb-object")
                        if predicate == "launches" and _is_document(m.cls, self.tree):
                            for partner in co_issuers:
                                sink.add(partner, predicate, m.key, s, s.start + c_start + verb[0], m.end, "joint-issue")
                        if state.speaker is not None:
                            sink.add(state.speaker.key, "announces", m.key, s, m.start, m.end, "speaker")
                        # what a sentence goes on to say is done with the instrument it works
                        # through (发挥X作用), or is the content of a document just issued
                        # (印发《方案》，支持…)
                        if (self.means.last_in(since_clause) or verb[1] in ("将", "把")
                                or (predicate == "launches" and _is_document(m.cls, self.tree))):
                            means = m
                        self._modifying_enumeration(s, c_start, m, in_clause, sink)
                        self._located(s, c_start + verb[0], m, in_clause, sink)
                elif top == "Actor" and agents:
                    if self.collaborate.last_in(before) or (joined and prev_link[0] == "collaboratesWith"):
                        link = ("collaboratesWith", agents)
                        if before.rstrip(_SKIPPABLE).endswith("联合") or (joined and co_issuers):
                            co_issuers.append(m.key)
                elif top in ("Sector", "Region"):
                    predicate = "prioritisesSector" if top == "Sector" else "targetsRegion"
                    owners = (means.key,) if means is not None else agents
                    if joined and prev_link[0] == predicate:
                        link = prev_link
                    elif owners and self._focused(since_clause, means):
                        link = (predicate, owners)
                if link is not None:
                    for owner in link[1]:
                        sink.add(owner, link[0], m.key, s, m.start, m.end, "enumeration" if joined else "focus")
                prev_link = link
                prev = m
        if resume and not state.subject:
            state.subject = resume

    def _located(self, s: Sentence, verb_at: int, m: Mention, in_clause: Sequence[Mention], sink: _Sink) -> None:
        """在山东省、河南省开展X试点: the places where the act that sets up or applies an
        instrument happens (在 and a list of places right before its verb) are the instrument's."""
        at = s.norm.rfind("在", 0, verb_at)
        places = [x for x in in_clause if at >= 0 and self.top(x) == "Region" and x.cls != "Country"
                  and at < x.start - s.start and x.end - s.start <= verb_at]
        if not places or places[0].start - s.start != at + 1:
            return
        for a, b in zip(places, places[1:]):
            if s.norm[a.end - s.start:b.start - s.start].strip(_SKIPPABLE) not in _ENUM_JOINERS:
                return
        tail = s.norm[places[-1].end - s.start:verb_at]
        if len(tail) > _MAX_LOCATIVE_TAIL or any(ch in _CLAUSE_END for ch in tail):
            return
        for x in places:
            sink.add(m.key, "targetsRegion", x.key, s, x.start, m.end, "locative")

    def _own_verb(self, s: Sentence, c_start: int, m: Mention) -> Optional[Tuple[int, str]]:
        """(clause offset, word) of the verb a tax relief's mention opens with (…，免征增值税)."""
        start = m.start - s.start
        word = next((w for w in self.exempt if s.norm.startswith(w, start)), None) if m.rule == "tax-relief" else None
        return (start - c_start, word) if word else None

    def _focused(self, since_clause: str, means: Optional[Mention]) -> bool:
        """True when a focus word leads to what follows in the clause.  A scope word (覆盖,
        包括) says what an instrument reaches: with no instrument in hand its subject is some
        thing the clause names (…试点已覆盖浙江省), not the actor carried over."""
        verb = self.focus.last_in(since_clause)
        return verb is not None and (means is not None or verb[1] not in self.scope)

    def _modifying_enumeration(self, s: Sentence, c_start: int, m: Mention, in_clause: Sequence[Mention],
                               sink: _Sink) -> None:
        """汽车、家电、家装等消费品以旧换新: sectors listed before an instrument, closed by 等
        or by a noun of goods (家电、家居产品以旧换新), are what it covers."""
        before = [x for x in in_clause if x.end <= m.start]
        if not before or self.top(before[-1]) != "Sector":
            return
        gap = s.norm[before[-1].end - s.start:m.start - s.start]
        closed = gap.startswith("等") or gap in _GOODS
        if not closed or len(gap) > _MAX_MODIFIER or any(ch in _CLAUSE_END for ch in gap):
            return
        enumeration = [before[-1]]
        for x in reversed(before[:-1]):
            joint = s.norm[x.end - s.start:enumeration[-1].start - s.start].strip(_SKIPPABLE)
            if self.top(x) != "Sector" or joint not in _ENUM_JOINERS:
                break
            enumeration.append(x)
        for x in enumeration:
            sink.add(m.key, "prioritisesSector", x.key, s, x.start, m.end, "enumeration-modifier")

    def _after_titles(self, text: str) -> str:
        """``text`` without the post titles and honorifics it opens with."""
        while True:
            hit = self.posts.longest(text, 0)
            if hit is None:
                return text
            text = text[hit[0]:]

    def _speaks(self, text: str) -> bool:
        """A speech verb opens ``text``, perhaps after an adverb or two (明确指出, 在会上强调)."""
        return any(self.speech.longest(text, i) for i in range(0, min(len(text), 6))
                   if not any(ch in _CLAUSE_END for ch in text[:i]))

    def _leads(self, s: Sentence, c_start: int, in_clause: Sequence[Mention]) -> Tuple[Mention, ...]:
        """The actors opening a clause (after any 一是/同时-style marker): 中共中央、国务院印发…"""
        first = next((i for i, m in enumerate(in_clause) if self.top(m) == "Actor"
                      and self._opens_with(s.norm, c_start, None, upto=m.start - s.start)), None)
        if first is None or any(self.top(m) != "Actor" for m in in_clause[:first]):
            return ()
        leads = [in_clause[first]]
        for m in in_clause[first + 1:]:
            gap = s.norm[leads[-1].end - s.start:m.start - s.start].strip(_SKIPPABLE)
            if self.top(m) != "Actor" or gap not in _ENUM_JOINERS:
                break
            leads.append(m)
        return tuple(leads)

    def _opens_with(self, norm: str, c_start: int, word: Optional[str], upto: Optional[int] = None) -> bool:
        """True when, after 一是/同时-style markers, the clause at ``c_start`` begins with ``word``
        (or, with ``upto``, when only markers, or a modifier ending in 的, stand between the
        clause start and ``upto``: 以习近平同志为核心的|党中央)."""
        head = norm[c_start:upto].strip(_SKIPPABLE)
        if word is None and head.endswith("的") and len(head) <= _MAX_MODIFIER:
            return True
        while True:
            if word is not None and head.startswith(word):
                return True
            hit = self.markers.longest(head, 0)
            if hit is None:
                return word is None and head == ""
            head = head[hit[0]:].strip(_SKIPPABLE + ",")

    @staticmethod
    def _acting_for(key: str, person_org: Dict[str, str]) -> str:
        """An official acts for their organisation when the text says which it is."""
        return person_org.get(key, key)

    def _agents(self, state: _State, person_org: Dict[str, str]) -> Tuple[str, ...]:
        if state.subject:
            return state.subject
        if state.speaker is not None:
            # An official speaking for their organisation: the organisation acts.
            return (self._acting_for(state.speaker.key, person_org),)
        return ()

    def _starts_with_marker(self, norm: str) -> bool:
        return self.markers.longest(norm.lstrip(_SKIPPABLE), 0) is not None


def _is_document(cls: str, tree: ClassTree) -> bool:
    while True:
        if cls == "PolicyDocument":
            return True
        parents = tree.parents.get(cls, ())
        if not parents:
            return False
        cls = parents[0]


def _disposal(text: str) -> Optional[Tuple[int, str]]:
    """将/把 right before an object: the verb follows the object (将试点扩大至…)."""
    stripped = text.rstrip(_SKIPPABLE)
    if stripped.endswith(("将", "把")):
        return len(stripped) - 1, stripped[-1]
    return None


def _any_verb(verb_ends: Set[Tuple[int, str]], s: Sentence, c_start: int, m: Mention) -> Optional[Tuple[int, str]]:
    """(clause offset, word) of the last verb before ``m`` in its clause, if the segmenter and
    the general dictionary show one (增加|再贷款, 下调|…利率)."""
    lo = s.start + c_start
    if isinstance(verb_ends, _VerbEnds):  # a binary search, not a scan of the whole document
        found = verb_ends.last_in(lo, m.start)
        if found is None:
            return None
        end, word = found
    else:
        ends = [e for e in verb_ends if lo < e[0] <= m.start]
        if not ends:
            return None
        end, word = max(ends)
    return end - len(word) - lo, word


class _VerbEnds(frozenset):
    """The (end offset, word) of a document's verbs, also kept sorted for range queries.

    >>> verbs = _VerbEnds({(4, "增加"), (9, "下调"), (9, "降低"), (20, "推动")})
    >>> verbs.last_in(0, 9), verbs.last_in(4, 8), verbs.last_in(9, 30)
    ((9, '降低'), None, (20, '推动'))
    """

    def __init__(self, items: Iterable[Tuple[int, str]] = ()):
        super().__init__()
        self.ordered = sorted(self)
        self.ends = [end for end, _ in self.ordered]

    def last_in(self, lo: int, hi: int) -> Optional[Tuple[int, str]]:
        """The greatest (end, word) with ``lo < end <= hi``, or None."""
        i = bisect.bisect_right(self.ends, hi)
        return self.ordered[i - 1] if i > bisect.bisect_right(self.ends, lo) else None


def _verb_ends(tokens: Sequence[Sequence[Token]]) -> Set[Tuple[int, str]]:
    """(end offset, word) of every token the general dictionary tags as a verb."""
    from .entities import verb_words

    verbs = verb_words()
    return _VerbEnds((t.end, t.text) for sentence in tokens for t in sentence if t.text in verbs)


def _outside_names(s: Sentence, ms: Sequence[Mention]) -> str:
    """The sentence with its mentions blanked out (same length), so that no cue word is read
    inside a name: 国家发展改革委就《…》答记者问 has no 发展 verb, 促进…领导小组 no 促进."""
    chars = list(s.norm)
    for m in ms:
        chars[m.start - s.start:m.end - s.start] = _BLANK * (m.end - m.start)
    return "".join(chars)


def _clauses(norm: str) -> List[Tuple[int, int]]:
    out, start = [], 0
    for m in _CLAUSE_END_RE.finditer(norm):  # the punctuation only, not every character
        out.append((start, m.end()))
        start = m.end()
    if start < len(norm):
        out.append((start, len(norm)))
    return out


class _LastWord:
    """Which of some words ends last in a text; of words ending at the same place, the first given.

    >>> _LastWord(["推进", "加快推进", "支持"]).last_in("加快推进改革,支持企业")
    (7, '支持')
    >>> _LastWord(["推进", "加快推进"]).last_in("加快推进改革"), _LastWord(["支持"]).last_in("改革")
    ((2, '推进'), None)
    """

    def __init__(self, words: Iterable[str]):
        words = tuple(words)
        # One search of the reversed text: its leftmost match is the one ending last in the text,
        # and at one place the alternatives are tried in the order given (one pass, not one per word).
        self._reversed = re.compile("|".join(re.escape(w[::-1]) for w in words)) if words else None

    def last_in(self, text: str) -> Optional[Tuple[int, str]]:
        """(position, word) of the word that ends last in ``text``, or None."""
        found = self._reversed.search(text[::-1]) if self._reversed is not None else None
        if found is None:
            return None
        word = found.group()[::-1]
        return len(text) - found.start() - len(word), word
