"""The real data sets shipped with Stepwise: iris and the 8x8 handwritten digits, read from CSV.

The files are ``resources/datasets/iris.csv`` (150 flowers, 4 measurements in cm, 3 species) and
``resources/datasets/digits.csv`` (1797 images of 8x8 pixels valued 0..16, digits 0..9); their source
and licence are in ``resources/datasets/README.md``. Each is read once per process.

What a network sees (documented here, and in the data set's ``note``):

- iris: each measurement standardised, (x - mean) / std over all 150 flowers (population std),
  so that every input is on the scale tanh and the Glorot weights expect;
- digits: each pixel divided by 16, so the inputs run from 0 (white) to 1 (black).

The targets are the class index (0, 1, 2 for setosa, versicolor, virginica; the digit 0..9) in one
column, which ``engine.losses.prepare_targets`` turns into one-hot rows for a softmax output.
``make(n, noise, rng)`` takes ``n`` observations in the order of a seeded permutation of the file
(all of them when ``n`` is the file's size), plus Gaussian noise of std ``noise`` on the scaled inputs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from engine.resource_files import resource_folder


class RealDataError(ValueError):
    """A shipped data file is missing or not as documented (a broken installation)."""


@dataclass(frozen=True)
class RealSet:
    """One shipped file: its name (``iris.csv``), input and target column names, the class names,
    how raw inputs are scaled (``scale``: ``standardise`` or a divisor), a note for people, and for
    images the ``image_shape`` (rows, columns) the inputs fill row by row."""

    file: str
    input_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...]
    scale: str | float
    note: str
    image_shape: tuple[int, int] | None = None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


IRIS = RealSet("iris.csv", ("sepal_length", "sepal_width", "petal_length", "petal_width"), "species",
               ("setosa", "versicolor", "virginica"), "standardise",
               "Fisher's iris data (UCI Machine Learning Repository; the copy distributed with "
               "scikit-learn): 150 flowers, 4 measurements in cm, each standardised to mean 0 and "
               "std 1 over all 150; 3 species, 50 each")
DIGITS = RealSet("digits.csv", tuple(f"p{i}" for i in range(64)), "digit", tuple(str(d) for d in range(10)),
                 16.0, "Optical recognition of handwritten digits (UCI Machine Learning Repository, "
                       "the 1797 images of its test set, as distributed with scikit-learn): 8x8 "
                       "pixels p0..p63 row by row, valued 0..16 and divided by 16; digits 0..9", (8, 8))


@lru_cache(maxsize=None)
def raw(real: RealSet) -> tuple[np.ndarray, np.ndarray]:
    """The file's inputs ``(n, d)`` as written and class indices ``(n,)``, checked against ``real``."""
    path = resource_folder("datasets") / real.file
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise RealDataError(f"{real.file}: the shipped data file cannot be read ({e})") from None
    header = tuple(rows[0]) if rows else ()
    if header != real.input_names + (real.target_name,):
        raise RealDataError(f"{real.file}: unexpected header {', '.join(header[:6])}...")
    values = np.array(rows[1:], dtype=np.float64)
    x, y = values[:, :-1], values[:, -1]
    if np.any(y != np.round(y)) or y.min() < 0 or y.max() >= real.n_classes:
        raise RealDataError(f"{real.file}: class labels must be 0..{real.n_classes - 1}")
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def scaled_inputs(real: RealSet) -> np.ndarray:
    """All the file's inputs as a network sees them (standardised, or divided by the divisor)."""
    x, _ = raw(real)
    if real.scale == "standardise":
        return (x - x.mean(axis=0)) / x.std(axis=0)
    return x / float(real.scale)


def size(real: RealSet) -> int:
    """Observations in the file."""
    return int(raw(real)[0].shape[0])


def maker(real: RealSet) -> Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]:
    """The ``make(n, noise, rng)`` of a built-in set (``engine.data.DATASETS``) for ``real``."""
    def make(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x = scaled_inputs(real)
        _, y = raw(real)
        rows = rng.permutation(x.shape[0])[:n]
        inputs = x[rows]
        if noise:
            inputs = inputs + noise * rng.standard_normal(inputs.shape)
        return inputs, y[rows][:, None].astype(np.float64)
    return make


__all__ = ["DIGITS", "IRIS", "RealDataError", "RealSet", "maker", "raw", "scaled_inputs", "size"]
