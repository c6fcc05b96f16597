"""Network analysis of a built graph: who matters, what clusters, which actor uses what.

The RDF graph (``graph.ttl`` or an rdflib :class:`~rdflib.Graph`) is read through the
:mod:`kg.namespace` terms only, so any build output works.  :func:`to_networkx` turns it into a
:class:`networkx.MultiDiGraph` with the entities as nodes (keyed by their ``skos:prefLabel``)
and one edge per (subject, predicate, object) fact, keyed by the predicate's local name and
carrying its evidence.  :func:`analyse` computes the numbers that ``kg report``, the end of
``kg build`` and the notebook show.  Every algorithm is deterministic (Louvain and sampled
betweenness are seeded, nodes are added in sorted order).

>>> from kg.types import Entity
>>> g = from_records([Entity("国务院", "GovernmentBody")], [], top_class={"GovernmentBody": "Actor"})
>>> analyse(g).counts
{'Actor': {'GovernmentBody': 1}, 'Instrument': {}, 'Sector': {}, 'Region': {}}
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from rdflib import RDF, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS

from .lexicon import Lexicon
from .namespace import KG
from .ontology import TOP_CLASSES, ClassTree
from .types import Document, DuplicateGroup, Entity, Evidence, Extraction, Relation

if TYPE_CHECKING:  # networkx is imported where used: a build that changes nothing reads its numbers without it
    import networkx as nx

__all__ = [
    "EntityScore",
    "Community",
    "Usage",
    "DocumentProfile",
    "Duplicate",
    "Analytics",
    "load_graph",
    "to_networkx",
    "from_records",
    "from_build",
    "analyse",
]

#: Above this many nodes, betweenness is estimated from a seeded sample of source nodes.
EXACT_BETWEENNESS_MAX = 1500
_BETWEENNESS_SAMPLE = 400
_TOP_N = 10
_USE_PREDICATES = ("implements", "launches")  # actor -> instrument
_TARGET_PREDICATES = {"prioritisesSector": "Sector", "targetsRegion": "Region"}

GraphSource = Union[str, Path, Graph]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class EntityScore:
    """How central one entity is."""

    key: str
    cls: str
    top: str
    degree: int  # facts it takes part in
    degree_centrality: float
    betweenness: float
    mentions: Optional[int] = None


@dataclass(frozen=True)
class Community:
    """A Louvain community: its size, its most connected members and its classes."""

    index: int
    size: int
    members: Tuple[str, ...]  # by degree, most connected first (all of them)
    classes: Mapping[str, int]  # top class -> members


@dataclass(frozen=True)
class Usage:
    """In one document: an actor uses an instrument, aimed at sectors and regions."""

    actor: str
    predicate: str  # "implements" or "launches"
    instrument: str
    sectors: Tuple[str, ...]
    regions: Tuple[str, ...]


@dataclass(frozen=True)
class DocumentProfile:
    """Who uses what on which sectors and regions, read from one document."""

    doc_id: str
    title: Optional[str]
    usages: Tuple[Usage, ...]
    actors: Tuple[str, ...]  # every actor with a fact in the document
    sectors: Tuple[str, ...]
    regions: Tuple[str, ...]


@dataclass(frozen=True)
class Duplicate:
    """A near-duplicate document whose facts were counted once, from ``canonical``."""

    doc_id: str
    canonical: str
    similarity: Optional[float]


@dataclass(frozen=True)
class Analytics:
    """The numbers of one graph (see :func:`analyse`); :meth:`to_dict` is JSON-ready."""

    entities: int
    facts: int  # distinct (subject, predicate, object) edges between entities
    counts: Mapping[str, Mapping[str, int]]  # top class -> class -> entities
    predicates: Mapping[str, int]  # predicate -> facts
    components: Tuple[int, ...]  # sizes of the connected components, biggest first
    scores: Tuple[EntityScore, ...]  # every entity, most central (degree, betweenness) first
    top_by_class: Mapping[str, Tuple[EntityScore, ...]]
    communities: Tuple[Community, ...]
    documents: Tuple[DocumentProfile, ...]
    duplicates: Tuple[Duplicate, ...]
    betweenness_sample: Optional[int] = None  # sources sampled, or None when exact
    seed: int = 1

    def top(self, n: int = _TOP_N, top_class: Optional[str] = None) -> Tuple[EntityScore, ...]:
        """The ``n`` most central entities, optionally of one top class."""
        if top_class is not None:
            return tuple(self.top_by_class.get(top_class, ()))[:n]
        return self.scores[:n]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        """Sorted, indented JSON: the same graph gives the same text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- RDF -> networkx


