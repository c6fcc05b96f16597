"""SPARQL over the graph: the embedded store or a remote endpoint, with parameters bound as RDF terms.

:func:`run_query` is the Python API behind ``kg query``::

    from kg.query import run_query
    r = run_query("out", name="instruments_by_actor", params={"actor": "工业和信息化部@zh"})
    r.columns, r.rows          # ('actor', 'relation', 'instrument'), ((Literal(...), URIRef(...), ...), ...)
    r.to_dataframe()           # pandas, imported only here

Parameters (``--param key=value``) are parsed by :func:`parse_param` into an RDF term and bound
with pyoxigraph's substitutions (SEP-0007): the value is never pasted into the query text, so
``公开"@zh . ?x ?p ?o } #`` is just a literal that matches nothing.  A bound variable must be in
the ``SELECT`` clause (that is how SEP-0007 works).  Rules for a value:

- ``<http://...>``: an IRI;
- an integer (``42``, ``-3``): an ``xsd:integer`` literal;
- text ending in ``@`` and a language tag (``工业和信息化部@zh``): a language-tagged literal;
- anything else: a plain (``xsd:string``) literal.  Labels in the graph are ``@zh``.

The default graph of a query is the union of the data graphs (documents, entities, ontology); a
library query reads it as the union of all the store's graphs, which gives the same rows much
faster (see :class:`QuerySession`).  An update (``INSERT``, ``DELETE``, ``LOAD`` ...) is refused
unless ``update=True``; a ``SERVICE`` call (a request to another server) is refused unless
``allow_service=True``.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .errors import QueryError
from .store import data_graphs, open_store, store_path, to_ox, to_rdflib

__all__ = ["QueryResult", "NamedQuery", "QuerySession", "run_query", "named_queries", "parse_param", "FORMATS"]

FORMATS = ("table", "csv", "json")
QUERY_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LANG = re.compile(r"(.*)@([a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*)\Z", re.S)
# Comments, strings and IRIs: removed before looking for keywords.
_NOISE = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
                    r"""|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*""")

Term = Union[URIRef, Literal, BNode, None]


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query: column names and rows of rdflib terms (None when unbound).

    ``ASK`` gives one column ``ask`` and one row; ``CONSTRUCT``/``DESCRIBE`` give the columns
    ``subject``, ``predicate``, ``object``.
    """

    columns: Tuple[str, ...]
    rows: Tuple[Tuple[Term, ...], ...]

    def to_dataframe(self):
        """A pandas DataFrame; literals become Python values (int, str ...), IRIs strings."""
        try:
            import pandas as pd
        except ImportError as exc:  # optional heavy dependency
            raise ImportError("QueryResult.to_dataframe needs pandas: pip install pandas") from exc
        return pd.DataFrame([[_python(v) for v in row] for row in self.rows], columns=list(self.columns))

    def to_csv(self) -> str:
        """CSV with a header; values as plain text (IRIs, literal values without tags)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow(["" if v is None else str(v) for v in row])
        return buf.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        bindings = [{c: _binding(v) for c, v in zip(self.columns, row) if v is not None} for row in self.rows]
        return json.dumps({"head": {"vars": list(self.columns)}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)

    def to_table(self) -> str:
        """An aligned text table (CJK characters count two columns)."""
        cells = [list(self.columns)] + [[_short(v) for v in row] for row in self.rows]
        widths = [max(_width(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = []
        for n, r in enumerate(cells):
            lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)

    def format(self, fmt: str) -> str:
        if fmt not in FORMATS:
            raise QueryError(f"unknown result format {fmt!r}; valid: {', '.join(FORMATS)}")
        return {"table": self.to_table, "csv": self.to_csv, "json": self.to_json}[fmt]()


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library ``ontology/queries/NAME.rq``: its question, parameters and text."""

    name: str
    question: str
    params: Tuple[Tuple[str, str], ...]  # (name, description)
    text: str
    path: Path


def named_queries(directory: Path = QUERY_DIR) -> Dict[str, NamedQuery]:
    """The query library, by name.  A file starts with ``# question`` lines and ``# param: name  what``."""
    out: Dict[str, NamedQuery] = {}
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        question, params = [], []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            if body.lower().startswith("param:"):
                name, _, what = body[6:].strip().partition(" ")
                params.append((name.lstrip("?"), what.strip()))
            elif body:
                question.append(body)
        if not question:
            raise QueryError(f"{path}:1: a named query starts with a comment saying the question it answers")
        out[path.stem] = NamedQuery(path.stem, " ".join(question), tuple(params), text, path)
    return out


