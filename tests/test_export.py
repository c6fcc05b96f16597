"""kg export: RDF with named graphs, JSON-LD, GraphML and CSV tables, all readable back."""
from __future__ import annotations

import csv

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.export import export


@pytest.fixture(scope="module")
def exported(seed_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    return seed_build, export(seed_build.outputs["graph.ttl"].parent, out)


def test_turtle_is_the_union_written_like_graph_ttl(exported):
    build, files = exported
    # the store holds exactly the build's graphs, so its export is graph.ttl byte for byte
    assert files["graph.ttl"].read_bytes() == build.outputs["graph.ttl"].read_bytes()
    assert isomorphic(Graph().parse(files["graph.ttl"]), Graph().parse(build.outputs["graph.ttl"]))


@pytest.mark.parametrize("name, fmt", [("graph.trig", "trig"), ("graph.nq", "nquads"), ("graph.jsonld", "json-ld")])
def test_named_graphs_are_kept(exported, name, fmt):
    build, files = exported
    ds = Dataset()
    ds.parse(files[name], format=fmt)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {n.rsplit("/", 1)[-1] for n in names} >= {"ontology", "entities", "000_b141859fa34bbaf2", "001_ee3f52ac81cc7dfa"}
    union = Graph()
    for g in ds.graphs():
        union += g
    assert isomorphic(union, Graph().parse(build.outputs["graph.ttl"]))


def test_graphml_reads_in_networkx(exported):
    import networkx as nx

    _, files = exported
    net = nx.read_graphml(files["graph.graphml"])
    labels = {d.get("label") for _, d in net.nodes(data=True)}
    assert "工业和信息化部" in labels and net.number_of_edges() > 10


def test_csv_tables(exported):
    build, files = exported
    with open(files["entities.csv"], encoding="utf-8") as fh:
        entities = list(csv.DictReader(fh))
    assert {"iri", "label", "class", "top_class", "mention_count"} <= set(entities[0])
    assert len([e for e in entities if e["label"] == "工业和信息化部"]) == 1
    with open(files["relations.csv"], encoding="utf-8") as fh:
        relations = list(csv.DictReader(fh))
    assert ("工业和信息化部", "implements", "白名单制度") in {(r["subject"], r["predicate"], r["object"]) for r in relations}
    assert all(int(r["evidence_count"]) >= 0 for r in relations)


def test_export_is_deterministic(exported, tmp_path):
    build, files = exported
    again = export(build.outputs["graph.ttl"].parent, tmp_path, ["trig", "nq", "csv"])
    for name, path in again.items():
        assert path.read_bytes() == files[name].read_bytes(), name


def test_cli_export(seed_build, tmp_path, capsys):
    assert main(["export", str(seed_build.outputs["graph.ttl"].parent), "-o", str(tmp_path), "--format", "nq"]) == 0
    assert (tmp_path / "graph.nq").stat().st_size > 0
    assert main(["export", str(tmp_path / "nothing"), "-o", str(tmp_path)]) == 2
    assert "no triple store" in capsys.readouterr().err
