# Stepwise: `make run` opens the app, `make test` runs the whole suite offscreen.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test bench install install-test install-bench screenshots screenshot-surface clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e ".[test]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -e ".[bench]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

run: $(VENV)/.installed
	$(PY) main.py

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(VENV)/.installed-bench $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py

screenshots: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-quartic.json --steps 12 --workspace descent1d --out docs/screenshot-1d.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-2d-race.json --steps 40 --workspace descent2d --out docs/screenshot-2d.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/newton-maximum.json --steps 0 --workspace descent1d --size 1280x800 --out docs/newton-model.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-quartic-backtracking.json --steps 2 --workspace descent1d --size 1280x800 --out docs/backtracking.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-backprop.json --steps 0 --phases 5 --select 'w(1)[1,1]' --size 1920x1080 --out docs/screenshot-network.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/xor-classifier.json --size 1920x1080 --steps 2000 --workspace network --out docs/screenshot-network-classification.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-backprop.json --steps 0 --phases 5 --select 'w(1)[1,1]' --size 1280x800 --presentation --out docs/presentation-network.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-quartic-diverge.json --steps 8 --workspace descent1d --size 1280x800 --presentation --out docs/presentation-1d.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot resources/scenarios/lecture-2d-race.json --steps 40 --workspace descent2d --size 1280x800 --presentation --out docs/presentation-2d.png
	QT_QPA_PLATFORM=offscreen $(PY) docs/learning_screenshots.py
	QT_QPA_PLATFORM=offscreen $(PY) docs/compact_screenshot.py docs/network-compact-view.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot digits-64-16-10 --steps 100 --phases 10 --select 'w(2)[3,5]' --size 1280x800 --out docs/digits-backward.png
	QT_QPA_PLATFORM=offscreen $(PY) main.py screenshot iris-classifier --steps 200 --size 1280x800 --out docs/iris-accuracy.png

# The 3-D surface needs OpenGL in a real window: Xvfb (with Mesa) and ImageMagick's import.
screenshot-surface: $(VENV)/.installed
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" $(PY) docs/surface_screenshot.py docs/surface-3d.png

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