def parse_param(spec: str) -> Tuple[str, Union[URIRef, Literal]]:
    """``key=value`` as a variable name and an RDF term (rules in the module docstring).

    >>> parse_param("actor=工业和信息化部@zh")
    ('actor', rdflib.term.Literal('工业和信息化部', lang='zh'))
    >>> parse_param("n=3")[1].datatype
    rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')
    >>> parse_param("x=<https://w3id.org/policy-kg/id/sector/汽车>")[1]
    rdflib.term.URIRef('https://w3id.org/policy-kg/id/sector/汽车')
    """
    key, sep, value = spec.partition("=")
    key = key.strip().lstrip("?$")
    if not sep or not _VAR.match(key):
        raise QueryError(f"parameter {spec!r} is not key=value with key a SPARQL variable name (letters, digits, _)")
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        iri = value[1:-1]
        if re.search(r'[<>"{}|^`\\\x00-\x20]', iri) or ":" not in iri:
            raise QueryError(f"parameter {key}: {value!r} is not an absolute IRI")
        return key, URIRef(iri)
    if re.fullmatch(r"[+-]?\d+", value):
        return key, Literal(int(value))
    m = _LANG.match(value)
    if m and m.group(1):
        return key, Literal(m.group(1), lang=m.group(2).lower())
    return key, Literal(value)


def _params(params: Optional[Union[Mapping[str, object], Sequence[str]]]) -> Dict[str, Union[URIRef, Literal]]:
    if not params:
        return {}
    if isinstance(params, Mapping):
        out = {}
        for k, v in params.items():
            if isinstance(v, (URIRef, Literal)):
                out[k.lstrip("?$")] = v
            else:
                out.update([parse_param(f"{k}={v}")])
        return out
    return dict(parse_param(p) for p in params)


def query_kind(text: str) -> str:
    """``"update"`` or ``"query"``, from the first keyword after the prologue (PREFIX/BASE)."""
    words = re.findall(r"[A-Za-z]+", _NOISE.sub(" ", text))
    i = 0
    while i < len(words) and words[i].upper() in ("PREFIX", "BASE"):
        i += 2 if words[i].upper() == "PREFIX" else 1
    return "update" if i < len(words) and words[i].upper() in _UPDATE_WORDS else "query"


def _has_service(text: str) -> bool:
    return any(w.upper() == "SERVICE" for w in re.findall(r"[A-Za-z]+", _NOISE.sub(" ", text)))


def run_query(target: Union[str, Path], query: Optional[str] = None, *, name: Optional[str] = None,
              params=None, update: bool = False, allow_service: bool = False,
              timeout: float = 60.0) -> QueryResult:
    """Run a query (text, or the library's ``name``) on a store, an output directory or an endpoint.

    ``target``: an output directory of ``kg build`` (its ``store/``), a store directory, or the
    ``http(s)://`` URL of a SPARQL 1.1 query endpoint.  ``params``: ``{"actor": "工信部@zh"}`` or
    ``["actor=工信部@zh"]`` (see :func:`parse_param`).  The store is opened once, read-only
    (:class:`QuerySession` keeps it open for many queries).  Raises :class:`QueryError`.
    """
    query, bound = _prepared(query, name, params, allow_service)
    kind = query_kind(query)
    if kind == "update" and not update:
        raise QueryError("the query is a SPARQL update (it would change the store); refused unless --update is given")
    if str(target).startswith(("http://", "https://")):
        if kind == "update":
            raise QueryError("updates are run on the embedded store only; use kg push to change a remote store")
        return _remote(str(target), query, bound, timeout)
    path = store_path(Path(target))
    if kind == "update":
        if bound:
            raise QueryError("parameters cannot be bound in an update")
        with open_store(path) as store:
            try:
                store.update(query)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL syntax error: {exc}") from exc
        return QueryResult(("updated",), ((Literal(True),),))
    with QuerySession.open(path) as session:
        return session.select(query, bound, library=name is not None)


class QuerySession:
    """Read-only queries on one open store: it is opened once, then each query costs only itself.

    ::

        with QuerySession.open("out") as session:
            for name in named_queries():
                print(session.run(name=name).to_table())

    Library queries (``name=...``) read the union of all the store's graphs in one index lookup
    per pattern.  Other queries read exactly the data graphs (the bookkeeping graph left out),
    which costs one lookup per graph and pattern: slow on a store of many documents.  A library
    query gives the same rows either way, because no library query can match the bookkeeping
    vocabulary (``tests/test_query.py`` checks it).
    """

    def __init__(self, store: ox.Store):
        self.store = store
        self._graphs: Optional[List[ox.NamedNode]] = None

    @classmethod
    @contextlib.contextmanager
    def open(cls, target: Union[str, Path]) -> Iterator["QuerySession"]:
        """A session on the store of ``target`` (an output directory or a store), opened read-only."""
        with open_store(store_path(Path(target)), read_only=True) as store:
            yield cls(store)

    def run(self, query: Optional[str] = None, *, name: Optional[str] = None, params=None,
            allow_service: bool = False) -> QueryResult:
        """Like :func:`run_query` on this store; updates are refused (the store is open read-only)."""
        query, bound = _prepared(query, name, params, allow_service)
        if query_kind(query) == "update":
            raise QueryError("the query is a SPARQL update; a query session is read-only (use run_query with update)")
        return self.select(query, bound, library=name is not None)

    def select(self, query: str, bound: Mapping[str, Union[URIRef, Literal]], *, library: bool) -> QueryResult:
        """Evaluate a checked, non-update query with its parameters bound."""
        subs = {ox.Variable(k): to_ox(v) for k, v in bound.items()} or None
        if library:
            dataset = {"use_default_graph_as_union": True}
        else:
            if self._graphs is None:
                self._graphs = data_graphs(self.store)
            dataset = {"default_graph": self._graphs or None, "named_graphs": self._graphs}
        try:
            return _result(self.store.query(query, substitutions=subs, **dataset))
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (RuntimeError, OSError, ValueError) as exc:
            hint = " (a parameter must be a variable of the SELECT clause)" if "projection" in str(exc) else ""
            raise QueryError(f"query failed: {exc}{hint}") from exc


