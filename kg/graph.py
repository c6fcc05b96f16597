"""Stage 6: the RDF graph (rdflib) of documents, entities, relations and their evidence.

Every relation is asserted twice over: as a **direct triple** between the two entity IRIs (what
users query: ``?actor kg:implements ?instrument``) and as a ``kg:Evidence`` record (a reified
statement) that points to the sentence, its document and the character offsets it was read
from.  IRIs depend only on names, so the same input gives the same graph and the same bytes.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from pathlib import PurePosixPath, PureWindowsPath
from typing import Dict, Mapping, Sequence
from urllib.parse import quote

from rdflib import RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from .lexicon import Lexicon
from .namespace import KG
from .ontology import ClassTree
from .types import Document, DuplicateGroup, Entity, Extraction, Relation, Statistic

__all__ = ["Minter", "build_graph", "build_partition", "union", "to_turtle"]

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

    def __init__(self, base: str, tree: ClassTree):
        self.ns = Namespace(base)
        self.tree = tree

    def entity(self, key: str, cls: str) -> URIRef:
        return self.ns[f"{_TOP_PATHS[self.tree.top_class(cls)]}/{slug(key)}"]

    def document(self, doc_id: str) -> URIRef:
        return self.ns["doc/" + "/".join(slug(p) for p in doc_id.split("/"))]

    def sentence(self, doc_id: str, index: int) -> URIRef:
        return URIRef(f"{self.document(doc_id)}/sentence/{index}")

    def evidence(self, r: Relation) -> URIRef:
        ident = "\t".join((r.subject, r.predicate, r.object, r.evidence.doc_id, str(r.evidence.sentence),
                           str(r.evidence.start), str(r.evidence.end)))
        return self.ns["evidence/" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:20]]

    def graph(self, name: str) -> URIRef:
        """A named graph of the store: ``graph/ontology``, ``graph/entities``."""
        return self.ns["graph/" + name]

    def document_graph(self, doc_id: str) -> URIRef:
        """The named graph holding what was read from one document."""
        return self.ns["graph/doc/" + "/".join(slug(p) for p in doc_id.split("/"))]

    def statistic(self, st: Statistic) -> URIRef:
        ident = f"{st.doc_id}\t{st.start}\t{st.end}"
        return self.ns["statistic/" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:20]]

    def post(self, org: str, title: str) -> URIRef:
        return self.ns[f"post/{slug(org)}/{slug(title)}"]

    def role(self, title: str) -> URIRef:
        return self.ns[f"role/{slug(title)}"]


def build_graph(documents: Sequence[Document], groups: Sequence[DuplicateGroup],
                extractions: Sequence[Extraction], entities: Sequence[Entity], *,
                lexicon: Lexicon, tree: ClassTree, ontology: Graph, base: str) -> Graph:
    """The whole graph: ontology, documents, sentences used as evidence, entities, relations.

    It is the union of :func:`build_partition`.
    """
    return union(build_partition(documents, groups, extractions, entities, lexicon=lexicon, tree=tree,
                                 ontology=ontology, base=base), base)


def build_partition(documents: Sequence[Document], groups: Sequence[DuplicateGroup],
                    extractions: Sequence[Extraction], entities: Sequence[Entity], *,
                    lexicon: Lexicon, tree: ClassTree, ontology: Graph, base: str) -> Dict[URIRef, Graph]:
    """The graph split into named graphs, in a fixed order (graph IRI -> graph).

    - ``graph/ontology``: the ontology;
    - ``graph/entities``: the merged entity nodes (types, labels, codes, counts, lexicon
      parents) and the posts (``org:Post``, ``org:Role``);
    - ``graph/doc/<id>`` for each canonical document: its Document node, the sentences used
      as evidence, its ``kg:mentions``, and each relation read from it (direct triple and
      evidence record), so a fact read from two documents is in both graphs;
    - ``graph/doc/<id>`` for each near-duplicate document: its Document node and dedup links.
    """
    mint = Minter(base, tree)
    by_key = {e.key: e for e in entities}
    parts: Dict[URIRef, Graph] = {}
    parts[mint.graph("ontology")] = _new_graph(base)
    parts[mint.graph("ontology")] += ontology
    entity_g = parts[mint.graph("entities")] = _new_graph(base)
    _add_entities(entity_g, mint, entities, extractions, lexicon)
    by_doc = {x.doc_id: x for x in extractions}
    dup_group = {dup: grp for grp in groups for dup in grp.duplicates}
    for d in documents:
        g = parts[mint.document_graph(d.doc_id)] = _new_graph(base)
        grp = dup_group.get(d.doc_id)
        own = [DuplicateGroup(canonical=grp.canonical, duplicates=(d.doc_id,), similarity=grp.similarity)] if grp else []
        _add_documents(g, mint, [d], own)
        if d.doc_id in by_doc:
            _add_extraction(g, mint, by_doc[d.doc_id], by_key, documents, posts=entity_g)
    return parts


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
    for prefix, ns in (("kg", str(KG)), ("kgr", base), ("skos", str(SKOS)), ("prov", str(PROV)),
                       ("org", str(ORG)), ("dcterms", str(DCTERMS))):
        g.bind(prefix, ns, override=True, replace=True)


def _add_documents(g: Graph, mint: Minter, documents: Sequence[Document], groups: Sequence[DuplicateGroup]) -> None:
    for d in documents:
        node = mint.document(d.doc_id)
        g.add((node, RDF.type, KG.Document))
        g.add((node, DCTERMS.identifier, Literal(d.doc_id)))
        g.add((node, DCTERMS.source, Literal(_source_name(d))))
        g.add((node, KG.sha256, Literal(d.sha256)))
        g.add((node, KG.encoding, Literal(d.encoding)))
        if d.metadata.title:
            g.add((node, DCTERMS.title, Literal(d.metadata.title, lang="zh")))
        for name in d.metadata.reporters:
            g.add((node, KG.reporter, Literal(name)))
        for name in d.metadata.editors:
            g.add((node, KG.editor, Literal(name)))
    for grp in groups:
        canonical = mint.document(grp.canonical)
        for dup in grp.duplicates:
            node = mint.document(dup)
            g.add((node, KG.nearDuplicateOf, canonical))
            g.add((canonical, KG.nearDuplicateOf, node))
            g.add((node, KG.canonicalDocument, canonical))
            g.add((node, KG.similarity, Literal(f"{grp.similarity:.4f}", datatype=XSD.decimal)))


def _source_name(d: Document) -> str:
    """The file's path relative to the input it was found under: no machine-specific prefix."""
    parent = PurePosixPath(d.doc_id).parent
    return str(parent / PureWindowsPath(d.path).name) if str(parent) != "." else PureWindowsPath(d.path).name


