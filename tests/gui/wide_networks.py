"""Wide softmax networks on synthetic image data for the compact network view's tests, benchmark and
screenshot: ``side`` x ``side`` images (64 or 784 inputs), one noisy prototype a class."""

from __future__ import annotations

import numpy as np

from engine.optimizers import make_spec
from engine.scenario import DataSpec, LayerSpec, NetworkSpec, Scenario


def image_data(side: int = 8, classes: int = 10, n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(n, side*side)`` pixel values in [0, 1] (sixteen grey levels) and ``(n, 1)`` class indices."""
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0.0, 16.0, (classes, side * side)) * (rng.random((classes, side * side)) < 0.4)
    labels = np.arange(n) % classes
    X = np.clip(prototypes[labels] + rng.normal(0.0, 2.0, (n, side * side)), 0.0, 16.0)
    return np.round(X) / 16.0, labels.reshape(-1, 1).astype(float)


def wide_scenario(side: int = 8, hidden: int = 16, classes: int = 10, n: int = 300, seed: int = 0) -> Scenario:
    """A ``side*side``-``hidden``-``classes`` tanh/softmax network with cross-entropy and adam."""
    X, y = image_data(side, classes, n, seed)
    network = NetworkSpec(side * side, (LayerSpec(hidden, "tanh"), LayerSpec(classes, "softmax")))
    return Scenario(kind="network", title=f"{side * side}-{hidden}-{classes} on synthetic {side}x{side} images",
                    network=network, data=DataSpec("arrays", inputs=X, targets=y), loss="cross_entropy",
                    optimizer=make_spec("adam", lr=0.01), seed=seed)
