"""A network scenario as a standalone numpy script: forward pass, back propagation and the optimizer
written out in the lecture's notation, the same training mode and stopping rules as the engine.

:func:`numpy_network_script` writes it from an ``engine.code_export_plan.NetworkPlan``. The script
needs numpy alone and prints the JSON trace of ``stepwise run`` (SPEC section 6).
"""

from __future__ import annotations

from engine.code_export_parts import (ARMIJO, EXACT_FIT, SATURATED_SLOPE, TRACE_NUMBERS, fill, literal,
                                      optimizer_code, script_header)
from engine.code_export_plan import NetworkPlan, batch_code, data_code, weights_code

_SIGMOID = ("def sigmoid(z):\n    \"\"\"a = 1/(1 + e^-z), written (1 + tanh(z/2))/2 so that it never overflows.\"\"\"\n"
            "    return 0.5 * (1.0 + np.tanh(0.5 * z))\n\n\n")

#: Each activation: its code (a = g(z)) and its derivative g'(z), written with a = g(z) where cheaper.
ACTIVATIONS = {
    "identity": ("def identity(z):\n    \"\"\"a = z.\"\"\"\n    return z\n\n\n"
                 "def identity_prime(z, a):\n    \"\"\"da/dz = 1.\"\"\"\n    return np.ones_like(z)\n"),
    "sigmoid": (_SIGMOID + "def sigmoid_prime(z, a):\n    \"\"\"da/dz = a (1 - a).\"\"\"\n"
                "    return a * (1.0 - a)\n"),
    "tanh": ("def tanh(z):\n    \"\"\"a = tanh(z).\"\"\"\n    return np.tanh(z)\n\n\n"
             "def tanh_prime(z, a):\n    \"\"\"da/dz = 1 - a^2.\"\"\"\n    return 1.0 - a * a\n"),
    "relu": ("def relu(z):\n    \"\"\"a = max(z, 0).\"\"\"\n    return np.maximum(z, 0.0)\n\n\n"
             "def relu_prime(z, a):\n    \"\"\"da/dz = 1 for z > 0, else 0 (0 at the kink, as in torch).\"\"\"\n"
             "    return (z > 0.0).astype(np.float64)\n"),
    "leaky_relu": ("def leaky_relu(z):\n    \"\"\"a = z for z > 0, else 0.01 z.\"\"\"\n"
                   "    return np.where(z > 0.0, z, 0.01 * z)\n\n\n"
                   "def leaky_relu_prime(z, a):\n    \"\"\"da/dz = 1 for z > 0, else 0.01.\"\"\"\n"
                   "    return np.where(z > 0.0, 1.0, 0.01)\n"),
    "softplus": (_SIGMOID.replace("def sigmoid", "def _sigmoid")
                 + "def softplus(z):\n    \"\"\"a = log(1 + e^z).\"\"\"\n    return np.logaddexp(0.0, z)\n\n\n"
                 "def softplus_prime(z, a):\n    \"\"\"da/dz = 1/(1 + e^-z).\"\"\"\n    return _sigmoid(z)\n"),
    "softmax": ("def softmax(z):\n    \"\"\"a_k = e^z_k / sum_q e^z_q over each row (shifted by the row's largest z).\"\"\"\n"
                "    e = np.exp(z - np.max(z, axis=1, keepdims=True))\n"
                "    return e / np.sum(e, axis=1, keepdims=True)\n"),
}

#: Each loss: R(a, y) over a batch (rows = observations) and dR/da(L).
LOSSES = {
    "sse": ('    """R = sum_i sum_k (y_ik - a_ik)^2, the sum of squared errors (the lecture\'s R)."""\n'
            "    e = y - a\n    return float(np.sum(e * e))\n",
            '    """dR/da = -2 (y - a)."""\n    return -2.0 * (y - a)\n'),
    "half_sse": ('    """R = 1/2 sum_i sum_k (y_ik - a_ik)^2."""\n    e = y - a\n    return 0.5 * float(np.sum(e * e))\n',
                 '    """dR/da = -(y - a)."""\n    return a - y\n'),
    "mse": ('    """R = 1/(n n_out) sum_i sum_k (y_ik - a_ik)^2, the mean over the batch\'s outputs."""\n'
            "    e = y - a\n    return float(np.sum(e * e)) / a.size\n",
            '    """dR/da = -2 (y - a) / (n n_out)."""\n    return (-2.0 / a.size) * (y - a)\n'),
    "cross_entropy": ('    """R = -sum_i sum_k y_ik log a_ik (a clipped at 1e-15 inside the log)."""\n'
                      "    return float(-np.sum(y * np.log(np.clip(a, 1e-15, None))))\n", None),
    "binary_cross_entropy": ('    """R = -sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)] (a clipped to [1e-15, 1 - 1e-15])."""\n'
                             "    p = np.clip(a, 1e-15, 1.0 - 1e-15)\n"
                             "    return float(-np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p)))\n", None),
}

