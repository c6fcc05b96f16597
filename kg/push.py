"""Send the store's named graphs to a remote triple store (SPARQL 1.1 Graph Store HTTP Protocol).

:func:`push` is the Python API behind ``kg push``.  Each data graph (one per document, the
ontology, the entities) is sent with ``PUT ENDPOINT?graph=IRI`` and a Turtle body: PUT replaces
the remote graph, so pushing twice leaves the same graphs.  Then the remote triple count of
every graph is compared with the local one (a SPARQL ``COUNT`` on the query endpoint).

- Timeouts on every request (``timeout`` seconds to connect and between bytes).  A server that
  hangs is reported after one timeout, not retried.
- Connection errors and 5xx replies are retried ``retries`` times with exponential backoff.
- A 4xx reply stops the push with the graph IRI, the HTTP status and the server's message.
- An empty graph is never PUT (an empty PUT would wipe the remote graph).
- The local store and files are only read: a failed push changes nothing here.

Endpoints: Oxigraph ``http://HOST:PORT/store`` (queries on ``/query``); Virtuoso
``http://HOST:PORT/sparql-graph-crud-auth`` with ``auth="digest"`` (queries on ``/sparql``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import pyoxigraph as ox

from .errors import PushError
from .store import data_graphs, open_store, store_path

__all__ = ["PushReport", "push", "remote_counts", "query_endpoint_for"]

_PREFIXES = {"kg": "https://w3id.org/policy-kg/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
             "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


@dataclass(frozen=True)
class PushReport:
    """What a push sent: graphs and triples, and the remote counts that were checked."""

    endpoint: str
    graphs: Tuple[str, ...]
    triples: int
    counts: Mapping[str, int]
    seconds: float

    def summary(self) -> str:
        return (f"pushed {len(self.graphs)} graph(s), {self.triples} triples to {self.endpoint} "
                f"in {self.seconds:.1f}s; remote counts match")


def query_endpoint_for(endpoint: str) -> str:
    """The SPARQL query endpoint beside a Graph Store endpoint (Oxigraph and Virtuoso layouts)."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    if last == "store":
        return base + "/query"
    if last.startswith("sparql-graph-crud"):
        return base + "/sparql"
    raise PushError(f"{endpoint}: cannot guess the SPARQL query endpoint for the count check; "
                    f"give it with --query-endpoint")


def _auth(user: Optional[str], password: Optional[str], auth: str):
    if user is None:
        return None
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    if auth not in ("basic", "digest"):
        raise PushError(f"unknown authentication {auth!r}; valid: basic, digest")
    return (HTTPDigestAuth if auth == "digest" else HTTPBasicAuth)(user, password or "")


def _request(method: str, url: str, *, what: str, timeout: float, retries: int, backoff: float, **kw):
    """One HTTP request with retries on connection errors and 5xx; PushError otherwise."""
    import requests

    delay = backoff
    for attempt in range(retries + 1):
        try:
            reply = requests.request(method, url, timeout=timeout, **kw)
        except requests.Timeout as exc:
            raise PushError(f"{what}: no answer from {url} within {timeout:g}s ({exc.__class__.__name__})") from exc
        except requests.ConnectionError as exc:
            if attempt == retries:
                raise PushError(f"{what}: cannot connect to {url} after {retries + 1} attempt(s): {exc}") from exc
        else:
            if reply.status_code < 400:
                return reply
            message = " ".join(reply.text.split())[:300] or reply.reason
            if reply.status_code < 500 or attempt == retries:
                raise PushError(f"{what}: {url} answered HTTP {reply.status_code}: {message}")
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def push(target: Path, endpoint: str, *, user: Optional[str] = None, password: Optional[str] = None,
         auth: str = "basic", timeout: float = 30.0, retries: int = 3, backoff: float = 0.5,
         query_endpoint: Optional[str] = None) -> PushReport:
    """PUT every data graph of the store at ``target`` to ``endpoint`` and check the remote counts.

    Raises :class:`PushError` naming the graph and the server's reply.
    """
    started = time.monotonic()
    if not endpoint.startswith(("http://", "https://")):
        raise PushError(f"endpoint {endpoint!r} is not an http(s) URL")
    query_endpoint = query_endpoint or query_endpoint_for(endpoint)
    credentials = _auth(user, password, auth)
    bodies: Dict[str, bytes] = {}
    local: Dict[str, int] = {}
    with open_store(store_path(Path(target)), read_only=True) as store:
        for g in data_graphs(store):
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, None, None, g)]
            if not triples:
                continue  # never PUT an empty graph: it would wipe the remote one
            local[g.value] = len(set(triples))
            bodies[g.value] = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES)
    if not bodies:
        raise PushError(f"{target}: the store holds no graph to push")
    for iri, body in bodies.items():
        if not body.strip():
            raise PushError(f"graph <{iri}>: refusing to PUT an empty body")
        _request("PUT", endpoint, what=f"PUT graph <{iri}>", timeout=timeout, retries=retries, backoff=backoff,
                 params={"graph": iri}, data=body, auth=credentials,
                 headers={"Content-Type": "text/turtle; charset=utf-8"})
    counts = remote_counts(query_endpoint, list(bodies), timeout=timeout, retries=retries, backoff=backoff,
                           auth=credentials)
    wrong = {g: (local[g], counts.get(g, 0)) for g in local if counts.get(g, 0) != local[g]}
    if wrong:
        detail = "; ".join(f"<{g}>: {n} local, {m} remote" for g, (n, m) in sorted(wrong.items()))
        raise PushError(f"{endpoint}: remote triple counts differ after the push: {detail}")
    return PushReport(endpoint, tuple(bodies), sum(local.values()), counts, time.monotonic() - started)


def remote_counts(query_endpoint: str, graphs: List[str], *, timeout: float = 30.0, retries: int = 3,
                  backoff: float = 0.5, auth=None) -> Dict[str, int]:
    """Triples per named graph on a SPARQL endpoint (graph IRIs bound with VALUES, never pasted raw)."""
    values = " ".join(str(ox.NamedNode(g)) for g in graphs)  # N-Triples syntax of each IRI
    query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    reply = _request("POST", query_endpoint, what="count check", timeout=timeout, retries=retries, backoff=backoff,
                     data={"query": query}, auth=auth, headers={"Accept": "application/sparql-results+json"})
    try:
        rows = ox.parse_query_results(reply.content, ox.QueryResultsFormat.JSON)
        return {sol["g"].value: int(sol["n"].value) for sol in rows}
    except (SyntaxError, ValueError, TypeError) as exc:
        raise PushError(f"count check: unreadable answer from {query_endpoint}: {reply.text[:200]}") from exc
