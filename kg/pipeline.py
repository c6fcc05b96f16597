"""The whole build: ingest → near-duplicates → segmentation → entities → relations → RDF → outputs.

:func:`build` is the Python API behind ``kg build``; :class:`Pipeline` holds what is loaded
once per process (lexicon, ontology, segmenter) and extracts the facts of one document.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from rdflib import Graph

from . import dedup, ingest
from .config import Settings, settings_from
from .entities import EntityRecogniser, resolve_entities
from .errors import InputError, KGError
from .graph import build_partition, union
from .lexicon import Lexicon, load_lexicon
from .ontology import TOP_CLASSES, ClassTree, class_tree, load_ontology
from .relations import RelationExtractor
from .segment import Segmenter, load_segmenter
from .statistics import StatisticsExtractor
from .types import Document, DuplicateGroup, Entity, Extraction, LexiconEntry, Relation

if TYPE_CHECKING:  # imported where used: the summary types of optional stages
    from .analytics import Analytics
    from .parallel import ExtractReport
    from .store import SyncReport

__all__ = ["Pipeline", "BuildResult", "build"]


class Pipeline:
    """Everything loaded once: ontology, lexicon, segmenter, recogniser, relation extractor."""

    def __init__(self, settings: Optional[Settings] = None, *, segmenter: Optional[Segmenter] = None):
        self.settings = settings or settings_from()
        root = self.settings.ontology_dir
        self.ontology: Graph = load_ontology(root)
        self.tree: ClassTree = class_tree(root)
        self.lexicon: Lexicon = load_lexicon(root)
        self._segmenter = segmenter  # loaded on first use: a build that extracts nothing never loads it
        self.recognise = EntityRecogniser(self.lexicon, self.tree)
        self.extract_relations = RelationExtractor(self.lexicon, self.tree)
        self.extract_statistics = StatisticsExtractor()

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
    unless ``force``.  ``progress`` shows a progress bar on stderr.  The output does not depend on
    any of these.
    """
    pipeline = pipeline or Pipeline(settings)
    settings = pipeline.settings
    errors: List[KGError] = []
    documents = _read(paths, settings.pattern, errors)
    groups = tuple(dedup.find_duplicates(documents, threshold=settings.dedup_threshold,
                                         num_perm=settings.dedup_num_perm, shingle=settings.dedup_shingle))
    from .parallel import default_workers, extract_documents

    xcache = None
    if outdir is not None and cache:
        from .cache import ExtractionCache, pipeline_version

        xcache = ExtractionCache(Path(outdir) / "cache", pipeline_version(pipeline))
    extractions, extract_report = extract_documents(
        dedup.canonical_documents(documents, groups), pipeline, cache=xcache, force=force,
        workers=default_workers(settings.workers if workers is None else workers), scheduler=scheduler,
        progress=progress)
    mentions = [m for x in extractions for m in x.mentions]
    relations = tuple(r for x in extractions for r in x.relations)
    entities = _with_endpoints(resolve_entities(mentions, pipeline.lexicon), relations, pipeline.lexicon)
    parts = build_partition(documents, groups, extractions, entities, lexicon=pipeline.lexicon, tree=pipeline.tree,
                            ontology=pipeline.ontology, base=settings.base)
    g = union(parts, settings.base)
    top = {c: pipeline.tree.top_class(c) for c in pipeline.tree.entity_classes()}
    outputs: Dict[str, Path] = {}
    from .analytics import analyse, to_networkx

    network = to_networkx(g)  # the same numbers for the summary, graph.html and `kg report`
    analytics = analyse(network)
    if outdir is not None:
        outdir = Path(outdir)
        from .cache import write_turtle

        # skipped when the same named graphs wrote the graph.ttl that is there (OUTDIR/cache)
        outputs["graph.ttl"] = write_turtle(outdir / "graph.ttl", g, parts, base=settings.base,
                                            state=outdir / "cache" / "graph.ttl.state" if cache else None)
        if html:
            from .viz import write_graph_html

            # Drawn from the RDF graph itself, so the page shows every entity graph.ttl holds.
            outputs["graph.html"] = write_graph_html(network, outdir / "graph.html",
                                                     max_evidence=settings.max_evidence)
    report = None
    if outdir is not None and use_store:
        from .store import sync_partition

        report = sync_partition(Path(store) if store is not None else outdir / "store", parts,
                                info=_graph_info(documents, parts, pipeline, settings.base),
                                entities_graph=_graph_iri(settings.base, "entities"))
    return BuildResult(documents=tuple(documents), groups=groups, extractions=extractions, entities=entities,
                       relations=relations, errors=tuple(errors), outputs=outputs, triples=len(g), top_class=top,
                       store=report, analytics=analytics, extraction=extract_report)


def _graph_iri(base: str, name: str):
    from .graph import Minter

    return Minter(base, None).graph(name)


def _graph_info(documents: Sequence[Document], parts, pipeline: Pipeline, base: str) -> Dict:
    """What the store records beside each graph's hash: document id, source sha256, versions."""
    from . import __version__
    from .graph import Minter

    mint = Minter(base, pipeline.tree)
    versions = {"kgVersion": __version__, "lexiconVersion": pipeline.lexicon.version}
    info = {iri: dict(versions) for iri in parts}
    for d in documents:
        info[mint.document_graph(d.doc_id)].update(docId=d.doc_id, sourceSha256=d.sha256)
    return info


def _read(paths: Sequence[str], pattern: str, errors: List[KGError]) -> List[Document]:
    documents: List[Document] = []
    for path in paths:
        try:
            documents.extend(ingest.read_documents([path], pattern=pattern, errors=errors))
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
