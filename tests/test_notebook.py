"""The notebooks in notebooks/ run end to end (nbclient) and are committed without outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import browser  # noqa: F401  (fixture, used after the kernel has finished)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook():
    assert [p.name for p in NOTEBOOKS] == ["explore_policy_graph.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_end_to_end(path, tmp_path, monkeypatch, request):
    """Every cell runs without error (a failing cell fails the test) and shows its results;
    the inline graph is then opened in headless Chromium (after the kernel is done)."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("KG_NOTEBOOK_OUT", str(tmp_path / "out"))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<iframe sandbox=\"allow-scripts\" srcdoc=" in h and "vis.Network" in h for h in html)
    assert sum("<table" in h for h in html) >= 6  # the query and analytics tables
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart
    assert (tmp_path / "out" / "graph.ttl").is_file()
    assert not (path.parent / "lib").exists()  # nothing written beside the notebook

    # The inline graph works as it would in Jupyter: a sandboxed frame, no network.
    from tests.browser import open_frame

    inline = next(h for h in html if "<iframe" in h)
    page = tmp_path / "inline.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{inline}</body></html>",
                    encoding="utf-8")
    run, frame = open_frame(request.getfixturevalue("browser"), page)
    try:
        from rdflib import RDF, Graph

        from kg.namespace import KG

        g = Graph().parse(tmp_path / "out" / "graph.ttl")
        entities = {s for top in (KG.Actor, KG.Instrument, KG.Sector, KG.Region)
                    for s in g.subjects(RDF.type, top)}
        assert frame.evaluate("kg.nodes.length") == len(entities) > 0
        assert run.foreign_requests() == [] and run.console_errors == [] and run.dialogs == []
    finally:
        run.page.close()
