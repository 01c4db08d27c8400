"""An installed copy is whole: the wheel carries every module and preset, and runs a preset by name.

The wheel is built from a copy of the project (so no build/ or egg-info lands in the checkout) and
installed without its dependencies into a fresh venv; the dependencies are borrowed from the
interpreter running the tests through a .pth file written after the install, so nothing is
downloaded but the build backend. ``stepwise`` is then run from an unrelated folder. About 10 s.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "README.md", "main.py", "engine", "gui", "resources")


def _venv_python(venv: Path) -> Path:
    """The venv's interpreter."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _venv_script(venv: Path, name: str) -> Path:
    """A console script the install put in the venv."""
    return venv / ("Scripts" if sys.platform == "win32" else "bin") / name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built as ``pip wheel --no-deps .`` would from a clean checkout."""
    src = tmp_path_factory.mktemp("src")
    for name in PROJECT_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", ".", "-w", str(dist)],
                           cwd=src, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    (found,) = dist.glob("stepwise-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed, which sees the test interpreter's dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = _venv_python(venv)
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    # Written after the install, so pip never sees (or touches) the test interpreter's own copy.
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    borrowed = [*site.getsitepackages(), sysconfig.get_path("purelib")]
    (purelib / "_stepwise_test_deps.pth").write_text("\n".join(dict.fromkeys(borrowed)) + "\n", encoding="utf-8")
    return venv


def test_wheel_holds_every_module_and_preset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("engine", "gui"):
        for module in (ROOT / folder).rglob("*.py"):
            assert module.relative_to(ROOT).as_posix() in names, f"{module.relative_to(ROOT)} is not in the wheel"
    assert "main.py" in names
    presets = sorted((ROOT / "resources" / "scenarios").glob("*.json"))
    assert presets
    for preset in presets:
        assert f"engine/resources/scenarios/{preset.name}" in names
    for data in ("iris.csv", "digits.csv", "README.md"):
        assert f"engine/resources/datasets/{data}" in names


def test_installed_stepwise_reads_the_shipped_data_sets(venv: Path, tmp_path: Path) -> None:
    p = subprocess.run([str(_venv_script(venv, "stepwise")), "run", "iris-classifier", "--steps", "2"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)["steps"][0]["parameters"]) == 67


def test_installed_stepwise_runs_a_preset_by_name(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(_venv_python(venv)), "-c", "import engine; print(engine.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    p = subprocess.run([str(_venv_script(venv, "stepwise")), "run", "lecture-backprop", "--steps", "3"],
                       cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    trace = json.loads(p.stdout)
    assert [s["step"] for s in trace["steps"]] == [0, 1, 2, 3]
    assert trace["steps"][0]["loss"] == pytest.approx(0.18585167377211093, rel=1e-12)
    assert trace["steps"][3]["loss"] < trace["steps"][0]["loss"]
    assert set(trace["steps"][0]["parameters"]) == set(trace["steps"][0]["gradient"])
    assert "w(1)[1,1]" in trace["steps"][0]["parameters"]
    assert trace["status"] in ("running", "converged")


def test_installed_stepwise_lists_the_presets(venv: Path, tmp_path: Path) -> None:
    p = subprocess.run([str(_venv_script(venv, "stepwise")), "presets"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    listed = [line.split()[0] for line in p.stdout.splitlines()]
    assert listed == sorted(f.stem for f in (ROOT / "resources" / "scenarios").glob("*.json"))
    assert any(line.split()[:2] == ["lecture-backprop", "network"] for line in p.stdout.splitlines())

    missing = subprocess.run([str(_venv_script(venv, "stepwise")), "run", "lecture-backpro", "--steps", "1"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "did you mean lecture-backprop?" in missing.stderr
