"""Incremental extraction (kg/cache.py): unchanged documents are reused, never re-extracted."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cache import ExtractionCache, pipeline_version
from kg.config import settings_from
from kg.pipeline import Pipeline, build

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BASE_GRAPH = "https://w3id.org/policy-kg/id/graph/"


def small_corpus(root: Path, docs: int = 6, per_doc: int = 5) -> Path:
    """Distinct small documents: consecutive runs of the first seed's sentences."""
    text = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    sentences = [s for s in re.findall(r"[^。！？\n]+[。！？]", text) if len(s.strip()) >= 8]
    root.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        part = sentences[i * per_doc:(i + 1) * per_doc]
        assert part, "the seed has too few sentences for this corpus"
        (root / f"d{i}.txt").write_text("".join(part) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return small_corpus(tmp_path_factory.mktemp("corpus"))


def test_unchanged_rebuild_reuses_everything_and_loads_no_segmenter(pipeline, tmp_path):
    out = tmp_path / "out"
    first = build([str(SEEDS)], out, pipeline=pipeline, workers=1)
    assert (first.extraction.extracted, first.extraction.cached) == (1, 0)
    before = (out / "graph.ttl").read_bytes()
    fresh = Pipeline()  # not loaded yet: a rebuild with nothing to extract must not load pkuseg
    again = build([str(SEEDS)], out, pipeline=fresh, workers=1)
    assert (again.extraction.extracted, again.extraction.cached) == (0, 1)
    assert not fresh.segmenter_loaded
    assert (out / "graph.ttl").read_bytes() == before
    assert again.extractions == first.extractions


def test_force_extracts_every_document_again(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    first = build([str(corpus)], out, pipeline=pipeline, workers=1)
    forced = build([str(corpus)], out, pipeline=pipeline, workers=1, force=True)
    assert first.extraction.extracted == forced.extraction.extracted == 6
    assert forced.extraction.cached == 0
    assert forced.extraction.pruned == 0 and len(_entries(out)) == 6  # rewritten entries are kept


def test_only_changed_documents_are_extracted(pipeline, corpus, tmp_path):
    src = tmp_path / "src"
    small_corpus(src)
    out = tmp_path / "out"
    build([str(src)], out, pipeline=pipeline, workers=1, html=False)
    (src / "d2.txt").write_text("工信部将落实“白名单”制度。\n", encoding="utf-8")
    r = build([str(src)], out, pipeline=pipeline, workers=1, html=False)
    assert (r.extraction.extracted, r.extraction.cached) == (1, 5)
    build([str(src)], tmp_path / "fresh", pipeline=pipeline, workers=1, html=False)
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "fresh" / "graph.ttl").read_bytes()


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # truncated (a killed writer cannot leave this, a full disk can)
    lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]),  # one flipped byte
    lambda b: b"",  # empty
    lambda b: b"not a cache entry at all",
])
def test_a_corrupt_entry_is_recomputed_not_fatal(pipeline, corpus, tmp_path, damage):
    out = tmp_path / "out"
    build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    before = (out / "graph.ttl").read_bytes()
    entries = sorted((out / "cache").rglob("*.pickle"))
    assert len(entries) == 6
    entries[0].write_bytes(damage(entries[0].read_bytes()))
    r = build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    assert (r.extraction.extracted, r.extraction.cached, r.extraction.corrupt) == (1, 5, 1)
    assert (out / "graph.ttl").read_bytes() == before
    assert "recomputed" in r.extraction.summary()


