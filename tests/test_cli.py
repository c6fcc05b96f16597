"""The ``kg`` command as a user runs it: a real subprocess, real files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rdflib import Graph

REPO = Path(__file__).resolve().parent.parent


def kg(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env)


def test_build_with_jieba_prints_summary_and_writes_outputs(tmp_path):
    out = tmp_path / "out"
    r = kg("build", "seeds", "-o", str(out), "--segmenter", "jieba")
    assert r.returncode == 0, r.stderr
    assert "documents: 2 read, 1 near-duplicate(s) merged" in r.stdout
    for line in ("Actor", "Instrument", "Sector", "Region", "relations:", "graph.ttl:", "graph.html:"):
        assert line in r.stdout
    assert len(Graph().parse(out / "graph.ttl")) > 500
    assert (out / "graph.html").stat().st_size > 10_000
    assert sorted(p.name for p in out.iterdir()) == ["cache", "graph.html", "graph.ttl", "store"]  # no temp file left


def test_bad_file_is_reported_with_offset_and_the_others_go_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("工信部将落实“白名单”制度。", encoding="utf-8")
    (src / "bad.txt").write_bytes("工信部".encode("utf-8") + b"\x00\xff\xfe\x00\x81\x00" * 4)
    out = tmp_path / "out"
    r = kg("build", str(src), "-o", str(out), "--segmenter", "jieba")
    assert r.returncode == 1
    assert "bad.txt" in r.stdout and "offset" in r.stdout
    g = Graph().parse(out / "graph.ttl")
    assert any("白名单制度" in str(o) for o in g.objects())


def test_missing_input_is_one_line_error(tmp_path):
    r = kg("build", str(tmp_path / "nope"), "-o", str(tmp_path / "out"), "--segmenter", "jieba")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "nope" in r.stderr


def test_without_model_pkuseg_fails_with_the_install_command(tmp_path):
    env = dict(os.environ, KG_CACHE_DIR=str(tmp_path / "empty-cache"))
    r = kg("build", "seeds", "-o", str(tmp_path / "out"), env=env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "kg model install" in lines[0], r.stderr
    assert not (tmp_path / "out").exists()


def test_failed_build_keeps_previous_outputs(tmp_path):
    out = tmp_path / "out"
    assert kg("build", "seeds", "-o", str(out), "--segmenter", "jieba").returncode == 0
    before = (out / "graph.ttl").read_bytes()
    r = kg("build", "seeds", "-o", str(out), "--segmenter", "jieba", "--ontology", str(tmp_path / "no-ontology"))
    assert r.returncode == 2
    assert (out / "graph.ttl").read_bytes() == before
