"""Reading decoded JSON values with errors that name the field, e.g. ``training.mini_batch``.

Scenario files (``engine.scenario``) and the values they hold (``engine.training_mode``) are
checked with these helpers, so that every message starts with the dotted path of the bad
part and says what is allowed: ``training.mini_batch: expected a whole number >= 1, got 0``.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np

from engine.file_limits import quote


class FieldError(ValueError):
    """A value read from JSON is not valid; ``field`` is the dotted path of the bad part (or "")."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def join_path(path: str, key: str | int) -> str:
    """``path`` extended by an object key (``a.b``) or a list index (``a[0]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    """A short description of a decoded JSON value for messages: ``"text"``, ``a list``, ``true``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (int, float)):
        return quote(value)
    if isinstance(value, str):
        return f'"{quote(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def one_of(names: tuple[str, ...]) -> str:
    """``a, b or c`` for a message listing the allowed names."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def check_object(value: Any, path: str, allowed: tuple[str, ...],
                 required: tuple[str, ...] = ()) -> dict:
    """``value`` as an object with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(value, dict):
        raise FieldError(path, f"expected an object {{...}}, got {describe(value)}")
    for key in value:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            also = f'; did you mean "{hint[0]}"?' if hint else f"; allowed: {', '.join(allowed)}"
            raise FieldError(join_path(path, quote(str(key))), f"unknown field{also}")
    for key in required:
        if key not in value:
            raise FieldError(join_path(path, key), "missing (required)")
    return value


def check_number(value: Any, path: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """``value`` as a finite float (> 0 when ``positive``, >= 0 when ``nonnegative``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(path, f"expected a number, got {describe(value)}")
    if not math.isfinite(value):
        raise FieldError(path, f"expected a finite number, got {describe(value)}")
    if positive and not value > 0:
        raise FieldError(path, f"expected a number > 0, got {value!r}")
    if nonnegative and not value >= 0:
        raise FieldError(path, f"expected a number >= 0, got {value!r}")
    return float(value)


def check_integer(value: Any, path: str, minimum: int, maximum: int | None = None, what: str = "") -> int:
    """``value`` as a whole number >= ``minimum`` (a float such as 2.0 counts as 2), at most ``maximum``.

    ``what`` names the limit in the message, e.g. "nodes a layer" gives ``at most 4096 nodes a layer``.
    """
    if isinstance(value, float) and value.is_integer():
        if maximum is not None and abs(value) > maximum:
            raise FieldError(path, f"at most {maximum} {what}, got {describe(value)}".replace("  ", " "))
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise FieldError(path, f"expected a whole number >= {minimum}, got {describe(value)}")
    if value < minimum:
        raise FieldError(path, f"expected a whole number >= {minimum}, got {quote(value)}")
    if maximum is not None and value > maximum:
        raise FieldError(path, f"at most {maximum} {what}, got {quote(value)}".replace("  ", " "))
    return int(value)


def check_text(value: Any, path: str) -> str:
    """``value`` as a string."""
    if not isinstance(value, str):
        raise FieldError(path, f"expected text, got {describe(value)}")
    return value


def check_name(value: Any, path: str, allowed: tuple[str, ...], what: str) -> str:
    """``value`` as one of the ``allowed`` names of a ``what`` (the message suggests a close one)."""
    text = check_text(value, path)
    if text not in allowed:
        hint = difflib.get_close_matches(text, allowed, n=1)
        also = f' (did you mean "{hint[0]}"?)' if hint else ""
        raise FieldError(path, f'unknown {what} "{quote(text)}"{also}; expected {one_of(allowed)}')
    return text


def check_matrix(value: Any, path: str, rows: int | None, cols: int | None) -> np.ndarray:
    """A list of ``rows`` lists of ``cols`` finite numbers (``None``: any count) as float64."""
    want = f"{'n' if rows is None else rows}x{'n' if cols is None else cols}"
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        raise FieldError(path, f"expected {want} (a list of rows), got {describe(value)}")
    if len({len(r) for r in value}) > 1:
        raise FieldError(path, f"expected {want}, got rows of different lengths "
                               f"({', '.join(str(len(r)) for r in value)})")
    got_cols = len(value[0]) if value else 0
    if (rows is not None and len(value) != rows) or (cols is not None and got_cols != cols) or not value:
        raise FieldError(path, f"expected {want}, got {len(value)}x{got_cols}")
    for i, row in enumerate(value):
        for j, x in enumerate(row):
            check_number(x, f"{path}[{i}][{j}]")
    return np.array(value, dtype=np.float64)


def check_vector(value: Any, path: str, length: int) -> np.ndarray:
    """A list of ``length`` finite numbers as a float64 vector."""
    numbers = "1 number" if length == 1 else f"{length} numbers"
    if not isinstance(value, list):
        raise FieldError(path, f"expected a list of {numbers}, got {describe(value)}")
    if len(value) != length:
        raise FieldError(path, f"expected {numbers}, got {len(value)}")
    return np.array([check_number(x, f"{path}[{i}]") for i, x in enumerate(value)], dtype=np.float64)


__all__ = ["FieldError", "check_integer", "check_matrix", "check_name", "check_number",
           "check_object", "check_text", "check_vector", "describe", "join_path", "one_of"]
