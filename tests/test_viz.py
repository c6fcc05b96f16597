"""Tests of kg.viz: the self-contained interactive graph.html."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg import viz
from kg.types import Entity, Evidence, Relation
from kg.viz import OTHER_STYLE, TOP_CLASS_STYLES, write_html

TOP_CLASS = {
    "GovernmentBody": "Actor",
    "Plan": "Instrument",
    "Industry": "Sector",
    "Province": "Region",
}

ENTITIES = [
    Entity("国务院", "GovernmentBody", labels=("中央人民政府",)),
    Entity("工业和信息化部", "GovernmentBody", labels=("工信部",)),
    Entity("新能源汽车产业发展规划", "Plan"),
    Entity("新能源汽车", "Industry"),
    Entity("广东省", "Province", labels=("粤",)),
]


def _ev(doc_id: str, sentence: int, text: str) -> Evidence:
    return Evidence(doc_id=doc_id, sentence=sentence, start=0, end=2, text=text)


RELATIONS = [
    Relation("国务院", "issues", "新能源汽车产业发展规划",
             _ev("gov/2020-39", 0, "国务院办公厅印发《新能源汽车产业发展规划》。"), rule="t"),
    # The same fact read in a second document: merged into the edge above.
    Relation("国务院", "issues", "新能源汽车产业发展规划",
             _ev("news/xinhua-1102", 3, "国务院近日发布新能源汽车产业发展规划。"), rule="t"),
    Relation("工业和信息化部", "implements", "新能源汽车产业发展规划",
             _ev("news/xinhua-1102", 5, "工信部将抓好规划落实。"), rule="t"),
    Relation("新能源汽车产业发展规划", "targetsSector", "新能源汽车",
             _ev("gov/2020-39", 2, "规划提出推动新能源汽车产业高质量发展。"), rule="t"),
    Relation("新能源汽车产业发展规划", "appliesTo", "广东省",
             _ev("gd/2021-7", 1, "广东省贯彻落实新能源汽车产业发展规划。"), rule="t"),
]

HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)> href"


def _write(tmp_path: Path, entities=ENTITIES, relations=RELATIONS, name="graph.html", **kw) -> str:
    kw.setdefault("top_class", TOP_CLASS)
    out = write_html(entities, relations, tmp_path / name, **kw)
    assert out == tmp_path / name
    return out.read_text(encoding="utf-8")


def _data(page: str) -> dict:
    """The node and edge lists embedded in the page."""
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert match, "no embedded graph data"
    return json.loads(match.group(1))


def _edge(data: dict, subject: str, predicate: str, obj: str) -> dict:
    found = [e for e in data["edges"]
             if (e["from"], e["label"], e["to"]) == (subject, predicate, obj)]
    assert len(found) == 1, found
    return found[0]


def _node(data: dict, key: str) -> dict:
    found = [n for n in data["nodes"] if n["id"] == key]
    assert len(found) == 1, found
    return found[0]


def test_writes_every_entity_and_one_edge_per_fact(tmp_path):
    data = _data(_write(tmp_path))
    assert sorted(n["id"] for n in data["nodes"]) == sorted(e.key for e in ENTITIES)
    assert len(data["nodes"]) == 5
    assert len(data["edges"]) == 4  # 5 relations, two of them the same fact
    assert len({e["id"] for e in data["edges"]}) == 4
    assert {e["label"] for e in data["edges"]} == {
        "issues", "implements", "targetsSector", "appliesTo"}


def test_page_uses_inlined_vis_network(tmp_path):
    page = _write(tmp_path)
    assert "@version 9." in page  # the vis-network banner
    assert "new vis.Network(" in page
    assert ".vis-network" in page  # its stylesheet


def test_no_external_resources(tmp_path):
    page = _write(tmp_path)
    tags = re.findall(r"<(?:script|link|img|iframe|style|object|embed)\b[^>]*>", page, re.I)
    for tag in tags:
        assert not re.search(r"\b(?:src|href)\s*=", tag, re.I), tag
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", page, re.I)
    assert "@import" not in page
    assert "sourceMappingURL" not in page


def test_writes_nothing_but_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_html(ENTITIES, RELATIONS, tmp_path / "site" / "graph.html", top_class=TOP_CLASS)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert written == ["site", "site/graph.html"]
    assert not (tmp_path / "lib").exists()


def test_hostile_text_is_only_shown_as_text(tmp_path):
    entities = [
        Entity(HOSTILE_SCRIPT, "GovernmentBody", labels=(HOSTILE_IMG,)),
        Entity("广东省", "Province"),
    ]
    relations = [
        Relation(HOSTILE_SCRIPT, "appliesTo", "广东省",
                 _ev(HOSTILE_IMG, 0, f"据报道{HOSTILE_SCRIPT}与{HOSTILE_IMG}。"), rule="t"),
    ]
    page = _write(tmp_path, entities, relations, title=f"标题{HOSTILE_SCRIPT}{HOSTILE_IMG}")

    # Exactly our three <script> elements: vis-network, the JSON data, the start-up code.
    assert len(re.findall(r"<script\b", page, re.I)) == 3
    assert len(re.findall(r"</script", page, re.I)) == 3
    assert "<img" not in page.lower()
    assert "alert(1)</script>" not in page
    # Title and heading are escaped HTML.
    assert "<title>标题&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in page
    assert "<h1>标题&lt;/script&gt;" in page

    # The data round-trips unchanged, so vis-network shows the original characters as text.
    data = _data(page)
    node = _node(data, HOSTILE_SCRIPT)
    assert node["label"] == HOSTILE_SCRIPT
    assert HOSTILE_IMG in node["title"]
    edge = _edge(data, HOSTILE_SCRIPT, "appliesTo", "广东省")
    assert f"[{HOSTILE_IMG}] 据报道{HOSTILE_SCRIPT}与{HOSTILE_IMG}。" in edge["title"]


def test_json_escapes_line_separators(tmp_path):
    entities = [Entity("甲\u2028乙\u2029丙&", "GovernmentBody")]
    page = _write(tmp_path, entities, [])
    assert "\u2028" not in page and "\u2029" not in page
    assert _data(page)["nodes"][0]["label"] == "甲\u2028乙\u2029丙&"


def test_vis_network_shows_string_titles_as_text():
    # Guard for the escaping policy above: tooltips are not HTML-escaped because this
    # vis-network sets a string title with innerText (an Element is needed for HTML).
    js, _css, version = viz._vis_assets()
    assert int(version.split(".")[0]) >= 9
    assert "this.frame.innerText=t" in js


def test_same_input_gives_same_bytes(tmp_path):
    first = write_html(ENTITIES, RELATIONS, tmp_path / "a.html", top_class=TOP_CLASS)
    second = write_html(ENTITIES, RELATIONS, tmp_path / "b.html", top_class=TOP_CLASS)
    shuffled = write_html(list(reversed(ENTITIES)), list(reversed(RELATIONS)),
                          tmp_path / "c.html", top_class=TOP_CLASS)
    assert first.read_bytes() == second.read_bytes() == shuffled.read_bytes()


def test_duplicate_relations_become_one_edge_with_both_evidences(tmp_path):
    data = _data(_write(tmp_path))
    edge = _edge(data, "国务院", "issues", "新能源汽车产业发展规划")
    assert "[gov/2020-39] 国务院办公厅印发《新能源汽车产业发展规划》。" in edge["title"]
    assert "[news/xinhua-1102] 国务院近日发布新能源汽车产业发展规划。" in edge["title"]


def test_evidence_is_capped_at_max_evidence(tmp_path):
    relations = [
        Relation("国务院", "issues", "新能源汽车产业发展规划", _ev(f"doc{i}", i, f"第{i}句。"), "t")
        for i in range(3)
    ]
    data = _data(_write(tmp_path, relations=relations, max_evidence=2))
    edge = _edge(data, "国务院", "issues", "新能源汽车产业发展规划")
    assert "[doc0] 第0句。" in edge["title"] and "[doc1] 第1句。" in edge["title"]
    assert "第2句" not in edge["title"]
    assert "(+1 more)" in edge["title"]
    node = _node(data, "国务院")
    assert "第2句" not in node["title"] and "(+1 more)" in node["title"]


def test_node_tooltip_lists_class_aliases_and_evidence(tmp_path):
    node = _node(_data(_write(tmp_path)), "工业和信息化部")
    assert node["title"].splitlines()[:3] == [
        "工业和信息化部", "class: GovernmentBody (Actor)", "aliases: 工信部"]
    assert "[news/xinhua-1102] 工信部将抓好规划落实。" in node["title"]


def test_top_classes_have_distinct_colours_and_shapes(tmp_path):
    data = _data(_write(tmp_path))
    style = {n["group"]: (n["color"], n["shape"]) for n in data["nodes"]}
    assert set(style) == {"Actor", "Instrument", "Sector", "Region"}
    assert len({colour for colour, _ in style.values()}) == 4
    assert len({shape for _, shape in style.values()}) == 4
    for group, (colour, shape) in style.items():
        assert (colour, shape) == (TOP_CLASS_STYLES[group].colour, TOP_CLASS_STYLES[group].shape)


def test_legend_names_each_top_class_with_its_count(tmp_path):
    page = _write(tmp_path)
    legend = re.search(r'<div id="legend">(.*?)</div>', page, re.S).group(1)
    for name, count in [("Actor", 2), ("Instrument", 1), ("Sector", 1), ("Region", 1)]:
        assert re.search(rf"{TOP_CLASS_STYLES[name].colour}[^<]*\">[^<]*</span> {name} "
                         rf"<span class=\"n\">{count}</span>", legend), name
    assert "Other" not in legend
    assert "5 nodes, 4 edges" in legend


def test_class_without_top_class_is_drawn_as_other(tmp_path):
    entities = [*ENTITIES, Entity("某协会", "Association")]
    page = _write(tmp_path, entities)
    node = _node(_data(page), "某协会")
    assert (node["group"], node["color"], node["shape"]) == (
        "Other", OTHER_STYLE.colour, OTHER_STYLE.shape)
    assert "Other <span class=\"n\">1</span>" in page


def test_node_size_follows_degree_or_mentions(tmp_path):
    data = _data(_write(tmp_path))
    size = {n["id"]: n["size"] for n in data["nodes"]}
    # The plan takes part in all four edges, the province in one.
    assert size["新能源汽车产业发展规划"] > size["国务院"] >= size["广东省"]
    assert size["新能源汽车产业发展规划"] == max(size.values())

    counts = {"广东省": 50, "国务院": 5}
    data = _data(_write(tmp_path, name="m.html", mention_counts=counts))
    size = {n["id"]: n["size"] for n in data["nodes"]}
    assert size["广东省"] == max(size.values())
    assert size["广东省"] > size["国务院"] > size["新能源汽车"]
    assert "mentions: 50" in _node(data, "广东省")["title"]


@pytest.mark.parametrize(
    "entities, relations, kw, message",
    [
        (ENTITIES, [Relation("国务院", "issues", "无此规划", _ev("d", 0, "句。"), "t")], {},
         "'无此规划', which is not an entity"),
        ([*ENTITIES, Entity("国务院", "Plan")], [], {}, "duplicate entity key '国务院'"),
        (ENTITIES, RELATIONS, {"max_evidence": -1}, "max_evidence must be 0 or more, got -1"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, entities, relations, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        write_html(entities, relations, tmp_path / "graph.html", top_class=TOP_CLASS, **kw)
    assert list(tmp_path.iterdir()) == []


def test_missing_pyvis_names_the_install_command(monkeypatch):
    monkeypatch.setattr(viz.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=re.escape("pip install 'pyvis>=0.3.2'")):
        viz._find_vis_dir()


# --------------------------------------------------------------------------- layout and data


def test_nodes_arrive_positioned_and_physics_only_polishes_small_graphs(tmp_path):
    page = _write(tmp_path)
    data = _data(page)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])
    assert viz._options(5, 4)["physics"]["enabled"] is True
    big = viz._options(viz.POLISH_MAX_NODES + 1, 10)
    assert big["physics"]["enabled"] is False and big["physics"]["stabilization"]["enabled"] is False
    assert big["layout"]["improvedLayout"] is False


def test_search_box_and_class_filters_are_on_the_page(tmp_path):
    page = _write(tmp_path)
    assert 'id="kg-search"' in page
    for group in TOP_CLASS_STYLES:
        assert f'<input type="checkbox" data-group="{group}" checked>' in page
    assert _node(_data(page), "工业和信息化部")["aliases"] == ["工信部"]


def test_graph_html_of_rdf_graph_has_every_entity(seed_build):
    from rdflib import RDF, Graph

    from kg.namespace import KG

    g = Graph().parse(seed_build.outputs["graph.ttl"])
    iris = {s for top in (KG.Actor, KG.Instrument, KG.Sector, KG.Region)
            for s in g.subjects(RDF.type, top)}
    data = _data(seed_build.outputs["graph.html"].read_text(encoding="utf-8"))
    assert len(data["nodes"]) == len(iris) > 0
    labels = {e["label"] for e in data["edges"]}
    assert {"implements", "broader"} <= labels  # extracted facts and lexicon facts


# --------------------------------------------------------------------------- in a real browser
# Headless Debian Chromium driven by Playwright (tests/browser.py); fails, never skips, when
# the browser is missing.

from tests.browser import (  # noqa: E402
    TOP_CLASS as SYNTH_TOP_CLASS,
    blank_fraction,
    browser,  # noqa: F401  (fixture)
    has_colour,
    open_page,
    synthetic_records,
)

_HOSTILE_DOC = (
    "工信部将落实“白名单”制度<img src=x onerror=alert(1)> href，推动集成电路产业发展。\n"
    "工信部启动“<img src=x onerror=alert(2)> href平台”<script>alert(3)</script>。\n"
)


def _hover(run, node_id):
    """Move the mouse over a node; return the tooltip's text and its elements other than <br>."""
    x, y = run.eval("""id => {
        const p = kg.network.canvasToDOM(kg.network.getPosition(id));
        const r = document.getElementById("graph").getBoundingClientRect();
        return [p.x + r.left, p.y + r.top];
    }""", node_id)
    run.page.mouse.move(x, y)
    run.page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.innerText.length > 0; }", timeout=10_000)
    return run.eval("() => { const t = document.querySelector('div.vis-tooltip');"
                    " return [t.innerText, Array.from(t.querySelectorAll('*'))"
                    ".filter(e => e.tagName !== 'BR').length]; }")  # innerText makes \n a <br>