def _add_entities(g: Graph, mint: Minter, entities: Sequence[Entity], extractions: Sequence[Extraction],
                  lexicon: Lexicon) -> None:
    counts = Counter(m.key for x in extractions for m in x.mentions)
    classes = {e.key: e.cls for e in entities}
    for e in entities:
        node = mint.entity(e.key, e.cls)
        top = mint.tree.top_class(e.cls)
        g.add((node, RDF.type, KG[e.cls]))
        g.add((node, RDF.type, KG[top]))
        g.add((node, SKOS.prefLabel, Literal(e.key, lang="zh")))
        for label in e.labels:
            g.add((node, SKOS.altLabel, Literal(label, lang="zh")))
        for code in e.codes:
            g.add((node, SKOS.notation, Literal(code)))
        g.add((node, KG.mentionCount, Literal(counts.get(e.key, 0))))
        parent = lexicon.by_canonical.get(e.parent) if e.parent else None
        if parent is not None and top in _PARENT_PREDICATES:
            # Lexicon facts (a 国家局 under its ministry, a city in its province) hold
            # wherever the child appears; the parent gets a node of its own.
            parent_node = mint.entity(parent.canonical, parent.cls)
            g.add((node, _PARENT_PREDICATES[top], parent_node))
            if parent.canonical not in classes:
                g.add((parent_node, RDF.type, KG[parent.cls]))
                g.add((parent_node, RDF.type, KG[mint.tree.top_class(parent.cls)]))
                g.add((parent_node, SKOS.prefLabel, Literal(parent.canonical, lang="zh")))
                for label in parent.aliases:
                    g.add((parent_node, SKOS.altLabel, Literal(label, lang="zh")))
                g.add((parent_node, KG.mentionCount, Literal(0)))


