"""Stage 7: the embedded triple store (pyoxigraph), one named graph per source document.

``kg build`` loads its graph partition (see :func:`kg.graph.build_partition`) into a persistent
store at ``OUTDIR/store``: one named graph per document, one for the ontology and one for the
merged entities.  A small bookkeeping graph (:data:`META_GRAPH`, never exported nor pushed)
records for each graph a hash of its content, the source file's sha256 and the pipeline and
lexicon versions, so a rebuild rewrites only the graphs whose content changed:

- an unchanged document changes nothing (not one write);
- a changed document's graph is replaced (remove, then add in one transaction);
- a document that is in the store but not in this build's input is **kept** and reported
  (``SyncReport.kept``); ``kg remove OUTDIR DOC`` drops it.  The entities graph is recomputed on
  every build and keeps the entity nodes that kept documents still point to.

The graphs hold no blank nodes (IRIs are minted from names), so reloading never grows the store.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from .errors import StoreError

__all__ = [
    "META",
    "SyncReport",
    "open_store",
    "store_path",
    "sync_partition",
    "remove_documents",
    "remove",
    "data_graphs",
    "graph_counts",
    "read_graph",
    "read_dataset",
    "to_ox",
    "to_rdflib",
]

#: Bookkeeping terms of the store (not data: never exported or pushed).
META = Namespace("https://w3id.org/policy-kg/store#")
META_GRAPH = ox.NamedNode(str(META) + "graphs")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass(frozen=True)
class SyncReport:
    """What loading a build into the store did, graph IRIs by outcome."""

    path: Path
    added: Tuple[str, ...] = ()
    replaced: Tuple[str, ...] = ()
    unchanged: Tuple[str, ...] = ()
    kept: Tuple[str, ...] = ()  # document graphs in the store that this build did not read
    triples: int = 0  # triples in the data graphs after the sync (a triple in two graphs counts twice)

    def summary(self) -> str:
        line = (f"store: {self.path} ({len(self.added)} graph(s) added, {len(self.replaced)} replaced, "
                f"{len(self.unchanged)} unchanged; {self.triples} quads)")
        if self.kept:
            line += (f"\n  kept {len(self.kept)} document graph(s) not in this input "
                     f"(drop with `kg remove {self.path} DOC`): " + ", ".join(self.kept))
        return line


def store_path(target: Path) -> Path:
    """The store directory of ``target``: an output directory holding ``store/`` or the store itself."""
    target = Path(target)
    if (target / "store").is_dir():
        return target / "store"
    return target


@contextlib.contextmanager
def open_store(path: Path, *, create: bool = False, read_only: bool = False) -> Iterator[ox.Store]:
    """Open the store at ``path`` and release its lock when the block ends.

    Raises :class:`StoreError` if there is no store there (unless ``create``) or another
    process holds it.
    """
    path = Path(path)
    if not create and not (path / "CURRENT").is_file():
        raise StoreError(f"{path}: no triple store here (run `kg build ... -o OUTDIR` first; "
                         f"the store is OUTDIR/store)")
    try:
        path.mkdir(parents=True, exist_ok=True)
        store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the triple store ({exc}); is another kg command using it?") from exc
    try:
        yield store
        if not read_only:
            store.flush()
    finally:
        del store
        gc.collect()  # pyoxigraph releases the store's lock when the object is freed


# ---------------------------------------------------------------- term conversion

def to_ox(term) -> "ox.NamedNode | ox.Literal | ox.BlankNode":
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise StoreError(f"cannot store RDF term {term!r} of type {type(term).__name__}")


def to_rdflib(term):
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt.endswith("#string") else URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"cannot convert RDF term {term!r}")


def _triples(g: Graph) -> List[ox.Triple]:
    cache: Dict[object, object] = {}  # IRIs repeat a lot: convert each once

    def conv(t):
        hit = cache.get(t)
        if hit is None:
            hit = cache[t] = to_ox(t)
        return hit

    return [ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in g]


def _key(term) -> tuple:
    if isinstance(term, BNode):
        raise StoreError("a graph to store holds a blank node; reloading it would add copies")
    if isinstance(term, Literal):
        return ("L", str(term), term.language or "", str(term.datatype or ""))
    return ("I", str(term))


def content_hash(g: Graph) -> str:
    """sha256 of a graph's sorted triples: equal graphs (no blank nodes) hash alike.

    Raises :class:`StoreError` on a blank node (a reload would add copies of it).
    """
    lines = sorted(repr((_key(s), _key(p), _key(o))) for s, p, o in g)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- sync

def _meta(store: ox.Store) -> Dict[str, Dict[str, str]]:
    out: Dict[str, Dict[str, str]] = {}
    for q in store.quads_for_pattern(None, None, None, META_GRAPH):
        out.setdefault(q.subject.value, {})[q.predicate.value[len(str(META)):]] = q.object.value
    return out


def _meta_quads(graph: ox.NamedNode, info: Mapping[str, object]) -> List[ox.Quad]:
    quads = []
    for key, value in sorted(info.items()):
        lit = ox.Literal(str(value), datatype=_XSD_INTEGER) if isinstance(value, int) else ox.Literal(str(value))
        quads.append(ox.Quad(graph, ox.NamedNode(str(META[key])), lit, META_GRAPH))
    return quads


def _drop(store: ox.Store, graph: ox.NamedNode) -> None:
    # bookkeeping first: a crash between the steps leaves a graph without a hash, rewritten next time
    for q in list(store.quads_for_pattern(graph, None, None, META_GRAPH)):
        store.remove(q)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)


def _write(store: ox.Store, graph: ox.NamedNode, triples: Sequence[ox.Triple], info: Mapping[str, object]) -> None:
    _drop(store, graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    store.extend(quads + _meta_quads(graph, info))  # one transaction: the graph and its hash


def sync_partition(path: Path, parts: Mapping[URIRef, Graph], *, info: Mapping[URIRef, Mapping[str, object]],
                   entities_graph: Optional[URIRef] = None) -> SyncReport:
    """Load a build's named graphs into the store at ``path``, writing only what changed.

    ``info`` gives per graph what to record beside its hash (``docId``, ``sourceSha256``,
    ``kgVersion``, ``lexiconVersion``).  Document graphs of earlier builds that ``parts`` lacks are
    kept; if ``entities_graph`` is given, the entity nodes they point to are carried over into it.
    """
    path = Path(path)
    added: List[str] = []
    replaced: List[str] = []
    unchanged: List[str] = []
    with open_store(path, create=True) as store:
        meta = _meta(store)
        kept = sorted(g for g, m in meta.items() if "docId" in m and URIRef(g) not in parts)
        for iri, g in parts.items():
            if entities_graph is not None and iri == entities_graph and kept:
                g = _carry_over(store, g, kept, iri)
            digest = content_hash(g)
            node = ox.NamedNode(str(iri))
            old = meta.get(str(iri))
            if old is not None and old.get("contentHash") == digest and store.contains_named_graph(node):
                unchanged.append(str(iri))
                continue
            triples = _triples(g)
            record = dict(info.get(iri, {}))
            record.update(contentHash=digest, triples=len(triples))
            _write(store, node, triples, record)
            (replaced if old is not None else added).append(str(iri))
        total = sum(graph_counts(store).values())
    return SyncReport(path=path, added=tuple(added), replaced=tuple(replaced), unchanged=tuple(unchanged),
                      kept=tuple(meta[g]["docId"] for g in kept), triples=total)


def _carry_over(store: ox.Store, entities: Graph, kept: Sequence[str], iri: URIRef) -> Graph:
    """Entity nodes that kept document graphs point to, from the stored entities graph."""
    have = set(entities.subjects())
    needed = set()
    for g in kept:
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            for t in (q.subject, q.object):
                if isinstance(t, ox.NamedNode):
                    needed.add(URIRef(t.value))
    missing = needed - have
    if not missing:
        return entities
    out = Graph()
    for prefix, ns in entities.namespaces():
        out.bind(prefix, ns, override=True)
    out += entities
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(iri))):
        if URIRef(q.subject.value) in missing:
            out.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return out


def remove_documents(path: Path, doc_ids: Sequence[str], *, entities_graph: Optional[str] = None) -> List[str]:
    """Drop the named graphs of the given documents (by id, file name or graph IRI).

    Returns the graph IRIs dropped.  Entity nodes that no remaining graph points to are removed
    from ``entities_graph`` (mention counts are recomputed by the next ``kg build``).  Raises
    :class:`StoreError` naming the unknown documents and the known ones; nothing is dropped then.
    """
    with open_store(path) as store:
        meta = _meta(store)
        docs = {g: m["docId"] for g, m in meta.items() if "docId" in m}
        chosen: List[str] = []
        unknown = []
        for want in doc_ids:
            stem = Path(want).stem if want.endswith(".txt") else want
            hits = [g for g, d in docs.items() if want in (g, d) or d == stem or d.endswith("/" + stem)]
            if len(hits) != 1:
                unknown.append(want)
            else:
                chosen.append(hits[0])
        if unknown:
            raise StoreError(f"{path}: no single document graph for {', '.join(map(repr, unknown))}; "
                             f"documents in the store: {', '.join(sorted(docs.values())) or '(none)'}")
        for g in chosen:
            _drop(store, ox.NamedNode(g))
        if entities_graph is not None:
            _prune_entities(store, ox.NamedNode(entities_graph))
    return chosen


def _prune_entities(store: ox.Store, entities: ox.NamedNode) -> None:
    """Remove entity and post nodes of ``entities`` that no document graph mentions or relates."""
    used = set()
    for q in store:
        if q.graph_name in (entities, META_GRAPH) or not isinstance(q.graph_name, ox.NamedNode):
            continue
        for t in (q.subject, q.object):
            if isinstance(t, ox.NamedNode):
                used.add(t)
    graph = list(store.quads_for_pattern(None, None, None, entities))
    subjects = {q.subject for q in graph}
    # a node is kept if a document uses it, or a kept node links to it (lexicon parents, posts, roles)
    keep = {s for s in subjects if s in used}
    changed = True
    while changed:
        changed = False
        for q in graph:
            if q.subject in keep and isinstance(q.object, ox.NamedNode) and q.object in subjects and q.object not in keep:
                keep.add(q.object)
                changed = True
    drop = [q for q in graph if q.subject not in keep]
    info = {q.predicate.value: q for q in store.quads_for_pattern(entities, None, None, META_GRAPH)}
    for q in drop:
        store.remove(q)
    if drop and str(META.contentHash) in info:
        store.remove(info[str(META.contentHash)])  # rewritten by the next build


def data_graphs(store: ox.Store) -> List[ox.NamedNode]:
    """The named graphs holding data (everything but the bookkeeping graph), sorted."""
    return sorted((g for g in store.named_graphs() if g != META_GRAPH), key=lambda n: n.value)


def graph_counts(store: ox.Store) -> Dict[str, int]:
    """Triples per data graph."""
    counts: Dict[str, int] = {g.value: 0 for g in data_graphs(store)}
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    for row in rows:
        if row["g"].value in counts:
            counts[row["g"].value] = int(row["n"].value)
    return counts


def read_graph(store: ox.Store, graph: ox.NamedNode) -> Graph:
    """One named graph as an rdflib Graph."""
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, graph):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def read_dataset(store: ox.Store) -> Dict[str, Graph]:
    """Every data graph, by IRI."""
    return {g.value: read_graph(store, g) for g in data_graphs(store)}


def remove(target: Path, doc_ids: Sequence[str], *, base: Optional[str] = None) -> List[str]:
    """``kg remove``: drop documents from the store and rewrite ``graph.ttl`` beside it.

    ``target`` is a ``kg build`` output directory or a store.  Returns one line per change.
    """
    from .config import settings_from
    from .graph import Minter, to_turtle
    from .graph import union as union_graph
    from .io import atomic_write_bytes

    base = base or settings_from().base
    path = store_path(Path(target))
    dropped = remove_documents(path, doc_ids, entities_graph=str(Minter(base, None).graph("entities")))
    lines = [f"removed {g}" for g in dropped]
    ttl = path.parent / "graph.ttl"
    if path.name == "store" and ttl.is_file():
        with open_store(path, read_only=True) as store:
            union = union_graph(read_dataset(store), base)  # with the prefixes kg build binds
        atomic_write_bytes(ttl, to_turtle(union))
        lines.append(f"rewrote {ttl} ({len(union)} triples; graph.html is redrawn by the next kg build)")
    return lines
