import threading, time
from tests.gui.test_network_classification import test_xor_trains_to_95_percent_in_run_mode_with_live_regions as test_a
def test_dbg(qtbot, network_ws):
    ws = network_ws; c = ws.controller
    from engine.optimizers import make_spec
    c.session.set_spec(make_spec("gd", lr=0.002)); c.set_speed(2000.0); c.set_running(True)
    start=time.perf_counter(); f0=c.frames; waits=[]
    while time.perf_counter()-start<3:
        t=time.perf_counter(); qtbot.wait(5); waits.append(time.perf_counter()-t); ws.view.viewport().repaint()
    c.set_running(False)
    import numpy as np; w=np.array(waits)
    print("frames/3s", c.frames-f0, len(w), np.median(w), w.max(), ws.controller._timer.interval(), c._frame_period, c._step_cost, c.session.status.state, c.session.cursor)
