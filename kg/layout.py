"""Deterministic node positions for the interactive view, computed in Python.

vis-network's in-browser physics needs tens of seconds to untangle a few hundred nodes and
never finishes on thousands, while drawing pre-positioned nodes is fast.  So the layout is
done here, cheaply and without scipy:

* each connected component is laid out on its own and the components are packed in rows,
  biggest first;
* a component of at most :data:`SPRING_MAX` nodes gets networkx's Fruchterman-Reingold
  ``spring_layout`` (its dense NumPy solver, seeded);
* a bigger one is split into Louvain communities (seeded), each community is laid out the
  same way (recursively), the communities are placed by a spring layout of the graph of
  communities, and overlapping communities are then pushed apart;
* a community that Louvain cannot split is drawn as a sunflower spiral, best connected nodes
  in the middle.

Positions are in "node units": neighbouring nodes end up roughly one unit apart; the caller
scales them to pixels.  The same graph (same node and edge order) and seed give the same
positions.

>>> import networkx as nx
>>> pos = layout(nx.path_graph(3))
>>> sorted(pos) == [0, 1, 2] and all(len(p) == 2 for p in pos.values())
True
"""
from __future__ import annotations

import math
from typing import Dict, Hashable, List, Sequence, Tuple

import networkx as nx
import numpy as np

__all__ = ["SPRING_MAX", "layout"]

#: Largest component or community laid out by one spring layout (dense solver: O(n^2) memory).
SPRING_MAX = 300
_GAP = 1.5  # space (node units) between packed components and between communities
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))

Position = Tuple[float, float]


def layout(graph: nx.Graph, *, seed: int = 1) -> Dict[Hashable, Position]:
    """Positions (x, y) in node units for every node of ``graph`` (directions are ignored).

    Parameters
    ----------
    graph
        Any networkx graph; multi-edges and directions only count as one undirected link.
    seed
        Seed of the spring layouts and of Louvain: the same seed, the same picture.
    """
    simple = _undirected(graph)
    components = sorted((sorted(c, key=_order) for c in nx.connected_components(simple)),
                        key=lambda c: (-len(c), _order(c[0])))
    blocks = [_component(simple.subgraph(nodes), nodes, seed) for nodes in components]
    return _pack(blocks)


def _order(node: Hashable) -> Tuple[str, str]:
    return (type(node).__name__, str(node))


def _undirected(graph: nx.Graph) -> nx.Graph:
    """A simple undirected graph with the nodes in sorted order and edge weights = multiplicity."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=_order))
    for u, v in sorted(((u, v) for u, v, *_ in graph.edges if u != v),
                       key=lambda e: (_order(e[0]), _order(e[1]))):
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)
    return simple


def _component(graph: nx.Graph, nodes: Sequence[Hashable], seed: int) -> Tuple[Dict[Hashable, np.ndarray], float]:
    """Positions centred on (0, 0) and the radius of the disc holding them."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: np.zeros(2)}, 0.5
    if n <= SPRING_MAX:
        return _spring(graph, nodes, seed)
    parts = nx.community.louvain_communities(graph, weight="weight", seed=seed, threshold=1e-4)
    parts = sorted((sorted(p, key=_order) for p in parts), key=lambda p: (-len(p), _order(p[0])))
    if len(parts) == 1:
        return _sunflower(graph, nodes)
    blocks = [_component(graph.subgraph(p), p, seed) for p in parts]
    centres = _place_parts(graph, parts, [r for _, r in blocks], seed)
    pos = {}
    for (block, _r), centre in zip(blocks, centres):
        for node, p in block.items():
            pos[node] = p + centre
    return _centred(pos)


def _spring(graph: nx.Graph, nodes: Sequence[Hashable], seed: int) -> Tuple[Dict[Hashable, np.ndarray], float]:
    raw = nx.spring_layout(graph.subgraph(nodes), seed=seed, iterations=50, method="force")
    arr = np.array([raw[v] for v in nodes], dtype=float)
    arr -= arr.mean(axis=0)
    # Scale so that the median link is one unit long (neighbours about one node apart).
    index = {v: i for i, v in enumerate(nodes)}
    lengths = [float(np.linalg.norm(arr[index[u]] - arr[index[v]]))
               for u, v in graph.subgraph(nodes).edges() if u != v]
    median = float(np.median(lengths)) if lengths else 0.0
    if median <= 1e-9:
        median = (float(np.sqrt((arr ** 2).sum(axis=1).mean())) or 1.0) / math.sqrt(len(nodes))
    arr *= 1.0 / median
    return _centred({v: arr[i] for i, v in enumerate(nodes)})


