"""The whole build: ingest → near-duplicates → segmentation → entities → relations → RDF → outputs.

:func:`build` is the Python API behind ``kg build``; :class:`Pipeline` holds what is loaded
once per process (lexicon, ontology, segmenter) and extracts the facts of one document.
"""
from __future__ import annotations

import contextlib
import gc
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from rdflib import Graph

from . import dedup, ingest
from .config import Settings, settings_from
from .entities import EntityRecogniser, resolve_entities
from .errors import InputError, KGError
from .lexicon import Lexicon, load_lexicon
from .ontology import TOP_CLASSES, ClassTree, class_tree, load_ontology
from .progress import Bar, bar as progress_bar
from .relations import RelationExtractor
from .segment import Segmenter, load_segmenter
from .statistics import StatisticsExtractor
from .types import Document, DuplicateGroup, Entity, Extraction, LexiconEntry, Relation

if TYPE_CHECKING:  # imported where used: the summary types of optional stages
    from .analytics import Analytics
    from .cache import BuildState
    from .parallel import ExtractReport
    from .store import SyncReport

__all__ = ["Pipeline", "BuildResult", "build"]


class Pipeline:
    """Everything loaded once: ontology, lexicon, segmenter, recogniser, relation extractor."""

    def __init__(self, settings: Optional[Settings] = None, *, segmenter: Optional[Segmenter] = None):
        self.settings = settings or settings_from()
        root = self.settings.ontology_dir
        self.tree: ClassTree = class_tree(root)
        self.lexicon: Lexicon = load_lexicon(root)
        self._segmenter = segmenter  # loaded on first use: a build that extracts nothing never loads it

    # Made on first use too: a rebuild that changes nothing extracts nothing and makes no graph.
    @cached_property
    def ontology(self) -> Graph:
        """The ontology graph (``kg.ttl``), the first named graph of every build."""
        return load_ontology(self.settings.ontology_dir)

    @cached_property
    def recognise(self) -> EntityRecogniser:
        return EntityRecogniser(self.lexicon, self.tree)

    @cached_property
    def extract_relations(self) -> RelationExtractor:
        return RelationExtractor(self.lexicon, self.tree)

    @cached_property
    def extract_statistics(self) -> StatisticsExtractor:
        return StatisticsExtractor()

    @property
    def segmenter(self) -> Segmenter:
        """The spaCy segmenter, loaded on first use (seconds with pkuseg), then kept."""
        if self._segmenter is None:
            self._segmenter = load_segmenter(self.settings.segmenter, self.lexicon.user_dictionary())
        return self._segmenter

    @property
    def segmenter_loaded(self) -> bool:
        return self._segmenter is not None

    def extract(self, doc: Document) -> Extraction:
        """Mentions, relations and attributions of one document."""
        tokens = self.segmenter.segment(doc.sentences)
        mentions = self.recognise(doc, tokens)
        x = self.extract_relations(doc, mentions, tokens)
        return replace(x, statistics=self.extract_statistics(doc, mentions))

    def parse(self, text: str, doc_id: str = "text") -> Extraction:
        """Extract from a string (handy in notebooks and tests)."""
        return self.extract(ingest.parse_text(text, doc_id))


