"""SHACL shapes, OWL RL consistency and declared terms, on the seed graph and on broken copies."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from kg.cli import main
from kg.namespace import KG
from kg.validate import SHAPES, owl_rl_problems, undeclared_terms, validate_graph

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def g(seed_build):
    return Graph().parse(seed_build.outputs["graph.ttl"], format="turtle")


def _node(g, label):
    (node,) = set(g.subjects(SKOS.prefLabel, Literal(label, lang="zh")))
    return node


def test_seed_graph_conforms(g):
    report = validate_graph(g)
    assert report.conforms, report.summary()


def _broken(g, change):
    bad = Graph()
    bad += g
    change(bad)
    return bad


def _no_label(bad):
    bad.remove((_node(bad, "工业和信息化部"), SKOS.prefLabel, None))


def _two_top_classes(bad):
    bad.add((_node(bad, "汽车"), RDF.type, KG.Region))


def _english_label(bad):
    node = _node(bad, "汽车")
    bad.remove((node, SKOS.prefLabel, None))
    bad.add((node, SKOS.prefLabel, Literal("cars", lang="en")))


def _wrong_range(bad):
    bad.add((_node(bad, "工业和信息化部"), KG.prioritisesSector, _node(bad, "工业和信息化部")))


def _evidence_outside_sentence(bad):
    ev = next(bad.subjects(RDF.type, KG.Evidence))
    bad.set((ev, KG.endOffset, Literal(10 ** 7)))


def _evidence_without_document(bad):
    ev = next(bad.subjects(RDF.type, KG.Evidence))
    bad.remove((ev, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None))


@pytest.mark.parametrize("change, expected", [
    (_no_label, "prefLabel"),
    (_two_top_classes, "汽车"),
    (_english_label, "prefLabel"),
    (_wrong_range, "prioritisesSector"),
    (_evidence_outside_sentence, "not inside its sentence"),
    (_evidence_without_document, "wasDerivedFrom"),
])
def test_broken_graphs_are_caught(g, change, expected):
    report = validate_graph(_broken(g, change))
    assert not report.conforms
    assert any(expected in v for v in report.violations), report.summary()


def test_shapes_cover_every_domain_and_range_of_the_ontology():
    onto = Graph().parse(ONTOLOGY)
    shapes = Graph().parse(SHAPES)
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        domain, range_ = onto.value(prop, RDFS.domain), onto.value(prop, RDFS.range)
        if domain is None or range_ is None:
            continue
        (shape,) = set(shapes.subjects(SH.targetSubjectsOf, prop)), 
        shape = shape.pop() if shape else None
        assert shape is not None, f"no shape for {prop}"
        assert shapes.value(shape, SH["class"]) == domain, prop
        ranges = {shapes.value(p, SH["class"]) for p in shapes.objects(shape, SH.property)
                  if shapes.value(p, SH.path) == prop}
        assert ranges == {range_}, prop


def test_ontology_and_graph_are_owl_rl_consistent(g):
    assert owl_rl_problems(Graph().parse(ONTOLOGY)) == []
    assert owl_rl_problems(g) == []


def test_owl_rl_check_finds_an_inconsistency():
    onto = Graph().parse(ONTOLOGY)
    onto.add((KG.Sector, OWL.disjointWith, KG.Region))
    x = URIRef("https://w3id.org/policy-kg/id/x")
    onto.add((x, RDF.type, KG.Industry))
    onto.add((x, RDF.type, KG.City))
    assert owl_rl_problems(onto)


def test_every_term_used_is_declared(g):
    assert undeclared_terms(g, Graph().parse(ONTOLOGY)) == set()


def test_undeclared_term_is_found(g):
    bad = _broken(g, lambda b: b.add((_node(b, "汽车"), URIRef(str(SKOS) + "prefLable"), Literal("x"))))
    assert undeclared_terms(bad, Graph().parse(ONTOLOGY)) == {URIRef(str(SKOS) + "prefLable")}


def test_build_validate_flag(jieba_pipeline, tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("工信部将落实“白名单”制度。", encoding="utf-8")
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--segmenter", "jieba", "--no-html", "--validate"]) == 0
    assert "conforms" in capsys.readouterr().out
