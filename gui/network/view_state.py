"""What the network workspace's views show, read from the controller's session: the phase in
words, the observation it works on, the editor's settings, the network view's state at the cursor
and its caption, the fit plot's grid and the landscape's axes. Reading only; the workspace decides
when to redraw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.classify import confusion_matrix
from engine.losses import class_labels, class_probabilities
from engine.training_mode import DEFAULT_BATCH_SIZE
from gui.common.style import decimate

FIT_GRID = 50             # decision-region grid per side
LANDSCAPE_GRID = 60
FIT_MAX_POINTS = 1000     # observations drawn in the fit plot (a stride through larger sets)


@dataclass(frozen=True)
class ViewState:
    """Everything the view draws for one moment of training (plain arrays, no engine types).

    ``weights[l]``: ``(n_{l+1}, n_l)``; ``biases[l]``: ``(n_{l+1},)``; ``inputs``: ``(n_0,)``
    of the shown observation or ``None``; ``z``, ``a``, ``delta``: one entry per layer
    1..L, ``(n_l,)`` or ``None`` while the current phase has not computed it;
    ``grad_w``/``grad_b``: gradient so far (same shapes as weights/biases) or ``None``;
    ``backward``: colour by gradient magnitude; ``focus_nodes``: (layer, index) pairs the
    current phase computes (layer 0 = inputs); ``focus_edges_layer``: the layer whose
    incoming edges the current phase uses, 0 for every edge (the update), or ``None``;
    ``values_of``: ``(iteration, observation)`` (1-based) when the node values are those of an
    iteration already finished (shown between iterations instead of a blank network), else None.
    """

    weights: tuple
    biases: tuple
    inputs: np.ndarray | None = None
    z: tuple = ()
    a: tuple = ()
    delta: tuple = ()
    grad_w: tuple | None = None
    grad_b: tuple | None = None
    backward: bool = False
    focus_nodes: tuple = ()
    focus_edges_layer: int | None = None
    frozen: frozenset = field(default_factory=frozenset)
    values_of: tuple[int, int] | None = None


def phase_text(session) -> str:
    """The current phase in words: the one just done, or what comes next at an iteration start."""
    s = session
    t, p = s.cursor
    if s.last_phase is not None and p > 0:
        return f"Done: {s.last_phase.text}"
    nxt = s.next_phase
    if nxt is None:
        return s.status.reason or "Stopped"
    done = f"Iteration {t} done. " if t > 0 else "Start. "
    return f"{done}Next: {nxt.text}"


def current_observation(session) -> int | None:
    """Dataset row (0-based) of the phase just done or about to be done; None at an update."""
    s = session
    if s.last_phase is not None and s.last_phase.observation is not None and s.cursor[1] > 0:
        return s.last_phase.observation
    nxt = s.next_phase
    return nxt.observation if nxt is not None else None


def editor_config(session, seed: int) -> dict:
    """The network editor's view of the settings (see ``NetworkEditor``)."""
    net = session.network
    spec = session.spec
    training = session.training
    return {"hidden": [(layer.units, layer.activation) for layer in net.layers[:-1]],
            "output_activation": net.layers[-1].activation,
            "loss": session.loss.name, "training": training.kind,
            "batch_size": training.batch_size or DEFAULT_BATCH_SIZE,
            "optimizer": {"name": spec.name, **spec.params}, "seed": seed}


def view_caption(session, state: ViewState | None = None) -> str:
    """"2-2-1 network, sse loss · observation 1" while a phase of observation 1 is shown; between
    iterations it says whose values the labels keep."""
    obs = current_observation(session)
    sizes = "-".join(map(str, session.network.sizes))
    where = f" · observation {obs + 1}" if obs is not None and session.cursor[1] > 0 else ""
    if state is not None and state.values_of is not None:
        where = f" · iteration {state.values_of[0]} done: observation {state.values_of[1]}'s values"
    return f"{sizes} network, {session.loss.name} loss{where}"


