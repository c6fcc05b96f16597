"""Frozen records passed between pipeline stages.

Every stage takes and returns these types (never bare tuples or dicts), so a stage can be
tested, replaced or run in another process on its own.  Offsets are always character offsets
into :attr:`Document.text`, the original decoded text; :attr:`Document.norm` has the same
length, so an offset found while matching the normalised text is valid in the original.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

__all__ = [
    "Sentence",
    "Metadata",
    "Document",
    "DuplicateGroup",
    "Token",
    "LexiconEntry",
    "Mention",
    "Entity",
    "Evidence",
    "Relation",
    "Attribution",
    "Statistic",
    "Extraction",
]


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading) of a document's content."""

    index: int  # position in the document, from 0
    start: int  # offset of the first character in Document.text
    end: int  # offset one past the last character
    text: str  # Document.text[start:end]
    norm: str  # Document.norm[start:end]
    paragraph: int  # index of the paragraph holding the sentence
    kind: str = "body"  # "body", "heading" (a Q&A or section heading) or "question"


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself, kept apart from its content."""

    title: Optional[str] = None
    reporters: Tuple[str, ...] = ()
    editors: Tuple[str, ...] = ()
    source: Optional[str] = None
    # Character ranges of the metadata lines; no content entity is taken from them.
    spans: Tuple[Tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Document:
    """A decoded, normalised and sentence-split input file."""

    doc_id: str  # stable, human-readable id: the path relative to its input root, no suffix
    path: str  # the path as the user gave it (for messages)
    text: str  # original decoded text, offsets refer to it
    norm: str  # same length as text: width- and whitespace-normalised for matching
    encoding: str  # codec that decoded the file ("utf-8", "utf-8-sig", "gb18030", "utf-16")
    sha256: str  # of the raw bytes
    metadata: Metadata = field(default_factory=Metadata)
    sentences: Tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class DuplicateGroup:
    """Near-duplicate documents: facts are counted once, from the canonical document."""

    canonical: str  # doc_id whose facts are kept
    duplicates: Tuple[str, ...]  # doc_ids of the other layouts of the same text
    similarity: float  # Jaccard similarity of the least similar pair of members


@dataclass(frozen=True)
class Token:
    """A word from the segmenter, with offsets into the document text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class LexiconEntry:
    """One row of a lexicon file in ``ontology/lexicon``."""

    canonical: str
    cls: str  # local name of an ontology class, e.g. "GovernmentBody"
    aliases: Tuple[str, ...] = ()
    codes: Tuple[str, ...] = ()
    parent: Optional[str] = None  # canonical name of the parent unit / containing region
    source: str = ""  # "file:line" the entry came from, for messages


@dataclass(frozen=True)
class Mention:
    """A span of a sentence recognised as naming an entity."""

    start: int
    end: int
    text: str  # surface form, from the original text
    key: str  # canonical name of the entity it names
    cls: str  # ontology class local name
    rule: str  # what found it: "lexicon", "title-person", "quoted-instrument", ...
    sentence: int  # Sentence.index


@dataclass(frozen=True)
class Entity:
    """A resolved entity: one node of the graph."""

    key: str  # canonical name; the IRI is derived from it and from nothing else
    cls: str
    labels: Tuple[str, ...] = ()  # other surface forms seen or listed (altLabels)
    codes: Tuple[str, ...] = ()
    parent: Optional[str] = None


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: document, sentence and the character range of the trigger."""

    doc_id: str
    sentence: int
    start: int
    end: int
    text: str  # the sentence text


@dataclass(frozen=True)
class Relation:
    """A direct fact between two entities, with its evidence."""

    subject: str  # Entity.key
    predicate: str  # local name of an ontology property, e.g. "implements"
    object: str  # Entity.key
    evidence: Evidence
    rule: str
    role: Optional[str] = None  # for a post: the title held (副部长)


@dataclass(frozen=True)
class Attribution:
    """A sentence said by a speaker (an interviewee's answer, a quoted official)."""

    doc_id: str
    sentence: int
    speaker: str  # Entity.key of a Person


@dataclass(frozen=True)
class Statistic:
    """A figure the text reports: what it measures, value, unit and period (not an entity)."""

    doc_id: str
    sentence: int
    start: int  # offsets of the figure's phrase, measure to unit
    end: int
    measure: str  # 规模以上工业增加值同比增长
    value: str  # the number as written, normalised to ASCII digits ("6.5", "5000")
    unit: str  # "%", "个百分点", "亿元", … ("" for a bare index value)
    period: Optional[str] = None  # 一季度, 2021年四季度, 1-11月 …
    about: Optional[str] = None  # Entity.key of what it measures, when an entity is named in the measure


@dataclass(frozen=True)
class Extraction:
    """Everything read from one document: mentions, relations, speaker attributions, statistics."""

    doc_id: str
    mentions: Tuple[Mention, ...]
    relations: Tuple[Relation, ...]
    attributions: Tuple[Attribution, ...]
    statistics: Tuple[Statistic, ...] = ()
