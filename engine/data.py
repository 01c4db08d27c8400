"""Datasets for the network workspace: the lecture's two observations, built-in toy sets, CSV import.

A :class:`Dataset` holds read-only float64 arrays ``inputs (n_obs, n_in)`` and
``targets (n_obs, n_out)`` with a name for every column. Built-in sets are drawn from
``np.random.default_rng(seed)``, so a scenario file reproduces them exactly. CSV errors
name the file, the line and the column, because the person reading them is looking at
that file in a spreadsheet.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import math
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from engine import datasets_real
from engine.datasets_drawn import circles, curve, gaussians, spirals, xor
from engine.arrays import readonly
from engine.file_limits import MAX_CSV_BYTES, MAX_OBSERVATIONS, LimitError, readable_file
from engine.progress import Progress, report

#: Rows of a CSV between two progress reports.
PROGRESS_ROWS = 2_000


class DataError(ValueError):
    """A dataset request or a data file is not usable; the message says where and why.

    ``line`` (1-based physical line of the file) and ``column`` (header name) are set
    when the problem is in one cell, so the GUI can point at it.
    """

    def __init__(self, message: str, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True, eq=False)
class Dataset:
    """Observations for a network: ``inputs (n_obs, n_in)``, ``targets (n_obs, n_out)``.

    Classification sets keep the class index (0, 1, ...) in a single target column;
    :func:`one_hot` turns it into one column per class for a softmax output.
    """

    inputs: np.ndarray
    targets: np.ndarray
    input_names: tuple[str, ...]
    target_names: tuple[str, ...]
    title: str = ""

    def __post_init__(self) -> None:
        x = readonly(self.inputs)
        y = readonly(self.targets)
        if x.ndim != 2 or y.ndim != 2:
            raise DataError(f"inputs and targets must be 2-D arrays, got shapes {x.shape} and {y.shape}")
        if x.shape[0] != y.shape[0]:
            raise DataError(f"inputs have {x.shape[0]} rows but targets have {y.shape[0]}")
        if x.shape[0] == 0:
            raise DataError("a dataset needs at least one observation")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise DataError("inputs and targets must be finite numbers")
        names_in = tuple(self.input_names)
        names_out = tuple(self.target_names)
        if len(names_in) != x.shape[1] or len(names_out) != y.shape[1]:
            raise DataError(f"{len(names_in)} input names for {x.shape[1]} input columns, "
                            f"{len(names_out)} target names for {y.shape[1]} target columns")
        object.__setattr__(self, "inputs", x)
        object.__setattr__(self, "targets", y)
        object.__setattr__(self, "input_names", names_in)
        object.__setattr__(self, "target_names", names_out)

    @property
    def n_obs(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.inputs.shape[1])

    @property
    def n_targets(self) -> int:
        return int(self.targets.shape[1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return (np.array_equal(self.inputs, other.inputs) and np.array_equal(self.targets, other.targets)
                and self.input_names == other.input_names and self.target_names == other.target_names
                and self.title == other.title)

    __hash__ = None  # type: ignore[assignment]


def lecture_data() -> Dataset:
    """The lecture's two observations: x=(3,-2), y=1.2 and x=(-1,1), y=0.7."""
    return Dataset(np.array([[3.0, -2.0], [-1.0, 1.0]]), np.array([[1.2], [0.7]]),
                   ("x1", "x2"), ("y",), "Lecture example")