def load_graph(source: GraphSource) -> Graph:
    """An rdflib Graph from a Graph (returned as is), a ``graph.ttl`` file or a build directory."""
    if isinstance(source, Graph):
        return source
    path = Path(source)
    if path.is_dir():
        path = path / "graph.ttl"
    return Graph().parse(path, format="turtle")


def _local(term: URIRef) -> str:
    text = str(term)
    return text[max(text.rfind("#"), text.rfind("/")) + 1:]


def to_networkx(source: GraphSource) -> nx.MultiDiGraph:
    """The entities of an RDF graph and the facts between them, as a MultiDiGraph.

    Node (the entity's ``skos:prefLabel``; a second entity with the same label gets
    ``"label <IRI>"``) attributes: ``iri``, ``label``, ``cls`` (most specific class),
    ``top`` (``Actor``, ``Instrument``, ``Sector`` or ``Region``), ``aliases``, ``codes``,
    ``mentions``.  Edge key and ``predicate``: the property's local name (``implements``,
    ``broader`` ...); ``evidence``: a tuple of :class:`~kg.types.Evidence` sorted by document
    and sentence; ``roles``: posts held, for ``officialOf``.  Graph attribute ``documents``:
    document id -> title.
    """
    import networkx as nx

    g = load_graph(source)
    top_terms = {KG[t]: t for t in TOP_CLASSES}
    iris: Dict[URIRef, str] = {}
    for term, top in top_terms.items():
        for s in g.subjects(RDF.type, term):
            if isinstance(s, URIRef):
                iris[s] = top
    out = nx.MultiDiGraph()
    names: Dict[URIRef, str] = {}
    used: set = set()
    for iri in sorted(iris, key=lambda i: (str(g.value(i, SKOS.prefLabel) or _local(i)), str(i))):
        label = str(g.value(iri, SKOS.prefLabel) or _local(iri))
        name = label if label not in used else f"{label} <{iri}>"
        used.add(name)
        names[iri] = name
        classes = sorted(_local(c) for c in g.objects(iri, RDF.type)
                         if isinstance(c, URIRef) and str(c).startswith(str(KG)) and c not in top_terms)
        mentions = g.value(iri, KG.mentionCount)
        out.add_node(name, iri=str(iri), label=label, cls=classes[0] if classes else iris[iri],
                     top=iris[iri],
                     aliases=tuple(sorted({str(a) for a in g.objects(iri, SKOS.altLabel)} - {label})),
                     codes=tuple(sorted(str(c) for c in g.objects(iri, SKOS.notation))),
                     mentions=int(mentions) if mentions is not None else None)

    evidence = _evidence(g)
    roles = _roles(g, names)
    facts = []
    for s, name in names.items():
        for p, o in g.predicate_objects(s):
            if o in names and p != RDF.type:
                facts.append((name, _local(p), names[o], (s, p, o)))
    for subject, pred, obj, triple in sorted(facts, key=lambda f: f[:3]):
        out.add_edge(subject, obj, key=pred, predicate=pred,
                     evidence=tuple(sorted(evidence.get(triple, ()), key=_evidence_order)),
                     roles=tuple(sorted(roles.get((subject, obj), ()))) if pred == "officialOf" else ())
    out.graph["documents"] = _documents(g)
    out.graph["duplicates"] = _duplicates(g)
    return out


def _evidence_order(e: Evidence):
    return (e.doc_id, e.sentence, e.start, e.end)


