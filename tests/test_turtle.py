"""kg/turtle.py: N-Triples terms and the Turtle writer, read back by three independent parsers."""
from __future__ import annotations

import shutil
import subprocess

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import KGError
from kg.turtle import TurtleWriter, from_oxigraph, from_rdflib, iri, literal, turtle_document

EX = "http://example.org/"
PREFIXES = {"ex": EX, "xsd": str(XSD)}

HOSTILE_TEXTS = [
    'a "quoted" word', "back\\slash", "two\nlines", "carriage\rreturn", 'triple """ quotes', "'single'",
    'ends with a quote"', "ends with a backslash\\", "tab\there", "bell\x07 and escape\x1b", "delete\x7f",
    "emoji 😀 and 国务院", "line\u2028separator", "", " ", "@zh", "^^<x>", "# not a comment", "a . b ; c , d",
]
# Not "." alone: raptor removes the dot segment of <http://example.org/.> (minted IRIs %-encode dots).
HOSTILE_LOCALS = ["a%20b", "ends.with.dot.", "a:b", "1starts-with-digit", "工信部", "_x", "-x", "a·b", "",
                  "has space%41", "semi;colon", "slash/inside", "hash#inside", "dot."]


def _graph() -> Graph:
    g = Graph()
    s = URIRef(EX + "s")
    for i, text in enumerate(HOSTILE_TEXTS):
        g.add((s, URIRef(EX + f"text{i}"), Literal(text)))
        g.add((s, URIRef(EX + "zh"), Literal(text, lang="zh")))
    for local in HOSTILE_LOCALS:
        node = URIRef(EX + local.replace(" ", "%20"))
        g.add((node, URIRef(EX + "p"), URIRef(EX + "o" + local.replace(" ", "%20"))))
    g.add((s, URIRef(EX + "n"), Literal(42)))
    g.add((s, URIRef(EX + "n"), Literal(-7)))
    g.add((s, URIRef(EX + "d"), Literal("6.50", datatype=XSD.decimal)))
    g.add((s, URIRef(EX + "odd"), Literal("x y", datatype=URIRef(EX + "myType"))))
    return g


def _triples(g: Graph):
    return [(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in g]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("turtle") / "hostile.ttl"
    path.write_bytes(turtle_document(_triples(_graph()), PREFIXES))
    return path


def test_rdflib_reads_back_the_same_graph(written):
    assert isomorphic(Graph().parse(written, format="turtle"), _graph())


def test_pyoxigraph_reads_back_the_same_terms(written):
    quads = ox.parse(path=str(written), format=ox.RdfFormat.TURTLE)
    got = {(from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)) for q in quads}
    assert got == set(_triples(_graph()))


def test_rapper_reads_back_the_same_graph(written):
    rapper = shutil.which("rapper")
    assert rapper, "rapper (Debian raptor2-utils) is required: make test installs it"
    out = subprocess.run([rapper, "-q", "-i", "turtle", "-o", "ntriples", str(written)],
                         capture_output=True, check=True)
    assert isomorphic(Graph().parse(data=out.stdout, format="nt"), _graph())


def test_prefixed_names_only_for_valid_local_names(written):
    text = written.read_text(encoding="utf-8")
    assert "ex:a%20b " in text and "ex:工信部 " in text and "ex:a:b " in text  # valid PN_LOCAL
    assert f"<{EX}ends.with.dot.>" in text  # a local name may not end with "."
    assert f"<{EX}slash/inside>" in text and f"<{EX}hash#inside>" in text
    assert f"<{EX}-x>" in text  # may not start with "-"
    assert " 42" in text and '"6.50"^^xsd:decimal' in text  # integers bare, other datatypes prefixed


def test_same_triples_in_any_order_give_the_same_bytes():
    triples = _triples(_graph())
    assert turtle_document(triples, PREFIXES) == turtle_document(triples[::-1] + triples[:3], PREFIXES)


def test_type_first_and_objects_grouped():
    writer = TurtleWriter(PREFIXES)
    rdf_type = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    s = iri(EX + "s")
    text = writer.body(sorted([(s, rdf_type, iri(EX + "C")), (s, iri(EX + "a"), literal("1")),
                               (s, iri(EX + "a"), literal("2"))]))
    assert text == 's a ex:C ;\n    ex:a "1",\n        "2" .\n\n'.replace("s a", "ex:s a")


@pytest.mark.parametrize("bad", ["http://example.org/a b", "http://example.org/<x>", 'http://e.org/"', "a\\b",
                                 "http://example.org/100%", "http://example.org/%zz"])
def test_an_iri_that_cannot_be_written_is_an_error(bad):
    with pytest.raises(KGError, match="not a valid IRI"):
        iri(bad)


def test_terms_from_rdflib_and_oxigraph_are_written_alike():
    pairs = [(URIRef(EX + "工信部"), ox.NamedNode(EX + "工信部")),
             (Literal('say "hi"\n', lang="zh"), ox.Literal('say "hi"\n', language="zh")),
             (Literal("plain"), ox.Literal("plain")),
             (Literal(3), ox.Literal("3", datatype=ox.NamedNode(str(XSD.integer))))]
    for rdflib_term, ox_term in pairs:
        assert from_rdflib(rdflib_term) == from_oxigraph(ox_term)
