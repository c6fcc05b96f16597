"""An interactive, self-contained ``graph.html`` view of the knowledge graph.

The page uses vis-network, whose JavaScript and CSS are copied *into* the HTML from the files
that the ``pyvis`` package ships, so the file opens from disk with no network and nothing is
written beside it.  pyvis's own ``Network.write_html`` is not used: every ``cdn_resources``
mode still links Bootstrap from a CDN (pyvis issues #228, #229), ``"local"`` copies a ``lib/``
folder into the working directory, ``add_edge`` is quadratic, ``heading`` is not escaped and
a title containing "href" switches its tooltips to HTML.

What the page shows: nodes coloured and shaped by top class with a legend whose check boxes
hide or show a class, node size by degree (or mentions), edge labels by relation, tooltips
with the class, aliases and up to ``max_evidence`` evidence sentences with their document,
and a search box (names and aliases).  Positions are computed in Python
(:func:`kg.layout.layout`), so even thousands of nodes are drawn at once; physics only
polishes small graphs for a moment.

Text from documents (names, aliases, evidence sentences) reaches the page only as data:

* node and edge data travel as JSON in a ``<script type="application/json">`` element, with
  ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX`` so no text can end the element;
* vis-network 9 shows a string ``title`` with ``innerText`` (vis-network PR #1275), so
  tooltips are plain text with newlines and are deliberately *not* HTML-escaped;
* labels are drawn on a canvas; the search status is set with ``textContent``;
* the page title, heading and legend are HTML-escaped.

The output is deterministic: nodes, edges and evidence are sorted, ids are derived from the
data, and the layout is seeded.
"""
from __future__ import annotations

import html
import importlib.util
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import networkx as nx

from .io import PathLike, atomic_write_text
from .types import Entity, Evidence, Relation

__all__ = ["TopClassStyle", "TOP_CLASS_STYLES", "OTHER_STYLE", "POLISH_MAX_NODES",
           "write_html", "write_graph_html", "render_html"]


@dataclass(frozen=True)
class TopClassStyle:
    """How the nodes of one top class are drawn, and the glyph that stands for it in the legend."""

    colour: str  # CSS/vis colour of the node
    shape: str  # vis-network shape with the label below it, so the node size applies
    glyph: str  # the same shape as a character, for the legend


TOP_CLASS_STYLES: Mapping[str, TopClassStyle] = {
    "Actor": TopClassStyle("#4e79a7", "dot", "\u25cf"),  # blue circle
    "Instrument": TopClassStyle("#f28e2b", "square", "\u25a0"),  # orange square
    "Sector": TopClassStyle("#59a14f", "triangle", "\u25b2"),  # green triangle
    "Region": TopClassStyle("#b07aa1", "diamond", "\u25c6"),  # purple diamond
}
#: Style of an entity whose class has no top class in the ``top_class`` mapping.
OTHER_STYLE = TopClassStyle("#9d9d9d", "hexagon", "\u2b22")
_OTHER = "Other"

#: Up to this many nodes, vis-network's physics polishes the Python layout briefly.
POLISH_MAX_NODES = 300
_POLISH_ITERATIONS = 60
_SPACING = 110.0  # pixels per layout unit (about one node spacing)
_BIG_EDGES = 1500  # above this, straight edges and no edges while dragging or zooming
_MIN_SIZE = 10.0  # vis size (radius, px) of the least connected node
_MAX_SIZE = 40.0  # ... and of the most connected one
_MAX_SENTENCE_CHARS = 200  # a longer evidence sentence is cut in a tooltip
_FONT = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
         '"WenQuanYi Micro Hei", sans-serif')