def _evidence(g: Graph) -> Dict[tuple, List[Evidence]]:
    doc_ids = {d: str(g.value(d, DCTERMS.identifier) or _local(d))
               for d in g.subjects(RDF.type, KG.Document)}
    found: Dict[tuple, List[Evidence]] = defaultdict(list)
    for ev in g.subjects(RDF.type, KG.Evidence):
        triple = (g.value(ev, RDF.subject), g.value(ev, RDF.predicate), g.value(ev, RDF.object))
        sentence = g.value(ev, KG.sentence)
        doc = g.value(sentence, DCTERMS.isPartOf) if sentence is not None else None
        found[triple].append(Evidence(
            doc_id=doc_ids.get(doc, _local(doc) if doc is not None else ""),
            sentence=int(g.value(sentence, KG.sentenceIndex) or 0) if sentence is not None else 0,
            start=int(g.value(ev, KG.startOffset) or 0),
            end=int(g.value(ev, KG.endOffset) or 0),
            text=str(g.value(sentence, KG.text) or "") if sentence is not None else "",
        ))
    return found


def _roles(g: Graph, names: Mapping[URIRef, str]) -> Dict[Tuple[str, str], set]:
    from rdflib.namespace import ORG

    roles: Dict[Tuple[str, str], set] = defaultdict(set)
    for person, post in g.subject_objects(ORG.holds):
        org = g.value(post, ORG.postIn)
        role = g.value(post, ORG.role)
        title = g.value(role, SKOS.prefLabel) if role is not None else None
        if person in names and org in names and title is not None:
            roles[(names[person], names[org])].add(str(title))
    return roles


def _documents(g: Graph) -> Dict[str, Optional[str]]:
    docs = {}
    for d in g.subjects(RDF.type, KG.Document):
        title = g.value(d, DCTERMS.title)
        docs[str(g.value(d, DCTERMS.identifier) or _local(d))] = str(title) if title is not None else None
    return dict(sorted(docs.items()))


def _duplicates(g: Graph) -> Tuple[Duplicate, ...]:
    out = []
    for d, canonical in g.subject_objects(KG.canonicalDocument):
        sim = g.value(d, KG.similarity)
        out.append(Duplicate(str(g.value(d, DCTERMS.identifier) or _local(d)),
                             str(g.value(canonical, DCTERMS.identifier) or _local(canonical)),
                             float(sim) if sim is not None else None))
    return tuple(sorted(out, key=lambda x: (x.canonical, x.doc_id)))


def from_records(entities: Sequence[Entity], relations: Sequence[Relation], *,
                 top_class: Mapping[str, str],
                 mention_counts: Optional[Mapping[str, int]] = None) -> nx.MultiDiGraph:
    """The same MultiDiGraph as :func:`to_networkx`, from pipeline records.

    Relations with the same (subject, predicate, object) become one edge with all their
    evidence.  A class missing from ``top_class`` gets the top class ``"Other"``.

    Raises
    ------
    ValueError
        On a duplicate entity key or a relation naming an unknown entity.
    """
    import networkx as nx

    by_key: Dict[str, Entity] = {}
    for entity in entities:
        if entity.key in by_key:
            raise ValueError(f"duplicate entity key {entity.key!r} (classes "
                             f"{by_key[entity.key].cls!r} and {entity.cls!r})")
        by_key[entity.key] = entity
    groups: Dict[Tuple[str, str, str], List[Relation]] = defaultdict(list)
    for rel in relations:
        for end in (rel.subject, rel.object):
            if end not in by_key:
                raise ValueError(
                    f"relation {rel.subject!r} {rel.predicate} {rel.object!r} "
                    f"(document {rel.evidence.doc_id!r}) names {end!r}, which is not an entity")
        groups[(rel.subject, rel.predicate, rel.object)].append(rel)
    out = nx.MultiDiGraph()
    for key in sorted(by_key):
        e = by_key[key]
        out.add_node(key, iri=None, label=key, cls=e.cls, top=top_class.get(e.cls, "Other"),
                     aliases=tuple(dict.fromkeys(a for a in e.labels if a != key)),
                     codes=tuple(e.codes),
                     mentions=(max(int(mention_counts.get(key, 0)), 0)
                               if mention_counts is not None else None))
    docs = set()
    for (s, p, o) in sorted(groups):
        rels = groups[(s, p, o)]
        docs.update(r.evidence.doc_id for r in rels)
        out.add_edge(s, o, key=p, predicate=p,
                     evidence=tuple(sorted({r.evidence for r in rels}, key=_evidence_order)),
                     roles=tuple(sorted({r.role for r in rels if r.role})))
    out.graph["documents"] = {d: None for d in sorted(docs)}
    out.graph["duplicates"] = ()
    return out