def test_an_entry_of_another_document_is_not_used(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    first = build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    a, b = first.documents[0], first.documents[1]
    cache = ExtractionCache(out / "cache", pipeline_version(pipeline))
    cache.path(a).write_bytes(cache.path(b).read_bytes())  # a valid entry, but of another document
    assert cache.get(a) is None and cache.stats.corrupt == 1


def _entries(out: Path):
    return set((out / "cache").rglob("*.pickle"))


def test_entries_of_edited_and_removed_documents_are_pruned(pipeline, tmp_path):
    src = small_corpus(tmp_path / "src")
    out = tmp_path / "out"
    build([str(src)], out, pipeline=pipeline, workers=1, html=False)
    before = _entries(out)
    assert len(before) == 6
    (src / "d2.txt").write_text("工信部将落实“白名单”制度。\n", encoding="utf-8")
    (src / "d5.txt").unlink()
    r = build([str(src)], out, pipeline=pipeline, workers=1, html=False)
    after = _entries(out)
    assert (r.extraction.extracted, r.extraction.cached, r.extraction.pruned) == (1, 4, 2)
    assert len(after) == 5 and len(before - after) == 2
    assert "2 stale cache entr(y/ies) removed" in r.extraction.summary()
    again = build([str(src)], out, pipeline=pipeline, workers=1, html=False)
    assert (again.extraction.extracted, again.extraction.cached, again.extraction.pruned) == (0, 5, 0)
    assert _entries(out) == after


def test_entries_of_an_earlier_pipeline_version_are_pruned(pipeline, jieba_pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    r = build([str(corpus)], out, pipeline=jieba_pipeline, workers=1, html=False)
    assert (r.extraction.extracted, r.extraction.pruned) == (6, 6)
    jieba_cache = ExtractionCache(out / "cache", pipeline_version(jieba_pipeline))
    assert _entries(out) == {jieba_cache.path(d) for d in r.documents}


def test_pruning_removes_only_entries(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    entries = sorted(_entries(out))
    mine = entries[0].parent / "notes.txt"
    mine.write_text("not an entry", encoding="utf-8")
    elsewhere = out / "cache" / "kept" / entries[1].name  # an entry's name, outside the shards
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(entries[1].read_bytes())
    cache = ExtractionCache(out / "cache", pipeline_version(pipeline))
    assert cache.prune() == 6 and cache.stats.pruned == 6  # it used none of them
    assert _entries(out) == {elsewhere}
    assert mine.exists() and (out / "cache" / "build.state").exists()
    assert {p.name for p in (out / "cache").iterdir()} == {mine.parent.name, "kept", "build.state"}


def test_pipeline_version_follows_segmenter_and_lexicon(pipeline, tmp_path):
    import shutil

    jieba = Pipeline(settings_from({"segmenter": "jieba"}))
    assert pipeline_version(jieba) != pipeline_version(pipeline)
    assert pipeline_version(Pipeline()) == pipeline_version(pipeline)
    onto = tmp_path / "ontology"
    shutil.copytree(pipeline.settings.ontology_dir, onto)
    with open(onto / "lexicon" / "my_entries.tsv", "w", encoding="utf-8") as fh:
        fh.write("canonical\tclass\taliases\tcodes\tparent\n星火科技集团\tEnterpriseGroup\t星火集团\t\t\n")
    assert pipeline_version(Pipeline(settings_from({"ontology_dir": onto}))) != pipeline_version(pipeline)


def test_no_cache_writes_no_cache_directory(pipeline, tmp_path):
    out = tmp_path / "out"
    r = build([str(SEEDS)], out, pipeline=pipeline, workers=1, cache=False, html=False)
    assert r.extraction.extracted == 1 and not (out / "cache").exists()


def _spy(monkeypatch, module, name, calls):
    real = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def test_unchanged_inputs_leave_every_output_untouched(pipeline, corpus, tmp_path, monkeypatch):
    import kg.analytics
    import kg.dedup
    import kg.graph
    import kg.store
    import kg.viz

    out = tmp_path / "out"
    first = build([str(corpus)], out, pipeline=pipeline, workers=1)
    files = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html")}
    calls = []
    for module, name in ((kg.graph, "write_turtle"), (kg.graph, "build_parts"), (kg.store, "syncing"),
                         (kg.viz, "write_graph_html"), (kg.analytics, "analyse"), (kg.dedup, "find_duplicates")):
        _spy(monkeypatch, module, name, calls)
    again = build([str(corpus)], out, pipeline=pipeline, workers=1)
    assert calls == []  # no graph made, nothing written, no numbers or near-duplicates computed again
    assert again.groups == first.groups
    assert {name: (out / name).read_bytes() for name in files} == files
    assert again.triples == first.triples and again.analytics == first.analytics
    assert again.store.unchanged == first.store.added and not again.store.added + again.store.replaced
    assert again.store.triples == first.store.triples

    (out / "graph.ttl").write_bytes(files["graph.ttl"] + b"# edited by hand\n")  # not what the state recorded
    build([str(corpus)], out, pipeline=pipeline, workers=1)
    assert calls == ["build_parts", "write_turtle"]  # graph.ttl alone is written again
    assert (out / "graph.ttl").read_bytes() == files["graph.ttl"]

    calls.clear()
    forced = build([str(corpus)], out, pipeline=pipeline, workers=1, force=True)
    assert set(calls) == {"build_parts", "write_turtle", "syncing", "write_graph_html", "analyse", "find_duplicates"}
    assert len(forced.store.unchanged) == len(first.store.added)  # the store still writes only what changed
    assert {name: (out / name).read_bytes() for name in files} == files


def test_a_store_changed_since_is_synced_again(jieba_pipeline, corpus, tmp_path):
    from kg.cli import main

    out = tmp_path / "out"
    first = build([str(corpus)], out, pipeline=jieba_pipeline, workers=1, html=False)
    assert main(["remove", str(out), "d1"]) == 0  # the store and graph.ttl lose d1
    again = build([str(corpus)], out, pipeline=jieba_pipeline, workers=1, html=False)
    assert again.store.added == (BASE_GRAPH + "doc/d1",) and BASE_GRAPH + "doc/d0" in again.store.unchanged
    assert again.store.triples == first.store.triples
    build([str(corpus)], tmp_path / "fresh", pipeline=jieba_pipeline, workers=1, html=False)
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "fresh" / "graph.ttl").read_bytes()


def test_a_changed_document_rewrites_the_outputs(pipeline, corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
    before = (out / "graph.ttl").read_bytes()
    (corpus / "d0.txt").write_text("工信部将落实“白名单”制度。\n", encoding="utf-8")
    try:
        r = build([str(corpus)], out, pipeline=pipeline, workers=1, html=False)
        assert (out / "graph.ttl").read_bytes() != before
        assert r.store.replaced == (BASE_GRAPH + "entities", BASE_GRAPH + "doc/d0")
        assert len(r.store.unchanged) == 6  # the ontology and the five other documents
    finally:
        small_corpus(corpus)  # the module's corpus as it was
