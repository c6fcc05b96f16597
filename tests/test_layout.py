"""Tests of kg.layout: cheap, deterministic positions for the interactive view."""
from __future__ import annotations

import math

import networkx as nx
import pytest

from kg import layout as layout_mod
from kg.layout import layout


def _min_distance(pos):
    pts = list(pos.values())
    return min(math.dist(a, b) for i, a in enumerate(pts) for b in pts[i + 1:])


@pytest.mark.parametrize("graph", [
    nx.empty_graph(1),
    nx.path_graph(5),
    nx.star_graph(20),
    nx.disjoint_union(nx.cycle_graph(6), nx.empty_graph(4)),
    nx.MultiDiGraph([(0, 1), (0, 1), (1, 0), (1, 2)]),
], ids=["single", "path", "star", "cycle+isolated", "multidigraph"])
def test_every_node_gets_a_distinct_position(graph):
    pos = layout(graph)
    assert set(pos) == set(graph.nodes)
    assert all(len(p) == 2 and all(math.isfinite(c) for c in p) for p in pos.values())
    if len(pos) > 1:
        assert _min_distance(pos) > 0.05


def test_same_graph_same_positions_whatever_the_insertion_order():
    g = nx.les_miserables_graph()
    h = nx.Graph()
    h.add_nodes_from(reversed(list(g.nodes)))
    h.add_edges_from(reversed(list(g.edges)))
    assert layout(g) == layout(h)
    assert layout(g, seed=2) != layout(g)


def test_neighbours_are_about_one_unit_apart():
    pos = layout(nx.les_miserables_graph())
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in nx.les_miserables_graph().edges)
    assert 0.5 < lengths[len(lengths) // 2] < 2.0


def test_big_components_are_split_into_communities_that_do_not_overlap(monkeypatch):
    monkeypatch.setattr(layout_mod, "SPRING_MAX", 20)
    g = nx.connected_caveman_graph(6, 15)  # six dense groups of 15 in a ring
    pos = layout(g)
    assert set(pos) == set(g.nodes)
    centres = []
    for k in range(6):
        pts = [pos[v] for v in range(15 * k, 15 * (k + 1))]
        centres.append((sum(p[0] for p in pts) / 15, sum(p[1] for p in pts) / 15))
    # Members of a group sit closer to their own centre than to any other group's.
    for k in range(6):
        for v in range(15 * k, 15 * (k + 1)):
            own = math.dist(pos[v], centres[k])
            assert all(own < math.dist(pos[v], c) for j, c in enumerate(centres) if j != k)


def test_components_are_packed_apart():
    g = nx.disjoint_union_all([nx.complete_graph(8) for _ in range(5)])
    pos = layout(g)
    boxes = []
    for k in range(5):
        xs = [pos[v][0] for v in range(8 * k, 8 * (k + 1))]
        ys = [pos[v][1] for v in range(8 * k, 8 * (k + 1))]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