def view_state(session, finished=None) -> ViewState:
    """The network view's picture at the session's cursor: values computed so far for the
    observation of the current phase, gradient so far once the backward pass began, focus on
    the layer the phase works on. Between iterations, ``finished`` (the batch ``PassRecord`` of
    the iteration just done, see :class:`FinishedPass`) keeps its last
    observation's values on the nodes instead of a blank network."""
    s = session
    net = s.network_at()
    Ws = tuple(layer.W for layer in net.layers)
    bs = tuple(layer.b for layer in net.layers)
    L = net.depth
    t, p = s.cursor
    frozen = frozenset(s.frozen)
    if p == 0:
        nxt = s.next_phase
        obs = nxt.observation if nxt is not None else None
        inputs = s.X[obs] if obs is not None else None
        last = s.last_phase
        focus_edges = 0 if last is not None and last.kind == "update" else None
        if finished is not None and t > 0:
            i = len(finished.rows) - 1  # the batch's last observation: the one computed last
            values = tuple(tuple(v[l][i] for l in range(1, L + 1)) for v in (finished.z, finished.a, finished.delta))
            return ViewState(Ws, bs, finished.a[0][i], *values, focus_edges_layer=focus_edges, frozen=frozen,
                             values_of=(t, int(finished.rows[i]) + 1))
        return ViewState(Ws, bs, inputs, (None,) * L, (None,) * L, (None,) * L,
                         focus_edges_layer=focus_edges, frozen=frozen)
    part = s.partial()
    last = s.last_phase
    obs = last.observation if last is not None and last.observation is not None else int(part.rows[-1])
    i = int(np.flatnonzero(part.rows == obs)[0]) if obs in part.rows else len(part.rows) - 1
    z = tuple(part.z(i, l) for l in range(1, L + 1))
    a = tuple(part.a(i, l) for l in range(1, L + 1))
    d = tuple(part.delta(i, l) for l in range(1, L + 1))
    backward = last is not None and last.kind in ("backward", "update") or part.complete
    gw, gb = net.split_params(part.gradient) if backward else (None, None)
    focus_nodes: tuple = ()
    focus_edges = None
    if last is not None:
        if last.kind in ("forward", "backward") and last.layer is not None:
            focus_nodes = tuple((last.layer, j) for j in range(net.sizes[last.layer]))
            focus_edges = last.layer
        elif last.kind == "loss":
            focus_nodes = tuple((L, j) for j in range(net.sizes[L]))
    return ViewState(Ws, bs, part.record.a[0][i], z, a, d, gw, gb, backward, focus_nodes,
                     focus_edges, frozen)


class FinishedPass:
    """The batch ``PassRecord`` of the iteration just finished, so that the network keeps showing
    its values between iterations; one record cached (a lecture pass, or a big batch's, is read
    once per iteration shown, not once per redraw)."""

    def __init__(self) -> None:
        self._cached: tuple | None = None

    def __call__(self, session, running: bool = False):
        """The record at an iteration boundary after an update; None inside an iteration, at the
        start and while running (nothing is shown between Run-mode frames, which keeps them cheap)."""
        s = session
        t, p = s.cursor
        if p or t == 0 or running:
            return None
        theta = s.parameters_at(t - 1)
        key = (id(s), t, theta.tobytes())
        if self._cached is None or self._cached[0] != key:
            rows = s.batch_rows(t - 1)
            # the engine's record of that batch: the session's cached one for full batch, else one pass
            rec = s.record_at(t - 1) if s.mode == "full_batch" else s.kernel.record(theta, s.X[rows], s.Y[rows], rows)
            self._cached = (key, rec)
        return self._cached[1]