_BODY = '''

# ---- the loss R ------------------------------------------------------------------------------
def loss(a, y):
$loss_doc

$delta_code

# ---- forward and back propagation -------------------------------------------------------------
SIZES = $sizes  # nodes per layer, the inputs first
L = $L  # layers after the inputs; layer L is the output layer
G = [None, $acts]  # g_l: the activation of layer l
G_PRIME = [None, $primes]  # g_l'


def unpack(theta):
    """W[l] (n_l x n_(l-1)) and b[l] (n_l) from theta, which lists layer by layer and node by node
    the node's incoming weights w(l)[j,1], w(l)[j,2], ... and then its bias b(l)[j]."""
    W, b, start = [None], [None], 0
    for l in range(1, L + 1):
        rows, cols = SIZES[l], SIZES[l - 1]
        block = theta[start:start + rows * (cols + 1)].reshape(rows, cols + 1)
        W.append(block[:, :cols])
        b.append(block[:, cols])
        start += rows * (cols + 1)
    return W, b


def pack(W, b):
    """The inverse of unpack: [W[l] | b[l]] row by row, layer by layer."""
    return np.concatenate([np.hstack([W[l], b[l][:, None]]).ravel() for l in range(1, L + 1)])


NAMES = [name for l in range(1, L + 1) for j in range(1, SIZES[l] + 1)
         for name in [f"w({l})[{j},{k}]" for k in range(1, SIZES[l - 1] + 1)] + [f"b({l})[{j}]"]]
$decay_def

def forward(W, b, x):
    """z(l) = w(l) a(l-1) + b(l) and a(l) = g_l(z(l)) for every observation (a row each); a(0) = x."""
    z, a = [None], [x]
    for l in range(1, L + 1):
        z.append(a[l - 1] @ W[l].T + b[l])
        a.append(G[l](z[l]))
    return z, a


def loss_and_gradient(theta, x, y):
    """R over the observations x, y and dR/dtheta by back propagation, in theta's order."""
    W, b = unpack(theta)
    z, a = forward(W, b, x)
    R = loss(a[L], y)$decay_R
    delta = [None] * (L + 1)
    delta[L] = output_delta(z[L], a[L], y)  # δ(L) = dR/dz(L)
    for l in range(L, 1, -1):
        # δ(l-1)_k = g'(z(l-1)_k) Σ_j δ(l)_j w(l)[j,k]
        delta[l - 1] = G_PRIME[l - 1](z[l - 1], a[l - 1]) * (delta[l] @ W[l])
    # dR/dw(l)[j,k] = Σ_i δ(l)_ij a(l-1)_ik and dR/db(l)[j] = Σ_i δ(l)_ij
    dW = [None] + [delta[l].T @ a[l - 1] for l in range(1, L + 1)]
    db = [None] + [delta[l].sum(axis=0) for l in range(1, L + 1)]
    return R, pack(dW, db)$decay_g


'''

