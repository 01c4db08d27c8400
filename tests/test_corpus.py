"""A corpus of malformed formulas, scenario files and CSVs through `main.py run`: exit 0 or 2, one line, no traceback.

Each case goes through main's entry function in-process (a subprocess per case would cost a
Python start with numpy and sympy each, ~0.5 s); two cases also run as real subprocesses so
that the whole path, with the formula worker process, is covered.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import main

ROOT = Path(__file__).resolve().parents[1]
NETWORK = json.loads((ROOT / "resources" / "scenarios" / "lecture-backprop.json").read_text(encoding="utf-8"))

#: Formulas that once froze the window or ended `main.py run` with a traceback.
FORMULAS = [
    "tanh(asin(x)^999)",
    "1/(5e-324*x-1e-320)",
    "cos(1.7976931348623157e308-x)",
    "3*x**cosh(x/0)",
    "(x/10**5)**1000",
    "log(x/(10**30*x-1e-320))",
    "1e308",
    "x*1e308",
    "x/0",
]


def _function(expression: str) -> str:
    return json.dumps({"format": "stepwise-scenario", "version": 1, "kind": "function1d",
                       "function": {"expression": expression}, "start": [0.5],
                       "optimizer": {"name": "gd", "lr": 0.1}})


def _network(**changes: object) -> str:
    scenario = json.loads(json.dumps(NETWORK))
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = scenario
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return json.dumps(scenario)


def _csv_data(path: str) -> str:
    return _network(data={"csv": path, "inputs": ["x1", "x2"], "targets": ["y"]})


#: (name, scenario text, a fragment the message holds): each once ended in a traceback or ran out of memory.
FILES = [
    ("deep-nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep-nesting-in-a-field", _network(title=json.loads("[" * 40 + "]" * 40)), "nested too deeply"),
    ("integer-over-4300-digits", _network(seed=0).replace('"seed": 0', '"seed": ' + "9" * 5000), "digits"),
    ("nul-in-csv-path", _csv_data("data\u0000.csv"), "NUL"),
    ("units-1e300", _network(network__layers__0__units=1e300), "at most 4096 nodes a layer"),
    ("units-too-many", _network(network__layers__0__units=10 ** 6), "at most 4096 nodes a layer"),
    ("parameters-too-many", _network(network={"inputs": 2, "layers": [
        {"units": 4096, "activation": "sigmoid"}, {"units": 4096, "activation": "sigmoid"},
        {"units": 1, "activation": "identity"}]}), "at most 1,000,000 weights and biases"),
    ("observations-1e9", _network(data={"dataset": "xor", "n": 10 ** 9}), "observations"),
    ("dev-zero-as-csv", _csv_data("/dev/zero"), "not a regular file"),
    ("a-folder-as-csv", _csv_data("/"), "folder"),
    ("long-bad-value", _network(loss="x" * 50_000), "unknown loss"),
    ("long-bad-key", _network(**{"x" * 50_000: 1}), "unknown field"),
    ("long-string", _network(title="x" * 1_000_000), "a text of"),
]


def _run_in_process(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    status = main.main(["run", str(path), "--steps", "3"])
    seconds = time.perf_counter() - start
    return status, capsys.readouterr().err, seconds


def _assert_one_line(status: int, err: str, seconds: float) -> None:
    assert status in (0, 2)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 if status == 2 else len(err.strip().splitlines()) <= 1
    assert len(err) < 400, err[:400]
    assert seconds < 5.0


@pytest.mark.parametrize("formula", FORMULAS)
def test_malformed_formula_is_refused_or_run(tmp_path: Path, formula: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, seconds = _run_in_process(tmp_path, _function(formula), capsys)
    _assert_one_line(status, err, seconds)


def test_the_slow_formula_is_refused_as_too_slow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, seconds = _run_in_process(tmp_path, _function("tanh(asin(x)^999)"), capsys)
    assert status == 2 and "too slow to differentiate" in err and seconds < 3.0


@pytest.mark.parametrize("name, text, fragment", FILES, ids=[case[0] for case in FILES])
def test_malformed_file_exits_2_with_one_line(tmp_path: Path, name: str, text: str, fragment: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    status, err, seconds = _run_in_process(tmp_path, text, capsys)
    _assert_one_line(status, err, seconds)
    assert status == 2 and fragment in err


def test_csv_over_the_row_limit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.data

    monkeypatch.setattr(engine.data, "MAX_OBSERVATIONS", 5)
    (tmp_path / "data.csv").write_text("x1,x2,y\n" + "1,2,3\n" * 6, encoding="utf-8")
    status, err, seconds = _run_in_process(tmp_path, _csv_data("data.csv"), capsys)
    _assert_one_line(status, err, seconds)
    assert status == 2 and "at most 5 observations" in err


@pytest.mark.parametrize("text", [_function("tanh(asin(x)^999)"), "[" * 100_000])
def test_as_a_subprocess_no_traceback(tmp_path: Path, text: str) -> None:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "main.py", "run", str(path), "--steps", "3"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
