"""kg push against real servers (Oxigraph, Virtuoso) started on 127.0.0.1 by the tests.

After a push every named query gives the same rows on the embedded store and on the server;
pushing twice leaves the same counts; a server that is down, hangs or answers 400 gives a clear
error within the timeout and leaves the local store and files untouched.
"""
from __future__ import annotations

import hashlib
import http.server
import threading
import time

import pytest
from rdflib import Literal

from kg.cli import main
from kg.errors import PushError
from kg.push import push, remote_counts
from kg.query import named_queries, run_query
from kg.store import graph_counts, open_store

from .servers import free_port, hanging_server, oxigraph_server, virtuoso_server  # noqa: F401 (fixtures)

PARAMS = {"instruments_by_actor": {"actor": "工业和信息化部@zh"}, "people_posts": {"person": "辛国斌@zh"},
          "evidence": {"subject": "工业和信息化部@zh", "object": "白名单制度@zh"},
          "most_connected": {"class": "<https://w3id.org/policy-kg/ontology#Sector>"}}


@pytest.fixture(scope="module")
def out(seed_build):
    return seed_build.outputs["graph.ttl"].parent


def _local_counts(out):
    with open_store(out / "store", read_only=True) as store:
        return graph_counts(store)


def _norm(result):
    """Rows as comparable values: Virtuoso and Oxigraph may type integer counts differently."""
    def value(v):
        if isinstance(v, Literal) and v.datatype is not None and str(v.datatype).startswith("http://www.w3.org/2001/XMLSchema#"):
            return ("lit", v.toPython() if not isinstance(v.toPython(), Literal) else str(v))
        return (type(v).__name__, str(v), getattr(v, "language", None))
    return sorted(tuple(value(v) for v in row) for row in result.rows)


def _fingerprint(out):
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "LOCK" and not p.name.startswith("LOG"))
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _same_answers(out, server):
    for name in named_queries():
        for params in (None, PARAMS.get(name)):
            local = run_query(out, name=name, params=params)
            remote = run_query(server.query, name=name, params=params)
            assert local.columns == remote.columns, name
            assert _norm(local) == _norm(remote), (server.name, name, params)
            assert local.rows, (name, params)


def _push(out, server, **kw):
    return push(out, server.store, user=server.user, password=server.password, auth=server.auth,
                query_endpoint=server.query, timeout=30, **kw)


@pytest.mark.parametrize("server_fixture", ["oxigraph_server", "virtuoso_server"])
def test_push_then_same_answers_and_idempotent(out, server_fixture, request):
    server = request.getfixturevalue(server_fixture)
    local = _local_counts(out)
    first = _push(out, server)
    assert dict(first.counts) == local
    _same_answers(out, server)
    second = _push(out, server)
    assert dict(second.counts) == dict(first.counts)
    assert remote_counts(server.query, list(local), auth=None if server.user is None else _digest(server)) == local


def _digest(server):
    from requests.auth import HTTPDigestAuth

    return HTTPDigestAuth(server.user, server.password)


def test_cli_push_to_oxigraph(out, oxigraph_server, capsys):
    assert main(["push", str(out), "--endpoint", oxigraph_server.store, "--timeout", "20"]) == 0
    assert "remote counts match" in capsys.readouterr().out


def test_server_down_is_a_clear_error_and_changes_nothing(out, capsys):
    before = _fingerprint(out)
    url = f"http://127.0.0.1:{free_port()}/store"
    started = time.monotonic()
    with pytest.raises(PushError, match="cannot connect") as exc:
        push(out, url, timeout=2, retries=2, backoff=0.1)
    assert time.monotonic() - started < 10
    assert "graph <https://w3id.org/policy-kg/id/graph/" in str(exc.value)
    assert _fingerprint(out) == before
    assert main(["push", str(out), "--endpoint", url, "--timeout", "2", "--retries", "0"]) == 2
    assert "cannot connect" in capsys.readouterr().err


def test_hanging_server_times_out(out, hanging_server):
    before = _fingerprint(out)
    started = time.monotonic()
    with pytest.raises(PushError, match="no answer .* within 1s"):
        push(out, hanging_server, timeout=1, retries=3, backoff=0.1)
    assert time.monotonic() - started < 5
    assert _fingerprint(out) == before


class _Reply(http.server.BaseHTTPRequestHandler):
    status = 400
    calls = []

    def do_PUT(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        type(self).calls.append(len(body))
        code = type(self).status if not callable(type(self).status) else type(self).status()
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"Bad Request: unexpected token in Turtle" if code == 400 else b"overloaded")

    def log_message(self, *args):
        """Keep the test output free of the fake server's access log."""


@pytest.fixture()
def fake_server():
    _Reply.calls = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Reply)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/store"
    finally:
        srv.shutdown()
        srv.server_close()


def test_400_names_the_graph_and_the_servers_message(out, fake_server):
    _Reply.status = 400
    before = _fingerprint(out)
    with pytest.raises(PushError) as exc:
        push(out, fake_server, timeout=5, retries=3, backoff=0.01)
    msg = str(exc.value)
    assert "HTTP 400" in msg and "unexpected token in Turtle" in msg and "graph <https://w3id.org/policy-kg/id/graph/" in msg
    assert len(_Reply.calls) == 1  # a 4xx is not retried
    assert all(n > 0 for n in _Reply.calls)  # never an empty PUT
    assert _fingerprint(out) == before


def test_5xx_is_retried_with_backoff(out, fake_server):
    _Reply.status = 503
    with pytest.raises(PushError, match="HTTP 503"):
        push(out, fake_server, timeout=5, retries=2, backoff=0.01)
    assert len(_Reply.calls) == 3
