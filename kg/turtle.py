"""RDF terms as N-Triples text, and a fast deterministic Turtle writer for ``graph.ttl``.

A build holds its triples as plain strings in N-Triples syntax (``<iri>``, ``"text"@zh``,
``"3"^^<…#integer>``), not as rdflib objects: a triple is a tuple of three such terms.  The
strings are cheap to make, to sort and to hash, they are what the store parses (pyoxigraph reads
N-Triples in Rust), and :class:`TurtleWriter` turns sorted triples into Turtle without
re-parsing them.  rdflib's serializer spends about 100 µs per triple; this writer a few.

Every term is written the way :func:`iri` and :func:`literal` build it, whichever library the
term came from (:func:`from_rdflib`, :func:`from_oxigraph`), so the same graph gives the same
bytes.

>>> t = (iri("http://example.org/a"), iri("http://example.org/p"), literal('say "hi"', lang="zh"))
>>> " ".join(t)
'<http://example.org/a> <http://example.org/p> "say \\\\"hi\\\\""@zh'
>>> print(TurtleWriter({"ex": "http://example.org/"}).body([t]), end="")
ex:a ex:p "say \\"hi\\""@zh .
<BLANKLINE>
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from itertools import groupby
from operator import itemgetter
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from rdflib import OWL, RDF, RDFS, SKOS, XSD
from rdflib.namespace import DCTERMS, ORG, PROV

from .errors import KGError
from .namespace import KG

__all__ = ["Triple", "PREFIXES", "iri", "literal", "integer", "decimal", "from_rdflib", "from_oxigraph",
           "ntriples", "TurtleWriter", "turtle_document"]

#: One triple: subject, predicate and object, each a term in N-Triples syntax.
Triple = Tuple[str, str, str]

#: The prefixes of ``graph.ttl`` (``kgr``, the build's base, is added by the caller).
PREFIXES: Mapping[str, str] = {
    "dcterms": str(DCTERMS), "kg": str(KG), "org": str(ORG), "owl": str(OWL), "prov": str(PROV),
    "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS), "xsd": str(XSD),
}

_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_INTEGER_SUFFIX = f'"^^<{_XSD_INTEGER}>'
_TYPE = f"<{RDF.type}>"

# What an IRIREF may not hold (RDF 1.1 N-Triples and Turtle), and a "%" that does not start a
# %-escape (RFC 3987; pyoxigraph refuses it); minted IRIs %-encode all of it.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]|%(?![0-9A-Fa-f]{2})')
# Characters a string literal must escape: the four the grammar forbids, and the other control
# characters, which some parsers refuse raw.
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_LANG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*\Z")
_BNODE = re.compile(r"[A-Za-z0-9_]+\Z")
_CANONICAL_INTEGER = re.compile(r"[+-]?[0-9]+\Z")

# PN_LOCAL of Turtle (RDF 1.1), without the backslash escapes: where a prefixed name may be used.
_BASE_CHARS = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
               "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_CHARS_U = _BASE_CHARS + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = "%[0-9A-Fa-f]{2}"
_PN_LOCAL = re.compile(f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?\\Z")


# --------------------------------------------------------------------------- terms


def iri(value: str) -> str:
    """``<value>``; raises :class:`KGError` if ``value`` holds a character an IRI may not hold.

    >>> iri("https://w3id.org/policy-kg/id/actor/工信部")
    '<https://w3id.org/policy-kg/id/actor/工信部>'
    """
    if _BAD_IRI.search(value):
        raise KGError(f"not a valid IRI (space, quote, angle bracket, control character or stray %): {value!r}")
    return f"<{value}>"


def _escape(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text)


def literal(value: str, *, lang: Optional[str] = None, datatype: Optional[str] = None) -> str:
    """A literal: plain (``xsd:string``), language-tagged or typed by the IRI ``datatype``.

    >>> literal('a "b"\\n')
    '"a \\\\"b\\\\"\\\\n"'
    >>> literal("工信部", lang="zh")
    '"工信部"@zh'
    """
    if lang:
        if not _LANG.match(lang):
            raise KGError(f"not a valid language tag: {lang!r}")
        return f'"{_escape(value)}"@{lang.lower()}'
    if datatype is None or datatype == _XSD_STRING:
        return f'"{_escape(value)}"'
    return f'"{_escape(value)}"^^{iri(datatype)}'


def integer(value: int) -> str:
    """An ``xsd:integer`` literal."""
    return f'"{int(value)}{_INTEGER_SUFFIX}'


def decimal(value: str) -> str:
    """An ``xsd:decimal`` literal in canonical form where it is one (``05`` → ``5``, ``.5`` → ``0.5``)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    text = format(number, "f") if number is not None and number.is_finite() else value
    return literal(text, datatype=str(XSD.decimal))