def _sunflower(graph: nx.Graph, nodes: Sequence[Hashable]) -> Tuple[Dict[Hashable, np.ndarray], float]:
    """Evenly spread points on a spiral; the nodes with most links nearest the centre."""
    ranked = sorted(nodes, key=lambda v: (-graph.degree(v, weight="weight"), _order(v)))
    pos = {}
    for i, v in enumerate(ranked):
        r = 0.6 * math.sqrt(i + 0.5)
        pos[v] = np.array([r * math.cos(i * _GOLDEN_ANGLE), r * math.sin(i * _GOLDEN_ANGLE)])
    return _centred(pos)


def _place_parts(graph: nx.Graph, parts: List[List[Hashable]], radii: Sequence[float],
                 seed: int) -> np.ndarray:
    """Centres of the communities: a spring layout of the community graph, then no overlaps."""
    index = {v: i for i, part in enumerate(parts) for v in part}
    quotient = nx.Graph()
    quotient.add_nodes_from(range(len(parts)))
    for u, v, w in graph.edges(data="weight"):
        a, b = index[u], index[v]
        if a != b:
            old = quotient.get_edge_data(a, b, {"weight": 0})["weight"]
            quotient.add_edge(a, b, weight=old + w)
    r = np.asarray(radii, dtype=float)
    if len(parts) <= SPRING_MAX:
        raw = nx.spring_layout(quotient, seed=seed, iterations=100, method="force", weight="weight")
        centres = np.array([raw[i] for i in range(len(parts))], dtype=float)
    else:
        spiral, _ = _sunflower(quotient, list(range(len(parts))))
        centres = np.array([spiral[i] for i in range(len(parts))], dtype=float)
    centres -= centres.mean(axis=0)
    spread = float(np.sqrt((centres ** 2).sum(axis=1).mean())) or 1.0
    centres *= math.sqrt(float((r ** 2).sum())) * 0.8 / spread
    return _separate(centres, r + _GAP / 2)


def _separate(centres: np.ndarray, radii: np.ndarray, rounds: int = 200) -> np.ndarray:
    """Push apart discs that overlap (pairwise, vectorised; a few hundred discs at most)."""
    pos = centres.copy()
    k = len(pos)
    if k < 2:
        return pos
    need = radii[:, None] + radii[None, :]
    np.fill_diagonal(need, 0.0)
    for step in range(rounds):
        diff = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((diff ** 2).sum(axis=2))
        overlap = need - dist
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() <= 1e-6:
            break
        overlap = np.clip(overlap, 0.0, None)
        # Coincident centres: split them along a fixed, index-dependent direction.
        angle = np.arange(k)[:, None] * _GOLDEN_ANGLE + np.arange(k)[None, :]
        fallback = np.stack([np.cos(angle), np.sin(angle)], axis=2)
        unit = np.where(dist[:, :, None] > 1e-9, diff / np.maximum(dist, 1e-9)[:, :, None], fallback)
        pos += (unit * (overlap / 2.0)[:, :, None]).sum(axis=1) * 0.5
    return pos


def _centred(pos: Dict[Hashable, np.ndarray]) -> Tuple[Dict[Hashable, np.ndarray], float]:
    arr = np.array(list(pos.values()), dtype=float)
    mid = (arr.min(axis=0) + arr.max(axis=0)) / 2.0
    out = {v: p - mid for v, p in pos.items()}
    radius = max(float(np.sqrt((p ** 2).sum())) for p in out.values()) + 0.5
    return out, radius


def _pack(blocks: List[Tuple[Dict[Hashable, np.ndarray], float]]) -> Dict[Hashable, Position]:
    """Place the components in rows of about equal width, biggest first, left to right."""
    if not blocks:
        return {}
    area = sum((2 * r + _GAP) ** 2 for _, r in blocks)
    width = max(math.sqrt(area) * 1.2, max(2 * r + _GAP for _, r in blocks))
    out: Dict[Hashable, Position] = {}
    x = y = row_height = 0.0
    for block, r in blocks:
        side = 2 * r + _GAP
        if x > 0 and x + side > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + side / 2, y + side / 2
        for node, p in block.items():
            out[node] = (round(float(p[0] + cx), 3), round(float(p[1] + cy), 3))
        x += side
        row_height = max(row_height, side)
    return out
