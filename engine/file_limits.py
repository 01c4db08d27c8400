"""Limits on what a scenario or CSV file may ask for, so that no file can exhaust memory or time.

A file is read only when it is a regular file (not ``/dev/zero``, a pipe or a folder) under a
size limit; JSON is decoded with bounded nesting, number and string sizes; the network and data
fields are bounded by the constants below (the field checks in ``engine.scenario_validation``
use them). Messages quote at most :data:`QUOTE` characters of a bad value.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

#: Largest scenario file read (bytes): explicit data of 10^5 observations fit easily.
MAX_SCENARIO_BYTES = 64 * 2 ** 20
#: Largest CSV file read (bytes): 10^6 rows of a few columns.
MAX_CSV_BYTES = 64 * 2 ** 20
#: Deepest nesting of JSON lists and objects (a scenario needs 5).
MAX_NESTING = 32
#: Most digits of a whole number in a JSON file (Python refuses more than 4,300 to convert).
MAX_DIGITS = 30
#: Longest JSON string (a formula is at most 500 characters; titles and descriptions are short).
MAX_STRING = 100_000
#: Most nodes in one layer, and most inputs.
MAX_UNITS = 4096
#: Most weights and biases in a network.
MAX_PARAMETERS = 1_000_000
#: Most observations in a data set (built-in, explicit or CSV).
MAX_OBSERVATIONS = 1_000_000
#: Most characters of a bad value quoted in a message.
QUOTE = 80


class LimitError(ValueError):
    """A file asks for more than a limit allows; the message names the limit."""


def quote(value: object) -> str:
    """``value`` as a message shows it: at most :data:`QUOTE` characters, then an ellipsis."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= QUOTE else text[:QUOTE - 1] + "…"


def readable_file(path: str | Path, what: str, max_bytes: int) -> Path:
    """``path`` as a Path after checking that it is a regular file of at most ``max_bytes``.

    Raises FileNotFoundError, IsADirectoryError (callers word those) or LimitError.
    """
    text = str(path)
    if "\0" in text:
        shown = quote(text.replace("\0", "\\0"))
        raise LimitError(f"{shown}: a file name cannot hold a NUL character")
    p = Path(text)
    info = os.stat(p)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "Is a directory", text)
    if not stat.S_ISREG(info.st_mode):
        raise LimitError(f"{quote(p.name)}: not a regular file (a device or a pipe); a {what} must be a file")
    if info.st_size > max_bytes:
        raise LimitError(f"{quote(p.name)}: {info.st_size / 2 ** 20:.0f} MB; a {what} may be at most "
                         f"{max_bytes // 2 ** 20} MB")
    return p


def _whole_number(text: str) -> int:
    """json's reader of whole numbers, refusing more than :data:`MAX_DIGITS` digits."""
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise LimitError(f"a whole number of {digits} digits (at most {MAX_DIGITS}): {quote(text)}")
    return int(text)


def decode_json(text: str) -> Any:
    """json.loads with bounded nesting, whole numbers and strings (LimitError names which)."""
    try:
        obj = json.loads(text, parse_int=_whole_number)
    except RecursionError:
        raise LimitError(f"nested too deeply (at most {MAX_NESTING} levels of lists and objects)") from None
    _check_sizes(obj)
    return obj


def _check_sizes(obj: Any) -> None:
    """Walk the decoded value without recursion: nesting and string lengths within the limits."""
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise LimitError(f"a text of {len(value)} characters (at most {MAX_STRING}): {quote(value)}")
            continue
        if not isinstance(value, (list, dict)):
            continue
        if depth >= MAX_NESTING:
            raise LimitError(f"nested too deeply (at most {MAX_NESTING} levels of lists and objects)")
        items = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in items)
        if isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)


__all__ = ["LimitError", "MAX_CSV_BYTES", "MAX_DIGITS", "MAX_NESTING", "MAX_OBSERVATIONS", "MAX_PARAMETERS",
           "MAX_SCENARIO_BYTES", "MAX_STRING", "MAX_UNITS", "QUOTE", "decode_json", "quote", "readable_file"]