def show_fit(controller, fit_plot) -> None:
    """Decision regions (2 inputs, classification), a fitted curve (1 input, 1 output) or
    predicted against observed targets, at the cursor."""
    c = controller
    s = c.session
    shown = decimate(s.n_obs, FIT_MAX_POINTS)  # 100,000 scatter points would take seconds to draw
    X, Y = s.X[shown], s.Y[shown]
    if c.is_classification and X.shape[1] == 2:
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-9)
        xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], FIT_GRID)
        ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], FIT_GRID)
        grid = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
        probs = class_probabilities(s.predict(grid))
        labels = class_labels(Y)
        fit_plot.show_classification(X, labels, xs, ys, probs.reshape(len(ys), len(xs), -1),
                                     *c.dataset.input_names[:2])
    elif X.shape[1] == 1 and Y.shape[1] == 1 and not c.is_classification:
        lo, hi = float(X.min()), float(X.max())
        pad = 0.05 * max(hi - lo, 1e-9)
        grid = np.linspace(lo - pad, hi + pad, 200)
        pred = s.predict(grid[:, None])[:, 0]
        fit_plot.show_regression(X[:, 0], Y[:, 0], grid, pred, c.dataset.input_names[0],
                                 c.dataset.target_names[0])
    elif c.is_classification:
        fit_plot.show_confusion(*confusion_shown(s))
    else:
        fit_plot.show_scatter(Y[:, 0], s.predict(X)[:, 0])


def confusion_shown(session) -> tuple[np.ndarray, str, str]:
    """The confusion matrix a classifier's fit plot shows at the cursor, its title and which
    observations it counts: the held-out ones when the scenario keeps some back, else the training
    data."""
    s = session
    held = s.held_out
    if held is not None and held.n_obs:
        counts, accuracy = held.confusion_at(s.cursor[0]), s.test_accuracy()
        where = f"{held.n_obs} held out"
    else:
        counts, accuracy = confusion_matrix(s.network_at(), s.X, s.Y), s.accuracy()
        where = f"{s.n_obs} train"
    return counts, f"Confusion: {100 * accuracy:.1f}%", where


def landscape_path(session, x: str, y: str) -> np.ndarray:
    """``(k, 2)``: parameters ``x`` and ``y`` after each update up to the cursor (strided to about
    2000 points), ending at their values now."""
    s = session
    t = s.cursor[0]
    stride = max(1, (t + 1) // 2000)
    path = s.parameter_path([x, y], stride)
    path = path[: t // stride + 1]
    theta = s.theta()
    if len(path) == 0 or path[-1, 0] != theta[s.network.param_index(x)]:
        path = np.vstack([path, [[theta[s.network.param_index(x)], theta[s.network.param_index(y)]]]])
    return path


def landscape_range(path: np.ndarray, old: tuple | None, force: bool) -> tuple:
    """``((x0, x1), (y0, y1))`` of the landscape grid around ``path (n, 2)``: ``old`` while the
    path stays well inside it, so the axes (and their costly repaint) change only when the path
    nears an edge."""
    if not force and old is not None:
        (x0, x1), (y0, y1) = old
        mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
        if (path[:, 0].min() >= x0 + mx and path[:, 0].max() <= x1 - mx
                and path[:, 1].min() >= y0 + my and path[:, 1].max() <= y1 - my):
            return old
    half_x = max(1.0, 0.75 * float(np.ptp(path[:, 0])))
    half_y = max(1.0, 0.75 * float(np.ptp(path[:, 1])))
    cx, cy = float(path[:, 0].mean()), float(path[:, 1].mean())
    return (cx - half_x, cx + half_x), (cy - half_y, cy + half_y)


def grid_axes(view_range: tuple) -> tuple[np.ndarray, np.ndarray]:
    """LANDSCAPE_GRID points along each axis of ``((x0, x1), (y0, y1))``."""
    (x0, x1), (y0, y1) = view_range
    return np.linspace(x0, x1, LANDSCAPE_GRID), np.linspace(y0, y1, LANDSCAPE_GRID)


#: at most about this many held-out losses on the loss plot (each is a forward pass when first shown)
TEST_LOSS_POINTS = 400


def test_loss_points(session, upto: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The held-out loss after updates 0, stride, 2 stride, ... up to ``upto`` (the stride a power
    of two, so the points already computed stay when it doubles); (None, None) without a held-out
    part."""
    held = session.held_out
    if held is None or not held.n_obs:
        return None, None
    stride = 1
    while (upto + 1) / stride > TEST_LOSS_POINTS:
        stride *= 2
    losses = session.test_losses(stride)
    iterations = np.arange(len(losses)) * stride
    keep = iterations <= upto
    return iterations[keep], losses[keep]