def test_browser_seed_graph(seed_build, browser, tmp_path):  # noqa: F811
    from rdflib import RDF, Graph

    from kg.namespace import KG

    g = Graph().parse(seed_build.outputs["graph.ttl"])
    n_entities = len({s for top in (KG.Actor, KG.Instrument, KG.Sector, KG.Region)
                      for s in g.subjects(RDF.type, top)})
    run = open_page(browser, seed_build.outputs["graph.html"])
    try:
        assert run.eval("kg.nodes.length") == n_entities
        assert run.eval("kg.network.body.nodeIndices.length") == n_entities
        # Physics polished the layout briefly and was then switched off.
        run.page.wait_for_function("!kg.network.physics.options.enabled", timeout=20_000)

        text, children = _hover(run, "工业和信息化部")
        assert "class: GovernmentBody (Actor)" in text and "aliases: 工信部" in text
        assert "evidence:" in text and children == 0

        assert "工业和信息化部" in run.eval("kg.search('工信部')")  # found by its alias
        assert run.eval("document.getElementById('kg-search-status').textContent").endswith("match")
        actors = run.eval("kg.nodes.get({filter: n => n.group === 'Actor'}).length")
        run.page.uncheck('#legend input[data-group="Actor"]')
        assert run.eval("kg.nodes.get({filter: n => n.hidden}).length") == actors > 0
        run.page.check('#legend input[data-group="Actor"]')
        assert run.eval("kg.nodes.get({filter: n => n.hidden}).length") == 0

        run.eval("kg.search('')")
        run.eval("document.querySelector('div.vis-tooltip').style.visibility = 'hidden'")
        shot = tmp_path / "seed-graph.png"
        png = run.page.screenshot(path=str(shot))
        white, colours = blank_fraction(png)
        assert white < 0.97 and colours > 50, (white, colours)
        for group in ("Actor", "Instrument", "Sector"):
            assert has_colour(png, TOP_CLASS_STYLES[group].colour), group
        assert run.foreign_requests() == []
        assert run.console_errors == []
        assert run.dialogs == []
    finally:
        run.page.close()


