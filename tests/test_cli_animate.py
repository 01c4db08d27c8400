"""`python main.py animate`: one GIF frame per recorded step (as `run --every` records them), the frame
rate asked for, and a clear message (exit 2) for MP4 without its extra or an unknown format."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

PIL = pytest.importorskip("PIL.Image")

ROOT = Path(__file__).resolve().parents[1]
RACE = "lecture-2d-race"


def _run(*args: str, timeout: float = 120, prelude: str = "") -> subprocess.CompletedProcess:
    code = f"import sys\n{prelude}\nimport main\nsys.exit(main.main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def _frames(path: Path) -> list:
    """Every frame of a GIF as RGB pixels, and the duration of each."""
    with PIL.open(path) as gif:
        out = []
        for i in range(gif.n_frames):
            gif.seek(i)
            out.append((gif.convert("RGB").tobytes(), gif.info["duration"]))
        return out


def test_a_gif_of_the_race_has_one_frame_per_recorded_step(tmp_path: Path) -> None:
    out = tmp_path / "race.gif"
    p = _run("animate", RACE, "--steps", "6", "--plot", "contour", "--size", "640x480", "--fps", "10",
             "--out", str(out))
    assert p.returncode == 0, p.stderr
    frames = _frames(out)
    # steps 0, 1, ..., 6: the start and one frame after each of the six steps
    assert len(frames) == 7
    run = subprocess.run([sys.executable, "main.py", "run", RACE, "--steps", "6"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert len(frames) == len(json.loads(run.stdout)["steps"])
    assert all(duration == 100 for _pixels, duration in frames)  # 10 frames a second
    assert len({pixels for pixels, _duration in frames}) == 7  # the run moves in every frame


def test_every_keeps_every_kth_step_and_the_last(tmp_path: Path) -> None:
    out = tmp_path / "every.gif"
    p = _run("animate", RACE, "--steps", "6", "--every", "4", "--plot", "loss", "--size", "640x480",
             "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert len(_frames(out)) == 3  # steps 0, 4 and 6


def test_mp4_without_the_extra_says_which_extra_to_install(tmp_path: Path) -> None:
    out = tmp_path / "race.mp4"
    p = _run("animate", RACE, "--steps", "2", "--out", str(out), prelude="sys.modules['imageio_ffmpeg'] = None")
    assert p.returncode == 2
    assert "stepwise[mp4]" in p.stderr and "imageio-ffmpeg" in p.stderr and "Traceback" not in p.stderr
    assert not out.exists()


def test_other_formats_and_plots_exit_2(tmp_path: Path) -> None:
    avi = _run("animate", RACE, "--steps", "2", "--out", str(tmp_path / "race.avi"))
    assert avi.returncode == 2 and ".gif or .mp4" in avi.stderr
    nothing = _run("animate", RACE, "--steps", "2", "--plot", "fit", "--size", "640x480",
                   "--out", str(tmp_path / "race.gif"))
    assert nothing.returncode == 2 and "contour, loss" in nothing.stderr and "Traceback" not in nothing.stderr
