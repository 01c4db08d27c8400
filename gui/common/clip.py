"""Drawn data kept near the view: a diverging run's points (x ~ 1e6, f ~ 1e25) clipped before setData.

Qt computes the screen region to repaint when an item changes from its bounding rectangle in
device pixels; at such coordinates that rectangle overflows, the repaint of the old drawing is
dropped, and segments of an earlier path stay on the screen (though ``widget.grab()``, which
paints everything afresh, shows none). Clipping to the view enlarged by :data:`MARGIN` spans on
each side keeps every drawn coordinate within a few viewport sizes and draws the same picture:
a clipped segment keeps its direction and leaves the view where it did.
"""

from __future__ import annotations

import numpy as np

#: Room kept around the view on each side, in view widths/heights.
MARGIN = 1.0

View = tuple[tuple[float, float], tuple[float, float]]


def view_box(view: View, margin: float = MARGIN) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the view ``((x0, x1), (y0, y1))`` enlarged by ``margin`` spans per side."""
    (x0, x1), (y0, y1) = view
    w, h = abs(x1 - x0) or 1.0, abs(y1 - y0) or 1.0
    return (min(x0, x1) - margin * w, max(x0, x1) + margin * w,
            min(y0, y1) - margin * h, max(y0, y1) + margin * h)


def inside(xs: np.ndarray, ys: np.ndarray, view: View, margin: float = MARGIN) -> np.ndarray:
    """Boolean mask ``(n,)`` of the finite points that lie in the enlarged view (markers to draw)."""
    x0, x1, y0, y1 = view_box(view, margin)
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)


def clip_polyline(xs: np.ndarray, ys: np.ndarray, view: View,
                  margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """The polyline ``xs``, ``ys`` ``(n,)`` clipped to the enlarged view (Liang-Barsky per segment).

    Returns ``(x, y)`` for ``setData(..., connect="finite")``: unchanged when every point lies in
    the box; otherwise each segment is cut at the box, with NaN gaps where the path leaves it.
    """
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    mask = inside(xs, ys, view, margin)
    if mask.all():
        return xs, ys
    if len(xs) < 2:
        return xs[mask], ys[mask]
    x0, x1, y0, y1 = view_box(view, margin)
    px, py = xs[:-1], ys[:-1]
    with np.errstate(all="ignore"):
        dx, dy = np.diff(xs), np.diff(ys)
        lo, hi = np.zeros(len(px)), np.ones(len(px))
        for p, q in ((-dx, px - x0), (dx, x1 - px), (-dy, py - y0), (dy, y1 - py)):
            t = q / p
            entering, leaving = p < 0, p > 0
            lo = np.where(entering, np.maximum(lo, t), lo)
            hi = np.where(leaving, np.minimum(hi, t), hi)
            lo = np.where((p == 0) & (q < 0), 2.0, lo)  # parallel to this edge and outside it
        visible = np.isfinite(dx) & np.isfinite(dy) & np.isfinite(px) & np.isfinite(py) & (lo <= hi)
        sx, sy, ex, ey = px + lo * dx, py + lo * dy, px + hi * dx, py + hi * dy
    # A visible segment joins the next one when neither is cut at their shared point.
    joined = visible[:-1] & visible[1:] & (hi[:-1] == 1.0) & (lo[1:] == 0.0)
    start = visible & ~np.r_[False, joined]
    gap = visible & ~np.r_[joined, False]
    slots_x = np.column_stack([sx, ex, np.full(len(sx), np.nan)])
    slots_y = np.column_stack([sy, ey, np.full(len(sy), np.nan)])
    keep = np.column_stack([start, visible, gap])
    cx, cy = slots_x[keep], slots_y[keep]
    if len(cx) and np.isnan(cx[-1]):
        return cx[:-1], cy[:-1]  # the last gap leads nowhere
    return cx, cy
