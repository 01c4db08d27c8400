"""Where the compact network view puts things: a network with a layer of more than
``COMPACT_ABOVE`` nodes is drawn as blocks of cells instead of nodes and edges. Left to right: the
inputs' strip x, then per layer l the weight matrix w(l) (row j: node j of layer l, column k: node k
of layer l-1), the bias strip b(l) and the value strips z(l), a(l), δ(l), every strip one cell a node.
Plain numpy geometry in view units (y up, node 1 at the top) and the colour tables of the cells; the
drawing is ``view_compact``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import NetworkError, parse_param_name
from engine.numbers import format_vector
from gui.network.view_geometry import bias_name, weight_name

#: Layers of up to this many nodes are drawn as nodes and edges; a wider one makes the view compact.
COMPACT_ABOVE = 8
HEIGHT = 10.0        # every column is this tall, whatever its number of cells
STRIP = 1.0          # width of a value strip
STRIP_GAP = 0.25     # between the strips of one layer
BLOCK_GAP = 0.8      # between a matrix and the strips beside it
MATRIX_SHARE = 1.4   # the matrices together are this many times as wide as all strips
MATRIX_MIN = 2.0
#: The value strips of each layer after its bias strip, in drawing order.
VALUE_KINDS = ("z", "a", "delta")
KIND_SYMBOL = {"x": "x", "w": "w", "b": "b", "z": "z", "a": "a", "delta": "δ"}


def is_compact(sizes: tuple[int, ...]) -> bool:
    """True when a layer (inputs included) has more than ``COMPACT_ABOVE`` nodes."""
    return max(sizes, default=0) > COMPACT_ABOVE


@dataclass(frozen=True)
class Block:
    """One image of cells: ``kind`` x (inputs), w (a weight matrix), b, z, a or delta (a strip) of
    ``layer``; lower-left corner ``(x0, y0)``, ``width`` x ``height`` in view units, ``rows`` x ``cols``
    cells (row 0 at the top; a strip has one column)."""

    kind: str
    layer: int
    x0: float
    y0: float
    width: float
    height: float
    rows: int
    cols: int

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell under view point ``(x, y)``, or None outside the block."""
        u, v = (x - self.x0) / self.width, (self.y0 + self.height - y) / self.height
        if not (0.0 <= u < 1.0 and 0.0 <= v < 1.0):
            return None
        return min(int(v * self.rows), self.rows - 1), min(int(u * self.cols), self.cols - 1)

    def cell_rect(self, row: int, col: int) -> tuple[float, float, float, float]:
        """``(x0, y0, width, height)`` of one cell in view units."""
        w, h = self.width / self.cols, self.height / self.rows
        return self.x0 + col * w, self.y0 + self.height - (row + 1) * h, w, h

    def cell_centre(self, row: int, col: int) -> tuple[float, float]:
        x, y, w, h = self.cell_rect(row, col)
        return x + w / 2, y + h / 2

    @property
    def centre_x(self) -> float:
        return self.x0 + self.width / 2


@dataclass(frozen=True)
class CompactLayout:
    """The blocks of one architecture ``sizes`` (inputs first) and what each cell stands for."""

    sizes: tuple[int, ...]
    blocks: tuple[Block, ...]

    def block(self, kind: str, layer: int) -> Block:
        return next(b for b in self.blocks if b.kind == kind and b.layer == layer)

    def hit(self, x: float, y: float) -> tuple[Block, int, int] | None:
        """The block and cell (row, column) under view point ``(x, y)``, or None."""
        for b in self.blocks:
            cell = b.cell_at(x, y)
            if cell is not None:
                return b, *cell
        return None

    def parameter_at(self, x: float, y: float) -> str | None:
        """The parameter a click at ``(x, y)`` selects: a matrix cell's weight, or the bias of the
        node whose b, z, a or δ cell it is; None for an input or outside every block."""
        hit = self.hit(x, y)
        if hit is None or hit[0].kind == "x":
            return None
        b, row, col = hit
        return weight_name(b.layer, row, col) if b.kind == "w" else bias_name(b.layer, row)

    def cell_of(self, name: str) -> tuple[Block, int, int] | None:
        """The block and cell that show parameter ``name`` (lecture notation), or None."""
        try:
            ref = parse_param_name(name)
        except NetworkError:
            return None
        if not 1 <= ref.layer < len(self.sizes) or not 1 <= ref.j <= self.sizes[ref.layer]:
            return None
        if ref.kind == "w":
            if not 1 <= ref.k <= self.sizes[ref.layer - 1]:
                return None
            return self.block("w", ref.layer), ref.j - 1, ref.k - 1
        return self.block("b", ref.layer), ref.j - 1, 0

    def node_row(self, layer: int, j: int) -> tuple[float, float, float, float]:
        """``(x0, y0, width, height)`` of node ``j``'s cells across its layer's strips (x, or b to δ)."""
        first = self.block("x" if layer == 0 else "b", layer)
        last = self.block("x" if layer == 0 else "delta", layer)
        x, y, _, h = first.cell_rect(j, 0)
        return x, y, last.x0 + last.width - x, h

    def node_centres(self) -> np.ndarray:
        """``(n_nodes, 2)``: each node's cell centre (x strip for inputs, z strip for the layers),
        inputs first, then each layer top to bottom."""
        pts = []
        for l, n in enumerate(self.sizes):
            b = self.block("x" if l == 0 else "z", l)
            pts.extend(b.cell_centre(j, 0) for j in range(n))
        return np.array(pts, dtype=float).reshape(-1, 2)

    def bounds(self) -> tuple[float, float, float, float]:
        """x0, x1, y0, y1 around every block."""
        return (min(b.x0 for b in self.blocks), max(b.x0 + b.width for b in self.blocks),
                0.0, HEIGHT)

    def frame_segments(self) -> np.ndarray:
        """``(4 * n_blocks, 4)`` rows x0, y0, x1, y1: each block's outline."""
        return np.concatenate([rect_segments(b.x0, b.y0, b.width, b.height) for b in self.blocks])


