"""Saving a scenario keeps the file's permissions: the atomic write's temporary file is private (0600),
and renaming it over the old file must not make a shared file private."""

import os
import stat
from pathlib import Path

import pytest

from engine.scenario import load_scenario, save_scenario

PRESET = Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "lecture-backprop.json"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664])
def test_saving_over_a_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "shared.json"
    path.write_text("{}")
    path.chmod(mode)
    save_scenario(load_scenario(PRESET), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert load_scenario(path) == load_scenario(PRESET)
    assert [f.name for f in tmp_path.iterdir()] == ["shared.json"]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        save_scenario(load_scenario(PRESET), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
