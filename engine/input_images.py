"""Inputs that are images (the 8x8 digits): an observation, and the first layer's weights, as pixels.

An image set's inputs fill ``shape = (rows, columns)`` row by row: input k (0-based) is the pixel
at row ``k // columns``, column ``k % columns`` (digits: ``p0`` top left, ``p7`` top right). The
weights into node j of layer 1, w(1)[j,1..d], laid out the same way show which pixels the node
looks for (positive weights) and against (negative); a view draws them with a diverging colour map.
"""

from __future__ import annotations

import numpy as np

from engine.network import Network


def _check(n_inputs: int, shape: tuple[int, int]) -> tuple[int, int]:
    rows, cols = (int(v) for v in shape)
    if rows < 1 or cols < 1 or rows * cols != n_inputs:
        raise ValueError(f"an image of {rows}x{cols} pixels needs {rows * cols} inputs, got {n_inputs}")
    return rows, cols


def observation_image(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """One observation's inputs ``(d,)`` as an image ``(rows, columns)``."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return x.reshape(_check(x.size, shape)).copy()


def first_layer_images(net: Network, shape: tuple[int, int], theta: np.ndarray | None = None) -> np.ndarray:
    """The weights into each node of layer 1 as images ``(n_1, rows, columns)``: image j is
    w(1)[j+1, .] laid out like the inputs (parameters ``theta`` if given)."""
    W = (net if theta is None else net.with_theta(theta)).layers[0].W
    rows, cols = _check(W.shape[1], shape)
    return np.array(W).reshape(W.shape[0], rows, cols)


__all__ = ["first_layer_images", "observation_image"]
