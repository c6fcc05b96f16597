"""The embedded store: one named graph per document, incremental rebuilds, kg remove."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.errors import StoreError
from kg.pipeline import build
from kg.store import graph_counts, open_store, read_dataset

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CANONICAL, DUPLICATE = "000_b141859fa34bbaf2", "001_ee3f52ac81cc7dfa"
BASE = "https://w3id.org/policy-kg/id/graph/"


def _counts(path):
    with open_store(path, read_only=True) as store:
        return graph_counts(store), len(store)


def test_one_named_graph_per_document_plus_ontology_and_entities(seed_build):
    counts, _ = _counts(seed_build.outputs["graph.ttl"].parent / "store")
    assert set(counts) == {BASE + "ontology", BASE + "entities", BASE + "doc/" + CANONICAL, BASE + "doc/" + DUPLICATE}
    assert all(n > 0 for n in counts.values())


def test_union_of_store_graphs_is_graph_ttl(seed_build):
    with open_store(seed_build.outputs["graph.ttl"].parent / "store", read_only=True) as store:
        union = Graph()
        for g in read_dataset(store).values():
            union += g
    assert isomorphic(union, Graph().parse(seed_build.outputs["graph.ttl"], format="turtle"))


@pytest.fixture()
def two_docs(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("工信部将落实“白名单”制度，支持集成电路产业发展。", encoding="utf-8")
    (src / "b.txt").write_text("国家发展改革委推进长三角一体化。", encoding="utf-8")
    return src


def test_unchanged_rebuild_writes_nothing_and_changed_document_is_replaced(jieba_pipeline, two_docs, tmp_path):
    out = tmp_path / "out"
    first = build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert len(first.store.added) == 4 and not first.store.replaced
    before = _counts(out / "store")
    again = build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert not again.store.added and not again.store.replaced and len(again.store.unchanged) == 4
    assert _counts(out / "store") == before  # no growth on reload
    (two_docs / "a.txt").write_text("工信部将落实“白名单”制度，支持汽车产业发展。", encoding="utf-8")
    changed = build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert BASE + "doc/a" in changed.store.replaced and BASE + "doc/b" in changed.store.unchanged
    with open_store(out / "store", read_only=True) as store:
        a = read_dataset(store)[BASE + "doc/a"]
    text = a.serialize(format="nt")
    assert "sector/%E6%B1%BD%E8%BD%A6" in text or "sector/汽车" in text
    assert "集成电路" not in text  # the old version is gone, not merged


def test_missing_document_is_kept_and_reported_until_removed(jieba_pipeline, two_docs, tmp_path, capsys):
    out = tmp_path / "out"
    build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    (two_docs / "b.txt").unlink()
    r = build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert r.store.kept == ("b",) and "kg remove" in r.store.summary()
    counts, _ = _counts(out / "store")
    assert BASE + "doc/b" in counts
    with open_store(out / "store", read_only=True) as store:
        entities = read_dataset(store)[BASE + "entities"].serialize(format="nt")
    assert "长江三角洲" in entities  # carried over: the kept document still points to it
    assert main(["remove", str(out), "b"]) == 0
    counts, _ = _counts(out / "store")
    assert BASE + "doc/b" not in counts
    ttl = Graph().parse(out / "graph.ttl", format="turtle")
    assert "长江三角洲" not in ttl.serialize(format="nt")  # pruned from entities and graph.ttl
    assert main(["remove", str(out), "b"]) == 2
    assert "no single document graph for 'b'" in capsys.readouterr().err


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no triple store here"):
        with open_store(tmp_path / "nothing") as store:
            len(store)  # never reached: opening fails


def test_no_blank_nodes_in_the_store(seed_build):
    with open_store(seed_build.outputs["graph.ttl"].parent / "store", read_only=True) as store:
        assert not any(isinstance(t, ox.BlankNode) for q in store for t in (q.subject, q.object))


def test_cli_store_flags(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("工信部将落实“白名单”制度。", encoding="utf-8")
    common = ["build", str(src), "--segmenter", "jieba", "--no-html", "-q"]
    assert main(common + ["-o", str(tmp_path / "plain"), "--no-store"]) == 0
    assert not (tmp_path / "plain" / "store").exists()
    assert main(common + ["-o", str(tmp_path / "elsewhere"), "--store", str(tmp_path / "my-store")]) == 0
    assert not (tmp_path / "elsewhere" / "store").exists()
    counts, _ = _counts(tmp_path / "my-store")
    assert BASE + "doc/a" in counts


def _quads(path):
    with open_store(path, read_only=True) as store:
        return {str(q) for q in store}


def test_small_batches_loading_at_once_give_the_same_store_and_replace_cleanly(jieba_pipeline, two_docs, tmp_path,
                                                                                monkeypatch):
    import threading
    import time

    from kg.store import StoreSync

    running, most = [0], [0]
    lock = threading.Lock()
    load = StoreSync._load

    def watched(self, data, records):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)  # long enough for the next batch to start beside this one
        try:
            load(self, data, records)
        finally:
            with lock:
                running[0] -= 1

    def both():
        build([str(two_docs)], tmp_path / "one", pipeline=jieba_pipeline, html=False)
        with monkeypatch.context() as m:
            m.setattr(StoreSync, "BATCH_QUADS", 10)  # a bulk load every graph or so
            m.setattr(StoreSync, "LOADERS", 3)
            m.setattr(StoreSync, "_load", watched)
            build([str(two_docs)], tmp_path / "many", pipeline=jieba_pipeline, html=False)
        assert _quads(tmp_path / "one" / "store") == _quads(tmp_path / "many" / "store")

    both()
    assert most[0] >= 2  # batches did load at the same time
    # a rebuild drops the edited graph (waiting for every load in progress) and loads it again
    (two_docs / "a.txt").write_text("工信部将落实“白名单”制度，支持汽车产业发展。", encoding="utf-8")
    (two_docs / "c.txt").write_text("商务部推进跨境电商零售进口试点。", encoding="utf-8")
    both()
    with open_store(tmp_path / "many" / "store", read_only=True) as store:
        assert "集成电路" not in read_dataset(store)[BASE + "doc/a"].serialize(format="nt")


def test_recorded_hash_is_the_hash_of_the_stored_graph(seed_build):
    from kg.store import META, META_GRAPH, content_hash, read_graph

    with open_store(seed_build.outputs["graph.ttl"].parent / "store", read_only=True) as store:
        for graph in (ox.NamedNode(BASE + "entities"), ox.NamedNode(BASE + "doc/" + CANONICAL)):
            (recorded,) = store.quads_for_pattern(graph, ox.NamedNode(str(META.contentHash)), None, META_GRAPH)
            assert recorded.object.value == content_hash(read_graph(store, graph))


def _forget_hash(path, graph):
    from kg.store import META_GRAPH

    with open_store(path) as store:
        for q in list(store.quads_for_pattern(ox.NamedNode(graph), None, None, META_GRAPH)):
            store.remove(q)


def test_a_graph_without_bookkeeping_is_written_again(jieba_pipeline, two_docs, tmp_path):
    out = tmp_path / "out"
    build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    before = _quads(out / "store")
    _forget_hash(out / "store", BASE + "doc/a")  # as if the build had died between a graph and its hash
    again = build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert again.store.added == (BASE + "doc/a",) and len(again.store.unchanged) == 3
    assert _quads(out / "store") == before


def test_kg_remove_rewrites_graph_ttl_like_an_export(jieba_pipeline, two_docs, tmp_path):
    from kg.export import export

    out = tmp_path / "out"
    build([str(two_docs)], out, pipeline=jieba_pipeline, html=False)
    assert main(["remove", str(out), "b"]) == 0
    exported = export(out, tmp_path / "export", ["ttl"])["graph.ttl"]
    assert (out / "graph.ttl").read_bytes() == exported.read_bytes()
    assert b"doc/b" not in exported.read_bytes()


def _graphs_as_writer(path):
    """The store's graphs, read with the writer's lock (which fails while another holder has it)."""
    with open_store(path) as store:
        return set(graph_counts(store))


def _closing_store_waits_for_the_page(monkeypatch, page_started, waited):
    """Closing the store (StoreSync.close, after its compaction) waits up to 10 s for graph.html to
    start, and records whether it did: it did only if the page is written while the store closes."""
    import kg.viz
    from kg.store import StoreSync

    close, write_page = StoreSync.close, kg.viz.write_graph_html

    def slow_close(self):
        waited.append(page_started.wait(timeout=10))
        return close(self)

    def page(*args, **kwargs):
        page_started.set()
        return write_page(*args, **kwargs)

    monkeypatch.setattr(StoreSync, "close", slow_close)
    monkeypatch.setattr(kg.viz, "write_graph_html", page)


def test_graph_html_is_written_while_the_store_compacts_and_closes(jieba_pipeline, two_docs, tmp_path, monkeypatch):
    import threading

    started, waited = threading.Event(), []
    _closing_store_waits_for_the_page(monkeypatch, started, waited)
    out = tmp_path / "out"
    result = build([str(two_docs)], out, pipeline=jieba_pipeline)
    assert waited == [True]
    assert len(result.store.added) == 4 and (out / "graph.html").is_file()
    # the store is written, compacted and closed when build returns: a writer can open it at once
    assert _graphs_as_writer(out / "store") == set(result.store.added)
    assert not [t for t in threading.enumerate() if t.name.startswith("kg-store-close")]


def test_a_failing_page_leaves_the_store_written_and_closed(jieba_pipeline, two_docs, tmp_path, monkeypatch):
    import kg.viz
    from kg.errors import OutputError

    def broken_page(*args, **kwargs):
        raise OutputError("graph.html: disk full")

    monkeypatch.setattr(kg.viz, "write_graph_html", broken_page)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="disk full"):
        build([str(two_docs)], out, pipeline=jieba_pipeline)
    assert len(_graphs_as_writer(out / "store")) == 4  # not locked: closed before the error went on
    assert not (out / "cache" / "build.state").exists()  # so the next build writes graph.html again
    monkeypatch.undo()
    again = build([str(two_docs)], out, pipeline=jieba_pipeline)
    assert (out / "graph.html").is_file() and len(again.store.unchanged) == 4


def test_a_store_failing_to_load_fails_the_build_before_the_page(jieba_pipeline, two_docs, tmp_path, monkeypatch):
    from kg.store import StoreSync

    def broken_report(self):
        raise StoreError("store: disk full")

    monkeypatch.setattr(StoreSync, "report", broken_report)
    out = tmp_path / "out"
    with pytest.raises(StoreError, match="disk full"):
        build([str(two_docs)], out, pipeline=jieba_pipeline)
    assert (out / "graph.ttl").is_file() and not (out / "graph.html").exists()
    assert not (out / "cache" / "build.state").exists()
    # closed, though its sync failed; nothing was loaded (the graphs were queued for its last batch)
    assert _graphs_as_writer(out / "store") == set()
