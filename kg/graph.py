"""Stage 6: the RDF graph of documents, entities, relations and their evidence, as named graphs.

Every relation is asserted twice over: as a **direct triple** between the two entity IRIs (what
users query: ``?actor kg:implements ?instrument``) and as a ``kg:Evidence`` record (a reified
statement) that points to the sentence, its document and the character offsets it was read
from.  IRIs depend only on names, so the same input gives the same graph and the same bytes.

A build makes the graph one named graph at a time (:func:`build_parts`): each is a
:class:`Part`, its triples as sorted N-Triples strings (:mod:`kg.turtle`), which the store loads
and ``graph.ttl`` is written from before the next one is made, so the whole graph is never held
in memory.  :func:`build_graph` and :func:`build_partition` give the same triples as rdflib
graphs, for the Python API and small graphs.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import quote

from rdflib import RDF, SKOS, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from .errors import OutputError
from .io import atomic_writer
from .lexicon import Lexicon
from .namespace import KG
from .ontology import ClassTree
from .turtle import (PREFIXES, Triple, TurtleWriter, decimal, from_rdflib, integer, iri, literal, ntriples,
                     turtle_document)
from .types import Document, DuplicateGroup, Entity, Extraction, LexiconEntry, Relation, Statistic

__all__ = ["Minter", "Part", "TurtleFile", "build_parts", "part_iris", "part_order", "union_sections",
           "write_turtle", "count_union", "lexicon_facts", "mention_counts", "prefixes", "build_graph",
           "build_partition", "union", "to_turtle"]

_TOP_PATHS = {"Actor": "actor", "Instrument": "instrument", "Sector": "sector", "Region": "region"}
_PARENT_PREDICATES = {"Actor": KG.subUnitOf, "Region": KG.partOfRegion, "Sector": SKOS.broader}


def slug(name: str) -> str:
    """An IRI path segment for any Unicode name: letters and digits kept, the rest %-encoded.

    >>> slug("工业和信息化部")
    '工业和信息化部'
    >>> slug("a b/《c》")
    'a%20b%2F%E3%80%8Ac%E3%80%8B'
    """
    name = unicodedata.normalize("NFC", name)
    return "".join(ch if (ch.isalnum() or ch in "-_") else quote(ch, safe="") for ch in name)


class Minter:
    """Mints the IRIs of one build from its base namespace."""

    def __init__(self, base: str, tree: Optional[ClassTree]):
        self.ns = Namespace(base)
        self.base = base
        self.tree = tree

    def entity(self, key: str, cls: str) -> URIRef:
        return URIRef(self.entity_iri(key, cls))

    def entity_iri(self, key: str, cls: str) -> str:
        return f"{self.base}{_TOP_PATHS[self.tree.top_class(cls)]}/{slug(key)}"

    def document(self, doc_id: str) -> URIRef:
        return URIRef(self.document_iri(doc_id))

    def document_iri(self, doc_id: str) -> str:
        return self.base + "doc/" + "/".join(slug(p) for p in doc_id.split("/"))

    def sentence(self, doc_id: str, index: int) -> URIRef:
        return URIRef(f"{self.document_iri(doc_id)}/sentence/{index}")

    def evidence(self, r: Relation) -> URIRef:
        return URIRef(self.evidence_iri(r))

    def evidence_iri(self, r: Relation) -> str:
        ident = "\t".join((r.subject, r.predicate, r.object, r.evidence.doc_id, str(r.evidence.sentence),
                           str(r.evidence.start), str(r.evidence.end)))
        return self.base + "evidence/" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:20]

    def graph(self, name: str) -> URIRef:
        """A named graph of the store: ``graph/ontology``, ``graph/entities``."""
        return self.ns["graph/" + name]

    def document_graph(self, doc_id: str) -> URIRef:
        """The named graph holding what was read from one document."""
        return self.ns["graph/doc/" + "/".join(slug(p) for p in doc_id.split("/"))]

    def statistic(self, st: Statistic) -> URIRef:
        return URIRef(self.statistic_iri(st))

    def statistic_iri(self, st: Statistic) -> str:
        ident = f"{st.doc_id}\t{st.start}\t{st.end}"
        return self.base + "statistic/" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:20]

    def post(self, org: str, title: str) -> URIRef:
        return URIRef(self.post_iri(org, title))

    def post_iri(self, org: str, title: str) -> str:
        return f"{self.base}post/{slug(org)}/{slug(title)}"

    def role(self, title: str) -> URIRef:
        return URIRef(self.role_iri(title))

    def role_iri(self, title: str) -> str:
        return f"{self.base}role/{slug(title)}"


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Part:
    """One named graph: its IRI and its distinct triples (N-Triples terms), sorted."""

    iri: str
    triples: Tuple[Triple, ...]

    def __len__(self) -> int:
        return len(self.triples)

    @cached_property
    def ntriples(self) -> bytes:
        """The triples as an N-Triples document, one line each, sorted."""
        return ntriples(self.triples)

    @cached_property
    def digest(self) -> str:
        """sha256 of :attr:`ntriples`: equal graphs (no blank nodes) hash alike."""
        return hashlib.sha256(self.ntriples).hexdigest()

    def to_rdflib(self) -> Graph:
        g = Graph()
        if self.triples:
            g.parse(data=self.ntriples, format="nt")
        return g


def _part(iri_: str, triples: Iterable[Triple]) -> Part:
    return Part(iri_, tuple(sorted(set(triples))))


def prefixes(base: str) -> Dict[str, str]:
    """The prefixes of ``graph.ttl``: the vocabularies and ``kgr`` for the build's ``base``."""
    return dict(PREFIXES, kgr=base)


