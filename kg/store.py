"""Stage 7: the embedded triple store (pyoxigraph), one named graph per source document.

``kg build`` loads its named graphs (:func:`kg.graph.build_parts`) into a persistent store at
``OUTDIR/store`` as it makes them: one named graph per document, one for the ontology and one
for the merged entities.  A small bookkeeping graph (:data:`META_GRAPH`, never exported nor
pushed) records for each graph a hash of its content, its triple count, the source file's
sha256 and the pipeline and lexicon versions, so a rebuild rewrites only the graphs whose
content changed:

- an unchanged document changes nothing (not one write);
- a changed document's graph is replaced (dropped, then loaded again; see :class:`StoreSync`);
- a document that is in the store but not in this build's input is **kept** and reported
  (``SyncReport.kept``); ``kg remove OUTDIR DOC`` drops it.  The entities graph is recomputed on
  every build and keeps the entity nodes that kept documents still point to.

The graphs hold no blank nodes (IRIs are minted from names), so reloading never grows the store.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from .errors import StoreError
from .graph import Minter, Part, part_order, write_turtle
from .turtle import from_oxigraph, from_rdflib, iri

__all__ = [
    "META",
    "SyncReport",
    "open_store",
    "store_path",
    "StoreSync",
    "syncing",
    "sync_partition",
    "unchanged_report",
    "meta_digest",
    "content_hash",
    "store_parts",
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
    # quads in the data graphs after the sync, as recorded per graph (a triple in two graphs counts twice)
    triples: int = 0

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
        if not read_only:
            # pyoxigraph releases the store's lock when the object is freed.  A read-only store
            # holds no lock, and a full collection takes seconds in a process with a big heap.
            gc.collect()


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


def content_hash(g: Graph) -> str:
    """sha256 of an rdflib graph's sorted N-Triples: the :attr:`kg.graph.Part.digest` of the same triples.

    Raises :class:`StoreError` on a blank node (a reload would add copies of it).
    """
    return _checked(Part("", tuple(sorted({(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in g}))),
                    "a graph").digest


def _checked(part: Part, what: str) -> Part:
    data = part.ntriples
    # a blank node starts a line or follows a predicate; only if the bytes allow one, look closer
    if (data.startswith(b"_:") or b"\n_:" in data or b"> _:" in data) \
            and any(s.startswith("_:") or o.startswith("_:") for s, _, o in part.triples):
        raise StoreError(f"{what} holds a blank node; reloading it would add copies")
    return part


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


def meta_digest(store: ox.Store) -> str:
    """sha256 of the store's bookkeeping: equal when no build or ``kg remove`` changed the store since."""
    return _meta_digest(_meta(store))


def _meta_digest(meta: Mapping[str, Mapping[str, str]]) -> str:
    lines = sorted(f"{g}\t{key}\t{value}" for g, record in meta.items() for key, value in record.items())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _drop(store: ox.Store, graph: ox.NamedNode) -> None:
    # bookkeeping first: a crash between the steps leaves a graph without a hash, rewritten next time
    for q in list(store.quads_for_pattern(graph, None, None, META_GRAPH)):
        store.remove(q)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)


