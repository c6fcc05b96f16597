"""kg query: parameters bound as RDF terms, updates refused, the named query library."""
from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef

from kg.cli import main
from kg.errors import QueryError
from kg.query import named_queries, parse_param, query_kind, run_query

MIIT = Literal("工业和信息化部", lang="zh")
EXPECTED_QUERIES = {"instruments_by_actor", "sectors_by_instrument", "instruments_by_sector", "regions",
                    "people_posts", "evidence", "documents_mentioning", "most_connected"}


@pytest.fixture(scope="module")
def out(seed_build):
    return seed_build.outputs["graph.ttl"].parent


@pytest.mark.parametrize("spec, key, term", [
    ("actor=工业和信息化部@zh", "actor", MIIT),
    ("?n=42", "n", Literal(42)),
    ("x=<https://w3id.org/policy-kg/id/sector/汽车>", "x", URIRef("https://w3id.org/policy-kg/id/sector/汽车")),
    ("t=plain text", "t", Literal("plain text")),
    ('v=公开"@zh . ?x ?p ?o } #', "v", Literal('公开"@zh . ?x ?p ?o } #')),
    ("e=a@b@zh", "e", Literal("a@b", lang="zh")),
])
def test_parse_param(spec, key, term):
    assert parse_param(spec) == (key, term)


@pytest.mark.parametrize("spec", ["novalue", "1x=3", "x=<not an iri>"])
def test_bad_params_are_refused(spec):
    with pytest.raises(QueryError):
        parse_param(spec)


def test_library_has_the_promised_queries_each_with_a_question():
    library = named_queries()
    assert EXPECTED_QUERIES <= set(library)
    for q in library.values():
        assert q.question.endswith("?"), q.name


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_every_named_query_answers_on_the_seeds(out, name):
    result = run_query(out, name=name)
    assert result.rows, name
    assert all(len(r) == len(result.columns) for r in result.rows)


def test_bound_parameter_filters_rows(out):
    rows = run_query(out, name="instruments_by_actor", params={"actor": "工业和信息化部@zh"}).rows
    assert rows and {r[0] for r in rows} == {MIIT}
    assert "白名单制度" in {str(r[2]) for r in rows}
    posts = run_query(out, name="people_posts", params=["person=辛国斌@zh"]).rows
    assert [(str(p), str(o)) for _, p, o in posts] == [("副部长", "工业和信息化部")]


def test_injection_attempt_is_just_a_literal(out):
    evil = '公开"@zh . ?x ?p ?o } #'
    assert run_query(out, name="instruments_by_actor", params={"actor": evil}).rows == ()
    assert run_query(out, name="instruments_by_actor", params=[f"actor={evil}"]).rows == ()


@pytest.mark.parametrize("text, kind", [
    ("SELECT * WHERE { ?s ?p ?o }", "query"),
    ("PREFIX kg: <https://w3id.org/policy-kg/ontology#> DELETE WHERE { ?s kg:x ?o }", "update"),
    ("# SELECT\n  insert data { <a:b> <a:c> <a:d> }", "update"),
    ('SELECT * WHERE { ?s ?p "DELETE" }', "query"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", "update"),
])
def test_query_kind(text, kind):
    assert query_kind(text) == kind


def test_update_is_refused_without_flag(out):
    with pytest.raises(QueryError, match="--update"):
        run_query(out, "DELETE WHERE { ?s ?p ?o }")
    assert run_query(out, "ASK { ?s ?p ?o }").rows[0][0].toPython() is True


def test_service_is_refused(out):
    with pytest.raises(QueryError, match="SERVICE"):
        run_query(out, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_update_with_flag_changes_a_copy(seed_build, tmp_path, pipeline):
    from kg.pipeline import build
    from pathlib import Path

    out = tmp_path / "o"
    build([str(Path(__file__).resolve().parent.parent / "seeds")], out, pipeline=pipeline, html=False)
    q = "PREFIX kg: <https://w3id.org/policy-kg/ontology#> DELETE WHERE { GRAPH ?g { ?e a kg:Evidence ; ?p ?o } }"
    run_query(out, q, update=True)
    assert run_query(out, "PREFIX kg: <https://w3id.org/policy-kg/ontology#> ASK { ?e a kg:Evidence }").rows[0][0].toPython() is False


def test_syntax_error_is_a_query_error(out):
    with pytest.raises(QueryError, match="syntax"):
        run_query(out, "SELECT WHERE {")


def test_dataframe(out):
    df = run_query(out, name="most_connected").to_dataframe()
    assert list(df.columns) == ["class", "entity", "degree"] and df["degree"].dtype.kind == "i"


def test_cli_formats_and_list(out, capsys, tmp_path):
    assert main(["query", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in EXPECTED_QUERIES)
    assert main(["query", str(out), "--name", "people_posts", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["head"]["vars"] == ["person", "post", "organisation"]
    rq = tmp_path / "q.rq"
    rq.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                  "SELECT ?l WHERE { ?x skos:prefLabel ?l }", encoding="utf-8")
    assert main(["query", str(out), "-f", str(rq), "--param", "l=辛国斌@zh", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["l", "辛国斌"]
    assert main(["query", str(out), "DROP ALL"]) == 2
    assert "--update" in capsys.readouterr().err