def from_rdflib(term) -> str:
    """An rdflib term (IRI, literal or blank node) in N-Triples syntax."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return iri(str(term))
    if isinstance(term, Literal):
        return literal(str(term), lang=term.language, datatype=str(term.datatype) if term.datatype else None)
    if isinstance(term, BNode):
        return _bnode(str(term))
    raise KGError(f"cannot write RDF term {term!r} of type {type(term).__name__}")


def from_oxigraph(term) -> str:
    """A pyoxigraph term (named node, literal or blank node) in N-Triples syntax."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return iri(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return literal(term.value, lang=term.language)
        return literal(term.value, datatype=term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return _bnode(term.value)
    raise KGError(f"cannot write RDF term {term!r} of type {type(term).__name__}")


def _bnode(label: str) -> str:
    if not _BNODE.match(label):
        raise KGError(f"blank node label {label!r} is not [A-Za-z0-9_]+")
    return f"_:{label}"


def ntriples(triples: Iterable[Triple]) -> bytes:
    """The triples as an N-Triples document, one line each, in the order given."""
    return "".join([f"{s} {p} {o} .\n" for s, p, o in triples]).encode("utf-8")


# --------------------------------------------------------------------------- Turtle


class TurtleWriter:
    """Turtle text of sorted triples: ``@prefix`` lines, then one block per subject.

    Within a block ``rdf:type`` (written ``a``) comes first, then the other predicates in the
    order of the triples, objects of one predicate joined with ``,``.  An IRI is written as a
    prefixed name when it is a prefix's namespace followed by a valid ``PN_LOCAL`` (no escapes
    needed), otherwise in full; an ``xsd:integer`` as a bare number; every other literal as in
    N-Triples, whose escapes Turtle shares.  Namespaces must end in ``/`` or ``#``.
    """

    def __init__(self, prefixes: Mapping[str, str]):
        bad = [ns for ns in prefixes.values() if not ns.endswith(("/", "#"))]
        if bad:
            raise ValueError(f"prefix namespaces must end in / or #: {bad}")
        self.prefixes = dict(sorted(prefixes.items()))
        self._prefix_of = {ns: p for p, ns in self.prefixes.items()}
        self._names: Dict[str, str] = {}  # IRI term -> Turtle, for predicates and IRI objects

    def header(self) -> str:
        """The ``@prefix`` lines and a blank line."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"

    def body(self, triples: Sequence[Triple]) -> str:
        """The blocks of ``triples``, which must be sorted (subjects grouped, then predicates)."""
        out: List[str] = []
        for subject, rows in groupby(triples, key=itemgetter(0)):
            predicates = []
            for p, group in groupby(rows, key=itemgetter(1)):
                objects = ",\n        ".join([self._object(o) for _, _, o in group])
                if p == _TYPE:
                    predicates.insert(0, f"a {objects}")
                else:
                    predicates.append(f"{self._name(p)} {objects}")
            out.append(f"{self._iri(subject)} " + " ;\n    ".join(predicates) + " .\n\n")
        return "".join(out)

    def _iri(self, term: str) -> str:
        if term[0] != "<":
            return term  # a blank node
        cut = max(term.rfind("/"), term.rfind("#")) + 1
        prefix = self._prefix_of.get(term[1:cut])
        if prefix is not None:
            local = term[cut:-1]
            if not local or _PN_LOCAL.match(local):
                return f"{prefix}:{local}"
        return term

    def _name(self, term: str) -> str:
        name = self._names.get(term)
        if name is None:
            if len(self._names) > 100_000:  # entity IRIs repeat; sentence and evidence IRIs do not
                self._names.clear()
            name = self._names[term] = self._iri(term)
        return name

    def _object(self, term: str) -> str:
        if term[0] != '"':
            return self._name(term)
        if term[-1] != ">":
            return term  # plain or language-tagged
        if term.endswith(_INTEGER_SUFFIX):
            lexical = term[1:-len(_INTEGER_SUFFIX)]
            if _CANONICAL_INTEGER.match(lexical):
                return lexical
        cut = term.rfind('"^^<') + 3
        return term[:cut] + self._name(term[cut:])


def turtle_document(triples: Iterable[Triple], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Turtle of a small graph: its distinct triples sorted, so the same graph gives the same bytes."""
    writer = TurtleWriter(prefixes)
    return (writer.header() + writer.body(sorted(set(triples)))).encode("utf-8")