class StoreSync:
    """Loads a build's named graphs into an open store one at a time, writing only what changed.

    For each graph :meth:`put` compares the content hash with the one recorded in the store: an
    unchanged graph is not touched; a changed or new one is dropped at once and queued.  Queued
    graphs are written by pyoxigraph's bulk loader (it parses the N-Quads in Rust, several times
    faster than transactional inserts), :data:`BATCH_QUADS` quads at a time so that its memory
    stays bounded, and only then is their bookkeeping (hash, counts, ids) written, in one
    transaction: a crash leaves some graphs without a hash, and the next build writes them again.

    Batches load in background threads (pyoxigraph releases the GIL) while the next graphs are
    made, up to :data:`LOADERS` at once: pyoxigraph encodes, sorts and writes a batch this size on
    one core, and concurrent bulk loads are safe (each ingests its own sorted files; the string
    table is keyed by hash).  A drop waits for every load in progress, since the bulk loader must
    not run while data is deleted.

    ``graphs`` are the IRIs of every graph this build makes: document graphs in the store but
    not among them are **kept**, and the entity nodes they point to are carried over into
    ``entities_graph``, whose :class:`~kg.graph.Part` must therefore come before the document graphs.
    """

    #: Quads queued before the bulk loader runs (its memory grows with the batch).
    BATCH_QUADS = 200_000
    #: Batches loaded at once, one core each (each holds its batch in memory while it loads).
    LOADERS = max(1, min(4, os.cpu_count() or 1))

    def __init__(self, store: ox.Store, path: Path, graphs: Sequence[str], *, entities_graph: Optional[str] = None):
        self.store: Optional[ox.Store] = store  # None once closed
        self.path = Path(path)
        self.meta = _meta(store)
        wanted = set(graphs)
        self.kept = sorted(g for g, m in self.meta.items() if "docId" in m and g not in wanted)
        self.entities_graph = entities_graph
        self.added: List[str] = []
        self.replaced: List[str] = []
        self.unchanged: List[str] = []
        self._data: List[bytes] = []
        self._records: List[ox.Quad] = []
        self._queued = 0
        self._loader = ThreadPoolExecutor(max_workers=self.LOADERS, thread_name_prefix="kg-store-load")
        self._loading: Deque[Future] = deque()

    def put(self, part: Part, info: Mapping[str, object]) -> None:
        """Write ``part`` unless the store holds it already; ``info`` is recorded beside its hash."""
        if part.iri == self.entities_graph and self.kept:
            part = _carry_over(self.store, part, self.kept)
        part = _checked(part, f"graph {part.iri}")
        node = ox.NamedNode(part.iri)
        old = self.meta.get(part.iri)
        if old is not None and old.get("contentHash") == part.digest and self.store.contains_named_graph(node):
            self.unchanged.append(part.iri)
            return
        if old is not None or self.store.contains_named_graph(node):
            self._wait()
            _drop(self.store, node)
        record = dict(info, contentHash=part.digest, triples=len(part))
        self.meta[part.iri] = {k: str(v) for k, v in record.items()}
        if not part.triples:
            self.store.add_graph(node)  # an empty graph still exists, so it is "unchanged" next time
        self._data.append(_nquads(part))
        self._records.extend(_meta_quads(node, record))
        self._queued += len(part)
        (self.replaced if old is not None else self.added).append(part.iri)
        if self._queued >= self.BATCH_QUADS:
            self.flush()

    def flush(self) -> None:
        """Start writing the queued graphs, once a loader is free."""
        data, records = b"".join(self._data), self._records
        self._data, self._records, self._queued = [], [], 0
        if data or records:
            if len(self._loading) >= self.LOADERS:
                self._loading.popleft().result()  # raises what the load raised
            self._loading.append(self._loader.submit(self._load, data, records))

    def _load(self, data: bytes, records: List[ox.Quad]) -> None:
        if data:
            self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        if records:
            self.store.extend(records)

    def _wait(self) -> None:
        while self._loading:
            self._loading.popleft().result()  # raises what the load raised

    def finish(self) -> None:
        """Write everything queued and wait until it is written."""
        self.flush()
        self._wait()

    def close(self) -> None:
        """Stop the loader threads, after the loads in progress (their errors, if any, are not raised
        here), and let go of the store: its lock goes with the last reference (see :func:`open_store`)."""
        try:
            self._wait()
        except Exception:  # noqa: BLE001 - only called while another error is on its way
            pass
        finally:
            self._loader.shutdown()
            self.store = None

    def report(self) -> SyncReport:
        """What the sync did; the quad count comes from the bookkeeping of each data graph."""
        self.finish()
        total = sum(int(m.get("triples", 0)) for m in self.meta.values())
        return SyncReport(path=self.path, added=tuple(self.added), replaced=tuple(self.replaced),
                          unchanged=tuple(self.unchanged), kept=tuple(self.meta[g]["docId"] for g in self.kept),
                          triples=total)


def _nquads(part: Part) -> bytes:
    # Every N-Triples line ends in " .\n" and has no other line break (literals escape theirs),
    # so the graph goes in by one replace over the bytes already made for the content hash.
    return part.ntriples.replace(b" .\n", f" <{part.iri}> .\n".encode("utf-8"))


