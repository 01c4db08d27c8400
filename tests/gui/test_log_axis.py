"""Log-scale loss axes label only the ticks there is room for: no tick label overlaps another."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QImage, QPainter


def tick_labels(plot) -> list:
    """(rectangle, text) of every tick label the plot's left axis draws."""
    axis = plot.getPlotItem().getAxis("left")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in texts]


def assert_readable(labels) -> None:
    for i, (rect, text) in enumerate(labels):
        for other, other_text in labels[:i]:
            assert not rect.intersects(other), (text, other_text)


@pytest.mark.parametrize("iterations", [3, 30, 300])
def test_network_loss_axis_on_a_log_scale_at_1280x800(window, network_ws, qtbot, iterations):
    window.resize(1280, 800)
    window.actions.log_loss.trigger()  # View > Log scale for loss
    assert network_ws.loss_plot.log
    network_ws.controller.run_iterations(iterations)
    qtbot.wait(20)
    labels = tick_labels(network_ws.loss_plot)
    assert labels, "a log axis still names at least one value"
    assert_readable(labels)


@pytest.mark.parametrize("steps", [3, 8, 60])
def test_descent_loss_axis_on_a_log_scale_at_1280x800(window, ws2, qtbot, steps):
    window.resize(1280, 800)
    window.actions.log_loss.trigger()
    assert ws2.loss.log
    ws2.controller.step(steps)
    qtbot.wait(20)
    labels = tick_labels(ws2.loss)
    assert labels
    assert_readable(labels)


def test_a_value_between_digits_is_not_rounded_to_one_figure(window, network_ws):
    axis = network_ws.loss_plot.getPlotItem().getAxis("left")
    assert axis.logTickStrings([math.log10(0.17), math.log10(0.2), -3.0], 1.0, 1.0)[:2] == ["0.17", "0.2"]
