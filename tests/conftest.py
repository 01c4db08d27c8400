"""Test setup shared by the whole suite: Qt renders offscreen, hypothesis stays quick.

The offscreen platform gets the lecture room's screens (``screens.json``): a 1280x800 projector
(the primary screen, where windows open), a 1366x768 laptop, a 1920x1080 monitor and a 1024x700
screen side by side, so window-placement tests use real screens. A run on a real display
(``QT_QPA_PLATFORM=xcb``) keeps its own screens.
"""

import os
from pathlib import Path

SCREENS = Path(__file__).with_name("screens.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}"
# Small matrices run best on one BLAS thread; it also keeps timings steady on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from hypothesis import settings  # noqa: E402

settings.register_profile("stepwise", deadline=None, max_examples=60)
settings.load_profile("stepwise")
