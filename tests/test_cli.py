"""The command line as scripts use it: `python main.py run|explain|screenshot`, exit codes, output formats."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "resources" / "scenarios"
LECTURE = "resources/scenarios/lecture-backprop.json"


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


# --- run: networks -------------------------------------------------------------------------------

def test_run_lecture_trace_has_the_contract_fields() -> None:
    p = _run("run", LECTURE, "--steps", "3")
    assert p.returncode == 0, p.stderr
    trace = json.loads(p.stdout)
    assert set(trace) == {"steps", "status", "reason"}
    assert [s["step"] for s in trace["steps"]] == [0, 1, 2, 3]
    names = ["w(1)[1,1]", "w(1)[1,2]", "b(1)[1]", "w(1)[2,1]", "w(1)[2,2]", "b(1)[2]",
             "w(2)[1,1]", "w(2)[1,2]", "b(2)[1]"]
    for s in trace["steps"]:
        assert set(s) == {"step", "loss", "parameters", "gradient"}
        assert list(s["parameters"]) == names and list(s["gradient"]) == names
    step0 = trace["steps"][0]
    assert step0["loss"] == pytest.approx((1.2 - 0.8095) ** 2 + (0.7 - 0.8827) ** 2, abs=1e-4)
    assert step0["parameters"]["w(1)[1,1]"] == 0.2 and step0["parameters"]["b(2)[1]"] == 0.4
    assert step0["gradient"]["b(2)[1]"] == pytest.approx(-0.4157, abs=1e-4)
    # one gd step with lr 0.1: theta_1 = theta_0 - 0.1 * gradient_0
    step1 = trace["steps"][1]
    for name in names:
        assert step1["parameters"][name] == pytest.approx(
            step0["parameters"][name] - 0.1 * step0["gradient"][name], abs=1e-12)
    losses = [s["loss"] for s in trace["steps"]]
    assert losses == sorted(losses, reverse=True)
    assert trace["status"] in ("running", "converged")


def test_run_every_keeps_every_kth_and_the_last() -> None:
    p = _run("run", LECTURE, "--steps", "10", "--every", "4")
    assert p.returncode == 0, p.stderr
    assert [s["step"] for s in json.loads(p.stdout)["steps"]] == [0, 4, 8, 10]


def test_run_csv_header_and_rows(tmp_path: Path) -> None:
    out = tmp_path / "trace.csv"
    p = _run("run", LECTURE, "--steps", "2", "--format", "csv", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][:4] == ["step", "loss", "w(1)[1,1]", "w(1)[1,2]"]
    assert rows[0][-1] == "grad b(2)[1]" and len(rows[0]) == 2 + 2 * 9
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert float(rows[1][1]) == pytest.approx(0.18585, abs=1e-5)


def test_run_matt_mazur_first_update() -> None:
    p = _run("run", "resources/scenarios/matt-mazur.json", "--steps", "1")
    assert p.returncode == 0, p.stderr
    steps = json.loads(p.stdout)["steps"]
    assert steps[0]["loss"] == pytest.approx(0.298371109, abs=1e-9)
    assert steps[1]["parameters"]["w(2)[1,1]"] == pytest.approx(0.35891648, abs=1e-8)


def test_run_csv_scenario_reads_data_beside_the_scenario_file(tmp_path: Path) -> None:
    scenario = json.loads((SCENARIOS / "lecture-backprop.json").read_text())
    scenario["data"] = {"csv": "obs.csv", "inputs": ["x1", "x2"], "targets": ["y"]}
    (tmp_path / "s.json").write_text(json.dumps(scenario))
    (tmp_path / "obs.csv").write_text("x1,x2,y\n3,-2,1.2\n-1,1,0.7\n")
    out = tmp_path / "trace.json"
    p = _run("run", str(tmp_path / "s.json"), "--steps", "1", "--out", str(out))  # cwd is the repository
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["steps"][0]["loss"] == pytest.approx(0.185852, abs=1e-6)
    (tmp_path / "obs.csv").write_text("x1,x2,y\n3,-2,1.2\n-1,one,0.7\n")
    bad = _run("run", str(tmp_path / "s.json"), "--steps", "1")
    assert bad.returncode == 2
    assert bad.stderr.strip() == 'stepwise run: obs.csv, line 3, column "x2": "one" is not a number'


# --- run: functions ------------------------------------------------------------------------------

def test_run_quartic_converges_to_global_minimum() -> None:
    p = _run("run", "resources/scenarios/lecture-quartic.json", "--steps", "3000", "--every", "100")
    assert p.returncode == 0, p.stderr
    trace = json.loads(p.stdout)
    assert trace["status"] == "converged"
    last = trace["steps"][-1]
    assert set(last) == {"step", "x", "value", "gradient", "lr"} and last["lr"] == 0.01
    assert last["x"][0] == pytest.approx(-2.6196, abs=1e-4)
    assert abs(last["gradient"][0]) < 1e-6
    assert trace["steps"][0] == {"step": 0, "x": [-1.0], "value": pytest.approx(-20.0),
                                 "gradient": [pytest.approx(51.0)]}


def test_run_diverging_quartic_exits_0_without_nan() -> None:
    p = _run("run", "resources/scenarios/lecture-quartic-diverge.json", "--steps", "100")
    assert p.returncode == 0, p.stderr
    assert "NaN" not in p.stdout and "Infinity" not in p.stdout
    trace = json.loads(p.stdout)
    assert trace["status"] == "diverged" and trace["reason"]
    assert len(trace["steps"]) < 101  # stopped where it diverged


def test_run_function_csv_columns() -> None:
    p = _run("run", "resources/scenarios/lecture-2d.json", "--steps", "3", "--format", "csv")
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout)))
    assert rows[0] == ["step", "value", "x1", "x2", "grad x1", "grad x2"]
    assert rows[1][:4] == ["0", rows[1][1], "0.5", "2.0"]
    assert float(rows[1][4]) == pytest.approx(1.0) and float(rows[1][5]) == pytest.approx(1.25)


# --- explain -------------------------------------------------------------------------------------

def test_explain_lecture_shows_the_correct_numbers_and_the_note() -> None:
    p = _run("explain", LECTURE)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    for number in ("0.8095", "0.3905", "0.449", "-0.299", "0.047", "0.475", "0.5744", "0.6900"):
        assert number in out, number
    assert "where the printed lecture differs" in out
    assert "0.3905, not 0.311" in out and "0.047, not 0.045" in out
    assert "dR/da(2)_1 * da(2)_1/da(1)_1 * da(1)_1/dz(1)_1 * dz(1)_1/dw(1)[1,1]" in out
    assert "-0.7810 * 0.6 * 0.2494 * 3" in out


def test_explain_one_observation_markdown_and_latex() -> None:
    md = _run("explain", LECTURE, "--observation", "2", "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert "| a(1)_1 | 0.5744 |" in md.stdout and "Chain rule, observation 1" not in md.stdout
    tex = _run("explain", LECTURE, "--format", "latex", "--digits", "3")
    assert tex.returncode == 0, tex.stderr
    assert r"\begin{tabular}" in tex.stdout and "$w^{(1)}_{11}$" in tex.stdout
    assert "$0.810$" in tex.stdout  # the output to 3 significant figures


def test_explain_other_network_has_no_lecture_note() -> None:
    p = _run("explain", "resources/scenarios/matt-mazur.json")
    assert p.returncode == 0, p.stderr
    assert "printed lecture" not in p.stdout
    assert "0.7514" in p.stdout  # Mazur's out_o1 = 0.75136507


def test_explain_function_shows_derivatives_and_first_step() -> None:
    p = _run("explain", "resources/scenarios/lecture-quartic.json")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "12·x³ + 15·x² − 40·x + 8" in out and "36·x² + 30·x − 40" in out
    assert "x_1 = x_0 - s f'(x_0) = -1 - 0.01 * 51 = -1.51." in out
    newton = _run("explain", "resources/scenarios/newton-maximum.json", "--format", "markdown")
    assert newton.returncode == 0, newton.stderr
    assert "| f''(x) | -27.76 | -31.83 |" in newton.stdout
    assert "0.3 - 1 * (-2.326)/(-27.76) = 0.2162" in newton.stdout
    tex = _run("explain", "resources/scenarios/lecture-2d.json", "--format", "latex")
    assert tex.returncode == 0, tex.stderr
    assert r"$\frac{\partial f}{\partial x_{1}}$ & $1$ & $0.1966$" in tex.stdout


def test_explain_observation_out_of_range_is_bad_input() -> None:
    p = _run("explain", LECTURE, "--observation", "3")
    assert p.returncode == 2
    assert p.stderr.strip() == "stepwise explain: --observation 3: the data have observations 1 to 2"


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    ('{"format": "stepwise-scenario", "version": 1, "kind": "netwrk"}', 'kind: unknown kind "netwrk"'),
    ('{"version": 1,\n "kind": "network"\n "title": "x"}', "line 3, column 2: Expecting ','"),
    ('{"format": "stepwise-scenario", "version": 7, "kind": "network"}', "version: unknown version 7"),
])
def test_bad_scenario_exits_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for command in (["run", str(bad), "--steps", "1"], ["explain", str(bad)]):
        p = _run(*command)
        assert p.returncode == 2
        assert message in p.stderr
        assert "Traceback" not in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
        assert p.stdout == ""


def test_missing_file_and_bad_arguments_exit_2(tmp_path: Path) -> None:
    missing = _run("run", str(tmp_path / "none.json"), "--steps", "1")
    assert missing.returncode == 2 and "none.json: file not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    no_steps = _run("run", LECTURE)
    assert no_steps.returncode == 2 and "--steps" in no_steps.stderr
    bad_every = _run("run", LECTURE, "--steps", "3", "--every", "0")
    assert bad_every.returncode == 2 and "expected a whole number >= 1, got 0" in bad_every.stderr
    gui_missing = _run(str(tmp_path / "absent.json"))
    assert gui_missing.returncode == 2 and "no such scenario file" in gui_missing.stderr


def test_import_main_is_cheap() -> None:
    code = ("import sys, main; heavy = [m for m in ('numpy', 'sympy', 'PySide6', 'pyqtgraph') "
            "if m in sys.modules]; print(heavy)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_run_never_imports_qt() -> None:
    code = ("import sys, main; main.main(['explain', 'resources/scenarios/lecture-backprop.json']); "
            "print('QT', [m for m in ('PySide6', 'pyqtgraph') if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().endswith("QT []")


# --- screenshot ----------------------------------------------------------------------------------

def test_screenshot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "network.png"
    p = _run("screenshot", LECTURE, "--steps", "3", "--out", str(out), "--workspace", "network", timeout=120)
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 600


def test_screenshot_of_bad_scenario_fails_before_qt(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "kind": "netwrk"}')
    p = _run("screenshot", str(bad), "--steps", "1", "--out", str(tmp_path / "x.png"))
    assert p.returncode == 2 and 'unknown kind "netwrk"' in p.stderr and "Traceback" not in p.stderr
    wrong = _run("screenshot", LECTURE, "--steps", "1", "--out", str(tmp_path / "x.png"), "--workspace", "3d")
    assert wrong.returncode == 2 and "invalid choice: '3d'" in wrong.stderr
    assert not (tmp_path / "x.png").exists()


def test_screenshot_mid_backward_pass_at_projector_size(tmp_path: Path) -> None:
    out = tmp_path / "mid.png"
    p = _run("screenshot", LECTURE, "--steps", "0", "--phases", "5", "--select", "w(1)[1,1]",
             "--size", "1280x800", "--out", str(out), timeout=120)
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (1280, 800)


def test_screenshot_options_that_do_not_apply_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    unknown = _run("screenshot", LECTURE, "--steps", "0", "--select", "w(9)[1,1]", "--out", str(out),
                   timeout=120)
    assert unknown.returncode == 2 and "no such parameter" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    quartic = str(Path(LECTURE).with_name("lecture-quartic.json"))
    phases = _run("screenshot", quartic, "--steps", "0", "--phases", "2", "--out", str(out), timeout=120)
    assert phases.returncode == 2 and "network workspace only" in phases.stderr
    size = _run("screenshot", quartic, "--steps", "0", "--size", "12", "--out", str(out))
    assert size.returncode == 2 and "WIDTHxHEIGHT" in size.stderr