def part_iris(documents: Sequence[Document], base: str) -> List[str]:
    """The named graphs a build of ``documents`` makes, in the order :func:`build_parts` makes them."""
    mint = Minter(base, None)
    docs = sorted({str(mint.document_graph(d.doc_id)) for d in documents})
    return [str(mint.graph("ontology")), str(mint.graph("entities"))] + docs


def part_order(ontology_graph: str, entities_graph: str) -> Callable[[str], Tuple[int, str]]:
    """Sort key of graph IRIs in the order of ``graph.ttl``: ontology, entities, then by IRI."""
    first = {ontology_graph: 0, entities_graph: 1}
    return lambda graph: (first.get(graph, 2), graph)


def mention_counts(extractions: Iterable[Extraction]) -> Counter:
    """Mentions of each entity key over all documents (``kg:mentionCount``)."""
    return Counter(m.key for x in extractions for m in x.mentions)


def lexicon_facts(entities: Sequence[Entity], lexicon: Lexicon,
                  tree: ClassTree) -> List[Tuple[Entity, URIRef, LexiconEntry]]:
    """The lexicon facts the entities graph asserts: (entity, predicate, parent entry).

    A 国家局 under its ministry, a city in its province, a sector under a broader one: these
    hold wherever the child appears, so they come from the lexicon, not from a sentence.
    """
    out = []
    for e in entities:
        parent = lexicon.by_canonical.get(e.parent) if e.parent else None
        top = tree.top_class(e.cls)
        if parent is not None and top in _PARENT_PREDICATES:
            out.append((e, _PARENT_PREDICATES[top], parent))
    return out


class _Terms:
    """The N-Triples terms of one build, each IRI made once."""

    def __init__(self, mint: Minter, entities: Sequence[Entity]):
        self.mint = mint
        self.cls = {e.key: e.cls for e in entities}
        self._entities: Dict[str, str] = {}
        self._kg: Dict[str, str] = {}
        self._documents: Dict[str, str] = {}

    def document(self, doc_id: str) -> str:
        """The document's IRI, without the angle brackets (sentence IRIs extend it)."""
        value = self._documents.get(doc_id)
        if value is None:
            value = self._documents[doc_id] = self.mint.document_iri(doc_id)
        return value

    def sentence(self, doc_id: str, index: int) -> str:
        return iri(f"{self.document(doc_id)}/sentence/{index}")

    def entity(self, key: str, cls: Optional[str] = None) -> str:
        if cls is not None and cls != self.cls.get(key):
            return iri(self.mint.entity_iri(key, cls))
        term = self._entities.get(key)
        if term is None:
            term = self._entities[key] = iri(self.mint.entity_iri(key, self.cls[key]))
        return term

    def kg(self, name: str) -> str:
        """An ontology term by local name (an unknown one raises AttributeError, see kg/namespace.py)."""
        term = self._kg.get(name)
        if term is None:
            term = self._kg[name] = iri(str(KG[name]))
        return term


def _t(term: URIRef) -> str:
    return iri(str(term))


_TYPE, _PREF, _ALT, _NOTATION = _t(RDF.type), _t(SKOS.prefLabel), _t(SKOS.altLabel), _t(SKOS.notation)
_SUBJECT, _PREDICATE, _OBJECT = _t(RDF.subject), _t(RDF.predicate), _t(RDF.object)
_IDENTIFIER, _SOURCE, _TITLE, _PART_OF = _t(DCTERMS.identifier), _t(DCTERMS.source), _t(DCTERMS.title), \
    _t(DCTERMS.isPartOf)
