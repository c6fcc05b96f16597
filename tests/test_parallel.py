"""Parallel and distributed extraction (kg/parallel.py): the same graph, byte for byte."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import ConfigError, KGError
from kg.parallel import default_workers, extract_documents
from kg.pipeline import build

from .test_cache import SEEDS, small_corpus

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = small_corpus(tmp_path_factory.mktemp("corpus"))
    for seed in sorted(SEEDS.glob("*.txt")):  # and a near-duplicate pair
        (root / seed.name).write_bytes(seed.read_bytes())
    return root


@pytest.fixture(scope="module")
def local(pipeline, corpus, tmp_path_factory):
    """The reference: one process, no cache."""
    out = tmp_path_factory.mktemp("local")
    build([str(corpus)], out, pipeline=pipeline, workers=1, cache=False, html=False, use_store=False)
    return (out / "graph.ttl").read_bytes()


def test_two_workers_give_the_same_bytes(pipeline, corpus, local, tmp_path):
    r = build([str(corpus)], tmp_path, pipeline=pipeline, workers=2, cache=False, html=False, use_store=False)
    assert r.extraction.workers == 2 and r.extraction.extracted == 7
    assert (tmp_path / "graph.ttl").read_bytes() == local


def test_workers_load_their_own_pipeline_when_the_parent_has_none_loaded(corpus, pipeline):
    from kg.pipeline import Pipeline

    docs = build([str(corpus)], None, pipeline=pipeline, workers=1).documents[:4]
    fresh = Pipeline()
    xs, report = extract_documents(docs, fresh, workers=2)
    assert not fresh.segmenter_loaded  # the workers loaded theirs; this process did not
    assert xs == tuple(pipeline.extract(d) for d in docs) and report.workers == 2


def test_dask_local_cluster_gives_the_same_bytes(corpus, local, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        r = build([str(corpus)], tmp_path, scheduler=cluster.scheduler_address, cache=False, html=False,
                  use_store=False)
    assert r.extraction.scheduler and r.extraction.workers == 2 and r.extraction.extracted == 7
    assert (tmp_path / "graph.ttl").read_bytes() == local


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(tmp_path / "out"), "--segmenter",
                        "jieba", "--scheduler", "tcp://127.0.0.1:9", "--no-html"],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "tcp://127.0.0.1:9" in r.stderr


@pytest.mark.parametrize("setting, expected", [(1, 1), (3, 3)])
def test_default_workers(setting, expected):
    assert default_workers(setting) == expected


def test_zero_workers_means_one_per_core():
    assert default_workers(0) >= 1


def test_negative_workers_are_refused():
    with pytest.raises(ConfigError, match="workers -1"):
        default_workers(-1)


def test_progress_bar_when_asked(pipeline, corpus, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    build([str(corpus)], None, pipeline=pipeline, workers=1, progress=True)
    assert "extracting" in err.getvalue() and "/7 [" in err.getvalue()  # 7 documents to go


def test_progress_bar_for_every_long_step(pipeline, corpus, tmp_path, monkeypatch):
    files = len(list(corpus.glob("*.txt")))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    build([str(corpus)], tmp_path / "out", pipeline=pipeline, workers=1, progress=True)
    shown = err.getvalue()
    assert f"reading: {files} files [" in shown and "finding near-duplicates" in shown
    assert "extracting" in shown
    # one graph per file (near-duplicates too), the entities and the ontology
    assert "writing: 100%" in shown and f" {files + 2}/{files + 2} [" in shown
    for step in ("loading the store", "compacting the store", "network analytics", "writing graph.html"):
        assert step in shown, step


@pytest.mark.parametrize("flags", [["-q"], []])  # -q, and stderr not a terminal (captured here)
def test_no_progress_bar_when_quiet_or_not_a_terminal(tmp_path, flags):
    r = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(tmp_path / "out"), "--segmenter",
                        "jieba", "--no-html", *flags], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_cli_reuses_the_cache_and_force_extracts_again(tmp_path):
    def run(*flags):
        r = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(tmp_path / "out"), "--segmenter",
                            "jieba", "--no-html", "--workers", "2", *flags], capture_output=True, text=True, cwd=REPO,
                           timeout=300)
        assert r.returncode == 0, r.stderr
        return next(line for line in r.stdout.splitlines() if line.startswith("extraction:"))

    assert run().startswith("extraction: 1 computed")
    assert run() == "extraction: 0 computed, 1 reused from the cache"
    assert run("--force").startswith("extraction: 1 computed")


def test_cli_refuses_negative_workers(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "-o", str(tmp_path / "out"), "--workers", "-2"],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr


def test_batches_give_every_document_once_biggest_first(corpus):
    from kg.ingest import read_documents
    from kg.parallel import BATCHES_PER_WORKER, _batches

    docs = list(read_documents([str(corpus)]))
    for workers in (2, 3):
        batches = _batches(docs, workers)
        order = [k for batch in batches for k, _ in batch]
        assert sorted(order) == list(range(len(docs))) and all(docs[k] is d for b in batches for k, d in b)
        sizes = [len(docs[k].text) for k in order]
        assert sizes == sorted(sizes, reverse=True)
        budget = sum(sizes) // (workers * BATCHES_PER_WORKER)
        for batch in batches[:-1]:  # each batch closes as soon as it holds its share of the text
            chars = [len(d.text) for _, d in batch]
            assert sum(chars) >= budget > sum(chars[:-1])


def test_a_build_collects_garbage_less_often_and_restores_the_thresholds(pipeline, corpus, monkeypatch):
    import gc

    import kg.parallel
    from kg.pipeline import BUILD_GC_THRESHOLDS

    before = gc.get_threshold()
    assert before != BUILD_GC_THRESHOLDS
    during = []
    real = kg.parallel.extract_documents

    def watched(*args, **kwargs):
        during.append(gc.get_threshold())
        if len(during) == 2:
            raise KGError("stopped on purpose")
        return real(*args, **kwargs)

    monkeypatch.setattr(kg.parallel, "extract_documents", watched)
    assert build([str(corpus)], None, pipeline=pipeline, workers=1).extractions
    assert gc.get_threshold() == before
    with pytest.raises(KGError, match="on purpose"):
        build([str(corpus)], None, pipeline=pipeline, workers=1)
    assert during == [BUILD_GC_THRESHOLDS] * 2 and gc.get_threshold() == before


def test_a_pool_worker_collects_garbage_as_a_build_does(pipeline, monkeypatch):
    import gc

    import kg.parallel
    from kg.pipeline import BUILD_GC_THRESHOLDS

    before = gc.get_threshold()
    monkeypatch.setattr(kg.parallel, "_PIPELINE", pipeline)  # as after a fork: nothing to load
    try:
        kg.parallel._init_worker(pipeline.settings)
        assert gc.get_threshold() == BUILD_GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)


def _worker_has_its_segmenter(_=None) -> bool:
    import kg.parallel

    return kg.parallel._PIPELINE.segmenter_loaded


def test_a_warm_pool_loads_the_segmenters_before_any_document(corpus, tmp_path):
    from kg.cache import ExtractionCache, pipeline_version
    from kg.parallel import warm_pool
    from kg.pipeline import Pipeline

    fresh = Pipeline()  # nothing loaded here: the workers load their own
    docs = build([str(corpus)], None, pipeline=fresh, workers=2).documents
    assert not fresh.segmenter_loaded
    with warm_pool(fresh, 2, docs, None, False) as pool:
        assert pool.map(_worker_has_its_segmenter, range(2)) == [True, True]
        xs, report = extract_documents(docs[:3], fresh, workers=2, pool=pool)
    assert report.workers == 2 and report.extracted == 3 and not fresh.segmenter_loaded
    cache = ExtractionCache(tmp_path / "cache", pipeline_version(fresh))
    for d, x in zip(docs[:3], xs):
        cache.put(d, x)
    with warm_pool(fresh, 1, docs, None, False) as one, warm_pool(fresh, 2, docs[:1], None, False) as single, \
            warm_pool(fresh, 2, docs[:3], cache, False) as cached:
        assert one is None and single is None  # one worker, or one document: it runs in this process
        assert cached is None  # every document has a cache entry: no segmenter to load
    with warm_pool(fresh, 2, docs[:3], cache, True) as forced:
        assert forced is not None  # --force extracts them all again


def test_a_segmenter_that_fails_to_load_in_a_warm_worker_fails_the_build(corpus, tmp_path, monkeypatch):
    import signal

    import kg.pipeline
    from kg.pipeline import Pipeline

    def broken(*args, **kwargs):
        raise KGError("the segmentation model is broken")

    monkeypatch.setattr(kg.pipeline, "load_segmenter", broken)  # forked workers inherit it
    fresh = Pipeline()
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the build hung: workers kept dying as they started"))
    signal.alarm(120)
    try:
        with pytest.raises(KGError, match="model is broken"):
            build([str(corpus)], tmp_path / "out", pipeline=fresh, workers=2, html=False, use_store=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
