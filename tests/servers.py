"""Real SPARQL servers for the push tests, started on 127.0.0.1 with free ports and stopped after.

- Oxigraph: ``oxigraph serve`` from the ``oxigraph`` package (the ``test`` extra of setup.cfg).
- Virtuoso: ``virtuoso-t`` from the Debian package ``virtuoso-opensource`` (``make test``
  installs it), run in the foreground on a copy of its ini whose database lives in a temp dir.

A server that cannot be found or started makes the test **fail** with the install hint: never skip.
"""
from __future__ import annotations

import configparser
import glob
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
import requests

__all__ = ["Server", "free_port", "oxigraph_server", "virtuoso_server", "hanging_server"]


@dataclass
class Server:
    """A running server: its Graph Store endpoint, query endpoint and credentials."""

    name: str
    store: str  # Graph Store HTTP Protocol endpoint
    query: str  # SPARQL query endpoint
    process: subprocess.Popen
    user: Optional[str] = None
    password: Optional[str] = None
    auth: str = "basic"
    log: Optional[Path] = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float, ok=lambda r: r.status_code < 500) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode} before it was ready; log {log}:\n"
                        f"{log.read_text(errors='replace')[-2000:]}")
        try:
            if ok(requests.get(url, timeout=2)):
                return
        except requests.RequestException:
            pass  # not listening yet: wait and ask again
        time.sleep(0.3)
    _stop(proc)
    pytest.fail(f"server not ready at {url} after {timeout:g}s; log {log}:\n{log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _oxigraph_binary() -> str:
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph server is not installed: pip install 'oxigraph>=0.4,<0.6' "
                    "(it is in the test extra: pip install -e '.[test]')")
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """``oxigraph serve`` on a free port, union default graph as in the embedded store."""
    tmp = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = tmp / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([_oxigraph_binary(), "serve", "--location", str(tmp / "data"),
                                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query?query=ASK%7B%7D", proc, log, 60)
        yield Server("oxigraph", base + "/store", base + "/query", proc, log=log)
    finally:
        _stop(proc)


def _virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t") or next(iter(glob.glob("/usr/bin/virtuoso-t*")), None)
    if not found:
        pytest.fail("Virtuoso is not installed: as root, DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    "virtuoso-opensource (make test does this)")
    return found


def _virtuoso_ini(tmp: Path, http_port: int, sql_port: int) -> Path:
    sources = sorted(glob.glob("/etc/virtuoso-opensource-*/virtuoso.ini"))
    if not sources:
        pytest.fail("virtuoso.ini not found under /etc/virtuoso-opensource-*: reinstall virtuoso-opensource")
    ini = configparser.RawConfigParser(strict=False, interpolation=None)
    ini.optionxform = str
    ini.read(sources[-1])
    db = tmp / "db"
    db.mkdir()
    ini["Database"].update(DatabaseFile=str(db / "virtuoso.db"), ErrorLogFile=str(db / "virtuoso.log"),
                           LockFile=str(db / "virtuoso.lck"), TransactionFile=str(db / "virtuoso.trx"),
                           xa_persistent_file=str(db / "virtuoso.pxa"))
    ini["TempDatabase"].update(DatabaseFile=str(db / "virtuoso-temp.db"),
                               TransactionFile=str(db / "virtuoso-temp.trx"))
    ini["Parameters"].update(ServerPort=f"127.0.0.1:{sql_port}", NumberOfBuffers="10000", MaxDirtyBuffers="6000",
                             DirsAllowed=f"., {tmp}, /usr/share/virtuoso-opensource-7/vad")
    ini["HTTPServer"].update(ServerPort=f"127.0.0.1:{http_port}")
    path = tmp / "virtuoso.ini"
    with open(path, "w") as fh:
        ini.write(fh)
    return path


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Virtuoso Open Source in the foreground, its database in a temp dir; dba/dba, digest auth."""
    binary = _virtuoso_binary()
    tmp = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = _virtuoso_ini(tmp, http_port, sql_port)
    log = tmp / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=tmp,
                                stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(base + "/sparql?query=ASK%7B%7D", proc, log, 180, ok=lambda r: r.status_code == 200)
        yield Server("virtuoso", base + "/sparql-graph-crud-auth", base + "/sparql", proc, user="dba",
                     password="dba", auth="digest", log=log)
    finally:
        _stop(proc)


@pytest.fixture()
def hanging_server():
    """A TCP server that accepts connections and never answers: the URL of its Graph Store."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/store"
    finally:
        sock.close()
