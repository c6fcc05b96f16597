"""kg query: parameters bound as RDF terms, updates refused, the named query library."""
from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef

from kg.cli import main
from kg.errors import QueryError
from kg.query import QuerySession, named_queries, parse_param, query_kind, run_query

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


# The library's queries are written for the planner: the bound label first, type tests as
# filters, relation triples (repeated in every document graph that states them) deduplicated
# before they fan out.  These plain forms ask the same questions; on the seed graph both must give
# the same rows for every value a parameter can take there.
PLAIN = {
    "documents_mentioning": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?entity ?document ?title WHERE {
  ?doc a kg:Document ;
       dcterms:identifier ?document ;
       kg:mentions ?e .
  ?e skos:prefLabel ?entity .
  OPTIONAL { ?doc dcterms:title ?title }
}
ORDER BY ?entity ?document
""",
    "evidence": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?subject ?relation ?object ?document ?start ?end ?rule ?sentence WHERE {
  ?e a kg:Evidence ;
     rdf:subject ?s ;
     rdf:predicate ?relation ;
     rdf:object ?o ;
     kg:sentence ?sent ;
     kg:startOffset ?start ;
     kg:endOffset ?end ;
     kg:rule ?rule ;
     prov:wasDerivedFrom ?doc .
  ?sent kg:text ?sentence .
  ?doc dcterms:identifier ?document .
  ?s skos:prefLabel ?subject .
  ?o skos:prefLabel ?object .
}
ORDER BY ?subject ?object ?relation ?document ?start
""",
    "instruments_by_actor": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?actor ?relation ?instrument WHERE {
  VALUES ?relation { kg:implements kg:launches }
  ?a ?relation ?i ;
     skos:prefLabel ?actor .
  ?i skos:prefLabel ?instrument .
}
ORDER BY ?actor ?instrument ?relation
""",
    "instruments_by_sector": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?sector ?instrument ?actor WHERE {
  ?i a kg:Instrument ;
     skos:prefLabel ?instrument ;
     kg:prioritisesSector ?s .
  ?s skos:prefLabel ?sector .
  OPTIONAL { ?a kg:implements|kg:launches ?i . ?a skos:prefLabel ?actor }
}
ORDER BY ?sector ?instrument ?actor
""",
    "most_connected": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?class ?entity (COUNT(DISTINCT ?other) AS ?degree) WHERE {
  VALUES ?class { kg:Actor kg:Instrument kg:Sector kg:Region }
  VALUES ?p { kg:implements kg:launches kg:prioritisesSector kg:targetsRegion kg:subUnitOf
              kg:officialOf kg:collaboratesWith kg:announces kg:partOfRegion skos:broader }
  ?e a ?class ;
     skos:prefLabel ?entity .
  { ?e ?p ?other } UNION { ?other ?p ?e }
}
GROUP BY ?class ?entity
ORDER BY ?class DESC(?degree) ?entity
""",
    "people_posts": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?person ?post ?organisation WHERE {
  ?p a kg:Person ;
     skos:prefLabel ?person ;
     org:holds ?x .
  ?x org:postIn ?o ;
     org:role ?role .
  ?role skos:prefLabel ?post .
  ?o skos:prefLabel ?organisation .
}
ORDER BY ?person ?organisation ?post
""",
    "regions": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?region ?kind ?target WHERE {
  ?r a kg:Region , ?kind ;
     skos:prefLabel ?region .
  FILTER (?kind != kg:Region)
  OPTIONAL { ?t kg:targetsRegion ?r . ?t skos:prefLabel ?target }
}
ORDER BY ?region ?kind ?target
""",
    "sectors_by_instrument": """\
PREFIX kg: <https://w3id.org/policy-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?instrument ?sector WHERE {
  ?i a kg:Instrument ;
     skos:prefLabel ?instrument ;
     kg:prioritisesSector ?s .
  ?s skos:prefLabel ?sector .
}
ORDER BY ?instrument ?sector
""",
}


def _cases(session, nq):
    """Parameter bindings taken from the graph: each parameter alone with every value it can take
    (labels, or classes for an IRI parameter), every combination the unbound query answers, and none."""
    labels = [r[0] for r in session.run("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                                        "SELECT DISTINCT ?l WHERE { ?x skos:prefLabel ?l }").rows]
    classes = [r[0] for r in session.run("SELECT DISTINCT ?c WHERE { ?x a ?c }").rows]
    keys = [k for k, _ in nq.params]
    cases = [{}]
    for k, what in nq.params:
        values = classes if "=<" in what else labels
        cases += [{k: v} for v in values]
    answered = session.run(name=nq.name)
    at = [answered.columns.index(k) for k in keys]
    cases += [dict(zip(keys, combo)) for combo in sorted({tuple(row[i] for i in at) for row in answered.rows})]
    return cases


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_library_query_answers_as_its_plain_form(out, name):
    nq = named_queries()[name]
    answered = 0
    with QuerySession.open(out) as session:
        for bound in _cases(session, nq):
            fast = session.select(nq.text, bound, library=True)
            plain = session.select(PLAIN[name], bound, library=False)
            assert fast.columns == plain.columns
            assert sorted(map(repr, fast.rows)) == sorted(map(repr, plain.rows)), (name, bound)
            answered += bool(fast.rows)
    assert answered > 1, name


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_library_query_reads_no_bookkeeping(out, name):
    """A library query reads the union of all graphs, bookkeeping included: the same rows as on the data graphs alone."""
    nq = named_queries()[name]
    example = {k: what.split("e.g. ", 1)[1].split("=", 1)[1] for k, what in nq.params}
    with QuerySession.open(out) as session:
        for params in ({}, example):
            bound = dict(parse_param(f"{k}={v}") for k, v in params.items())
            fast = session.select(nq.text, bound, library=True)
            exact = session.select(nq.text, bound, library=False)
            assert fast.rows and sorted(map(repr, fast.rows)) == sorted(map(repr, exact.rows)), (name, params)


def test_union_of_all_graphs_holds_the_bookkeeping(out):
    """Why the test above can fail: a query that matches any triple sees more in the union."""
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with QuerySession.open(out) as session:
        union = session.select(everything, {}, library=True).rows
        data = session.select(everything, {}, library=False).rows
    assert set(data) < set(union)


def test_session_runs_many_queries_on_one_open_store(out):
    with QuerySession.open(out) as session:
        for name in sorted(EXPECTED_QUERIES):
            assert session.run(name=name).rows == run_query(out, name=name).rows
        assert session.run(name="people_posts", params=["person=辛国斌@zh"]).rows == \
            run_query(out, name="people_posts", params=["person=辛国斌@zh"]).rows
        with pytest.raises(QueryError, match="read-only"):
            session.run("DELETE WHERE { ?s ?p ?o }")
        assert session.run("ASK { ?s ?p ?o }").rows[0][0].toPython() is True
