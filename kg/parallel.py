"""Per-document extraction, in this process, in a pool of worker processes, or on a Dask cluster.

:func:`extract_documents` is what :func:`kg.pipeline.build` calls: cached extractions are reused
(:mod:`kg.cache`), the others are computed and returned in input order, so the graph is the same
byte for byte however many workers computed it.  Each worker process holds one
:class:`~kg.pipeline.Pipeline` (loaded once, lazily: only if it is given a document; the
calling process never loads a segmenter for them), and documents are shipped to it in batches,
the longest documents first, so that no worker is left with a long one at the end.

- ``workers=1``: in this process, with the caller's pipeline.
- ``workers=N``: a ``multiprocessing`` pool of N processes.  Where ``fork`` is available the
  workers inherit the caller's pipeline (already loaded or not) instead of loading another.
  :func:`kg.pipeline.build` starts the pool (:func:`warm_pool`) right after reading the files,
  so the workers load their segmenters while it looks for near-duplicates.
- ``scheduler="tcp://HOST:PORT"``: a Dask distributed cluster.  Every worker must have the same
  policy-kg, lexicon and (for pkuseg) model installed: each batch reports the worker's pipeline
  version and a mismatch stops the build.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from .cache import CacheStats, ExtractionCache, pipeline_version
from .config import Settings
from .errors import ConfigError, KGError
from .progress import bar as progress_bar
from .types import Document, Extraction

__all__ = ["ExtractReport", "extract_documents", "default_workers", "warm_pool"]


@dataclass(frozen=True)
class ExtractReport:
    """How the documents of a build were extracted."""

    documents: int  # canonical documents of the build
    extracted: int  # computed in this build
    cached: int  # reused from the cache
    workers: int  # processes that extracted (1: in process; Dask: the cluster's workers)
    scheduler: Optional[str] = None  # the Dask scheduler address, if one was used
    corrupt: int = 0  # cache entries that could not be read and were recomputed
    pruned: int = 0  # cache entries removed after the build (see ExtractionCache.prune)

    def summary(self) -> str:
        where = f"Dask at {self.scheduler}, {self.workers} worker(s)" if self.scheduler else f"{self.workers} process(es)"
        line = f"extraction: {self.extracted} computed" + (f" ({where})" if self.extracted else "")
        line += f", {self.cached} reused from the cache"
        line += f", {self.corrupt} unreadable cache entr(y/ies) recomputed" if self.corrupt else ""
        return line + (f", {self.pruned} stale cache entr(y/ies) removed" if self.pruned else "")


def default_workers(setting: int) -> int:
    """``setting`` workers, or one per usable core when it is 0."""
    if setting < 0:
        raise ConfigError(f"workers {setting} must be >= 0 (0: one per core)")
    if setting:
        return setting
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_documents(documents: Sequence[Document], pipeline, *, cache: Optional[ExtractionCache] = None,
                      force: bool = False, workers: int = 1, scheduler: Optional[str] = None,
                      progress: bool = False, pool=None) -> Tuple[Tuple[Extraction, ...], ExtractReport]:
    """The extraction of every document, in the order given, reusing ``cache`` unless ``force``.

    ``pool``, if given (:func:`warm_pool`, of ``workers`` processes), extracts what is not cached.
    """
    results: List[Optional[Extraction]] = [None] * len(documents)
    todo: List[int] = []
    for i, d in enumerate(documents):
        x = cache.get(d) if cache is not None and not force else None
        if x is None:
            todo.append(i)
        else:
            results[i] = x
    cached = len(documents) - len(todo)
    used = 1
    with progress_bar(len(documents), "extracting", unit="doc", enabled=progress) as bar:
        bar.update(cached)
        pending = [documents[i] for i in todo]
        if scheduler:
            numbered, used = _dask(pending, pipeline, scheduler)
        elif pool is not None and pending:
            used = min(workers, len(pending))
            numbered = _pool_results(pool, pending, workers)
        elif workers > 1 and len(pending) > 1:
            used = min(workers, len(pending))
            numbered = _pool(pending, pipeline, used)
        else:
            numbered = ((k, pipeline.extract(d)) for k, d in enumerate(pending))
        for k, x in numbered:  # (position in pending, extraction), in whatever order they finish
            i = todo[k]
            results[i] = x
            if cache is not None:
                cache.put(documents[i], x)
            bar.update(1)
    stats = cache.stats if cache is not None else CacheStats()
    report = ExtractReport(documents=len(documents), extracted=len(todo), cached=cached, workers=used,
                           scheduler=scheduler, corrupt=stats.corrupt)
    return tuple(results), report  # type: ignore[arg-type]


# -- a pool of processes, one pipeline each ---------------------------------------------------

_PIPELINE = None  # this process's pipeline (a pool worker's, or the parent's before a fork)
BATCHES_PER_WORKER = 16  # see _batches


def _init_worker(settings: Settings, load: bool = False) -> None:
    global _PIPELINE
    from .pipeline import BUILD_GC_THRESHOLDS

    gc.set_threshold(*BUILD_GC_THRESHOLDS)  # a spawned worker does not inherit the build's
    if _PIPELINE is None or _PIPELINE.settings != settings:  # spawned, not forked: load our own
        from .pipeline import Pipeline

        _PIPELINE = Pipeline(settings)
    if load:
        try:
            _PIPELINE.segmenter  # noqa: B018 - loaded now (seconds), not with the first batch
        except Exception:  # noqa: BLE001 - the first batch loads it again and reports the error:
            pass  # raised here, it would kill the worker, and the pool would start another forever


def _extract_in_worker(batch: Sequence[Tuple[int, Document]]) -> List[Tuple[int, Extraction]]:
    return [(k, _PIPELINE.extract(doc)) for k, doc in batch]


def _pool(docs: Sequence[Document], pipeline, workers: int) -> Iterator[Tuple[int, Extraction]]:
    """(position in ``docs``, extraction) of every document, as the workers finish them."""
    with _new_pool(pipeline, workers, load=False) as pool:
        yield from _pool_results(pool, docs, workers)


def _pool_results(pool, docs: Sequence[Document], workers: int) -> Iterator[Tuple[int, Extraction]]:
    """(position in ``docs``, extraction) of every document, computed by ``pool``'s workers."""
    for done in pool.imap_unordered(_extract_in_worker, _batches(docs, workers)):
        yield from done


