"""Paint hundreds of animated frames: guards against the PySide6 6.12 none_dealloc abort (SPEC 8).

On the affected build every void-returning Qt call (QPainter.drawLine, QPointF.setX, ...) leaks a
reference to None and the interpreter aborts after ~16,000 of them. One repainted frame of the 2-D
race makes ~800 Qt calls from Python (measured with sys.setprofile), so 320 frames make some 250,000.
"""

from engine.optimizers import make_spec

FRAMES = 320


def test_run_mode_repaints_hundreds_of_frames(ws2, qtbot):
    c = ws2.controller
    c.set_preset("rosenbrock")
    c.set_max_iter(1_000_000)
    c.set_tolerance(1e-300)
    c.set_optimizer(make_spec("gd", lr=1e-5))
    c.add_optimizer(make_spec("momentum", lr=1e-5))
    c.set_speed(1000)
    c.set_frame_interval(1)
    painted = []

    def repaint():
        ws2.contour.viewport().repaint()
        ws2.loss.viewport().repaint()
        painted.append(c.cursor)

    c.record_changed.connect(repaint)
    c.set_running(True)
    try:
        qtbot.waitUntil(lambda: len(painted) >= FRAMES, timeout=60_000)
    finally:
        c.set_running(False)
        c.record_changed.disconnect(repaint)
    assert c.frames >= FRAMES
    assert painted == sorted(painted) and painted[-1] > FRAMES
    xs, _ys = ws2.contour.paths[1].line.getData()
    assert xs[-1] == c.sessions[1].current.x[0]