_ATTRIBUTED, _DERIVED = _t(PROV.wasAttributedTo), _t(PROV.wasDerivedFrom)
_HOLDS, _POST, _POST_IN, _ROLE_P, _ROLE = _t(ORG.holds), _t(ORG.Post), _t(ORG.postIn), _t(ORG.role), _t(ORG.Role)


def build_parts(documents: Sequence[Document], groups: Sequence[DuplicateGroup],
                extractions: Sequence[Extraction], entities: Sequence[Entity], *,
                lexicon: Lexicon, tree: ClassTree, ontology: Graph, base: str) -> Iterator[Part]:
    """The graph as named graphs, one at a time, in a fixed order (see :func:`part_iris`).

    - ``graph/ontology``: the ontology;
    - ``graph/entities``: the merged entity nodes (types, labels, codes, counts, lexicon
      parents) and the posts (``org:Post``, ``org:Role``);
    - ``graph/doc/<id>`` for each canonical document: its Document node, the sentences used
      as evidence, its ``kg:mentions``, and each relation read from it (direct triple and
      evidence record), so a fact read from two documents is in both graphs;
    - ``graph/doc/<id>`` for each near-duplicate document: its Document node and dedup links.

    The document graphs come sorted by IRI, so the order does not depend on the input's.
    """
    mint = Minter(base, tree)
    terms = _Terms(mint, entities)
    yield _part(str(mint.graph("ontology")), ((from_rdflib(s), from_rdflib(p), from_rdflib(o))
                                              for s, p, o in ontology))
    yield _part(str(mint.graph("entities")), _entity_triples(terms, entities, extractions, lexicon))
    by_doc = {x.doc_id: x for x in extractions}
    dup_group = {dup: grp for grp in groups for dup in grp.duplicates}
    for graph_iri, d in sorted((str(mint.document_graph(d.doc_id)), d) for d in documents):
        triples = _document_triples(terms, d, dup_group.get(d.doc_id))
        if d.doc_id in by_doc:
            triples += _extraction_triples(terms, by_doc[d.doc_id], d)
        yield _part(graph_iri, triples)


def union_sections(parts: Iterable[Part], entities_graph: str) -> Iterator[Tuple[Part, Tuple[Triple, ...]]]:
    """Each part with its triples that no earlier part held: together, the union of the parts.

    Only a triple whose subject is an entity node (a subject of ``entities_graph``, which must
    come before the document graphs) can be in two parts: a fact read from two documents, or
    read from a text and also a lexicon fact.  Every other subject (a document, sentence,
    evidence or statistic node) is minted from its own document's id, so only those triples
    are remembered, never the whole graph.
    """
    shared: Set[str] = set()
    seen: Set[Triple] = set()
    for part in parts:
        if part.iri == entities_graph:
            shared.update(s for s, _, _ in part.triples)
            new = tuple(t for t in part.triples if t not in seen)
            seen.update(part.triples)
        elif shared:
            new = []
            for t in part.triples:
                if t[0] in shared:
                    if t in seen:
                        continue
                    seen.add(t)
                new.append(t)
            new = tuple(new)
        else:
            new = part.triples
        yield part, new


@dataclass(frozen=True)
class TurtleFile:
    """What :func:`write_turtle` wrote."""

    path: Path
    triples: int  # distinct triples in the file
    sha256: str  # of its bytes


def write_turtle(path: Path, parts: Iterable[Part], *, base: str) -> TurtleFile:
    """Write the union of ``parts`` as Turtle to ``path`` (atomically), one part after the other.

    The file is the prefixes, then for each part in turn its triples that no earlier part held
    (:func:`union_sections`), subjects sorted and grouped.  Only one part is held at a time, and
    the same parts give the same bytes.  ``parts`` must come in :func:`part_order`.
    """
    writer = TurtleWriter(prefixes(base))
    digest = hashlib.sha256()
    count = 0
    with atomic_writer(path) as fh:
        def put(text: str) -> None:
            data = text.encode("utf-8")
            digest.update(data)
            try:
                fh.write(data)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror})") from exc

        put(writer.header())
        for _, new in union_sections(parts, str(Minter(base, None).graph("entities"))):
            put(writer.body(new))
            count += len(new)
    return TurtleFile(Path(path), count, digest.hexdigest())


def count_union(parts: Iterable[Part], *, base: str) -> int:
    """The number of distinct triples of the union of ``parts`` (what :func:`write_turtle` would write)."""
    return sum(len(new) for _, new in union_sections(parts, str(Minter(base, None).graph("entities"))))