@contextlib.contextmanager
def syncing(path: Path, graphs: Sequence[str], *, entities_graph: Optional[str] = None,
            status: Optional[Callable[[str], None]] = None) -> Iterator[StoreSync]:
    """A :class:`StoreSync` on the store at ``path`` (created if missing); what is queued is written at the end.

    ``status``, if given, is told when the store is compacted (seconds per million quads, with
    nothing to count).
    """
    with open_store(path, create=True) as store:
        sync = StoreSync(store, path, graphs, entities_graph=entities_graph)
        try:
            yield sync
            sync.finish()
            if sync.added or sync.replaced:
                # Batched bulk loads leave many overlapping files; compacting them once makes the
                # named queries 2-3x faster on a large store and costs seconds per million quads.
                if status is not None:
                    status("compacting the store")
                store.optimize()
        finally:
            sync.close()


def sync_partition(path: Path, parts: Iterable[Part], *, info: Mapping[str, Mapping[str, object]],
                   entities_graph: Optional[str] = None, status: Optional[Callable[[str], None]] = None) -> SyncReport:
    """Load a build's named graphs (:func:`kg.graph.build_parts`) into the store at ``path``.

    ``info`` gives per graph IRI what to record beside its hash (``docId``, ``sourceSha256``,
    ``kgVersion``, ``lexiconVersion``).  See :class:`StoreSync`; ``status`` as for :func:`syncing`.
    """
    parts = list(parts)
    with syncing(path, [p.iri for p in parts], entities_graph=entities_graph, status=status) as sync:
        for part in parts:
            sync.put(part, info.get(part.iri, {}))
        return sync.report()


def unchanged_report(path: Path, graphs: Sequence[str], digest: str, triples: int) -> Optional[SyncReport]:
    """The report of a sync that would change nothing, if the store's bookkeeping still has ``digest``.

    A build whose inputs did not change uses it instead of making its graphs again (see
    :mod:`kg.cache`); None when the store is missing, locked or was changed since.
    """
    try:
        with open_store(path, read_only=True) as store:
            meta = _meta(store)
    except (StoreError, OSError):
        return None
    if _meta_digest(meta) != digest:
        return None
    wanted = set(graphs)
    if not wanted <= set(meta):
        return None
    kept = sorted(g for g, m in meta.items() if "docId" in m and g not in wanted)
    return SyncReport(path=Path(path), unchanged=tuple(graphs), kept=tuple(meta[g]["docId"] for g in kept),
                      triples=triples)


def _carry_over(store: ox.Store, entities: Part, kept: Sequence[str]) -> Part:
    """``entities`` with the entity nodes that kept document graphs point to, from the stored entities graph."""
    have = {s for s, _, _ in entities.triples}
    needed = set()
    for g in kept:
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            for t in (q.subject, q.object):
                if isinstance(t, ox.NamedNode):
                    needed.add(iri(t.value))
    missing = needed - have
    extra = [(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(entities.iri))
             if isinstance(q.subject, ox.NamedNode) and iri(q.subject.value) in missing]
    if not extra:
        return entities
    return Part(entities.iri, tuple(sorted(set(entities.triples).union(extra))))


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


def store_parts(store: ox.Store, base: str) -> Iterator[Part]:
    """The data graphs of ``store`` as :class:`~kg.graph.Part` records, one at a time, in the order
    of a build (ontology, entities, then the other graphs by IRI), so that writing them with
    :func:`kg.graph.write_turtle` gives the bytes a build of the same graphs gives."""
    mint = Minter(base, None)
    order = part_order(str(mint.graph("ontology")), str(mint.graph("entities")))
    for graph in sorted(data_graphs(store), key=lambda g: order(g.value)):
        triples = {(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
                   for q in store.quads_for_pattern(None, None, None, graph)}
        yield Part(graph.value, tuple(sorted(triples)))


def remove(target: Path, doc_ids: Sequence[str], *, base: Optional[str] = None) -> List[str]:
    """``kg remove``: drop documents from the store and rewrite ``graph.ttl`` beside it.

    ``target`` is a ``kg build`` output directory or a store.  Returns one line per change.
    """
    from .config import settings_from

    base = base or settings_from().base
    path = store_path(Path(target))
    entities = str(Minter(base, None).graph("entities"))
    dropped = remove_documents(path, doc_ids, entities_graph=entities)
    lines = [f"removed {g}" for g in dropped]
    ttl = path.parent / "graph.ttl"
    if path.name == "store" and ttl.is_file():
        with open_store(path, read_only=True) as store:
            written = write_turtle(ttl, store_parts(store, base), base=base)
        lines.append(f"rewrote {ttl} ({written.triples} triples; graph.html is redrawn by the next kg build)")
    return lines
