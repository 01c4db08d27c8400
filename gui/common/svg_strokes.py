"""Cosmetic strokes of a Qt SVG made plain: coordinates mapped into the canvas, so every viewer draws
them at their width in pixels.

pyqtgraph draws curves with cosmetic pens (a width in pixels, whatever the data transform). Qt's
``QSvgGenerator`` writes such a curve in data coordinates under the view box's transform (x scaled by
hundreds) and marks it ``vector-effect="non-scaling-stroke"``; a viewer that ignores that attribute
(librsvg, ImageMagick) scales the stroke too and draws a 2.5-pixel line as a band hundreds of pixels
wide. Here each such element's coordinates are multiplied by its group's matrix and the transform is
dropped for it, which is what ``non-scaling-stroke`` means; everything else keeps its transform.
Standard library only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
COSMETIC = "non-scaling-stroke"
_MATRIX = re.compile(r"^\s*matrix\(([^)]*)\)\s*$")
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
#: Absolute path commands whose arguments are all (x, y) pairs; anything else is left as it is.
_PAIR_COMMANDS = set("MLCQSTZ")

Matrix = tuple[float, float, float, float, float, float]


def bake_cosmetic_strokes(svg: str) -> str:
    """``svg`` with every non-scaling stroke's coordinates in canvas units (see the module docstring)."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    for group in list(root.iter(f"{{{SVG_NS}}}g")):
        matrix = _matrix(group.get("transform", ""))
        if matrix is None or matrix == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0):
            continue
        children = list(group)
        baked = [_bake(child, matrix) for child in children]
        if not any(baked):
            continue
        del group.attrib["transform"]
        for child, done in zip(children, baked):
            if not done:  # keeps its transform, inside a group of its own
                index = list(group).index(child)
                group.remove(child)
                wrapper = ET.Element(f"{{{SVG_NS}}}g", {"transform": _matrix_text(matrix)})
                wrapper.append(child)
                group.insert(index, wrapper)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(root, encoding="unicode")


def _matrix(text: str) -> Matrix | None:
    match = _MATRIX.match(text)
    if not match:
        return None
    try:
        values = tuple(float(v) for v in match.group(1).replace(",", " ").split())
    except ValueError:
        return None
    return values if len(values) == 6 else None  # type: ignore[return-value]


def _matrix_text(m: Matrix) -> str:
    return "matrix(" + ",".join(f"{v:g}" for v in m) + ")"


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _bake(element: ET.Element, m: Matrix) -> bool:
    """Map a cosmetic path or polyline's coordinates through ``m``; False when it is not one (or
    uses a syntax this does not read), so it keeps the transform."""
    if element.get("vector-effect") != COSMETIC:
        return False
    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "path":
        data = _bake_path(element.get("d", ""), m)
        if data is None:
            return False
        element.set("d", data)
    elif tag in ("polyline", "polygon"):
        numbers = [float(v) for v in _TOKEN.findall(element.get("points", ""))]
        if len(numbers) % 2:
            return False
        pairs = [_apply(m, numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]
        element.set("points", " ".join(f"{x:.6g},{y:.6g}" for x, y in pairs))
    else:
        return False
    del element.attrib["vector-effect"]
    return True


def _bake_path(d: str, m: Matrix) -> str | None:
    tokens = _TOKEN.findall(d)
    out: list[str] = []
    pending: list[float] = []
    for token in tokens:
        if token.isalpha():
            if token not in _PAIR_COMMANDS or pending:
                return None
            out.append(token)
            continue
        pending.append(float(token))
        if len(pending) == 2:
            x, y = _apply(m, *pending)
            out.append(f"{x:.6g},{y:.6g}")
            pending = []
    return None if pending else " ".join(out)
