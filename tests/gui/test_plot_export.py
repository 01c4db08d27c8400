"""File > Export > Plot…: every plot of each tab by its SPEC section 6 name, PNG at a scale, SVG on a
canvas of the plot's size that librsvg draws like the PNG, and a failed write shown with its reason."""

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from tests.gui.conftest import select_workspace

PLOTS = {"function1d": ["function", "derivative", "basins"], "function2d": ["contour", "loss"],
         "network": ["network", "loss", "fit", "landscape"]}


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _export_dialog(window, qtbot):
    from gui.window.export_dialogs import PlotExportDialog

    window.activateWindow()
    window.actions.export_plot.trigger()
    shown = [d for d in window.findChildren(PlotExportDialog) if d.isVisible()]
    assert len(shown) == 1
    return shown[0]


def _accept(qtbot, dialog, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("kind", list(PLOTS))
def test_every_plot_of_the_tab_is_offered_and_exported_at_2x(window, qtbot, monkeypatch, tmp_path, kind):
    ws = select_workspace(window, kind)
    ws.controller.step(3)
    qtbot.wait(10)
    names = None
    for i, name in enumerate(PLOTS[kind]):
        dialog = _export_dialog(window, qtbot)
        combo = dialog.plot
        names = [combo.itemText(j) for j in range(combo.count())]
        assert names == PLOTS[kind]
        combo.setCurrentIndex(i)
        dialog.format.setCurrentIndex(dialog.format.findData("png"))
        dialog.scale.setValue(2.0)
        widget = ws.plot_widgets()[i]
        assert dialog.size_label.text() == f"{2 * widget.width()} × {2 * widget.height()} pixels"
        out = tmp_path / f"{name}.png"
        _accept(qtbot, dialog, monkeypatch, out)
        assert _png_size(out) == (2 * widget.width(), 2 * widget.height()), name
    assert window.last_error is None


def _svg_root(path):
    return ET.parse(path).getroot()


def test_svg_canvas_is_the_plot_size_and_librsvg_draws_it_like_the_png(window, ws2, qtbot, monkeypatch, tmp_path):
    ws2.controller.step(20)
    qtbot.wait(10)
    contour = ws2.plot_widgets()[0]
    dialog = _export_dialog(window, qtbot)
    dialog.plot.setCurrentIndex(dialog.plot.findData("contour"))
    dialog.format.setCurrentIndex(dialog.format.findData("svg"))
    assert not dialog.scale.isEnabled()
    svg = tmp_path / "contour.svg"
    _accept(qtbot, dialog, monkeypatch, svg)
    root = _svg_root(svg)
    assert (root.get("width"), root.get("height")) == (str(contour.width()), str(contour.height()))
    assert root.get("viewBox") == f"0 0 {contour.width()} {contour.height()}"
    # a cosmetic stroke is drawn in canvas units: none is left under a scaling transform, where a
    # viewer that ignores vector-effect would widen a 2-pixel line by the data scale
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        a, b, c, d = (float(v) for v in group.get("transform", "matrix(1,0,0,1,0,0)")[7:-1].split(",")[:4])
        scaled = (abs(a), b, c, abs(d)) != (1, 0, 0, 1)
        assert not (scaled and any(e.get("vector-effect") == "non-scaling-stroke" for e in group))
    png = tmp_path / "contour.png"
    assert window.exports.export_plot(str(png), "contour", "png", 1.0)
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert (librsvg) is not installed")
    from PIL import Image

    drawn = tmp_path / "drawn.png"
    subprocess.run(["rsvg-convert", str(svg), "-o", str(drawn)], check=True, timeout=30)

    def pixels(path):
        image = Image.open(path).convert("RGBA")
        white = Image.new("RGBA", image.size, "white")
        return np.asarray(Image.alpha_composite(white, image).convert("RGB"), dtype=np.float64)

    a, b = pixels(png), pixels(drawn)
    assert a.shape == b.shape == (contour.height(), contour.width(), 3)
    # antialiasing and font hinting differ a little; a wide stroke or a lost layer differs by tens
    assert np.abs(a - b).mean() < 6.0
    dark = lambda p: (p.sum(axis=2) < 150).mean()  # noqa: E731 - black bands would be dark pixels
    assert abs(dark(a) - dark(b)) < 0.01


def test_a_write_that_fails_is_shown_with_its_reason(window, ws2, tmp_path):
    missing = tmp_path / "no-such-folder" / "plot.png"
    assert not window.exports.export_plot(str(missing), "contour", "png", 2.0)
    headline, detail = window.last_error
    assert headline == "Could not export the plot" and "No such file or directory" in detail
    assert not window.exports.export_plot(str(tmp_path / "plot.jpg"), "contour")
    assert ".png or .svg" in window.last_error[1]


def test_plots_of_a_diverged_run_export(window, tmp_path):
    """A run that overflows leaves non-finite numbers behind; the plots still export."""
    assert window.open_scenario("lecture-quartic-diverge", remember=False)
    ws = window.current_workspace
    ws.controller.step(60)
    for name in PLOTS["function1d"]:
        for fmt in ("png", "svg"):
            assert window.exports.export_plot(str(tmp_path / f"{name}.{fmt}"), name, fmt), window.last_error


def test_cosmetic_strokes_are_mapped_into_the_canvas_by_hand():
    """matrix(100, 0, 0, -50, 10, 20) takes (0, 0) to (10, 20) and (1, 1) to (110, -30); a filled
    image keeps its transform; a path with numbers it cannot read (nan) is left as it was."""
    from gui.common.svg_strokes import bake_cosmetic_strokes

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           '<g stroke-width="2.5" transform="matrix(100,0,0,-50,10,20)">'
           '<path vector-effect="non-scaling-stroke" d="M0,0 L1,1 Z "/>'
           '<polyline vector-effect="non-scaling-stroke" points="0,1 1,0"/>'
           '<image width="1" height="1"/></g>'
           '<g transform="matrix(2,0,0,2,0,0)"><path vector-effect="non-scaling-stroke" d="M0,0 Lnan,1"/></g>'
           '</svg>')
    root = ET.fromstring(bake_cosmetic_strokes(svg))
    ns = "{http://www.w3.org/2000/svg}"
    first, second = root.findall(f"{ns}g")
    assert first.get("transform") is None and first.get("stroke-width") == "2.5"
    assert first.find(f"{ns}path").get("d") == "M 10,20 L 110,-30 Z"
    assert first.find(f"{ns}polyline").get("points") == "10,-30 110,20"
    wrapped = first.find(f"{ns}g")
    assert wrapped.get("transform") == "matrix(100,0,0,-50,10,20)" and wrapped.find(f"{ns}image") is not None
    assert second.get("transform") == "matrix(2,0,0,2,0,0)"
    assert second.find(f"{ns}path").get("vector-effect") == "non-scaling-stroke"