@dataclass(frozen=True)
class BuildResult:
    """What a build read, found and wrote."""

    documents: Tuple[Document, ...]
    groups: Tuple[DuplicateGroup, ...]
    extractions: Tuple[Extraction, ...]
    entities: Tuple[Entity, ...]
    relations: Tuple[Relation, ...]
    errors: Tuple[KGError, ...]
    outputs: Mapping[str, Path] = field(default_factory=dict)
    triples: int = 0
    top_class: Mapping[str, str] = field(default_factory=dict)
    store: Optional["SyncReport"] = None  # what loading into the embedded store did (kg/store.py)
    analytics: Optional["Analytics"] = None  # network numbers of the RDF graph (kg/analytics.py)
    extraction: Optional["ExtractReport"] = None  # cache reuse and workers (kg/parallel.py)

    def entities_by_class(self) -> Dict[str, Counter]:
        """Top class -> Counter of entity classes."""
        out: Dict[str, Counter] = {t: Counter() for t in TOP_CLASSES}
        for e in self.entities:
            out[self.top_class[e.cls]][e.cls] += 1
        return out

    def summary(self) -> str:
        dups = sum(len(g.duplicates) for g in self.groups)
        lines = [f"documents: {len(self.documents)} read, {dups} near-duplicate(s) merged, "
                 f"{len(self.extractions)} extracted, {len(self.errors)} skipped"]
        for g in self.groups:
            lines.append(f"  near-duplicates of {g.canonical}: {', '.join(g.duplicates)} (similarity {g.similarity:.2f})")
        if self.extraction is not None:
            lines.append(self.extraction.summary())
        lines.append(f"entities: {len(self.entities)}")
        for top, counts in self.entities_by_class().items():
            detail = ", ".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            lines.append(f"  {top:<10} {sum(counts.values()):>4}" + (f"  ({detail})" if detail else ""))
        preds = Counter(r.predicate for r in _unique_facts(self.relations))
        lines.append(f"relations: {sum(preds.values())} distinct facts, {len(self.relations)} with evidence")
        for p, n in sorted(preds.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {p:<18} {n:>4}")
        lines.append(f"triples: {self.triples}")
        if self.analytics is not None:
            from .report import summary_lines

            lines.append("network:")
            lines.extend(f"  {line}" for line in summary_lines(self.analytics))
        if self.store is not None:
            lines.append(self.store.summary())
        for name, path in self.outputs.items():
            lines.append(f"{name}: {path}")
        for err in self.errors:
            lines.append(f"skipped: {err}")
        return "\n".join(lines)


def _unique_facts(relations: Sequence[Relation]):
    return {(r.subject, r.predicate, r.object): r for r in relations}.values()


# A build allocates millions of small objects that live until it ends (tokens, mentions,
# triples); with the default thresholds (700, 10, 10) the cyclic collector keeps re-scanning them,
# some 3% of a build.  Few of them are in cycles, so collecting rarely frees no less.
BUILD_GC_THRESHOLDS = (100_000, 50, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector at :data:`BUILD_GC_THRESHOLDS` inside, as before after."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@fewer_collections()
def build(paths: Sequence[str], outdir: Optional[Path] = None, *, settings: Optional[Settings] = None,
          pipeline: Optional[Pipeline] = None, html: bool = True, store: Optional[Path] = None,
          use_store: bool = True, workers: Optional[int] = None, scheduler: Optional[str] = None,
          cache: bool = True, force: bool = False, progress: bool = False) -> BuildResult:
    """Build the knowledge graph of the text files under ``paths``.

    Unreadable files are reported in ``BuildResult.errors`` and skipped; the others go on.
    With ``outdir``, writes ``graph.ttl`` and ``graph.html`` there atomically, and (unless
    ``use_store`` is false) loads the graph, one named graph per document, into the embedded store
    at ``store`` (default ``outdir/store``; see :mod:`kg.store`).

    Extraction (:mod:`kg.parallel`) runs in ``workers`` processes (default: ``settings.workers``,
    0 = one per core) or on the Dask cluster at ``scheduler``; with ``outdir`` and ``cache``, a
    document already extracted by the same pipeline is reused from ``outdir/cache`` (:mod:`kg.cache`)
    unless ``force``, and the entries the build did not use are removed afterwards.  ``progress``
    shows a progress bar on stderr for each step (reading, extracting, writing).  The output does
    not depend on any of these.
    """
    from .parallel import default_workers, extract_documents, warm_pool

    pipeline = pipeline or Pipeline(settings)
    settings = pipeline.settings
    errors: List[KGError] = []
    state = _State.of(outdir, cache=cache, force=force)
    workers = default_workers(settings.workers if workers is None else workers)
    xcache = None
    if outdir is not None and cache:
        from .cache import ExtractionCache, pipeline_version

        xcache = ExtractionCache(Path(outdir) / "cache", pipeline_version(pipeline))
    with contextlib.ExitStack() as extracting:
        # Counted without a total, so tqdm shows the count with the unit glued on: "8 files".
        with progress_bar(None, "reading", unit=" files", enabled=progress) as bar:
            documents = _read(paths, settings.pattern, errors, bar)
            # The workers load their segmenters while the near-duplicates are found.
            pool = extracting.enter_context(warm_pool(pipeline, 1 if scheduler else workers, documents, xcache, force))
            bar.status("finding near-duplicates")
            groups = _near_duplicates(documents, settings, state)
        extractions, extract_report = extract_documents(
            dedup.canonical_documents(documents, groups), pipeline, cache=xcache, force=force,
            workers=workers, scheduler=scheduler, progress=progress, pool=pool)
    mentions = [m for x in extractions for m in x.mentions]
    relations = tuple(r for x in extractions for r in x.relations)
    entities = _with_endpoints(resolve_entities(mentions, pipeline.lexicon), relations, pipeline.lexicon)
    top = {c: pipeline.tree.top_class(c) for c in pipeline.tree.entity_classes()}
    records = _Records(pipeline, tuple(documents), groups, extractions, entities)
    if outdir is None:
        from .analytics import analyse
        from .graph import count_union

        written = _Written(triples=count_union(records.parts(), base=settings.base),
                           analytics=analyse(records.network()))
    else:
        written = _write_outputs(records, Path(outdir), html=html, use_store=use_store, state=state,
                                 store_dir=Path(store) if store is not None else Path(outdir) / "store",
                                 progress=progress)
        if xcache is not None:
            # Last, once the outputs are written: a build that fails keeps every entry it might reuse.
            extract_report = replace(extract_report, pruned=xcache.prune())
    return BuildResult(documents=tuple(documents), groups=groups, extractions=extractions, entities=entities,
                       relations=relations, errors=tuple(errors), outputs=written.outputs, triples=written.triples,
                       top_class=top, store=written.store, analytics=written.analytics, extraction=extract_report)


@dataclass(frozen=True)
class _State:
    """Where a build records what it wrote (``OUTDIR/cache/build.state``) and what the last one recorded."""

    path: Optional[Path]  # None: no output directory or no cache, nothing recorded
    previous: Optional["BuildState"]  # None: nothing usable recorded, or --force

    @classmethod
    def of(cls, outdir: Optional[Path], *, cache: bool, force: bool) -> "_State":
        if outdir is None or not cache:
            return cls(None, None)
        from .cache import read_state

        path = Path(outdir) / "cache" / "build.state"
        return cls(path, None if force else read_state(path))


def _near_duplicates(documents: Sequence[Document], settings: Settings, state: _State) -> Tuple[DuplicateGroup, ...]:
    """The near-duplicate groups, or those the last build found for the same documents (MinHash over
    every document is a good part of a rebuild that changes nothing)."""
    from .cache import dedup_key

    key = dedup_key(documents, settings)
    if state.previous is not None and state.previous.dedup_key == key:
        return state.previous.groups
    return tuple(dedup.find_duplicates(documents, threshold=settings.dedup_threshold,
                                       num_perm=settings.dedup_num_perm, shingle=settings.dedup_shingle))


@dataclass(frozen=True)
class _Records:
    """What a build read and found: everything its outputs are made from."""

    pipeline: Pipeline
    documents: Tuple[Document, ...]
    groups: Tuple[DuplicateGroup, ...]
    extractions: Tuple[Extraction, ...]
    entities: Tuple[Entity, ...]

    def parts(self):
        """The named graphs, made one at a time (:func:`kg.graph.build_parts`)."""
        from .graph import build_parts

        p = self.pipeline
        return build_parts(self.documents, self.groups, self.extractions, self.entities, lexicon=p.lexicon,
                           tree=p.tree, ontology=p.ontology, base=p.settings.base)

    def network(self):
        """The entity network of the graph (:func:`kg.analytics.from_build`): no RDF is read."""
        from .analytics import from_build

        p = self.pipeline
        return from_build(self.documents, self.groups, self.extractions, self.entities, lexicon=p.lexicon,
                          tree=p.tree, base=p.settings.base)


@dataclass(frozen=True)
class _Written:
    """What writing a build's outputs gave."""

    triples: int
    analytics: "Analytics"
    outputs: Mapping[str, Path] = field(default_factory=dict)
    store: Optional["SyncReport"] = None


@dataclass(frozen=True)
class _GraphWritten:
    """What writing graph.ttl and loading the store gave (see :class:`kg.cache.BuildState`)."""

    triples: int
    graph_ttl: str  # sha256 of graph.ttl
    store: Optional["SyncReport"] = None
    store_state: Optional[Tuple[str, str, int]] = None


def _write_outputs(records: _Records, outdir: Path, *, html: bool, use_store: bool, store_dir: Path,
                   state: _State, progress: bool = False) -> _Written:
    """Write graph.ttl, load the store and write graph.html, each unless it is already up to date.

    ``OUTDIR/cache/build.state`` (:class:`kg.cache.BuildState`) records the key of what the
    outputs were made from (:func:`kg.cache.build_key`).  While the key holds, a graph.ttl or
    graph.html with the recorded sha256 and a store whose bookkeeping has the recorded digest are
    left as they are, and the network numbers are those recorded: a rebuild that changes nothing
    makes no graph at all.
    """
    from .cache import BuildState, build_key, dedup_key, write_state
    from .graph import part_iris

    settings = records.pipeline.settings
    ttl, page = outdir / "graph.ttl", outdir / "graph.html"
    key = build_key(records.pipeline, records.documents, records.groups, base=settings.base,
                    max_evidence=settings.max_evidence)
    fresh = state.previous if state.previous is not None and state.previous.key == key else None
    graphs = part_iris(records.documents, settings.base)
    with progress_bar(len(graphs), "writing", unit="graph", enabled=progress) as bar:
        writing = _write_graph(records, graphs, ttl, store_dir if use_store else None, fresh, bar)
        try:
            # Made while the store compacts and closes (one core, no Python lock held).
            analytics, html_sha = _network_outputs(records, page if html else None, fresh, bar)
        except BaseException:
            _settled(writing)  # the store is closed before the error goes on
            raise
        graph = writing.result()
    outputs: Dict[str, Path] = {"graph.ttl": ttl}
    if html:
        outputs["graph.html"] = page
    if state.path is not None:
        write_state(state.path, BuildState(
            key=key, triples=graph.triples, graph_ttl=graph.graph_ttl, graph_html=html_sha, store=graph.store_state,
            analytics=analytics, dedup_key=dedup_key(records.documents, settings), groups=records.groups))
    return _Written(triples=graph.triples, analytics=analytics, outputs=outputs, store=graph.store)


def _network_outputs(records: _Records, page: Optional[Path], fresh: Optional["BuildState"], bar: Bar):
    """The network numbers and the sha256 of graph.html (written to ``page`` unless None), each
    taken from ``fresh`` (the last build's state, if its key still holds) when it has them."""
    from .cache import file_sha256

    if fresh is not None:
        analytics, network, html_sha = fresh.analytics, None, fresh.graph_html
    else:
        bar.status("network analytics")
        (analytics, network), html_sha = _analyse(records), None
    if page is not None and (html_sha is None or file_sha256(page) != html_sha):
        from .viz import write_graph_html

        bar.status("writing graph.html")
        # Drawn from the same network as the numbers: every entity and fact graph.ttl holds.
        write_graph_html(network or records.network(), page, max_evidence=records.pipeline.settings.max_evidence)
        html_sha = file_sha256(page)
    return analytics, html_sha


def _analyse(records: _Records):
    from .analytics import analyse

    network = records.network()  # the same numbers for the summary, graph.html and `kg report`
    return analyse(network), network


def _write_graph(records: _Records, graphs: Sequence[str], ttl: Path, store_dir: Optional[Path],
                 fresh: Optional["BuildState"], bar: Bar) -> "Future[_GraphWritten]":
    """Write graph.ttl and load the store (``store_dir``, if any) from the named graphs (``graphs``,
    their IRIs), made one at a time.

    Each output that ``fresh`` (the state of the last build, if its key still holds) shows to be
    up to date is left alone; if both are, no graph is made.  ``bar`` counts the graphs made.
    Returns once graph.ttl is written and the store loaded: its compaction and closing go on in
    a thread, and the future is done when the store is closed.
    """
    from . import graph as graph_module
    from .cache import file_sha256
    from .store import meta_digest, syncing, unchanged_report

    base = records.pipeline.settings.base
    ttl_sha = fresh.graph_ttl if fresh is not None and fresh.graph_ttl == file_sha256(ttl) else None
    report, store_state = None, None
    if store_dir is not None and fresh is not None and fresh.store is not None \
            and fresh.store[0] == str(store_dir.resolve()):
        report = unchanged_report(store_dir, graphs, fresh.store[1], fresh.store[2])
        store_state = fresh.store if report is not None else None
    if ttl_sha is not None and (store_dir is None or report is not None):
        return _done(_GraphWritten(triples=fresh.triples, graph_ttl=ttl_sha, store=report, store_state=store_state))
    with contextlib.ExitStack() as stack:  # closes the store if writing graph.ttl fails
        parts = records.parts()
        sync = None
        if store_dir is not None and report is None:
            entities = str(graph_module.Minter(base, None).graph("entities"))
            sync = stack.enter_context(syncing(store_dir, graphs, entities_graph=entities, status=bar.status))
            parts = _loaded(parts, sync, _graph_info(records.documents, graphs, records.pipeline, base))
        parts = _counted(parts, bar)
        if ttl_sha is None:
            written = graph_module.write_turtle(ttl, parts, base=base)
            triples, ttl_sha = written.triples, written.sha256
        else:
            triples = graph_module.count_union(parts, base=base)
        if sync is not None:
            bar.status("loading the store")  # the last batches, still being written
            report = sync.report()
            store_state = (str(store_dir.resolve()), meta_digest(sync.store), report.triples)
        result = _GraphWritten(triples=triples, graph_ttl=ttl_sha, store=report, store_state=store_state)
        if sync is None:
            return _done(result)
        store_open = stack.pop_all()  # from here on the thread below closes it
    # Compacting the store runs on one core and holds no Python lock: the caller goes on meanwhile.
    closer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store-close")
    try:
        return closer.submit(_closed, store_open, result)
    except BaseException:
        store_open.close()
        raise
    finally:
        closer.shutdown(wait=False)  # its thread ends with the task


def _closed(store_open: contextlib.ExitStack, written: _GraphWritten) -> _GraphWritten:
    store_open.close()  # compacts the store (see kg.store.syncing), then closes it
    return written


def _done(written: _GraphWritten) -> "Future[_GraphWritten]":
    future: "Future[_GraphWritten]" = Future()
    future.set_result(written)
    return future


def _settled(future: Future) -> None:
    """Wait for ``future`` and drop its error: another one is already on its way."""
    try:
        future.result()
    except BaseException:  # noqa: BLE001 - the caller re-raises its own
        pass


def _counted(parts, bar: Bar):
    """``parts`` as they go by, each counted on ``bar`` once it has been used."""
    for part in parts:
        yield part
        bar.update(1)


def _loaded(parts, sync, info: Mapping[str, Mapping[str, object]]):
    """``parts`` as they go by, each loaded into the store first."""
    for part in parts:
        sync.put(part, info.get(part.iri, {}))
        yield part


def _graph_info(documents: Sequence[Document], graphs: Sequence[str], pipeline: Pipeline,
                base: str) -> Dict[str, Dict[str, object]]:
    """What the store records beside each graph's hash: document id, source sha256, versions."""
    from . import __version__
    from .graph import Minter

    mint = Minter(base, pipeline.tree)
    versions = {"kgVersion": __version__, "lexiconVersion": pipeline.lexicon.version}
    info: Dict[str, Dict[str, object]] = {iri: dict(versions) for iri in graphs}
    for d in documents:
        info[str(mint.document_graph(d.doc_id))].update(docId=d.doc_id, sourceSha256=d.sha256)
    return info


def _read(paths: Sequence[str], pattern: str, errors: List[KGError], bar: Optional[Bar] = None) -> List[Document]:
    bar = bar or Bar()
    documents: List[Document] = []
    for path in paths:
        try:
            for d in ingest.read_documents([path], pattern=pattern, errors=errors):
                documents.append(d)
                bar.update(1)
        except InputError as exc:
            errors.append(exc)
    seen: Dict[str, str] = {}
    unique = []
    for d in documents:
        if d.doc_id in seen:
            errors.append(InputError(f"{d.path}: document id {d.doc_id!r} is already used by {seen[d.doc_id]}; skipped"))
            continue
        seen[d.doc_id] = d.path
        unique.append(d)
    return unique


def _with_endpoints(entities: Tuple[Entity, ...], relations: Sequence[Relation], lexicon: Lexicon) -> Tuple[Entity, ...]:
    """Add the lexicon entities that relations point to without a mention of their own, and the
    lexicon parents of every entity up the chain (深圳市 → 广东省 → 中国): the graph has a node
    for each, so the counts in the summary are those of the graph."""
    have = {e.key: e for e in entities}
    todo = sorted({k for r in relations for k in (r.subject, r.object)} - set(have))
    todo += sorted({e.parent for e in entities if e.parent} - set(have))
    while todo:
        key = todo.pop()
        entry: Optional[LexiconEntry] = lexicon.by_canonical.get(key)
        if key in have or entry is None:
            continue
        have[key] = Entity(key=key, cls=entry.cls, labels=entry.aliases, codes=entry.codes, parent=entry.parent)
        if entry.parent and entry.parent not in have:
            todo.append(entry.parent)
    return tuple(sorted(have.values(), key=lambda e: e.key))