# Characters that must not appear raw in JSON embedded in an HTML <script> element.
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def write_html(
    entities: Sequence[Entity],
    relations: Sequence[Relation],
    path: PathLike,
    *,
    top_class: Mapping[str, str],
    mention_counts: Optional[Mapping[str, int]] = None,
    title: str = "policy-kg",
    max_evidence: int = 3,
) -> Path:
    """Write an interactive vis-network view of pipeline records to ``path`` (atomically).

    Parameters
    ----------
    entities
        The nodes; :attr:`Entity.key` must be unique.
    relations
        The edges; ``subject`` and ``object`` must be keys of ``entities``.  Relations with the
        same (subject, predicate, object) are drawn as one edge listing their evidence.
    path
        The HTML file to write.  Nothing else is written.
    top_class
        Class local name (``"GovernmentBody"``) to top class (``"Actor"``, ``"Instrument"``,
        ``"Sector"``, ``"Region"``), which sets a node's colour and shape.  A class missing from
        it is drawn grey as "Other".
    mention_counts
        Mentions by entity key; when given, node size follows it instead of the degree.
    title
        Page title and heading (shown as text).
    max_evidence
        Most evidence sentences listed in one tooltip; further ones are counted.

    Raises
    ------
    ValueError
        On a duplicate entity key, a relation naming an unknown entity, or a negative
        ``max_evidence``.
    ImportError
        When pyvis, which ships the vis-network files, is not installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kg.types import Entity
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "graph.html"
    >>> write_html([Entity("国务院", "GovernmentBody")], [], out,
    ...            top_class={"GovernmentBody": "Actor"}).name
    'graph.html'
    """
    from .analytics import from_records

    _check_max_evidence(max_evidence)
    graph = from_records(entities, relations, top_class=top_class, mention_counts=mention_counts)
    size_by = "mentions" if mention_counts is not None else "degree"
    return atomic_write_text(path, render_html(graph, title=title, max_evidence=max_evidence,
                                               size_by=size_by))


def write_graph_html(source, path: PathLike, *, title: str = "policy-kg", max_evidence: int = 3,
                     size_by: str = "degree") -> Path:
    """Write the view of an RDF graph (an rdflib Graph, ``graph.ttl`` or a build directory, or
    its :func:`kg.analytics.to_networkx` form).

    Every entity of the graph is a node, every fact between two entities an edge (lexicon
    facts such as ``skos:broader`` included), so the page shows exactly what ``graph.ttl``
    holds.  ``size_by`` is ``"degree"`` or ``"mentions"``.
    """
    from .analytics import to_networkx

    _check_max_evidence(max_evidence)
    graph = source if isinstance(source, nx.MultiDiGraph) else to_networkx(source)
    return atomic_write_text(path, render_html(graph, title=title, max_evidence=max_evidence,
                                               size_by=size_by))


def _check_max_evidence(max_evidence: int) -> None:
    if max_evidence < 0:
        raise ValueError(f"max_evidence must be 0 or more, got {max_evidence}")


def render_html(graph: nx.MultiDiGraph, *, title: str = "policy-kg", max_evidence: int = 3,
                size_by: str = "degree") -> str:
    """The page for a graph in the form of :func:`kg.analytics.to_networkx` (also notebooks).

    Raises
    ------
    ValueError
        On an unknown ``size_by`` (valid: ``"degree"``, ``"mentions"``) or negative
        ``max_evidence``.
    """
    _check_max_evidence(max_evidence)
    if size_by not in ("degree", "mentions"):
        raise ValueError(f"size_by must be 'degree' or 'mentions', got {size_by!r}")
    data, counts = _graph_data(graph, max_evidence, size_by)
    js, css, version = _vis_assets()
    return _render(title, data, counts, js, css, version)


# --------------------------------------------------------------------------- graph -> data


