"""Tests of kg.analytics: the RDF graph as networkx, centralities, communities, profiles."""
from __future__ import annotations

import inspect
import re

import networkx as nx
import pytest
from rdflib import RDF, Graph

from kg import analytics
from kg.analytics import analyse, from_records, to_networkx
from kg.namespace import KG
from kg.types import Entity, Evidence, Relation

TOP_CLASS = {"GovernmentBody": "Actor", "Plan": "Instrument", "Platform": "Instrument",
             "Industry": "Sector", "Province": "Region"}


def _ev(doc: str, i: int = 0) -> Evidence:
    return Evidence(doc, i, 0, 2, f"{doc}的第{i}句。")


def _rel(s, p, o, doc="d1", i=0) -> Relation:
    return Relation(s, p, o, _ev(doc, i), rule="t")


ENTITIES = [
    Entity("工业和信息化部", "GovernmentBody", labels=("工信部",)),
    Entity("国务院", "GovernmentBody"),
    Entity("制造业规划", "Plan"),
    Entity("协调平台", "Platform"),
    Entity("汽车", "Industry"),
    Entity("广东省", "Province"),
    Entity("孤立产业", "Industry"),
]
RELATIONS = [
    _rel("工业和信息化部", "implements", "制造业规划", "d1", 0),
    _rel("工业和信息化部", "implements", "制造业规划", "d2", 4),  # same fact, second document
    _rel("制造业规划", "prioritisesSector", "汽车", "d1", 1),
    _rel("制造业规划", "targetsRegion", "广东省", "d1", 2),
    _rel("工业和信息化部", "launches", "协调平台", "d2", 5),
    _rel("协调平台", "prioritisesSector", "汽车", "d1", 3),  # read in d1, not in d2
    _rel("国务院", "collaboratesWith", "工业和信息化部", "d2", 6),
]


@pytest.fixture(scope="module")
def small():
    return from_records(ENTITIES, RELATIONS, top_class=TOP_CLASS)


def test_from_records_nodes_edges_and_merged_evidence(small):
    assert isinstance(small, nx.MultiDiGraph)
    assert sorted(small.nodes) == sorted(e.key for e in ENTITIES)
    assert small.number_of_edges() == 6
    node = small.nodes["工业和信息化部"]
    assert (node["cls"], node["top"], node["aliases"]) == ("GovernmentBody", "Actor", ("工信部",))
    edge = small.edges["工业和信息化部", "制造业规划", "implements"]
    assert [e.doc_id for e in edge["evidence"]] == ["d1", "d2"]


def test_analyse_counts_scores_components(small):
    a = analyse(small)
    assert a.entities == 7 and a.facts == 6
    assert a.counts["Actor"] == {"GovernmentBody": 2}
    assert a.counts["Instrument"] == {"Plan": 1, "Platform": 1}
    assert list(a.predicates.items()) == [("prioritisesSector", 2), ("collaboratesWith", 1),
                                          ("implements", 1), ("launches", 1), ("targetsRegion", 1)]
    assert a.components == (6, 1)
    assert {s.key for s in a.scores[:2]} == {"工业和信息化部", "制造业规划"}
    assert a.scores[0].degree == a.scores[1].degree == 3
    assert a.scores[0].betweenness >= a.scores[1].betweenness
    assert a.top(1, "Instrument")[0].key == "制造业规划"
    assert [s.key for s in a.top(5, "Sector")] == ["汽车", "孤立产业"]
    by_key = {s.key: s for s in a.scores}
    assert by_key["孤立产业"].betweenness == 0.0
    assert by_key["工业和信息化部"].betweenness > by_key["广东省"].betweenness


def test_profiles_say_who_uses_what_on_which_sector_and_region_per_document(small):
    docs = {d.doc_id: d for d in analyse(small).documents}
    assert set(docs) == {"d1", "d2"}
    (use,) = docs["d1"].usages
    assert (use.actor, use.predicate, use.instrument, use.sectors, use.regions) == (
        "工业和信息化部", "implements", "制造业规划", ("汽车",), ("广东省",))
    uses = {(u.actor, u.predicate, u.instrument): u for u in docs["d2"].usages}
    assert set(uses) == {("工业和信息化部", "implements", "制造业规划"),
                         ("工业和信息化部", "launches", "协调平台")}
    # The platform's sector was read in d1 only, so it is not claimed for d2.
    assert uses[("工业和信息化部", "launches", "协调平台")].sectors == ()
    assert docs["d2"].actors == ("国务院", "工业和信息化部")


def _two_cliques():
    entities = [Entity(f"A{i}", "GovernmentBody") for i in range(5)]
    entities += [Entity(f"B{i}", "Industry") for i in range(5)]
    relations = [_rel(f"{g}{i}", "collaboratesWith", f"{g}{j}")
                 for g in "AB" for i in range(5) for j in range(i + 1, 5)]
    relations.append(_rel("A0", "prioritisesSector", "B0"))
    return entities, relations