def _prepared(query: Optional[str], name: Optional[str], params,
              allow_service: bool) -> Tuple[str, Dict[str, Union[URIRef, Literal]]]:
    """The query text (the library's for ``name``) and its parameters; SERVICE refused unless allowed."""
    if (query is None) == (name is None):
        raise QueryError("give either a query or the name of a library query (kg query --list)")
    if name is not None:
        library = named_queries()
        if name not in library:
            raise QueryError(f"no named query {name!r}; valid: {', '.join(library)}")
        query = library[name].text
    bound = _params(params)
    if not allow_service and _has_service(query):
        raise QueryError("the query calls SERVICE (another server); refused unless allow_service / --allow-service")
    return query, bound


def _result(answer) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(("ask",), ((Literal(bool(answer)),),))
    if isinstance(answer, ox.QueryTriples):
        rows = tuple((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in answer)
        return QueryResult(("subject", "predicate", "object"), rows)
    columns = tuple(v.value for v in answer.variables)
    # Rows repeat terms (the bound entities, relations, documents): each distinct term is converted
    # once, which takes a third off converting a large answer (rdflib's Literal is slow to make).
    terms: Dict[object, object] = {}

    def term(t):
        if t is None:
            return None
        made = terms.get(t)
        if made is None:
            made = terms[t] = to_rdflib(t)
        return made

    rows = tuple(tuple(term(sol[c]) for c in columns) for sol in answer)
    return QueryResult(columns, rows)


def _remote(endpoint: str, query: str, bound: Mapping[str, Union[URIRef, Literal]], timeout: float) -> QueryResult:
    """Run a query on a SPARQL endpoint; parameters become a VALUES block at the start of WHERE."""
    import requests

    if bound:
        query = _inline_values(query, bound)
    try:
        reply = requests.post(endpoint, data={"query": query}, timeout=timeout,
                              headers={"Accept": "application/sparql-results+json"})
    except requests.RequestException as exc:
        raise QueryError(f"{endpoint}: {exc}") from exc
    if reply.status_code != 200:
        raise QueryError(f"{endpoint}: HTTP {reply.status_code}: {reply.text[:300]}")
    try:
        answer = ox.parse_query_results(reply.content, ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"{endpoint}: unreadable results ({exc}): {reply.text[:200]}") from exc
    return _result(answer)


def _inline_values(query: str, bound: Mapping[str, Union[URIRef, Literal]]) -> str:
    """The query with ``VALUES (?k ...) { (term ...) }`` first in its WHERE group.

    Terms are written by rdflib's N-Triples serialisation (quotes and newlines escaped), so a
    value cannot end the literal it is in.
    """
    masked = _NOISE.sub(lambda m: " " * len(m.group(0)), query)
    m = re.search(r"\bWHERE\s*\{", masked, re.I) or re.search(r"\{", masked)
    if m is None:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    keys = sorted(bound)
    block = (" VALUES (" + " ".join("?" + k for k in keys) + ") { ("
             + " ".join(bound[k].n3() for k in keys) + ") } ")
    return query[:m.end()] + block + query[m.end():]


# ---------------------------------------------------------------- formatting helpers

def _python(v: Term):
    if v is None:
        return None
    if isinstance(v, Literal):
        return v.toPython()
    return str(v)


def _binding(v: Term) -> Dict[str, str]:
    if isinstance(v, URIRef):
        return {"type": "uri", "value": str(v)}
    if isinstance(v, BNode):
        return {"type": "bnode", "value": str(v)}
    out = {"type": "literal", "value": str(v)}
    if v.language:
        out["xml:lang"] = v.language
    elif v.datatype:
        out["datatype"] = str(v.datatype)
    return out


_TABLE_PREFIXES = (("kg:", "https://w3id.org/policy-kg/ontology#"), ("kgr:", "https://w3id.org/policy-kg/id/"),
                   ("skos:", "http://www.w3.org/2004/02/skos/core#"), ("org:", "http://www.w3.org/ns/org#"),
                   ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))


def _short(v: Term) -> str:
    """A cell of the text table: IRIs of our namespaces as prefixed names, text on one line."""
    if v is None:
        return ""
    if isinstance(v, URIRef):
        for prefix, ns in _TABLE_PREFIXES:
            if str(v).startswith(ns):
                return prefix + str(v)[len(ns):]
    return str(v).replace("\n", " ")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