def _graph_data(graph: nx.MultiDiGraph, max_evidence: int, size_by: str) -> Tuple[dict, Dict[str, int]]:
    """Return the vis-network ``{"nodes", "edges"}`` data and the node count by top class."""
    from .layout import layout

    degree: Dict[str, int] = {key: 0 for key in graph.nodes}
    node_evidence: Dict[str, List[Evidence]] = {key: [] for key in graph.nodes}
    edges = []
    triples = sorted((s, p, o, data) for s, o, p, data in graph.edges(keys=True, data=True))
    for index, (subject, predicate, obj, attrs) in enumerate(triples):
        evidence = list(attrs.get("evidence", ()))
        degree[subject] += 1
        degree[obj] += 1
        node_evidence[subject].extend(evidence)
        if obj != subject:
            node_evidence[obj].extend(evidence)
        lines = [f"{subject} \u2014{predicate}\u2192 {obj}"]
        roles = list(attrs.get("roles", ()))
        if roles:
            lines.append("role: " + ", ".join(roles))
        lines.extend(_evidence_lines(evidence, max_evidence))
        edges.append({
            "id": f"e{index}",
            "from": subject,
            "to": obj,
            "label": predicate,
            "title": "\n".join(lines),
        })

    attrs_of = graph.nodes
    if size_by == "mentions":
        weight = {key: max(int(attrs_of[key].get("mentions") or 0), 0) for key in graph.nodes}
    else:
        weight = degree
    top_weight = max(weight.values(), default=0)
    positions = layout(graph, seed=1)

    nodes = []
    counts: Dict[str, int] = {}
    for key in sorted(graph.nodes):
        attrs = attrs_of[key]
        top = attrs.get("top")
        group = top if top in TOP_CLASS_STYLES else _OTHER
        style = TOP_CLASS_STYLES.get(group, OTHER_STYLE)
        counts[group] = counts.get(group, 0) + 1
        label = attrs.get("label", key)
        lines = [label, f"class: {attrs.get('cls')} ({group})"]
        aliases = [a for a in attrs.get("aliases", ()) if a != label]
        if aliases:
            lines.append("aliases: " + ", ".join(aliases))
        if attrs.get("mentions") is not None:
            lines.append(f"mentions: {attrs['mentions']}")
        lines.append(f"relations: {degree[key]}")
        lines.extend(_evidence_lines(node_evidence[key], max_evidence))
        x, y = positions[key]
        node = {
            "id": key,
            "label": label,
            "group": group,
            "shape": style.shape,
            "color": style.colour,
            "size": _size(weight[key], top_weight),
            "title": "\n".join(lines),
            "x": round(x * _SPACING, 1),
            "y": round(y * _SPACING, 1),
        }
        if aliases:
            node["aliases"] = aliases
        nodes.append(node)
    return {"nodes": nodes, "edges": edges}, counts


def _size(weight: int, top_weight: int) -> float:
    """Node radius: area grows with the weight, from _MIN_SIZE (0) to _MAX_SIZE (the top)."""
    if top_weight <= 0:
        return _MIN_SIZE
    return round(_MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * math.sqrt(weight / top_weight), 2)


def _evidence_lines(evidence: Sequence[Evidence], max_evidence: int) -> List[str]:
    """Tooltip lines for up to ``max_evidence`` distinct sentences, in document order."""
    unique = sorted({(e.doc_id, e.sentence, e.text) for e in evidence})
    if not unique or max_evidence == 0:
        return [f"evidence: {len(unique)}"] if unique else []
    lines = ["evidence:"]
    for doc_id, _sentence, text in unique[:max_evidence]:
        text = " ".join(text.split())
        if len(text) > _MAX_SENTENCE_CHARS:
            text = text[: _MAX_SENTENCE_CHARS - 1] + "\u2026"
        lines.append(f"[{doc_id}] {text}")
    if len(unique) > max_evidence:
        lines.append(f"(+{len(unique) - max_evidence} more)")
    return lines


# --------------------------------------------------------------------------- vis-network files


def _find_vis_dir() -> Path:
    """The newest ``vis-<version>`` folder shipped inside the installed pyvis package."""
    spec = importlib.util.find_spec("pyvis")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "kg.viz needs the vis-network files shipped with pyvis; "
            "install them with: pip install 'pyvis>=0.3.2'"
        )
    found = []
    for root in spec.submodule_search_locations:
        for sub in ("templates/lib", "lib"):
            for folder in Path(root, sub).glob("vis-*"):
                match = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", folder.name)
                if match and (folder / "vis-network.min.js").is_file():
                    found.append((tuple(int(g) for g in match.groups()), str(folder)))
    if not found:
        raise ImportError(
            f"no vis-network files (vis-*/vis-network.min.js) in the pyvis package at "
            f"{', '.join(spec.submodule_search_locations)}; reinstall it with: "
            "pip install --force-reinstall 'pyvis>=0.3.2'"
        )
    return Path(max(found)[1])