_TRAIN = '''

# ---- training: the updates and the checks that end a run ---------------------------------------
TOL = $tol  # converged when |dR/dtheta| over all the data falls below this
BOUND = $bound  # diverged when |theta| grows beyond this
FROZEN = $frozen  # parameters that never change
MASK = np.array([name in FROZEN for name in NAMES])
# online and mini-batch: R over all the data checked after every update (else at epoch ends)
EAGER_LOSS = $eager


def norm(v):
    return math.sqrt(v.dot(v))
$judged

def train(theta):
    """Up to STEPS updates from theta; returns the parameters after each one, the status and the reason."""
    thetas, state = [theta], init_state(theta)
    for t in range(STEPS):
        rows = batch_rows(t)
        xb, yb = X[rows], Y[rows]
        R_b, g = loss_and_gradient(theta, xb, yb)  # the batch's R and gradient
        g[MASK] = 0.0  # frozen parameters get no gradient
        g_norm = norm(g)
        if not (math.isfinite(R_b) and math.isfinite(g_norm)):
            why = "loss became infinite" if not math.isfinite(R_b) else "the gradient became infinite"
            return thetas, "diverged", f"{why} at iteration {t} — try a smaller learning rate"
        if FULL_BATCH and g_norm < TOL:
            return (thetas, *judged(theta, t))
        delta, state = update(g, state, theta, scheduled_lr(state["t"]))
$line_search        delta[MASK] = 0.0
        new = theta + delta
        size = norm(new)
        if not size <= BOUND:
            why = "parameters became infinite" if not math.isfinite(size) else f"parameters grew beyond {BOUND:g}"
            return thetas, "diverged", f"{why} at iteration {t + 1} — try a smaller learning rate"
        epoch_end = (t + 1) % PER_EPOCH == 0
        if not FULL_BATCH and (EAGER_LOSS or epoch_end):
            if not math.isfinite(loss_and_gradient(new, X, Y)[0]):
                why = "loss became infinite"
                return thetas, "diverged", f"{why} at iteration {t + 1} — try a smaller learning rate"
        theta = new
        thetas.append(theta)
        if not FULL_BATCH and TOL > 0 and epoch_end:
            g_full = loss_and_gradient(theta, X, Y)[1]
            g_full[MASK] = 0.0
            if norm(g_full) < TOL:
                return (thetas, *judged(theta, t + 1))
    return thetas, "running", ""
$trace_numbers

def trace(thetas, status, reason):
    """The recorded steps: R and dR/dtheta over all the data at the parameters after k updates."""
    num = JsonNumbers()
    steps = []
    for k in recorded_steps(len(thetas) - 1, EVERY):
        R, g = loss_and_gradient(thetas[k], X, Y)
        steps.append({"step": k, "loss": num(R),
                      "parameters": dict(zip(NAMES, num.many(thetas[k]))),
                      "gradient": dict(zip(NAMES, num.many(g)))})$test_code
    return {"steps": steps, "status": status, "reason": num.reason(reason)}


if __name__ == "__main__":
    np.seterr(all="ignore")  # overflow gives inf, which the checks above report as divergence
    theta0 = pack([None, $Ws], [None, $bs])
    thetas, status, reason = train(theta0)
    print(json.dumps(trace(thetas, status, reason), indent=2, allow_nan=False))
'''

#: engine/network_convergence.py: a gradient that vanished because a layer saturated is a plateau.
_SATURATION = '''
SATURATED_SLOPE = $slope  # a unit is saturated when |g'(z)| is below this for every observation
EXACT_FIT = $fit  # residuals this small are an exact fit, where a vanished gradient is a minimum
NONLINEAR = $nonlinear  # layers whose activation can saturate


def judged(theta, t):
    """The status of a run whose gradient fell below TOL at iteration t: converged, unless every unit
    of some layer is saturated (g'(z) ~ 0) while the fit is poor: then a plateau, not a minimum."""
    W, b = unpack(theta)
    z, a = forward(W, b, X)
    saturated = [l for l in NONLINEAR if float(np.max(np.abs(G_PRIME[l](z[l], a[l])))) < SATURATED_SLOPE]
    residual = float(np.max(np.abs(Y - a[L])))
    if not saturated or not math.isfinite(residual) or residual <= EXACT_FIT:
        return "converged", f"gradient below {TOL:g} at iteration {t}"
    which = ", ".join(f"layer {l}" for l in saturated)
    return "stopped", (f"the gradient vanished at iteration {t} (below {TOL:g}) only because every unit of "
                       f"{which} is saturated: a plateau, not a minimum — try a smaller learning rate")
'''

_LINE_SEARCH = '''        # backtracking: shorten the step by Armijo's rule on the batch's R
        step, _ = armijo(lambda th: loss_and_gradient(th, xb, yb)[0], theta, R_b, g, delta)
        delta = delta * step
'''

_NOTATION = '''
Notation of the lecture: layer 0 holds the inputs; w(l)[j,k] is the weight into node j of layer l
from node k of layer l-1 (here W[l][j-1, k-1]) and b(l)[j] the bias of node j of layer l (b[l][j-1]).
For each observation (a row of X), z(l) = w(l) a(l-1) + b(l) and a(l) = g_l(z(l)), a(0) = x; back
propagation carries δ(l) = dR/dz(l) from the output layer back to layer 1. theta lists every
parameter in the order w(1)[1,1], w(1)[1,2], ..., b(1)[1], w(1)[2,1], ... (node by node).
"""
'''


def output_delta_code(plan: NetworkPlan) -> str:
    """``output_delta(z, a, y)`` = delta(L) = dR/dz(L): a - y for a loss on its own output activation,
    else g_L'(z) dR/da."""
    if plan.shortcut:
        return ("def output_delta(z, a, y):\n    \"\"\"δ(L) = dR/dz(L) = a - y (the loss on its own "
                f"{plan.network.layers[-1].activation} output layer).\"\"\"\n    return a - y\n")
    return ("\ndef dR_da(a, y):\n" + LOSSES[plan.loss.name][1] + "\n\n"
            "def output_delta(z, a, y):\n    \"\"\"δ(L) = dR/dz(L) = g_L'(z(L)) dR/da(L).\"\"\"\n"
            "    return G_PRIME[L](z, a) * dR_da(a, y)\n")


