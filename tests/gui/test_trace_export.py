"""File > Export > Trace…: what `run` writes (JSON or CSV) for the tab's steps up to the shown one."""

import csv
import json

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import select_workspace

NAMES = ["w(1)[1,1]", "w(1)[1,2]", "b(1)[1]", "w(1)[2,1]", "w(1)[2,2]", "b(1)[2]",
         "w(2)[1,1]", "w(2)[1,2]", "b(2)[1]"]


def _export(window, monkeypatch, path, chosen=""):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen))
    window.actions.export_trace.trigger()


def test_the_network_trace_up_to_the_shown_step_is_runs_json(window, network_ws, monkeypatch, tmp_path):
    network_ws.controller.step(3)
    out = tmp_path / "trace.json"
    _export(window, monkeypatch, out)
    trace = json.loads(out.read_text(encoding="utf-8"))
    assert set(trace) == {"steps", "status", "reason"}
    assert [s["step"] for s in trace["steps"]] == [0, 1, 2, 3]
    first, second = trace["steps"][0], trace["steps"][1]
    assert list(first["parameters"]) == NAMES
    # the lecture's numbers: R = (1.2 - 0.8095)^2 + (0.7 - 0.8827)^2 at the start
    assert first["loss"] == pytest.approx((1.2 - 0.8095) ** 2 + (0.7 - 0.8827) ** 2, abs=1e-4)
    # one gd step with lr 0.1: theta_1 = theta_0 - 0.1 * gradient_0
    for name in NAMES:
        assert second["parameters"][name] == pytest.approx(
            first["parameters"][name] - 0.1 * first["gradient"][name], abs=1e-12)
    network_ws.controller.back()
    _export(window, monkeypatch, out)
    cut = json.loads(out.read_text(encoding="utf-8"))
    assert [s["step"] for s in cut["steps"]] == [0, 1, 2] and cut["status"] == "running"


def test_the_descent_trace_as_csv(window, monkeypatch, tmp_path):
    assert window.open_scenario("lecture-quartic", remember=False)
    ws = select_workspace(window, "function1d")
    ws.controller.step(2)
    out = tmp_path / "trace.csv"
    _export(window, monkeypatch, out, "CSV trace, as run --format csv writes (*.csv)")
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["step", "value", "x", "grad x"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    # f(x) = 3x^4 + 5x^3 - 20x^2 + 8x + 10 from x0 = -1: f = -20, f' = 51, x1 = -1 - 0.01 * 51
    assert [float(v) for v in rows[1][1:]] == pytest.approx([-20.0, -1.0, 51.0])
    assert float(rows[2][2]) == pytest.approx(-1.51)


def test_a_trace_that_cannot_be_written_says_why(window, network_ws, monkeypatch, tmp_path):
    _export(window, monkeypatch, tmp_path / "missing" / "trace.json")
    headline, detail = window.last_error
    assert headline == "Could not export the trace" and "No such file or directory" in detail