def test_browser_5000_nodes_drawn_and_interactive_within_5_s(browser, tmp_path):  # noqa: F811
    import time

    entities, relations = synthetic_records(5000)
    start = time.perf_counter()
    path = write_html(entities, relations, tmp_path / "big.html", top_class=SYNTH_TOP_CLASS)
    build_s = time.perf_counter() - start
    run = open_page(browser, path)
    try:
        print(f"\n5000 nodes, {len(relations)} relations: write_html {build_s:.2f} s, "
              f"first frame {run.ready_ms:.0f} ms after navigation, {run.wall_s:.2f} s wall")
        assert run.eval("kg.nodes.length") == len(entities) == 5000
        assert run.eval("kg.network.body.nodeIndices.length") == 5000
        assert run.ready_ms < 5000, f"first frame after {run.ready_ms:.0f} ms"
        png = run.page.screenshot(path=str(tmp_path / "big.png"))
        white, colours = blank_fraction(png)
        assert white < 0.98 and colours > 20, (white, colours)
        # Interactive: a wheel zoom on the canvas changes the scale promptly.
        before = run.eval("kg.network.getScale()")
        t0 = time.perf_counter()
        run.page.mouse.move(640, 400)
        run.page.mouse.wheel(0, -400)
        run.page.wait_for_function(f"kg.network.getScale() > {before} * 1.05", timeout=5_000)
        zoom_s = time.perf_counter() - t0
        print(f"zoom answered in {zoom_s * 1000:.0f} ms")
        assert run.eval("kg.search('别名700')") == ["Platform00700"]
        assert run.foreign_requests() == []
        assert run.console_errors == []
    finally:
        run.page.close()