def from_build(documents: Sequence[Document], groups: Sequence[DuplicateGroup], extractions: Sequence[Extraction],
               entities: Sequence[Entity], *, lexicon: Lexicon, tree: ClassTree, base: str) -> nx.MultiDiGraph:
    """The MultiDiGraph :func:`to_networkx` makes of a build's graph, made from the build's records.

    Same nodes (IRI, label, class, aliases, codes, mention count), same edges (every relation
    read and every lexicon fact between two entities, see :func:`kg.graph.lexicon_facts`) with
    the same evidence sentences and posts, and the same documents and near-duplicates; no RDF is
    made or parsed, so ``kg build`` feeds its summary, ``graph.html`` and ``kg report`` with it.
    """
    import networkx as nx

    from .graph import Minter, lexicon_facts, mention_counts

    mint = Minter(base, tree)
    counts = mention_counts(extractions)
    nodes: Dict[str, dict] = {}  # entity key -> node attributes
    for e in entities:
        nodes[e.key] = dict(iri=mint.entity_iri(e.key, e.cls), label=e.key, cls=e.cls, top=tree.top_class(e.cls),
                            aliases=tuple(sorted(set(e.labels) - {e.key})), codes=tuple(sorted(set(e.codes))),
                            mentions=counts.get(e.key, 0))
    facts: Dict[Tuple[str, str, str], set] = {}  # (subject key, predicate, object key) -> evidence
    for e, predicate, parent in lexicon_facts(entities, lexicon, tree):
        if parent.canonical not in nodes:  # a parent with a node of its own (see kg.graph)
            nodes[parent.canonical] = dict(
                iri=mint.entity_iri(parent.canonical, parent.cls), label=parent.canonical, cls=parent.cls,
                top=tree.top_class(parent.cls), aliases=tuple(sorted(set(parent.aliases) - {parent.canonical})),
                codes=(), mentions=0)
        facts.setdefault((e.key, _local(predicate), parent.canonical), set())
    sentences = {d.doc_id: {s.index: s for s in d.sentences} for d in documents}
    roles: Dict[Tuple[str, str], set] = defaultdict(set)
    for x in extractions:
        for r in x.relations:
            s = sentences.get(r.evidence.doc_id, {}).get(r.evidence.sentence)
            evidence = (Evidence(r.evidence.doc_id, s.index, r.evidence.start, r.evidence.end, s.text) if s is not None
                        else Evidence("", 0, r.evidence.start, r.evidence.end, ""))
            facts.setdefault((r.subject, r.predicate, r.object), set()).add(evidence)
            if r.role:
                roles[(r.subject, r.object)].add(r.role)
    out = nx.MultiDiGraph()
    names: Dict[str, str] = {}
    used: set = set()
    for key in sorted(nodes, key=lambda k: (nodes[k]["label"], nodes[k]["iri"])):
        label = nodes[key]["label"]
        names[key] = name = label if label not in used else f"{label} <{nodes[key]['iri']}>"
        used.add(name)
        out.add_node(name, **nodes[key])
    for s, p, o in sorted(facts, key=lambda f: (names[f[0]], f[1], names[f[2]])):
        evidence = tuple(sorted(facts[s, p, o], key=_evidence_order))
        out.add_edge(names[s], names[o], key=p, predicate=p, evidence=evidence,
                     roles=tuple(sorted(roles.get((s, o), ()))) if p == "officialOf" else ())
    out.graph["documents"] = dict(sorted((d.doc_id, d.metadata.title or None) for d in documents))
    out.graph["duplicates"] = tuple(sorted((Duplicate(dup, g.canonical, float(f"{g.similarity:.4f}"))
                                            for g in groups for dup in g.duplicates),
                                           key=lambda x: (x.canonical, x.doc_id)))
    return out


# --------------------------------------------------------------------------- analysis


