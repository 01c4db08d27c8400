"""Scenario files (SPEC section 5) on disk: read, validate and save atomically; the one import point.

A scenario is everything needed to reproduce a run: a network with its data, loss, training
mode and optimizer, or a function with a start point and an optimizer. :func:`load_scenario`
reads and validates a file, :func:`save_scenario` writes one so that a crash never leaves half a
file. The records are ``engine.scenario_spec``, the field checks ``engine.scenario_validation``
(every message starts with the field, e.g. ``network.layers[1].weights: expected 1x2, got 2x2``)
and the sessions are built by ``engine.scenario_builders``; all of their public names can be
imported from here.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from engine.activations import ACTIVATION_NAMES
from engine.file_limits import MAX_SCENARIO_BYTES, LimitError, decode_json, readable_file
from engine.losses import LOSS_NAMES
from engine.scenario_builders import (build_dataset, build_function_session, build_network, build_objective,
                                      build_training_session, training_arrays)
from engine.scenario_spec import (DERIVATIVE_MODES, FORMAT, KINDS, VERSION, DataSpec, FunctionSpec, LayerSpec,
                                  NetworkSpec, Scenario, ScenarioError)
from engine.scenario_validation import parameter_names, parse_scenario

def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Errors raise ScenarioError naming the file and the field."""
    p = Path(path)
    try:
        text = readable_file(p, "scenario file", MAX_SCENARIO_BYTES).read_text(encoding="utf-8-sig")
    except LimitError as e:
        raise ScenarioError("", str(e)) from None
    except FileNotFoundError:
        raise ScenarioError("", f"{p.name}: file not found ({p})") from None
    except IsADirectoryError:
        raise ScenarioError("", f"{p.name}: is a folder, not a scenario file") from None
    except UnicodeDecodeError as e:
        raise ScenarioError("", f"{p.name}: not a UTF-8 text file (byte {e.start})") from None
    try:
        # NaN and Infinity tokens decode to floats here and are rejected, field by field, by
        # the number checks, so the message names where they are.
        obj = decode_json(text)
    except json.JSONDecodeError as e:
        raise ScenarioError("", f"{p.name}, line {e.lineno}, column {e.colno}: {e.msg}") from None
    except LimitError as e:
        raise ScenarioError("", f"{p.name}: {e}") from None
    try:
        return parse_scenario(obj, p.resolve().parent)
    except ScenarioError as e:
        raise ScenarioError(e.field, f"{e.problem} (in {p.name})") from None


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as JSON atomically: a temporary file in the same folder, fsync, then rename.

    The scenario is validated first (ScenarioError, nothing written). A crash or a failed
    write leaves the old file (if any) untouched and no temporary file behind. The file keeps
    its permissions (a new one gets the umask's), not the temporary file's private 0600.
    """
    p = Path(path)
    folder = p.resolve().parent
    d = scenario.to_dict(relative_to=folder)
    # A Scenario built in code (the GUI's Save) skips parsing; check it here, so that
    # every file written can be opened again.
    parse_scenario(d, folder)
    text = json.dumps(d, indent=2, allow_nan=False) + "\n"
    mode = stat.S_IMODE(p.stat().st_mode) if p.exists() else _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.chmod(tmp, mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        # Any failure (disk full, interrupted): remove the partial file, keep the old one, re-raise.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file_mode() -> int:
    """The permissions ``open()`` would give a new file: 0666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask

__all__ = [
    "ACTIVATION_NAMES", "DERIVATIVE_MODES", "FORMAT", "KINDS", "LOSS_NAMES", "VERSION", "DataSpec",
    "FunctionSpec", "LayerSpec", "NetworkSpec", "Scenario", "ScenarioError", "build_dataset",
    "build_function_session", "build_network", "build_objective", "build_training_session",
    "load_scenario", "parameter_names", "parse_scenario", "save_scenario",
    "training_arrays",
]