def test_browser_hostile_document_runs_nothing(pipeline, browser, tmp_path):  # noqa: F811
    from kg.pipeline import build

    src = tmp_path / "in"
    src.mkdir()
    (src / "<img src=x onerror=alert(1)> href.txt").write_text(_HOSTILE_DOC, encoding="utf-8")
    result = build([str(src)], tmp_path / "out", pipeline=pipeline)
    page_text = result.outputs["graph.html"].read_text(encoding="utf-8")
    data = _data(page_text)
    titles = "\n".join(n["title"] for n in data["nodes"])
    assert "<img src=x onerror=alert(1)> href" in titles  # hostile text is in the tooltips
    assert "<script>alert(3)</script>" in titles
    assert len(re.findall(r"<script\b", page_text, re.I)) == 3

    run = open_page(browser, result.outputs["graph.html"])
    try:
        text, children = _hover(run, "工业和信息化部")
        assert "<img src=x onerror=alert(1)> href" in text  # shown as text ...
        assert children == 0  # ... not as elements
        run.page.mouse.move(1, 1)
        for node in data["nodes"]:
            if "<" in node["title"]:
                _hover(run, node["id"])
                run.page.mouse.move(1, 1)
        run.page.wait_for_timeout(300)
        assert run.dialogs == []
        assert run.eval("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert run.eval("document.scripts.length") == 3
        assert run.foreign_requests() == []  # "x" would have been requested by an <img>
        assert run.console_errors == []
    finally:
        run.page.close()