def _entity_triples(terms: _Terms, entities: Sequence[Entity], extractions: Sequence[Extraction],
                    lexicon: Lexicon) -> List[Triple]:
    mint = terms.mint
    counts = mention_counts(extractions)
    out: List[Triple] = []
    add = out.append
    for e in entities:
        node = terms.entity(e.key)
        add((node, _TYPE, terms.kg(e.cls)))
        add((node, _TYPE, terms.kg(mint.tree.top_class(e.cls))))
        add((node, _PREF, literal(e.key, lang="zh")))
        for label in e.labels:
            add((node, _ALT, literal(label, lang="zh")))
        for code in e.codes:
            add((node, _NOTATION, literal(code)))
        add((node, terms.kg("mentionCount"), integer(counts.get(e.key, 0))))
    for e, predicate, parent in lexicon_facts(entities, lexicon, mint.tree):
        parent_node = terms.entity(parent.canonical, parent.cls)
        add((terms.entity(e.key), _t(predicate), parent_node))
        if parent.canonical not in terms.cls:  # the parent gets a node of its own
            add((parent_node, _TYPE, terms.kg(parent.cls)))
            add((parent_node, _TYPE, terms.kg(mint.tree.top_class(parent.cls))))
            add((parent_node, _PREF, literal(parent.canonical, lang="zh")))
            for label in parent.aliases:
                add((parent_node, _ALT, literal(label, lang="zh")))
            add((parent_node, terms.kg("mentionCount"), integer(0)))
    for x in extractions:
        for r in x.relations:
            if r.role:
                out.extend(_post_triples(terms, r))
    return out


def _post_triples(terms: _Terms, r: Relation) -> List[Triple]:
    """The post a relation with a role implies: ``person org:holds [org:postIn org; org:role role]``."""
    post = iri(terms.mint.post_iri(r.object, r.role))
    role = iri(terms.mint.role_iri(r.role))
    return [(terms.entity(r.subject), _HOLDS, post), (post, _TYPE, _POST), (post, _POST_IN, terms.entity(r.object)),
            (post, _ROLE_P, role), (post, _PREF, literal(r.object + r.role, lang="zh")),
            (role, _TYPE, _ROLE), (role, _PREF, literal(r.role, lang="zh"))]


def _source_name(d: Document) -> str:
    """The file's path relative to the input it was found under: no machine-specific prefix."""
    parent = PurePosixPath(d.doc_id).parent
    return str(parent / PureWindowsPath(d.path).name) if str(parent) != "." else PureWindowsPath(d.path).name


def _document_triples(terms: _Terms, d: Document, grp: Optional[DuplicateGroup]) -> List[Triple]:
    """The Document node, and for a near-duplicate its links to the canonical document."""
    kg = terms.kg
    node = iri(terms.document(d.doc_id))
    out = [(node, _TYPE, kg("Document")), (node, _IDENTIFIER, literal(d.doc_id)),
           (node, _SOURCE, literal(_source_name(d))), (node, kg("sha256"), literal(d.sha256)),
           (node, kg("encoding"), literal(d.encoding))]
    if d.metadata.title:
        out.append((node, _TITLE, literal(d.metadata.title, lang="zh")))
    out.extend((node, kg("reporter"), literal(name)) for name in d.metadata.reporters)
    out.extend((node, kg("editor"), literal(name)) for name in d.metadata.editors)
    if grp is not None:
        canonical = iri(terms.document(grp.canonical))
        out += [(node, kg("nearDuplicateOf"), canonical), (canonical, kg("nearDuplicateOf"), node),
                (node, kg("canonicalDocument"), canonical),
                (node, kg("similarity"), decimal(f"{grp.similarity:.4f}"))]
    return out


def _extraction_triples(terms: _Terms, x: Extraction, doc: Document) -> List[Triple]:
    kg = terms.kg
    doc_node = iri(terms.document(x.doc_id))
    out = [(doc_node, kg("mentions"), terms.entity(key)) for key in {m.key for m in x.mentions}]
    used = ({r.evidence.sentence for r in x.relations} | {a.sentence for a in x.attributions}
            | {st.sentence for st in x.statistics})
    for s in doc.sentences:
        if s.index not in used:
            continue
        index = s.index
        node = terms.sentence(x.doc_id, index)
        out += [(node, _TYPE, kg("Sentence")), (node, _PART_OF, doc_node), (node, kg("sentenceIndex"), integer(index)),
                (node, kg("startOffset"), integer(s.start)), (node, kg("endOffset"), integer(s.end)),
                (node, kg("text"), literal(s.text, lang="zh"))]
    for a in x.attributions:
        out.append((terms.sentence(x.doc_id, a.sentence), _ATTRIBUTED, terms.entity(a.speaker)))
    for r in x.relations:
        out.extend(_relation_triples(terms, r))
    for st in x.statistics:
        out.extend(_statistic_triples(terms, st))
    return out