def _new_pool(pipeline, workers: int, *, load: bool):
    """A pool of ``workers`` processes, each with ``pipeline`` (inherited where ``fork`` exists);
    with ``load``, each loads its segmenter as it starts.  Used as a context manager, the pool
    is terminated at the end of the block."""
    global _PIPELINE
    _fail_early(pipeline)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    _PIPELINE = pipeline  # inherited by forked workers, loaded segmenter included
    try:
        ctx = multiprocessing.get_context(method)
        return ctx.Pool(workers, initializer=_init_worker, initargs=(pipeline.settings, load))
    finally:
        _PIPELINE = None


@contextlib.contextmanager
def warm_pool(pipeline, workers: int, documents: Sequence[Document], cache: Optional[ExtractionCache],
              force: bool) -> Iterator[Optional[object]]:
    """A pool for :func:`extract_documents` whose workers (no more than ``documents``) load their
    segmenter at once, or None.

    A build starts it as soon as it has read its files, so that loading the segmenter (seconds,
    in every worker) overlaps the near-duplicate search in this process.  None with one worker
    or one document, or when every document has a cache entry (a rebuild that changes nothing
    loads no segmenter); a new document that turns out to be a near-duplicate of another may
    still start the pool for nothing.
    """
    workers = min(workers, len(documents))
    if workers <= 1 or not (force or cache is None or any(not cache.path(d).is_file() for d in documents)):
        yield None
        return
    with _new_pool(pipeline, workers, load=True) as pool:
        yield pool


def _batches(docs: Sequence[Document], workers: int) -> List[List[Tuple[int, Document]]]:
    """``docs`` numbered and cut into batches, biggest documents first.

    The work of a document grows with its length, so handing out the longest first and the
    shortest last keeps every worker busy to the end (no long document starts when the others
    are done).  A batch holds about ``1 / (BATCHES_PER_WORKER * workers)`` of the text, so a
    worker asks for more rarely, yet often enough to even out the differences.
    """
    order = sorted(range(len(docs)), key=lambda k: (-len(docs[k].text), k))
    budget = max(1, sum(len(d.text) for d in docs) // (workers * BATCHES_PER_WORKER))
    batches: List[List[Tuple[int, Document]]] = []
    size = budget
    for k in order:
        if size >= budget:
            batches.append([])
            size = 0
        batches[-1].append((k, docs[k]))
        size += len(docs[k].text)
    return batches


def _fail_early(pipeline) -> None:
    """Raise the model-not-installed error here, once, rather than in every worker."""
    if not pipeline.segmenter_loaded and pipeline.settings.segmenter == "pkuseg":
        from .model import locate_model

        locate_model()


# -- Dask distributed -------------------------------------------------------------------------

_DASK_PIPELINES: Dict[Settings, object] = {}
_DASK_LOCK = threading.Lock()  # a Dask worker may run several threads; one extraction at a time


def _dask_extract(batch: Sequence[Document], settings: Settings) -> Tuple[str, List[Extraction]]:
    """Run on a Dask worker: this process's pipeline for ``settings`` (loaded once) extracts a batch."""
    with _DASK_LOCK:
        pipeline = _DASK_PIPELINES.get(settings)
        if pipeline is None:
            from .pipeline import Pipeline

            pipeline = _DASK_PIPELINES[settings] = Pipeline(settings)
        return pipeline_version(pipeline), [pipeline.extract(d) for d in batch]


def _dask(docs: Sequence[Document], pipeline, address: str) -> Tuple[Iterator[Tuple[int, Extraction]], int]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise KGError("--scheduler needs Dask distributed: pip install 'dask[distributed]'") from exc
    try:
        client = Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise KGError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc
    workers = max(1, len(client.nthreads()))
    return _dask_results(client, docs, pipeline, address, workers), workers


def _dask_results(client, docs: Sequence[Document], pipeline, address: str,
                  workers: int) -> Iterator[Tuple[int, Extraction]]:
    """(position in ``docs``, extraction) of every document, batch by batch, biggest first."""
    expected = pipeline_version(pipeline)
    batches = _batches(docs, workers)
    try:
        # an absolute ontology path: the workers' working directory is not ours
        settings = replace(pipeline.settings, ontology_dir=Path(pipeline.settings.ontology_dir).resolve())
        futures = [client.submit(_dask_extract, [d for _, d in b], settings, pure=False) for b in batches]
        for batch, fut in zip(batches, futures):
            version, xs = fut.result()
            if version != expected:
                raise KGError(f"a Dask worker of {address} runs another pipeline (version {version[:12]}, "
                              f"here {expected[:12]}): install the same policy-kg, lexicon and model on every worker")
            yield from zip((k for k, _ in batch), xs)
    finally:
        client.close()
