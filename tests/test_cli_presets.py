"""The command line with preset names (`presets` lists them, a name works wherever a file does), and
screenshot's check that the workspace fits the scenario."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` run from ``cwd``."""
    return subprocess.run([sys.executable, str(MAIN), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_presets_lists_every_preset_with_kind_and_title(tmp_path):
    p = _run("presets", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = [line.split(maxsplit=2) for line in p.stdout.splitlines()]
    assert [r[0] for r in rows] == sorted(f.stem for f in (ROOT / "resources" / "scenarios").glob("*.json"))
    assert ["lecture-quartic", "function1d", "Lecture 10: gradient descent on a quartic"] in rows


def test_a_preset_name_gives_the_same_trace_as_its_file(tmp_path):
    by_name = _run("run", "lecture-backprop", "--steps", "3", cwd=tmp_path)
    by_file = _run("run", "resources/scenarios/lecture-backprop.json", "--steps", "3", cwd=ROOT)
    assert by_name.returncode == 0, by_name.stderr
    assert json.loads(by_name.stdout) == json.loads(by_file.stdout)
    explained = _run("explain", "matt-mazur", "--observation", "1", cwd=tmp_path)
    assert explained.returncode == 0 and "w(1)[1,1]" in explained.stdout


def test_neither_file_nor_preset_exits_2_naming_close_matches(tmp_path):
    for command in (["run", "lecture-backpro", "--steps", "1"], ["explain", "lecture-backpro"],
                    ["screenshot", "lecture-backpro", "--steps", "0", "--out", "x.png"], ["lecture-backpro"]):
        p = _run(*command, cwd=tmp_path)
        assert p.returncode == 2, command
        assert "lecture-backpro: file not found" in p.stderr and "did you mean lecture-backprop?" in p.stderr
        assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
        assert p.stdout == ""


def test_screenshot_with_a_workspace_of_another_kind_exits_2(tmp_path):
    out = tmp_path / "shot.png"
    p = _run("screenshot", "lecture-backprop", "--steps", "0", "--workspace", "descent1d", "--out", str(out),
             cwd=tmp_path)
    assert p.returncode == 2
    assert "--workspace descent1d shows function1d scenarios" in p.stderr
    assert "lecture-backprop.json is a network scenario" in p.stderr and "--workspace network" in p.stderr
    assert "Traceback" not in p.stderr and not out.exists()
