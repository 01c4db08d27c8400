"""``stepwise export``: the script it writes runs alone and prints what ``stepwise run`` prints;
forms that cannot express a scenario, and bad arguments, exit 2 with one line on stderr."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` run from ``cwd``."""
    return subprocess.run([sys.executable, str(MAIN), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _close(got, want):
    if isinstance(want, dict):
        assert got.keys() >= want.keys()
        for key in want:
            _close(got[key], want[key])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
    else:
        assert got == want


def test_the_exported_script_prints_the_run_trace(tmp_path):
    out = tmp_path / "lecture.py"
    p = _run("export", "lecture-backprop", "--to", "numpy", "--steps", "7", "--every", "3", "--out", str(out),
             cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == ""
    text = out.read_text(encoding="utf-8")
    assert "stepwise run lecture-backprop --steps 7 --every 3 --format json" in text
    script = subprocess.run([sys.executable, str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    trace = _run("run", "lecture-backprop", "--steps", "7", "--every", "3", cwd=tmp_path)
    got, want = json.loads(script.stdout), json.loads(trace.stdout)
    assert [s["step"] for s in got["steps"]] == [0, 3, 6, 7]
    _close(got, want)


def test_a_function_scenario_file_exports_as_numpy(tmp_path):
    out = tmp_path / "quartic.py"
    p = _run("export", str(ROOT / "resources" / "scenarios" / "lecture-quartic.json"), "--to", "numpy",
             "--steps", "5", "--out", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = out.read_text(encoding="utf-8")
    assert "3*x**4 + 5*x**3 - 20*x**2 + 8*x + 10" in text  # sympy's printing of the quartic
    compile(text, str(out), "exec")


@pytest.mark.parametrize("args, message", [
    (["lecture-quartic", "--to", "pytorch", "--steps", "5"],
     "--to pytorch writes network scenarios only; this is a function1d scenario: use --to numpy"),
    (["lecture-backpro", "--to", "numpy", "--steps", "5"], "did you mean lecture-backprop?"),
    (["lecture-backprop", "--to", "jax", "--steps", "5"], "invalid choice: 'jax'"),
    (["lecture-backprop", "--to", "numpy", "--steps", "-1"], "expected a whole number >= 0, got -1"),
])
def test_what_cannot_be_exported_exits_2_in_one_line(tmp_path, args, message):
    out = tmp_path / "never.py"
    p = _run("export", *args, "--out", str(out), cwd=tmp_path)
    assert p.returncode == 2
    assert message in p.stderr and "Traceback" not in p.stderr
    assert not out.exists()
    if "invalid choice" not in message and "whole number" not in message:  # argparse adds its usage line
        assert len(p.stderr.strip().splitlines()) == 1


def test_an_unwritable_file_exits_2(tmp_path):
    p = _run("export", "lecture-backprop", "--to", "pytorch", "--steps", "1", "--out",
             str(tmp_path / "no-such-folder" / "x.py"), cwd=tmp_path)
    assert p.returncode == 2
    assert "No such file or directory" in p.stderr and len(p.stderr.strip().splitlines()) == 1