def analyse(graph: Union[nx.MultiDiGraph, GraphSource], *, seed: int = 1,
            top_n: int = _TOP_N) -> Analytics:
    """Counts, centralities, communities, components and per-document profiles.

    ``graph`` is the output of :func:`to_networkx` / :func:`from_records`, or anything
    :func:`load_graph` reads.  Betweenness is exact up to :data:`EXACT_BETWEENNESS_MAX` nodes
    and estimated from a seeded sample of sources above.
    """
    import networkx as nx

    if not isinstance(graph, nx.MultiDiGraph):
        graph = to_networkx(graph)
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes))
    for u, v in sorted((u, v) for u, v in graph.edges() if u != v):
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)

    n = graph.number_of_nodes()
    degree = dict(graph.degree())
    dc = nx.degree_centrality(simple) if n > 1 else {v: 0.0 for v in graph}
    sample = None
    if n > EXACT_BETWEENNESS_MAX:
        sample = _BETWEENNESS_SAMPLE
        bc = nx.betweenness_centrality(simple, k=sample, seed=seed)
    else:
        bc = nx.betweenness_centrality(simple)
    attrs = graph.nodes
    scores = tuple(sorted(
        (EntityScore(v, attrs[v]["cls"], attrs[v]["top"], degree[v], round(dc[v], 6),
                     round(bc[v], 6), attrs[v].get("mentions")) for v in graph.nodes),
        key=lambda s: (-s.degree, -s.betweenness, s.key)))
    top_by_class: Dict[str, List[EntityScore]] = {t: [] for t in TOP_CLASSES}
    for s in scores:
        bucket = top_by_class.setdefault(s.top, [])
        if len(bucket) < top_n:
            bucket.append(s)

    counts: Dict[str, Counter] = {t: Counter() for t in TOP_CLASSES}
    for v, data in graph.nodes(data=True):
        counts.setdefault(data["top"], Counter())[data["cls"]] += 1
    predicates = Counter(k for _, _, k in graph.edges(keys=True))

    communities = []
    if simple.number_of_edges():
        parts = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    else:
        parts = [{v} for v in simple]
    parts = sorted(parts, key=lambda p: (-len(p), min(p)))
    for i, part in enumerate(parts):
        members = tuple(sorted(part, key=lambda v: (-degree[v], v)))
        communities.append(Community(i, len(part), members,
                                     dict(sorted(Counter(attrs[v]["top"] for v in part).items()))))

    components = tuple(sorted((len(c) for c in nx.connected_components(simple)), reverse=True))
    return Analytics(
        entities=n,
        facts=graph.number_of_edges(),
        counts={t: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for t, c in counts.items()},
        predicates=dict(sorted(predicates.items(), key=lambda kv: (-kv[1], kv[0]))),
        components=components,
        scores=scores,
        top_by_class={t: tuple(v) for t, v in top_by_class.items()},
        communities=tuple(communities),
        documents=_profiles(graph),
        duplicates=tuple(graph.graph.get("duplicates", ())),
        betweenness_sample=sample,
        seed=seed,
    )


def _profiles(graph: nx.MultiDiGraph) -> Tuple[DocumentProfile, ...]:
    """Per document: the actor -> instrument facts, with the instrument's sectors and regions."""
    by_doc: Dict[str, List[Tuple[str, str, str]]] = defaultdict(list)
    for s, o, p, data in graph.edges(keys=True, data=True):
        for doc in sorted({e.doc_id for e in data.get("evidence", ())}):
            by_doc[doc].append((s, p, o))
    titles = graph.graph.get("documents", {})
    top = {v: graph.nodes[v]["top"] for v in graph}
    out = []
    for doc in sorted(set(by_doc) | set(titles)):
        facts = sorted(set(by_doc.get(doc, ())))
        targets: Dict[str, Dict[str, set]] = defaultdict(lambda: {"Sector": set(), "Region": set()})
        for s, p, o in facts:
            if p in _TARGET_PREDICATES and top[o] == _TARGET_PREDICATES[p]:
                targets[s][top[o]].add(o)
        usages = []
        for s, p, o in facts:
            if p in _USE_PREDICATES and top[s] == "Actor" and top[o] == "Instrument":
                usages.append(Usage(s, p, o, tuple(sorted(targets[o]["Sector"])),
                                    tuple(sorted(targets[o]["Region"]))))
        touched = {v for s, _, o in facts for v in (s, o)}
        out.append(DocumentProfile(
            doc_id=doc, title=titles.get(doc), usages=tuple(usages),
            actors=tuple(sorted(v for v in touched if top[v] == "Actor")),
            sectors=tuple(sorted(v for v in touched if top[v] == "Sector")),
            regions=tuple(sorted(v for v in touched if top[v] == "Region"))))
    return tuple(out)
