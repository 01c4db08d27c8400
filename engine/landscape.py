"""The loss landscape: R at many parameter vectors at once, e.g. over a grid of two parameters.

:func:`batched_loss` runs the forward pass for a whole stack of parameter vectors in one go
(chunked, so memory stays bounded); :func:`landscape` varies two named parameters over a grid
with all the others fixed, the slice the network workspace draws as a contour (SPEC 1.3). Both
take an optional ``progress(fraction)`` callable (``engine.progress``), called after each chunk; it
may raise ``Cancelled`` to stop a long grid.
"""

from __future__ import annotations

import numpy as np

from engine.backprop import _Layout
from engine.losses import Loss, get_loss
from engine.network import Network
from engine.progress import Progress, report


def batched_loss(net: Network, loss: Loss | str, thetas: np.ndarray, X: np.ndarray,
                 Y: np.ndarray, max_elements: int = 2_000_000, progress: Progress = None,
                 weight_decay: float = 0.0) -> np.ndarray:
    """R at many parameter vectors ``thetas (G, n_params)`` at once: ``(G,)``.

    ``X (n, inputs)``, ``Y (n, n_out)`` prepared targets. Works in chunks so that no
    intermediate array holds more than about ``max_elements`` numbers. ``weight_decay``:
    lambda of R's term lambda/2 sum w^2 (biases excluded), added to every entry.
    """
    loss = get_loss(loss) if isinstance(loss, str) else loss
    layout = _Layout(net, loss)
    G = thetas.shape[0]
    n = X.shape[0]
    widest = max(net.sizes)
    chunk = max(1, max_elements // max(1, n * widest))
    out = np.empty(G)
    sizes, offs = layout.sizes, layout.offs
    with np.errstate(all="ignore"):
        for s in range(0, G, chunk):
            th = thetas[s:s + chunk]
            a = X[None, :, :]
            for l, act in enumerate(layout.acts, start=1):
                p = sizes[l - 1]
                block = th[:, offs[l - 1]:offs[l]].reshape(-1, sizes[l], p + 1)
                z = a @ block[:, :, :p].transpose(0, 2, 1) + block[:, None, :, p]
                a = act.fn(z)
            g = a.shape[0]
            per = loss.per_obs(a.reshape(g * n, -1), np.broadcast_to(Y, (g, n, Y.shape[1]))
                               .reshape(g * n, -1)).reshape(g, n).sum(axis=1)
            if loss.mean:
                per *= g  # per_obs divides by the size of the whole (g n, n_out) block
            if weight_decay:
                w = th[:, layout.mask]
                per = per + 0.5 * weight_decay * np.einsum("gp,gp->g", w, w)
            out[s:s + g] = per
            report(progress, (s + g) / G)
    return out


def landscape(net: Network, loss: Loss | str, X: np.ndarray, Y: np.ndarray, name_i: str, name_j: str,
              xs: np.ndarray, ys: np.ndarray, theta: np.ndarray, progress: Progress = None,
              weight_decay: float = 0.0) -> np.ndarray:
    """R over a grid of two parameters, the others fixed at ``theta (n_params,)``.

    ``xs (nx,)`` values of ``name_i``, ``ys (ny,)`` of ``name_j``; returns ``(ny, nx)``.
    """
    i = net.param_index(name_i)
    j = net.param_index(name_j)
    xs = np.asarray(xs, dtype=np.float64).ravel()
    ys = np.asarray(ys, dtype=np.float64).ravel()
    base = np.asarray(theta, dtype=np.float64)
    gx, gy = np.meshgrid(xs, ys)
    thetas = np.broadcast_to(base, (gx.size, base.size)).copy()
    thetas[:, i] = gx.ravel()
    thetas[:, j] = gy.ravel()
    return batched_loss(net, loss, thetas, X, Y, progress=progress, weight_decay=weight_decay).reshape(gx.shape)


__all__ = ["batched_loss", "landscape"]