def _add_extraction(g: Graph, mint: Minter, x: Extraction, by_key: Mapping[str, Entity],
                    documents: Sequence[Document], posts: Graph) -> None:
    doc = next(d for d in documents if d.doc_id == x.doc_id)
    doc_node = mint.document(x.doc_id)
    for key in sorted({m.key for m in x.mentions}):
        g.add((doc_node, KG.mentions, mint.entity(key, by_key[key].cls)))
    used_sentences = ({r.evidence.sentence for r in x.relations} | {a.sentence for a in x.attributions}
                      | {st.sentence for st in x.statistics})
    for s in doc.sentences:
        if s.index in used_sentences:
            _add_sentence(g, mint, doc, s.index)
    for a in x.attributions:
        g.add((mint.sentence(x.doc_id, a.sentence), PROV.wasAttributedTo,
               mint.entity(a.speaker, by_key[a.speaker].cls)))
    for r in x.relations:
        _add_relation(g, mint, r, by_key, posts)
    for st in x.statistics:
        _add_statistic(g, mint, st, by_key)


def _add_sentence(g: Graph, mint: Minter, doc: Document, index: int) -> None:
    s = doc.sentences[index]
    node = mint.sentence(doc.doc_id, index)
    g.add((node, RDF.type, KG.Sentence))
    g.add((node, DCTERMS.isPartOf, mint.document(doc.doc_id)))
    g.add((node, KG.sentenceIndex, Literal(index)))
    g.add((node, KG.startOffset, Literal(s.start)))
    g.add((node, KG.endOffset, Literal(s.end)))
    g.add((node, KG.text, Literal(s.text, lang="zh")))


def _add_relation(g: Graph, mint: Minter, r: Relation, by_key: Mapping[str, Entity], posts: Graph) -> None:
    """The direct triple and its evidence go to ``g``, the post it implies to ``posts``."""
    subj = mint.entity(r.subject, by_key[r.subject].cls)
    obj = mint.entity(r.object, by_key[r.object].cls)
    pred = KG[r.predicate]
    g.add((subj, pred, obj))
    ev = mint.evidence(r)
    g.add((ev, RDF.type, KG.Evidence))
    g.add((ev, RDF.subject, subj))
    g.add((ev, RDF.predicate, pred))
    g.add((ev, RDF.object, obj))
    g.add((ev, KG.sentence, mint.sentence(r.evidence.doc_id, r.evidence.sentence)))
    g.add((ev, PROV.wasDerivedFrom, mint.document(r.evidence.doc_id)))
    g.add((ev, KG.startOffset, Literal(r.evidence.start)))
    g.add((ev, KG.endOffset, Literal(r.evidence.end)))
    g.add((ev, KG.rule, Literal(r.rule)))
    if r.role:
        post = mint.post(r.object, r.role)
        role = mint.role(r.role)
        posts.add((subj, ORG.holds, post))
        posts.add((post, RDF.type, ORG.Post))
        posts.add((post, ORG.postIn, obj))
        posts.add((post, ORG.role, role))
        posts.add((post, SKOS.prefLabel, Literal(r.object + r.role, lang="zh")))
        posts.add((role, RDF.type, ORG.Role))
        posts.add((role, SKOS.prefLabel, Literal(r.role, lang="zh")))


def _add_statistic(g: Graph, mint: Minter, st: Statistic, by_key: Mapping[str, Entity]) -> None:
    node = mint.statistic(st)
    g.add((node, RDF.type, KG.Statistic))
    g.add((node, KG.measure, Literal(st.measure, lang="zh")))
    g.add((node, KG.value, Literal(st.value, datatype=XSD.decimal)))
    g.add((node, KG.unit, Literal(st.unit)))
    if st.period:
        g.add((node, KG.period, Literal(st.period, lang="zh")))
    if st.about and st.about in by_key:
        g.add((node, KG.about, mint.entity(st.about, by_key[st.about].cls)))
    g.add((node, KG.sentence, mint.sentence(st.doc_id, st.sentence)))
    g.add((node, PROV.wasDerivedFrom, mint.document(st.doc_id)))
    g.add((node, KG.startOffset, Literal(st.start)))
    g.add((node, KG.endOffset, Literal(st.end)))


def to_turtle(g: Graph) -> bytes:
    """Turtle with sorted subjects, predicates and objects: the same graph gives the same bytes."""
    return g.serialize(format="turtle", encoding="utf-8")
