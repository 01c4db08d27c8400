"""Test setup shared by the whole suite: Qt renders offscreen, hypothesis stays quick."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Small matrices run best on one BLAS thread; it also keeps timings steady on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from hypothesis import settings  # noqa: E402

settings.register_profile("stepwise", deadline=None, max_examples=60)
settings.load_profile("stepwise")