def rect_segments(x: float, y: float, w: float, h: float) -> np.ndarray:
    """The four sides of a rectangle as rows x0, y0, x1, y1."""
    return np.array([(x, y, x + w, y), (x + w, y, x + w, y + h), (x + w, y + h, x, y + h), (x, y + h, x, y)])


def compact_layout(sizes: tuple[int, ...]) -> CompactLayout:
    """The blocks for layer sizes ``(n_0, ..., n_L)``: the matrices share ``MATRIX_SHARE`` times the
    strips' width in proportion to the logarithm of their number of columns (784 inputs would
    otherwise squeeze the next matrix to a sliver)."""
    sizes = tuple(int(n) for n in sizes)
    depth = len(sizes) - 1
    strips_width = STRIP + depth * ((1 + len(VALUE_KINDS)) * STRIP + len(VALUE_KINDS) * STRIP_GAP
                                    + 2 * BLOCK_GAP)
    roots = np.log2(np.array(sizes[:-1], dtype=float) + 1.0) if depth else np.zeros(0)
    widths = np.maximum(MATRIX_MIN, MATRIX_SHARE * strips_width * roots / max(roots.sum(), 1.0))
    blocks = [Block("x", 0, 0.0, 0.0, STRIP, HEIGHT, sizes[0], 1)] if sizes else []
    x = STRIP + BLOCK_GAP
    for l in range(1, depth + 1):
        blocks.append(Block("w", l, x, 0.0, float(widths[l - 1]), HEIGHT, sizes[l], sizes[l - 1]))
        x += float(widths[l - 1]) + BLOCK_GAP
        for kind in ("b",) + VALUE_KINDS:
            blocks.append(Block(kind, l, x, 0.0, STRIP, HEIGHT, sizes[l], 1))
            x += STRIP + (STRIP_GAP if kind != "delta" else BLOCK_GAP)
    return CompactLayout(sizes, tuple(blocks))


def cell_image(values: np.ndarray) -> np.ndarray:
    """A block's values as an image for pyqtgraph (row-major, row 0 drawn at the bottom): ``(rows,
    cols)`` or a strip's ``(rows,)`` flipped so that node 1 is at the top; not finite shown as 0."""
    v = np.asarray(values, dtype=float)
    v = v.reshape(-1, 1) if v.ndim == 1 else v
    return np.nan_to_num(v[::-1], nan=0.0, posinf=0.0, neginf=0.0)


def lookup_table(stops: list[tuple[float, str]], n: int = 256) -> np.ndarray:
    """``(n, 4)`` uint8 RGBA colours interpolated between ``(position, "#rrggbb")`` stops."""
    pos = np.array([p for p, _ in stops])
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in stops], dtype=float)
    t = np.linspace(0.0, 1.0, n)
    out = np.column_stack([np.interp(t, pos, rgb[:, i]) for i in range(3)] + [np.full(n, 255.0)])
    return np.round(out).astype(np.uint8)


def symmetric_level(values) -> float:
    """The largest finite |value| (1 where there is none): a signed block's colour scale is ±this."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    m = float(v.max()) if v.size else 0.0
    return m if m > 0 else 1.0


def short_vector(values, limit: int = 10) -> str:
    """``(a, b, ...)`` for up to ``limit`` values; a longer vector (64 or 784 inputs) as its first
    three and last values and its length, so that a heading stays one line."""
    v = np.ravel(np.asarray(values, dtype=float))
    if v.size <= limit:
        return format_vector(v)
    return f"{format_vector(v[:3])[:-1]}, …, {format_vector(v[-1:])}) ({v.size} values)"