def test_louvain_finds_the_two_cliques_deterministically():
    entities, relations = _two_cliques()
    first = analyse(from_records(entities, relations, top_class=TOP_CLASS))
    shuffled = analyse(from_records(entities[::-1], relations[::-1], top_class=TOP_CLASS))
    assert [sorted(c.members) for c in first.communities] == [
        [f"A{i}" for i in range(5)], [f"B{i}" for i in range(5)]]
    assert first.to_json() == shuffled.to_json()
    bridge = {s.key: s.betweenness for s in first.scores}
    assert bridge["A0"] == bridge["B0"] == max(bridge.values())


def test_big_graphs_use_seeded_sampled_betweenness(monkeypatch):
    monkeypatch.setattr(analytics, "EXACT_BETWEENNESS_MAX", 3)
    monkeypatch.setattr(analytics, "_BETWEENNESS_SAMPLE", 4)
    entities, relations = _two_cliques()
    graph = from_records(entities, relations, top_class=TOP_CLASS)
    a, b = analyse(graph, seed=3), analyse(graph, seed=3)
    assert a.betweenness_sample == 4
    assert a.to_json() == b.to_json()


def test_rdf_graph_to_networkx(seed_build):
    g = Graph().parse(seed_build.outputs["graph.ttl"])
    iris = {s for top in (KG.Actor, KG.Instrument, KG.Sector, KG.Region)
            for s in g.subjects(RDF.type, top)}
    net = to_networkx(g)
    assert net.number_of_nodes() == len(iris)
    assert {d["iri"] for _, d in net.nodes(data=True)} == {str(i) for i in iris}
    miit = net.nodes["工业和信息化部"]
    assert miit["top"] == "Actor" and miit["cls"] == "GovernmentBody" and "工信部" in miit["aliases"]
    assert miit["mentions"] > 0
    keys = {k for _, _, k in net.edges(keys=True)}
    assert {"implements", "launches", "prioritisesSector", "broader"} <= keys
    implements = [d for _, _, k, d in net.edges(keys=True, data=True) if k == "implements"]
    assert all(d["evidence"] and d["evidence"][0].text for d in implements)
    # Reading from the build directory gives the same graph.
    again = to_networkx(seed_build.outputs["graph.ttl"].parent)
    assert sorted(again.edges(keys=True)) == sorted(net.edges(keys=True))


def test_seed_analytics_duplicates_and_profiles(seed_build):
    a = analyse(seed_build.outputs["graph.ttl"])
    assert [(d.doc_id, d.canonical) for d in a.duplicates] == [
        ("001_ee3f52ac81cc7dfa", "000_b141859fa34bbaf2")]
    assert a.scores[0].key == "工业和信息化部"
    profile = {d.doc_id: d for d in a.documents}["000_b141859fa34bbaf2"]
    assert any(u.actor == "工业和信息化部" and u.sectors for u in profile.usages)
    assert a.communities[0].size >= 5
    assert seed_build.analytics is not None and seed_build.analytics.to_json() == a.to_json()


def test_reads_rdf_only_through_namespace_terms():
    source = inspect.getsource(analytics)
    assert not re.search(r"[\"']https?://", source)


def _same_network(a, b):
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
    assert a.graph == b.graph


def test_network_from_build_records_is_the_network_of_graph_ttl(seed_build, pipeline):
    from kg.analytics import from_build

    net = from_build(seed_build.documents, seed_build.groups, seed_build.extractions, seed_build.entities,
                     lexicon=pipeline.lexicon, tree=pipeline.tree, base=pipeline.settings.base)
    rdf = to_networkx(seed_build.outputs["graph.ttl"])
    _same_network(net, rdf)
    assert net.graph["duplicates"] and any(d["roles"] for _, _, d in net.edges(data=True))  # what it covers
    assert any(k == "broader" for _, _, k in net.edges(keys=True))


def test_network_from_build_records_of_several_documents(jieba_pipeline, tmp_path):
    from kg.analytics import from_build
    from kg.pipeline import build

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("工信部将落实“白名单”制度，支持集成电路产业发展。辛国斌副部长表示，长三角要加快复工。\n",
                               encoding="utf-8")
    (src / "b.txt").write_text("国家发展改革委推进珠三角一体化。工信部将落实“白名单”制度，保障重点企业复工。\n",
                               encoding="utf-8")
    r = build([str(src)], tmp_path / "out", pipeline=jieba_pipeline, html=False)
    net = from_build(r.documents, r.groups, r.extractions, r.entities, lexicon=jieba_pipeline.lexicon,
                     tree=jieba_pipeline.tree, base=jieba_pipeline.settings.base)
    _same_network(net, to_networkx(r.outputs["graph.ttl"]))
    assert len(net.graph["documents"]) == 2