@lru_cache(maxsize=1)
def _vis_assets() -> Tuple[str, str, str]:
    """Return vis-network's (JavaScript, CSS, version), made safe to inline in HTML."""
    folder = _find_vis_dir()
    version = folder.name[len("vis-"):]
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    # The map file is not shipped; drop the reference so no tool tries to fetch it.
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    # The one "<script>" in the library is inside a string literal (core-js's IE fallback);
    # "\x3C" is the same string and keeps the page's tag count honest.
    js = js.replace('"<script>"', '"\\x3Cscript>"')
    for text, name, bad in ((js, "vis-network.min.js", ("<script", "</script", "<!--")),
                            (css, "vis-network.css", ("</style",))):
        for needle in bad:
            if needle in text.lower():
                raise ImportError(f"{folder / name} contains {needle!r} and cannot be inlined "
                                  "safely; install pyvis 0.3.2")
    return js, css, version


# --------------------------------------------------------------------------- page


def _script_json(value: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (it cannot close the element)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group()], text)

def _script_json(value: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (it cannot close the element)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def _options(n_nodes: int, n_edges: int) -> dict:
    """vis-network options: nodes arrive positioned; physics only polishes small graphs."""
    polish = n_nodes <= POLISH_MAX_NODES
    big = n_edges > _BIG_EDGES
    return {
        "autoResize": True,
        "layout": {"randomSeed": 1, "improvedLayout": False},
        "nodes": {"borderWidth": 1, "font": {"face": _FONT, "size": 14}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a0a0a0", "highlight": "#333333", "hover": "#333333"},
            "font": {"face": _FONT, "size": 10, "align": "middle", "strokeWidth": 3},
            "smooth": False if big else {"type": "continuous"},
        },
        "physics": {
            "enabled": polish,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": _SPACING * 1.5,
                          "springConstant": 0.02, "avoidOverlap": 0.5},
            "stabilization": {"enabled": polish, "iterations": _POLISH_ITERATIONS, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big},
        # The same styles as on the nodes: vis-network re-applies a node's group style when
        # the node is updated (hidden by a class filter), so the two must agree.
        "groups": {name: {"color": style.colour, "shape": style.shape}
                   for name, style in [*TOP_CLASS_STYLES.items(), (_OTHER, OTHER_STYLE)]},
    }


def _legend(counts: Mapping[str, int], n_nodes: int, n_edges: int) -> str:
    rows = []
    for name, style in [*TOP_CLASS_STYLES.items(), (_OTHER, OTHER_STYLE)]:
        if name == _OTHER and not counts.get(_OTHER):
            continue
        escaped = html.escape(name)
        rows.append(
            f'<li><label><input type="checkbox" data-group="{escaped}" checked> '
            f'<span class="glyph" style="color:{style.colour}">{style.glyph}</span> '
            f"{escaped} <span class=\"n\">{counts.get(name, 0)}</span></label></li>"
        )
    return (
        '<div id="legend"><ul>' + "".join(rows) + "</ul>"
        f'<p class="n">{n_nodes} nodes, {n_edges} edges</p></div>'
    )


_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="generator" content="policy-kg kg.viz (vis-network {version})">
<title>{title}</title>
<style>{vis_css}</style>
<style>
html, body {{ margin: 0; height: 100%; font-family: {font}; }}
header {{ display: flex; align-items: center; gap: 12px; height: 36px; padding: 0 12px; }}
h1 {{ margin: 0; font-size: 18px; font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
#kg-search {{ width: 16em; font: inherit; font-size: 14px; padding: 2px 6px; }}
#kg-search-status {{ color: #777; font-size: 13px; }}
#graph {{ position: absolute; top: 36px; left: 0; right: 0; bottom: 0; }}
#legend {{ position: absolute; top: 44px; left: 8px; z-index: 1; padding: 6px 10px;
  background: rgba(255, 255, 255, 0.9); border: 1px solid #ddd; border-radius: 4px;
  font-size: 13px; }}
#legend ul {{ list-style: none; margin: 0; padding: 0; }}
#legend label {{ cursor: pointer; }}
#legend .glyph {{ display: inline-block; width: 1.2em; text-align: center; }}
#legend .n {{ color: #777; margin: 4px 0 0; }}
div.vis-tooltip {{ white-space: pre-wrap; max-width: 480px; font-family: {font}; }}
</style>
<script>{vis_js}</script>
</head>
<body>
<header><h1>{title}</h1>
<input id="kg-search" type="search" placeholder="Search names and aliases" aria-label="Search names and aliases" autocomplete="off">
<span id="kg-search-status" role="status"></span></header>
{legend}
<div id="graph"></div>
<script type="application/json" id="kg-data">{data}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var options = {options};
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("graph"),
                                {{ nodes: nodes, edges: edges }}, options);
  var kg = window.kg = {{ network: network, nodes: nodes, edges: edges, ready: false, readyAt: null }};
  network.once("afterDrawing", function () {{
    kg.ready = true;
    kg.readyAt = performance.now();
  }});
  if (options.physics.enabled) {{
    network.once("stabilizationIterationsDone", function () {{
      network.setOptions({{ physics: {{ enabled: false }} }});
      network.fit({{ animation: false }});
    }});
  }}

  // Class filters: the legend's check boxes hide or show the nodes of a top class.
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#legend input[data-group]"));
  function applyFilters() {{
    var hidden = {{}};
    boxes.forEach(function (box) {{ hidden[box.getAttribute("data-group")] = !box.checked; }});
    var changes = [];
    nodes.forEach(function (node) {{
      var hide = hidden[node.group] === true;
      if (Boolean(node.hidden) !== hide) {{ changes.push({{ id: node.id, hidden: hide }}); }}
    }});
    nodes.update(changes);
    search(false);
  }}
  boxes.forEach(function (box) {{ box.addEventListener("change", applyFilters); }});

  // Search: select the visible nodes whose name or alias contains the text, and show them.
  var input = document.getElementById("kg-search");
  var status = document.getElementById("kg-search-status");
  var timer = null;
  function matches(node, q) {{
    if (String(node.label).toLowerCase().indexOf(q) >= 0) {{ return true; }}
    return (node.aliases || []).some(function (a) {{ return String(a).toLowerCase().indexOf(q) >= 0; }});
  }}
  function search(move) {{
    var q = input.value.trim().toLowerCase();
    if (!q) {{
      if (status.textContent && move) {{ network.fit({{ animation: false }}); }}
      status.textContent = "";
      network.unselectAll();
      kg.matches = [];
      return;
    }}
    var ids = nodes.getIds({{ filter: function (node) {{ return !node.hidden && matches(node, q); }} }});
    kg.matches = ids;
    status.textContent = ids.length + (ids.length === 1 ? " match" : " matches");
    network.selectNodes(ids, false);
    if (move && ids.length) {{
      network.fit({{ nodes: ids, maxZoomLevel: 1.5, animation: false }});
    }}
  }}
  input.addEventListener("input", function () {{
    clearTimeout(timer);
    timer = setTimeout(function () {{ search(true); }}, 200);
  }});
  input.addEventListener("keydown", function (event) {{
    if (event.key === "Enter") {{ clearTimeout(timer); search(true); }}
  }});
  kg.search = function (text) {{ input.value = text; search(true); return kg.matches; }};
}})();
</script>
</body>
</html>
"""


def _render(title: str, data: dict, counts: Mapping[str, int], js: str, css: str,
            version: str) -> str:
    return _PAGE.format(
        version=html.escape(version),
        title=html.escape(title),
        font=_FONT,
        vis_css=css,
        vis_js=js,
        legend=_legend(counts, len(data["nodes"]), len(data["edges"])),
        data=_script_json(data),
        options=_script_json(_options(len(data["nodes"]), len(data["edges"]))),
    )
