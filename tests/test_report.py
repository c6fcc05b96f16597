"""Tests of kg.report and `kg report`: Markdown, JSON and PNG from a build's graph.ttl."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from kg.analytics import analyse, from_records
from kg.cli import main
from kg.errors import InputError
from kg.report import render_markdown, summary_lines, write_report
from kg.types import Entity, Evidence, Relation

HOSTILE = "<img src=x onerror=alert(1)> href|*_[x](y)"


@pytest.fixture(scope="module")
def report_dir(seed_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    shutil.copy(seed_build.outputs["graph.ttl"], out / "graph.ttl")
    return out


def test_writes_markdown_json_and_png(report_dir):
    files = write_report(report_dir)
    assert [p.name for p in (files.markdown, files.json, files.chart)] == [
        "report.md", "report.json", "report.png"]
    md = files.markdown.read_text(encoding="utf-8")
    for heading in ("## Entities per class", "## Relations", "## Top 10 entities", "### Actor",
                    "## Communities", "## Connected components", "## Near-duplicates merged",
                    "## Documents: who uses which instruments"):
        assert heading in md, heading
    assert "![Top actors and instruments by degree](report.png)" in md
    assert "| 工业和信息化部 | GovernmentBody |" in md
    assert "001\\_ee3f52ac81cc7dfa | 000\\_b141859fa34bbaf2 | 0.99" in md

    data = json.loads(files.json.read_text(encoding="utf-8"))
    a = files.analytics
    assert data["entities"] == a.entities and data["facts"] == a.facts
    assert data["counts"]["Actor"]["GovernmentBody"] == a.counts["Actor"]["GovernmentBody"]
    assert data["scores"][0]["key"] == "工业和信息化部"
    assert len(data["communities"]) == len(a.communities)

    png = files.chart.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    from PIL import Image

    img = Image.open(files.chart)
    assert img.width >= 800 and img.height >= 200
    assert len(img.convert("RGB").getcolors(maxcolors=1 << 24)) > 10  # not blank


def test_report_is_deterministic(report_dir):
    first = write_report(report_dir)
    texts = [first.markdown.read_bytes(), first.json.read_bytes(), first.chart.read_bytes()]
    second = write_report(report_dir)
    assert [second.markdown.read_bytes(), second.json.read_bytes(), second.chart.read_bytes()] == texts


def test_build_summary_uses_the_same_numbers(seed_build, report_dir):
    files = write_report(report_dir)
    summary = seed_build.summary()
    assert "network:" in summary
    for line in summary_lines(files.analytics):
        assert f"  {line}" in summary


def test_hostile_names_stay_text_in_markdown():
    ev = Evidence(HOSTILE, 0, 0, 1, "句。")
    graph = from_records(
        [Entity(HOSTILE, "GovernmentBody"), Entity("平台", "Platform")],
        [Relation(HOSTILE, "implements", "平台", ev, rule="t")],
        top_class={"GovernmentBody": "Actor", "Platform": "Instrument"})
    md = render_markdown(analyse(graph))
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt; href\\|\\*\\_\\[x\\](y)" in md
    rows = [line for line in md.splitlines() if line.startswith("| &lt;img")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 6 for row in rows)


def test_missing_graph_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'graph.ttl'}: no such file; build")):
        write_report(tmp_path)


def test_cli_report(report_dir, tmp_path, capsys):
    assert main(["report", str(report_dir), "--top", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [str(report_dir / n) for n in ("report.md", "report.json", "report.png")]
    assert "## Top 5 entities" in (report_dir / "report.md").read_text(encoding="utf-8")

    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: ") and "kg build" in err and err.count("\n") == 1
