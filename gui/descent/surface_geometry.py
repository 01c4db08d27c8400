"""Where the 3-D surface view puts things: the function's grid and the racing paths in one box.

The contour plot and the surface show the same heights: f itself, or log10(f - min) when f spans
many decades (most of the view would otherwise sit flat at the bottom). Everything here maps
engine values to drawing coordinates; nothing is computed about training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Height of the drawn surface relative to its half-width: tall enough to read the valleys.
HEIGHT = 1.2


@dataclass(frozen=True)
class Heights:
    """How values of f are shown: ``shown = log10(f - offset)`` when ``log`` else ``f``, clipped at ``top``."""

    log: bool
    offset: float
    bottom: float
    top: float

    def of(self, f: np.ndarray) -> np.ndarray:
        """Shown heights for values ``f`` (any shape); NaN where f is not finite."""
        f = np.asarray(f, dtype=np.float64)
        with np.errstate(all="ignore"):
            shown = np.log10(f - self.offset) if self.log else f
        shown = np.where(np.isfinite(shown), shown, np.nan)
        return np.clip(shown, self.bottom, self.top)


def display_heights(z: np.ndarray, log_scaled: bool, first_level: float) -> Heights:
    """The height scale of grid values ``z`` (ny, nx): log above the minimum when ``log_scaled``
    (offset half a first contour level below the minimum), the top at the 98th percentile."""
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    offset = lo - 1e-12 * max(abs(lo), 1.0) - (first_level - lo) * 0.5 if log_scaled else 0.0
    with np.errstate(all="ignore"):
        shown = np.log10(z - offset) if log_scaled else z
    shown = shown[np.isfinite(shown)]
    if not shown.size:
        return Heights(log_scaled, offset, 0.0, 1.0)
    top = float(np.percentile(shown, 98))
    bottom = float(shown.min())
    return Heights(log_scaled, offset, bottom, max(top, bottom + 1e-300))


@dataclass(frozen=True)
class Box:
    """The drawing box: x1 over [-1, 1], x2 over [-1, 1], heights over [0, HEIGHT]."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    heights: Heights

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (2 * (np.asarray(x) - x0) / (x1 - x0) - 1, 2 * (np.asarray(y) - y0) / (y1 - y0) - 1)

    def height(self, f: np.ndarray) -> np.ndarray:
        h = self.heights
        return HEIGHT * (h.of(f) - h.bottom) / (h.top - h.bottom)

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        x, y = np.asarray(x), np.asarray(y)
        return np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def path_vertices(box: Box, xy: np.ndarray, f: np.ndarray, lift: float = 0.015) -> np.ndarray:
    """A path's drawn vertices ``(k, 3)``: the iterates ``xy`` ``(n, 2)`` with values ``f`` ``(n,)``
    inside the box, just above the surface; points outside the plotted range are left out (the
    contour plot's off-plot note says where they went)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    f = np.asarray(f, dtype=np.float64).ravel()
    keep = box.inside(xy[:, 0], xy[:, 1]) & np.isfinite(f)
    if not keep.any():
        return np.zeros((0, 3))
    px, py = box.xy(xy[keep, 0], xy[keep, 1])
    return np.column_stack([px, py, box.height(f[keep]) + lift])