def one_hot(labels: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Class indices ``(n_obs,)`` or ``(n_obs, 1)`` -> one-hot rows ``(n_obs, n_classes)``."""
    idx = np.asarray(labels, dtype=np.float64).reshape(-1)
    if idx.size and (np.any(idx < 0) or np.any(idx != np.round(idx))):
        raise DataError("class labels must be whole numbers 0, 1, 2, ...")
    k = int(idx.max()) + 1 if idx.size else 0
    n_classes = k if n_classes is None else int(n_classes)
    if k > n_classes:
        raise DataError(f"class label {k - 1} needs at least {k} classes, got {n_classes}")
    out = np.zeros((idx.size, n_classes))
    out[np.arange(idx.size), idx.astype(int)] = 1.0
    return out


@dataclass(frozen=True)
class NetworkSetup:
    """What the network workspace opens a data set with: ``hidden`` layers as (units, activation),
    the output layer's activation (its size follows from the data), the loss, and the optimizer
    with its learning rate; the weights are drawn Glorot-uniform from the seed."""

    hidden: tuple[tuple[int, str], ...]
    output_activation: str
    loss: str
    optimizer: str = "adam"
    lr: float = 0.02

    def layer_sizes(self, n_outputs: int) -> list[int]:
        """Nodes of layers 1..L for ``n_outputs`` output nodes."""
        return [units for units, _ in self.hidden] + [int(n_outputs)]

    def activations(self) -> list[str]:
        """Activations of layers 1..L."""
        return [activation for _, activation in self.hidden] + [self.output_activation]


#: The lecture's 2-2-1 network, sum-of-squares loss and gradient descent with lr 0.1 (SPEC
#: section 2); its starting weights are the lecture's own (``engine.network.lecture_network``).
LECTURE_SETUP = NetworkSetup(((2, "sigmoid"),), "identity", "sse", "gd", 0.1)
CURVE_FIT_SETUP = NetworkSetup(((8, "tanh"),), "identity", "mse")
CLASSIFIER_SETUP = NetworkSetup(((4, "tanh"), (4, "tanh")), "softmax", "cross_entropy")


IRIS_SETUP = NetworkSetup(((8, "tanh"),), "softmax", "cross_entropy", "adam", 0.01)
#: 64-16-10: 1,210 weights and biases
DIGITS_SETUP = NetworkSetup(((16, "tanh"),), "softmax", "cross_entropy", "adam", 0.01)


@dataclass(frozen=True)
class DatasetInfo:
    """A built-in set: its generator, title, task (``regression``/``classification``), the network
    it opens with, and classes; ``real``: the shipped file of a real set (``engine.datasets_real``)."""

    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    title: str
    task: str
    setup: NetworkSetup
    n_classes: int = 0
    real: datasets_real.RealSet | None = None

    @property
    def n_outputs(self) -> int:
        """Output nodes of the set's network: one per class, or one for the target."""
        return self.n_classes if self.task == "classification" else 1

    @property
    def input_names(self) -> tuple[str, ...]:
        if self.real is not None:
            return self.real.input_names
        return ("x",) if self.task == "regression" else ("x1", "x2")

    @property
    def target_names(self) -> tuple[str, ...]:
        if self.real is not None:
            return (self.real.target_name,)
        return ("y",) if self.task == "regression" else ("class",)

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)

    @property
    def image_shape(self) -> tuple[int, int] | None:
        """(rows, columns) of an image set's inputs, filled row by row (digits: 8x8); else None."""
        return None if self.real is None else self.real.image_shape

    @property
    def size(self) -> int | None:
        """Observations in a real set's file (the most ``n`` may be); None for a drawn set."""
        return None if self.real is None else datasets_real.size(self.real)

    @property
    def default_n(self) -> int:
        """``n`` when none is given: a real set's every observation, else 100."""
        return 100 if self.real is None else datasets_real.size(self.real)

    @property
    def default_noise(self) -> float:
        """``noise`` when none is given: 0 for a real set, else 0.1."""
        return 0.1 if self.real is None else 0.0


def _real(real: datasets_real.RealSet, title: str, setup: NetworkSetup) -> DatasetInfo:
    return DatasetInfo(datasets_real.maker(real), title, "classification", setup, real.n_classes, real)


DATASETS: dict[str, DatasetInfo] = {
    "sine": DatasetInfo(curve(np.sin, -np.pi, np.pi), "y = sin(x)", "regression", CURVE_FIT_SETUP),
    "quadratic": DatasetInfo(curve(lambda x: x * x, -1.0, 1.0), "y = x^2", "regression", CURVE_FIT_SETUP),
    "cubic": DatasetInfo(curve(lambda x: x ** 3 - x, -1.5, 1.5), "y = x^3 - x", "regression",
                         CURVE_FIT_SETUP),
    "step": DatasetInfo(curve(lambda x: (x >= 0).astype(float), -1.0, 1.0), "y = step(x)", "regression",
                        CURVE_FIT_SETUP),
    "xor": DatasetInfo(xor, "XOR", "classification", CLASSIFIER_SETUP, 2),
    "circles": DatasetInfo(circles, "Circles", "classification", CLASSIFIER_SETUP, 2),
    "gaussians": DatasetInfo(gaussians, "Two Gaussians", "classification", CLASSIFIER_SETUP, 2),
    "spirals": DatasetInfo(spirals, "Spirals", "classification", CLASSIFIER_SETUP, 2),
    "iris": _real(datasets_real.IRIS, "Iris (UCI)", IRIS_SETUP),
    "digits": _real(datasets_real.DIGITS, "Digits 8x8 (UCI)", DIGITS_SETUP),
}
DATASET_NAMES = tuple(DATASETS)