def _judged_code(plan: NetworkPlan) -> str:
    """``judged(theta, t)``: the engine's verdict on a vanished gradient (its saturation check,
    ``engine.network_convergence``)."""
    nonlinear = [l for l, act in enumerate(plan.network.activations, start=1) if act not in ("identity", "softmax")]
    return fill(_SATURATION, nonlinear=nonlinear, slope=literal(SATURATED_SLOPE), fit=literal(EXACT_FIT))


def _test_code(plan: NetworkPlan) -> str:
    """The trace's held-out fields: the loss over X_TEST (no decay term) and a classifier's accuracy."""
    if plan.X_test is None:
        return ""
    code = ("\n        a_test = forward(*unpack(thetas[k]), X_TEST)[1][L]  # the held-out observations\n"
            "        steps[-1][\"test_loss\"] = num(loss(a_test, Y_TEST))  # the loss alone, no decay term")
    if plan.loss.classifies:
        code += ("\n        classes = [v.argmax(axis=1) if v.shape[1] > 1 else (v[:, 0] >= 0.5) for v in (a_test, Y_TEST)]"
                 "\n        steps[-1][\"test_accuracy\"] = float(np.mean(classes[0] == classes[1]))")
    return code


def _decay_code(lam: float) -> dict[str, str]:
    """The weight-decay pieces of the script (engine/weight_decay.py): none without decay."""
    if not lam:
        return {"decay_def": "", "decay_R": "", "decay_g": ""}
    return {"decay_def": (f"LAMBDA = {literal(lam)}  # weight decay: R gets LAMBDA/2 times the sum of every "
                          "weight squared (biases excluded)\n"
                          "WEIGHTS = np.array([name.startswith(\"w\") for name in NAMES])  # a weight, not a bias\n"),
            "decay_R": "\n    R += 0.5 * LAMBDA * float(theta[WEIGHTS].dot(theta[WEIGHTS]))  # the decay term",
            "decay_g": " + np.where(WEIGHTS, LAMBDA * theta, 0.0)  # dR/dw gets LAMBDA * w"}


def numpy_network_script(plan: NetworkPlan, steps: int, every: int, scenario_name: str) -> str:
    """The whole numpy script for ``plan``: ``steps`` updates, the trace of every ``every``-th step."""
    net = plan.network
    used = list(dict.fromkeys(net.activations))
    acts = [layer.activation for layer in net.layers]
    head = script_header(plan.title, "a network trained with numpy alone (forward pass, back\n"
                                     "propagation and the optimizer written out below).", steps, every, scenario_name)
    parts = [head + _NOTATION, "\nimport json\nimport math\n\nimport numpy as np\n\n",
             f"STEPS = {steps}  # updates to take\nEVERY = {every}  # record every EVERY-th step (and the last)\n\n",
             data_code(plan), "\n", weights_code(plan, "np.array"), "\n\n# ---- the activations g and their derivatives g'\n",
             "\n\n".join(ACTIVATIONS[name] for name in used),
             fill(_BODY, loss_doc=LOSSES[plan.loss.name][0].rstrip("\n"), delta_code=output_delta_code(plan),
                  sizes=tuple(net.sizes), L=net.depth, acts=", ".join(acts),
                  primes=", ".join("None" if a == "softmax" else f"{a}_prime" for a in acts),
                  **_decay_code(plan.weight_decay)),
             batch_code(plan), "\n\n", optimizer_code(plan.spec),
             fill(ARMIJO, dot="np.vdot(g, delta)") if plan.spec.schedule == "backtracking" else "",
             fill(_TRAIN, judged=_judged_code(plan), tol=literal(plan.tol), bound=literal(plan.bound), frozen=repr(list(plan.frozen)),
                  eager=plan.eager, trace_numbers=TRACE_NUMBERS,
                  line_search=_LINE_SEARCH if plan.spec.schedule == "backtracking" else "",
                  test_code=_test_code(plan),
                  Ws=", ".join(f"W{l}" for l in range(1, net.depth + 1)),
                  bs=", ".join(f"b{l}" for l in range(1, net.depth + 1)))]
    return "".join(parts)


__all__ = ["ACTIVATIONS", "LOSSES", "numpy_network_script", "output_delta_code"]