def _relation_triples(terms: _Terms, r: Relation) -> List[Triple]:
    """The direct triple and its evidence record (its post goes to the entities graph)."""
    kg = terms.kg
    subj, pred, obj = terms.entity(r.subject), kg(r.predicate), terms.entity(r.object)
    ev = iri(terms.mint.evidence_iri(r))
    return [(subj, pred, obj), (ev, _TYPE, kg("Evidence")), (ev, _SUBJECT, subj), (ev, _PREDICATE, pred),
            (ev, _OBJECT, obj), (ev, kg("sentence"), terms.sentence(r.evidence.doc_id, r.evidence.sentence)),
            (ev, _DERIVED, iri(terms.document(r.evidence.doc_id))),
            (ev, kg("startOffset"), integer(r.evidence.start)), (ev, kg("endOffset"), integer(r.evidence.end)),
            (ev, kg("rule"), literal(r.rule))]


def _statistic_triples(terms: _Terms, st: Statistic) -> List[Triple]:
    kg = terms.kg
    node = iri(terms.mint.statistic_iri(st))
    out = [(node, _TYPE, kg("Statistic")), (node, kg("measure"), literal(st.measure, lang="zh")),
           (node, kg("value"), decimal(st.value)), (node, kg("unit"), literal(st.unit))]
    if st.period:
        out.append((node, kg("period"), literal(st.period, lang="zh")))
    if st.about and st.about in terms.cls:
        out.append((node, kg("about"), terms.entity(st.about)))
    out += [(node, kg("sentence"), terms.sentence(st.doc_id, st.sentence)),
            (node, _DERIVED, iri(terms.document(st.doc_id))),
            (node, kg("startOffset"), integer(st.start)), (node, kg("endOffset"), integer(st.end))]
    return out


# --------------------------------------------------------------------------- rdflib, for the Python API


def build_graph(documents: Sequence[Document], groups: Sequence[DuplicateGroup],
                extractions: Sequence[Extraction], entities: Sequence[Entity], *,
                lexicon: Lexicon, tree: ClassTree, ontology: Graph, base: str) -> Graph:
    """The whole graph as one rdflib Graph: the union of :func:`build_parts`."""
    g = _new_graph(base)
    data = b"".join(ntriples(new) for _, new in union_sections(
        build_parts(documents, groups, extractions, entities, lexicon=lexicon, tree=tree, ontology=ontology,
                    base=base), str(Minter(base, tree).graph("entities"))))
    if data:
        g.parse(data=data, format="nt")
    return g


def build_partition(documents: Sequence[Document], groups: Sequence[DuplicateGroup],
                    extractions: Sequence[Extraction], entities: Sequence[Entity], *,
                    lexicon: Lexicon, tree: ClassTree, ontology: Graph, base: str) -> Dict[URIRef, Graph]:
    """:func:`build_parts` as rdflib Graphs (graph IRI -> graph), in the same order."""
    out: Dict[URIRef, Graph] = {}
    for part in build_parts(documents, groups, extractions, entities, lexicon=lexicon, tree=tree,
                            ontology=ontology, base=base):
        g = out[URIRef(part.iri)] = part.to_rdflib()
        _bind(g, base)
    return out


def union(parts: Mapping[URIRef, Graph], base: str) -> Graph:
    """One graph holding every triple of the named graphs."""
    g = _new_graph(base)
    for part in parts.values():
        g += part
    return g


def _new_graph(base: str) -> Graph:
    g = Graph()
    _bind(g, base)
    return g


def _bind(g: Graph, base: str) -> None:
    for prefix, ns in prefixes(base).items():
        g.bind(prefix, ns, override=True, replace=True)


def to_turtle(g: Graph, base: Optional[str] = None) -> bytes:
    """Turtle of an rdflib Graph, written like ``graph.ttl`` (:mod:`kg.turtle`): the same graph gives the same bytes.

    ``kgr`` is bound to ``base``, or to the graph's own ``kgr`` binding.
    """
    base = base or dict(g.namespaces()).get("kgr")
    return turtle_document(((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in g),
                           prefixes(str(base)) if base else PREFIXES)