def make_dataset(name: str, n: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
    """A built-in set of ``n`` observations with Gaussian noise of std ``noise``, drawn from ``seed``.

    Regression sets have one input ``x`` and one target ``y``; the drawn classification sets have
    inputs ``x1, x2`` and one target column ``class`` holding 0 or 1; the real sets (iris, digits:
    ``engine.datasets_real``) their file's columns, ``n`` of its rows in a seeded order.
    ``n``/``noise`` default to the set's ``default_n``/``default_noise``.
    """
    info = DATASETS.get(name)
    if info is None:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    n = info.default_n if n is None else n
    noise = info.default_noise if noise is None else noise
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DataError(f"dataset size n must be a whole number >= 1, got {n!r}")
    if n > MAX_OBSERVATIONS:
        raise DataError(f"dataset size n: at most {MAX_OBSERVATIONS:,} observations, got {n:,}")
    if info.size is not None and n > info.size:
        raise DataError(f"dataset size n: {name} has {info.size:,} observations, got {n:,}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not math.isfinite(noise) or noise < 0:
        raise DataError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a whole number >= 0, got {seed!r}")
    x, y = info.make(int(n), float(noise), np.random.default_rng(int(seed)))
    return Dataset(x, y, info.input_names, info.target_names, info.title)


# --- CSV ---------------------------------------------------------------------------------------
_DELIMITERS = (",", ";", "\t")


def _read_text(path: str | Path) -> tuple[str, str]:
    p = Path(path)
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs write.
        return p.name, readable_file(p, "CSV file", MAX_CSV_BYTES).read_text(encoding="utf-8-sig")
    except LimitError as e:
        raise DataError(str(e)) from None
    except FileNotFoundError:
        raise DataError(f"{p.name}: file not found ({p})") from None
    except IsADirectoryError:
        raise DataError(f"{p.name}: is a folder, not a CSV file") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{p.name}: not a UTF-8 text file (byte {e.start})") from None
    except OSError as e:
        raise DataError(f"{p.name}: cannot be read ({e.strerror or e})") from None


def _delimiter(text: str) -> str:
    """The delimiter most frequent in the header line (comma when there is none)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")  # lazily: no list of all lines
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(name: str, text: str) -> tuple[str, list[str], int, Iterator[tuple[int, list[str]]]]:
    """Parse ``text``: (delimiter, header, header line, the data rows as they are read: (line number,
    cells)); blank rows skipped. Streaming, so a million rows are never held as cells at once (their
    small objects would also make the garbage collector pause every thread)."""
    if not text.strip():
        raise DataError(f"{name}: the file is empty; expected a header row and data rows")
    delim = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    for cells in _checked(name, reader):
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    else:
        raise DataError(f"{name}: no header row; every line is blank or holds only delimiters")
    header_line = reader.line_num
    rows = ((reader.line_num, cells) for cells in _checked(name, reader) if any(c.strip() for c in cells))
    return delim, header, header_line, rows


def _checked(name: str, reader) -> Iterator[list[str]]:
    """The reader's rows; a malformed row becomes a DataError naming its line."""
    try:
        yield from reader
    except csv.Error as e:
        raise DataError(f"{name}, line {reader.line_num}: {e}", line=reader.line_num) from None


def preview_csv(path: str | Path, rows: int = 10) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` data rows as text, for the import dialog's preview."""
    name, text = _read_text(path)
    _, header, _, data = _rows(name, text)
    return header, [cells for _, cells in itertools.islice(data, rows)]


def _column_index(name: str, header: list[str], col: str | int, role: str) -> int:
    if isinstance(col, bool) or not isinstance(col, (str, int, np.integer)):
        raise DataError(f"{name}: {role} column must be a name or a 0-based index, got {col!r}")
    if isinstance(col, str):
        matches = [i for i, h in enumerate(header) if h == col.strip()]
        if len(matches) > 1:
            raise DataError(f'{name}: column name "{col}" appears {len(matches)} times in the header; '
                            f"choose it by index")
        if not matches:
            hint = difflib.get_close_matches(col, header, n=1)
            also = f'; did you mean "{hint[0]}"?' if hint else ""
            raise DataError(f'{name}: unknown {role} column "{col}"; the columns are '
                            f"{', '.join(header)}{also}", column=col)
        return matches[0]
    if not 0 <= int(col) < len(header):
        raise DataError(f"{name}: {role} column index {int(col)} is out of range; "
                        f"the file has columns 0 to {len(header) - 1}")
    return int(col)


def _number(cell: str, decimal_comma: bool) -> float | None:
    text = cell.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def load_csv(path: str | Path, inputs: list[str | int], targets: list[str | int],
             progress: Progress = None) -> Dataset:
    """Load a CSV file with a header row; ``inputs``/``targets`` pick columns by name or 0-based index.

    The delimiter (comma, semicolon or tab) is read off the header row; with semicolons a
    decimal comma (``1,5``) is accepted. Columns not chosen may hold anything. Every problem
    raises :class:`DataError` naming the file, the line and the column, e.g.
    ``data.csv, line 4, column "x2": "abc" is not a number``. ``progress`` (``engine.progress``)
    hears the fraction read, every 2,000 rows, and may raise ``Cancelled``.
    """
    name, text = _read_text(path)
    report(progress, 0.05)
    delim, header, header_line, rows = _rows(name, text)
    inputs, targets = list(inputs), list(targets)
    if not inputs:
        raise DataError(f"{name}: choose at least one input column")
    if not targets:
        raise DataError(f"{name}: choose at least one target column")
    in_idx = [_column_index(name, header, c, "input") for c in inputs]
    out_idx = [_column_index(name, header, c, "target") for c in targets]
    chosen = in_idx + out_idx
    for i in set(chosen):
        if chosen.count(i) > 1:
            raise DataError(f'{name}: column "{header[i]}" is chosen more than once '
                            f"(a column is either an input or a target, once)")
    lines = max(1, text.count("\n"))
    flat = array("d")  # raw doubles: no object per number
    n = 0
    for line, cells in rows:
        n += 1
        if n > MAX_OBSERVATIONS:
            raise DataError(f"{name}: at most {MAX_OBSERVATIONS:,} observations (rows), got more")
        if n % PROGRESS_ROWS == 0:
            report(progress, 0.05 + 0.95 * line / lines)
        if len(cells) != len(header):
            raise DataError(f"{name}, line {line}: expected {len(header)} columns like the header, "
                            f"got {len(cells)}", line=line)
        for i in chosen:
            cell = cells[i]
            if not cell.strip():
                raise DataError(f'{name}, line {line}, column "{header[i]}": missing value',
                                line=line, column=header[i])
            v = _number(cell, decimal_comma=delim == ";")
            if v is None or not math.isfinite(v):
                what = "is not a number" if v is None else "is not a finite number"
                raise DataError(f'{name}, line {line}, column "{header[i]}": "{cell.strip()}" {what}',
                                line=line, column=header[i])
            flat.append(v)
    if n == 0:
        raise DataError(f"{name}: no data rows after the header (line {header_line})")
    values = np.frombuffer(flat, dtype=np.float64).reshape(n, len(chosen)).copy()
    report(progress, 1.0)
    k = len(in_idx)
    return Dataset(values[:, :k], values[:, k:], tuple(header[i] for i in in_idx),
                   tuple(header[i] for i in out_idx), name)


__all__ = [
    "CLASSIFIER_SETUP", "CURVE_FIT_SETUP", "DATASETS", "DIGITS_SETUP", "IRIS_SETUP", "DATASET_NAMES", "DataError", "Dataset",
    "DatasetInfo", "LECTURE_SETUP", "NetworkSetup", "lecture_data", "load_csv", "make_dataset",
    "one_hot", "preview_csv",
]
