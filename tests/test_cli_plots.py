"""`python main.py screenshot ... --plot NAME [--scale S]`: one plot as PNG (S times its size) or SVG
(a canvas of its size), and bad plot names or formats exit 2 with one line."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_one_plot_as_png_at_a_scale_and_as_svg_of_its_size(tmp_path: Path) -> None:
    two, svg = tmp_path / "c2.png", tmp_path / "c.svg"
    for out, extra in ((two, ["--scale", "2"]), (svg, [])):
        p = _run("screenshot", "lecture-2d-race", "--steps", "5", "--size", "1280x800", "--plot", "contour",
                 "--out", str(out), *extra)
        assert p.returncode == 0, p.stderr
    root = ET.parse(svg).getroot()
    width, height = int(root.get("width")), int(root.get("height"))  # the plot's size on screen
    assert 300 < width < 1280 and 200 < height < 800  # the plot, not the window
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert _png_size(two) == (2 * width, 2 * height)


def test_bad_plot_names_scales_and_formats_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "x.png")
    unknown = _run("screenshot", "lecture-quartic", "--steps", "0", "--plot", "contour", "--out", out)
    assert unknown.returncode == 2 and "function, derivative, basins" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    scale = _run("screenshot", "lecture-quartic", "--steps", "0", "--plot", "function", "--scale", "5", "--out", out)
    assert scale.returncode == 2 and "from 1 to 4" in scale.stderr
    window_svg = _run("screenshot", "lecture-quartic", "--steps", "0", "--out", str(tmp_path / "w.svg"))
    assert window_svg.returncode == 2 and "--plot" in window_svg.stderr
    missing = _run("screenshot", "lecture-quartic", "--steps", "0", "--plot", "function",
                   "--out", str(tmp_path / "no" / "x.png"))
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr
