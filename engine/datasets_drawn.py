"""The drawn built-in data sets: 1-D regression curves and 2-D two-class sets, from a seeded generator.

Each generator takes ``(n, noise, rng)`` and returns ``(inputs (n, d), targets (n, k))``;
``engine.data.DATASETS`` lists them with their titles and networks. Classification sets alternate
the class by row (``arange(n) % 2``), so classes are balanced to within one observation and online
training sees both classes from the start.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def curve(fn: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> Callable:
    """Regression on ``y = fn(x)``, x uniform on [lo, hi], plus noise on y."""
    def make(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x = rng.uniform(lo, hi, size=(n, 1))
        return x, fn(x) + noise * rng.standard_normal((n, 1))
    return make


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """XOR: class 0 in quadrants I and III, class 1 in II and IV."""
    label = np.arange(n) % 2
    # Class 0 in quadrants I and III, class 1 in II and IV; which of the two is drawn at random.
    flip = rng.integers(0, 2, size=n) * 2 - 1
    s1 = flip.astype(float)
    s2 = np.where(label == 0, s1, -s1)
    r = rng.uniform(0.1, 1.0, size=(n, 2))
    x = np.column_stack([s1 * r[:, 0], s2 * r[:, 1]]) + noise * rng.standard_normal((n, 2))
    return x, label[:, None].astype(float)


def circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, radius 0.5 (class 0) and 1 (class 1)."""
    label = np.arange(n) % 2
    radius = np.where(label == 0, 0.5, 1.0)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    x = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return x + noise * rng.standard_normal((n, 2)), label[:, None].astype(float)


def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds around (-1, -1) (class 0) and (1, 1) (class 1)."""
    label = np.arange(n) % 2
    mean = np.where(label[:, None] == 0, -1.0, 1.0) * np.ones((n, 2))
    x = mean + 0.6 * rng.standard_normal((n, 2)) + noise * rng.standard_normal((n, 2))
    return x, label[:, None].astype(float)


def spirals(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms, one and a half turns each."""
    label = np.arange(n) % 2
    # Two interleaved arms, one and a half turns each; sqrt spreads points evenly along the arm.
    t = np.sqrt(rng.uniform(0.0, 1.0, size=n)) * 3.0 * np.pi
    phase = label * np.pi
    x = np.column_stack([t * np.cos(t + phase), t * np.sin(t + phase)]) / (3.0 * np.pi)
    return x + noise * rng.standard_normal((n, 2)), label[:, None].astype(float)


__all__ = ["circles", "curve", "gaussians", "spirals", "xor"]
