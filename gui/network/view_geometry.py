"""Where the network view puts things: node positions in columns, edge segments, node size, which
parameter each edge and node stands for, and which one a click lands on. Plain numpy; the view maps
between view and scene coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import ParamRef

X_SPACING = 3.2
Y_SPACING = 2.0
NODE_PX = 46
LABELS_MAX_NODES = 8  # wider layers get smaller nodes so that they do not overlap
#: Layers up to this many nodes get their z, a, δ written under each node; in taller columns three
#: lines a node overlap the next node, so there the values are in each node's tooltip only.
LABELLED_MAX_NODES = 6
EDGE_HIT_PX = 8


def weight_name(layer: int, j: int, k: int) -> str:
    """``w(layer)[j+1,k+1]`` for 0-based node indices ``j`` (in ``layer``) and ``k`` (in ``layer-1``)."""
    return ParamRef("w", layer, j + 1, k + 1).name


def bias_name(layer: int, j: int) -> str:
    """``b(layer)[j+1]`` for the 0-based node index ``j``."""
    return ParamRef("b", layer, j + 1).name


@dataclass(frozen=True)
class Layout:
    """Geometry of one architecture.

    ``positions``: ``(n_nodes, 2)`` view coordinates, inputs first, then each layer top to bottom;
    ``node_index``: (layer, j) per node (0-based j); ``offsets``: index of each layer's first node
    plus the total; ``segments``: ``(n_edges, 4)`` rows x0, y0, x1, y1; ``edge_index``: (l, j, k)
    per edge, 1-based layer l, 0-based j (node in l) and k (node in l-1); ``edge_names``: each
    edge's weight, ``node_names``: each node's bias (None for inputs), in lecture notation.
    """

    sizes: tuple[int, ...]
    positions: np.ndarray
    node_index: list
    offsets: np.ndarray
    segments: np.ndarray
    edge_index: list
    edge_names: tuple[str, ...]
    node_names: tuple[str | None, ...]

    @property
    def node_px(self) -> float:
        """Node diameter in pixels: wide layers get smaller nodes so that they do not overlap."""
        widest = max(self.sizes, default=0)
        return NODE_PX if widest <= LABELS_MAX_NODES else max(8.0, NODE_PX * LABELS_MAX_NODES / widest)

    @property
    def labelled(self) -> bool:
        return max(self.sizes, default=0) <= LABELLED_MAX_NODES

    def parameter_of(self, kind: str, i: int) -> str | None:
        """The parameter a hit stands for: a node's bias (None for an input) or an edge's weight."""
        return self.node_names[i] if kind == "node" else self.edge_names[i]

    def edge_of(self, name: str | None) -> int | None:
        """Index of the edge whose weight is ``name``, or None."""
        return self.edge_names.index(name) if name in self.edge_names else None

    def node_of(self, name: str | None) -> int | None:
        """Index of the node whose bias is ``name``, or None."""
        return self.node_names.index(name) if name is not None and name in self.node_names else None

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """x and y ranges that show every node with room for the labels."""
        if not len(self.positions):
            return None
        xs, ys = self.positions[:, 0], self.positions[:, 1]
        return (xs.min() - 1.7, xs.max() + 1.5), (ys.min() - 1.6, ys.max() + 0.7)


def network_layout(sizes: tuple[int, ...]) -> Layout:
    """Nodes of layer l at x = l * X_SPACING, centred vertically; one edge per weight."""
    pos, index = [], []
    for l, n in enumerate(sizes):
        for j in range(n):
            pos.append((l * X_SPACING, ((n - 1) / 2.0 - j) * Y_SPACING))
            index.append((l, j))
    positions = np.array(pos, dtype=float).reshape(-1, 2)
    offsets = np.cumsum((0,) + tuple(sizes))
    segs, eidx = [], []
    for l in range(1, len(sizes)):
        for j in range(sizes[l]):
            for k in range(sizes[l - 1]):
                p1 = positions[offsets[l] + j]
                p0 = positions[offsets[l - 1] + k]
                segs.append((p0[0], p0[1], p1[0], p1[1]))
                eidx.append((l, j, k))
    edge_names = tuple(weight_name(*e) for e in eidx)
    node_names = tuple(bias_name(l, j) if l > 0 else None for l, j in index)
    return Layout(tuple(sizes), positions, index, offsets, np.array(segs).reshape(-1, 4), eidx,
                  edge_names, node_names)


def hit_test(node_pts: np.ndarray, seg_p0: np.ndarray, seg_p1: np.ndarray, click: np.ndarray,
             node_px: float) -> tuple[str, int] | None:
    """What a click hits, all in scene pixels: ``("node", i)`` within a node's radius (+2 px), else
    ``("edge", e)`` for the nearest edge within EDGE_HIT_PX, else None.

    ``node_pts``: ``(n_nodes, 2)``; ``seg_p0``/``seg_p1``: ``(n_edges, 2)`` edge ends; ``click``: ``(2,)``.
    """
    if not len(node_pts):
        return None
    d = np.hypot(*(node_pts - click).T)
    i = int(np.argmin(d))
    if d[i] <= node_px / 2 + 2:
        return "node", i
    if not len(seg_p0):
        return None
    v = seg_p1 - seg_p0
    t = np.clip(((click - seg_p0) * v).sum(1) / np.maximum((v * v).sum(1), 1e-12), 0, 1)
    dist = np.hypot(*(seg_p0 + t[:, None] * v - click).T)
    e = int(np.argmin(dist))
    return ("edge", e) if dist[e] <= EDGE_HIT_PX else None
