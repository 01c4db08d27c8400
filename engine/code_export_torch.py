"""A network scenario as a standalone PyTorch script: ``torch.nn.Linear`` layers with the exact
weights, autograd for back propagation and the ``torch.optim`` class of the optimizer.

:func:`torch_network_script` writes it from an ``engine.code_export_plan.NetworkPlan``, in float64;
the batch order is the engine's (numpy's seeded shuffle), the stopping rules the engine's, and the
script prints the JSON trace of ``stepwise run`` (SPEC section 6). The update rules of
``engine/optimizers.py`` are torch.optim's, so the class does the step; the ``decay`` schedule is a
``LambdaLR`` and ``backtracking`` shortens torch's step by Armijo's rule.
"""

from __future__ import annotations

from engine.code_export_parts import (ARMIJO, EXACT_FIT, SATURATED_SLOPE, TRACE_NUMBERS, ExportError,
                                      constant_name, fill, literal, optimizer_constants, script_header)
from engine.code_export_plan import NetworkPlan, batch_code, data_code, weights_code

#: torch.optim's class and keyword arguments for each optimizer (the engine's rule is that class's).
TORCH_OPTIM = {
    "gd": ("SGD", ()), "momentum": ("SGD", ("momentum",)), "nesterov": ("SGD", ("momentum", "nesterov")),
    "adagrad": ("Adagrad", ("eps",)), "rmsprop": ("RMSprop", ("alpha", "eps")),
    "adam": ("Adam", ("betas", "eps")), "adamw": ("AdamW", ("betas", "eps", "weight_decay")),
}

#: Each activation as a torch module (a(l) = g_l(z(l))).
MODULES = {"identity": "torch.nn.Identity()", "sigmoid": "torch.nn.Sigmoid()", "tanh": "torch.nn.Tanh()",
           "relu": "torch.nn.ReLU()", "leaky_relu": "torch.nn.LeakyReLU(0.01)", "softplus": "Softplus()"}

_SOFTPLUS = '''

class Softplus(torch.nn.Module):
    """a = log(1 + e^z) for every z (torch.nn.Softplus switches to a = z above z = 20)."""

    def forward(self, z):
        return torch.logaddexp(z, torch.zeros_like(z))
'''

#: Each loss R(out, y) over a batch: out is a(L), or z(L) where the loss takes its own output activation.
LOSSES = {
    "sse": "    \"\"\"R = sum_i sum_k (y_ik - a_ik)^2, the sum of squared errors (the lecture's R).\"\"\"\n"
           "    return ((y - out) ** 2).sum()\n",
    "half_sse": "    \"\"\"R = 1/2 sum_i sum_k (y_ik - a_ik)^2.\"\"\"\n    return 0.5 * ((y - out) ** 2).sum()\n",
    "mse": "    \"\"\"R = 1/(n n_out) sum_i sum_k (y_ik - a_ik)^2, the mean over the batch's outputs.\"\"\"\n"
           "    return ((y - out) ** 2).sum() / out.numel()\n",
    "cross_entropy": "    \"\"\"R = -sum_i sum_k y_ik log a_ik with a = softmax(z(L)); out is z(L), so dR/dz(L) = a - y.\"\"\"\n"
                     "    return torch.nn.functional.cross_entropy(out, y, reduction=\"sum\")\n",
    "binary_cross_entropy": "    \"\"\"R = -sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)] with a = sigmoid(z(L)); out is z(L).\"\"\"\n"
                            "    return torch.nn.functional.binary_cross_entropy_with_logits(out, y, reduction=\"sum\")\n",
}

_MODEL = '''

# ---- the model: z(l) = w(l) a(l-1) + b(l) is torch.nn.Linear, a(l) = g_l(z(l)) its activation ----
model = torch.nn.Sequential(
$modules)
LINEARS = [m for m in model if isinstance(m, torch.nn.Linear)]  # layer l is LINEARS[l - 1]
with torch.no_grad():
    for lin, W, b in zip(LINEARS, [$Ws], [$bs]):
        lin.weight.copy_(W)  # weight[j-1, k-1] = w(l)[j,k]
        lin.bias.copy_(b)  # bias[j-1] = b(l)[j]
SIZES = $sizes  # nodes per layer, the inputs first
NAMES = [name for l in range(1, len(SIZES)) for j in range(1, SIZES[l] + 1)
         for name in [f"w({l})[{j},{k}]" for k in range(1, SIZES[l - 1] + 1)] + [f"b({l})[{j}]"]]
$decay_def

def loss(out, y):
$loss


def flat(pairs):
    """[weight | bias] of every layer, row by row: the lecture's order w(l)[j,1], ..., b(l)[j], ..."""
    return torch.cat([torch.cat([w, b[:, None]], dim=1).reshape(-1) for w, b in pairs]).detach().clone()


def theta():
    return flat((lin.weight, lin.bias) for lin in LINEARS)


def gradient():
    return flat((lin.weight.grad, lin.bias.grad) for lin in LINEARS)


def set_theta(vector):
    """Copy a vector in the lecture's order into the layers."""
    start = 0
    with torch.no_grad():
        for lin in LINEARS:
            rows, cols = lin.weight.shape
            block = vector[start:start + rows * (cols + 1)].reshape(rows, cols + 1)
            lin.weight.copy_(block[:, :cols])
            lin.bias.copy_(block[:, cols])
            start += rows * (cols + 1)


def loss_and_gradient(x, y):
    """R over the observations x, y at the model's parameters, and dR/dtheta by autograd."""
    model.zero_grad()
    R = loss(model(x), y)$decay_term
    R.backward()
    return R.item(), gradient()


def loss_at(vector, x, y):
    set_theta(vector)
    with torch.no_grad():
        return (loss(model(x), y)$decay_term).item()


'''

_TRAIN = '''

# ---- training: the updates and the checks that end a run ---------------------------------------
TOL = $tol  # converged when |dR/dtheta| over all the data falls below this
BOUND = $bound  # diverged when |theta| grows beyond this
FROZEN = $frozen  # parameters that never change
MASK = torch.tensor([name in FROZEN for name in NAMES])
# online and mini-batch: R over all the data checked after every update (else at epoch ends)
EAGER_LOSS = $eager


def norm(v):
    return math.sqrt(float(v.dot(v)))
$judged

def train():
    """Up to STEPS updates; returns the parameters after each one, the status and the reason."""
    optimizer = $optimizer$schedule
    thetas = [theta()]
    for t in range(STEPS):
        rows = torch.as_tensor(batch_rows(t))
        xb, yb = X[rows], Y[rows]
$before        R_b, g = loss_and_gradient(xb, yb)  # the batch's R and gradient (in the layers' .grad too)
$freeze_grad        g_norm = norm(g)
        if not (math.isfinite(R_b) and math.isfinite(g_norm)):
            why = "loss became infinite" if not math.isfinite(R_b) else "the gradient became infinite"
            return thetas, "diverged", f"{why} at iteration {t} — try a smaller learning rate"
        if FULL_BATCH and g_norm < TOL:
            return (thetas, *judged(before if $has_before else theta(), t))
        optimizer.step()$schedule_step
        new = theta()
$line_search$freeze_step        size = norm(new)
        if not size <= BOUND:
            why = "parameters became infinite" if not math.isfinite(size) else f"parameters grew beyond {BOUND:g}"
            return thetas, "diverged", f"{why} at iteration {t + 1} — try a smaller learning rate"
        set_theta(new)
        epoch_end = (t + 1) % PER_EPOCH == 0
        if not FULL_BATCH and (EAGER_LOSS or epoch_end):
            if not math.isfinite(loss_at(new, X, Y)):
                why = "loss became infinite"
                return thetas, "diverged", f"{why} at iteration {t + 1} — try a smaller learning rate"
        thetas.append(new)
        if not FULL_BATCH and TOL > 0 and epoch_end:
            g_full = loss_and_gradient(X, Y)[1]
            g_full[MASK] = 0.0
            if norm(g_full) < TOL:
                return (thetas, *judged(new, t + 1))
    return thetas, "running", ""
$trace_numbers

def trace(thetas, status, reason):
    """The recorded steps: R and dR/dtheta over all the data at the parameters after k updates."""
    num = JsonNumbers()
    steps = []
    for k in recorded_steps(len(thetas) - 1, EVERY):
        set_theta(thetas[k])
        R, g = loss_and_gradient(X, Y)
        steps.append({"step": k, "loss": num(R),
                      "parameters": dict(zip(NAMES, num.many(thetas[k].tolist()))),
                      "gradient": dict(zip(NAMES, num.many(g.tolist())))})$test_code
    return {"steps": steps, "status": status, "reason": num.reason(reason)}


if __name__ == "__main__":
    thetas, status, reason = train()
    print(json.dumps(trace(thetas, status, reason), indent=2, allow_nan=False))
'''

_SATURATION = '''
SATURATED_SLOPE = $slope  # a unit is saturated when |g'(z)| is below this for every observation
EXACT_FIT = $fit  # residuals this small are an exact fit, where a vanished gradient is a minimum
NONLINEAR = $nonlinear  # layers whose activation can saturate


def judged(vector, t):
    """The status of a run whose gradient fell below TOL at iteration t: converged, unless every unit
    of some layer is saturated (g'(z) ~ 0) while the fit is poor: then a plateau, not a minimum."""
    set_theta(vector)
    a, saturated = X, []
    for l, lin in enumerate(LINEARS, start=1):
        z = lin(a).detach().requires_grad_(True)
        act = model[2 * l - 1] if 2 * l - 1 < len(model) else $output  # a(l) = g_l(z(l))
        a = act(z)
        if l in NONLINEAR:
            (slope,) = torch.autograd.grad(a.sum(), z)  # g_l'(z(l)), unit by unit
            if float(slope.abs().max()) < SATURATED_SLOPE:
                saturated.append(l)
        a = a.detach()
    residual = float((Y - a).abs().max())
    if not saturated or not math.isfinite(residual) or residual <= EXACT_FIT:
        return "converged", f"gradient below {TOL:g} at iteration {t}"
    which = ", ".join(f"layer {l}" for l in saturated)
    return "stopped", (f"the gradient vanished at iteration {t} (below {TOL:g}) only because every unit of "
                       f"{which} is saturated: a plateau, not a minimum — try a smaller learning rate")
'''

_FREEZE_GRAD = '''        g[MASK] = 0.0  # frozen parameters get no gradient
        start = 0
        for lin in LINEARS:  # ... in the layers' .grad too, which the optimizer reads
            rows_, cols = lin.weight.shape
            block = g[start:start + rows_ * (cols + 1)].reshape(rows_, cols + 1)
            lin.weight.grad.copy_(block[:, :cols])
            lin.bias.grad.copy_(block[:, cols])
            start += rows_ * (cols + 1)
'''

_LINE_SEARCH = '''        # backtracking: torch's step delta, shortened by Armijo's rule on the batch's R
        delta = new - before
        step, _ = armijo(lambda th: loss_at(th, xb, yb), before, R_b, g, delta)
        new = before + step * delta
'''


def _optimizer_call(plan: NetworkPlan) -> str:
    """``torch.optim.Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)`` and the like."""
    spec = plan.spec
    if spec.name not in TORCH_OPTIM:
        raise ExportError(f"{spec.name} has no torch.optim class; use --to numpy")
    if spec.name == "nesterov" and spec.params["momentum"] == 0:
        raise ExportError("torch.optim.SGD takes nesterov=True only with momentum > 0; this scenario's "
                          "momentum is 0: use --to numpy")
    cls, keys = TORCH_OPTIM[spec.name]
    args = ["model.parameters()", "lr=LR"]
    for key in keys:
        if key == "betas":
            args.append("betas=(BETA1, BETA2)")
        elif key == "nesterov":
            args.append("nesterov=True")
        else:
            args.append(f"{key}={constant_name(key)}")
    return f"torch.optim.{cls}({', '.join(args)})"


def _modules(plan: NetworkPlan) -> str:
    """The Sequential's lines: each layer's Linear and activation (none after the output layer's
    z(L) when the loss takes its own activation)."""
    net = plan.network
    lines = []
    for l, layer in enumerate(net.layers, start=1):
        prev = net.sizes[l - 1]
        lines.append(f"    torch.nn.Linear({prev}, {layer.units}),  # z({l}) = w({l}) a({l - 1}) + b({l})\n")
        if l == net.depth and plan.shortcut:
            lines.append(f"    # a({l}) = {layer.activation}(z({l})) is inside the loss, which takes z({l})\n")
        else:
            lines.append(f"    {MODULES[layer.activation]},  # a({l}) = {layer.activation}(z({l}))\n")
    return "".join(lines)


def _judged_code(plan: NetworkPlan) -> str:
    """``judged(vector, t)``: the engine's verdict on a vanished gradient (its saturation check)."""
    nonlinear = [l for l, act in enumerate(plan.network.activations, start=1) if act not in ("identity", "softmax")]
    output = "torch.nn.Softmax(dim=1)" if plan.network.layers[-1].activation == "softmax" else "torch.nn.Sigmoid()"
    return fill(_SATURATION, nonlinear=nonlinear, slope=literal(SATURATED_SLOPE), fit=literal(EXACT_FIT),
                output=output)


def _test_code(plan: NetworkPlan) -> str:
    """The trace's held-out fields: the loss over X_TEST (no decay term) and a classifier's accuracy
    (its model ends at z(L): class 1 of one output where z >= 0, i.e. a >= 0.5)."""
    if plan.X_test is None:
        return ""
    code = ("\n        with torch.no_grad():  # the held-out observations\n"
            "            out_test = model(X_TEST)\n"
            "            steps[-1][\"test_loss\"] = num(loss(out_test, Y_TEST).item())  # the loss alone, no decay term")
    if plan.loss.classifies:
        code += ("\n            got = out_test.argmax(dim=1) if out_test.shape[1] > 1 else out_test[:, 0] >= 0"
                 "\n            want = Y_TEST.argmax(dim=1) if Y_TEST.shape[1] > 1 else Y_TEST[:, 0] >= 0.5"
                 "\n            steps[-1][\"test_accuracy\"] = float((got == want).double().mean())")
    return code


def _decay_code(lam: float) -> dict[str, str]:
    """R's weight-decay term in the loss (autograd then adds LAMBDA * w to each weight's gradient)."""
    if not lam:
        return {"decay_def": "", "decay_term": ""}
    return {"decay_def": (f"LAMBDA = {literal(lam)}  # weight decay\n\n\n"
                          "def decay():\n    \"\"\"R's weight-decay term: LAMBDA/2 times the sum of every weight "
                          "squared (biases excluded).\"\"\"\n"
                          "    return 0.5 * LAMBDA * sum((lin.weight ** 2).sum() for lin in LINEARS)\n"),
            "decay_term": " + decay()"}


def torch_network_script(plan: NetworkPlan, steps: int, every: int, scenario_name: str) -> str:
    """The whole PyTorch script for ``plan``: ``steps`` updates, the trace of every ``every``-th step."""
    spec = plan.spec
    call = _optimizer_call(plan)
    net = plan.network
    head = script_header(plan.title, f"a network trained with PyTorch (torch.nn.Linear layers, autograd,\n"
                                     f"torch.optim.{TORCH_OPTIM[spec.name][0]}), in float64.",
                         steps, every, scenario_name)
    notation = ("\nNotation of the lecture: w(l)[j,k] is the weight into node j of layer l from node k of layer\n"
                "l-1 (the Linear's weight[j-1, k-1]), b(l)[j] the bias of node j (bias[j-1]); z(l) = w(l) a(l-1)\n"
                "+ b(l), a(l) = g_l(z(l)), and autograd's backward pass carries δ(l) = dR/dz(l) back to layer 1.\n"
                '"""\n')
    decay = spec.schedule == "decay"
    backtracking = spec.schedule == "backtracking"
    frozen = bool(plan.frozen)
    parts = [head + notation, "\nimport json\nimport math\n\nimport numpy as np\nimport torch\n\n",
             "torch.set_default_dtype(torch.float64)\n",
             f"STEPS = {steps}  # updates to take\nEVERY = {every}  # record every EVERY-th step (and the last)\n\n",
             data_code(plan, "torch.tensor"), "\n", weights_code(plan, "torch.tensor"),
             _SOFTPLUS if "softplus" in net.activations else "",
             fill(_MODEL, modules=_modules(plan), sizes=tuple(net.sizes), loss=LOSSES[plan.loss.name].rstrip("\n"),
                  Ws=", ".join(f"W{l}" for l in range(1, net.depth + 1)),
                  bs=", ".join(f"b{l}" for l in range(1, net.depth + 1)), **_decay_code(plan.weight_decay)),
             batch_code(plan), "\n\n", optimizer_constants(spec),
             fill(ARMIJO, dot="torch.dot(g, delta)") if backtracking else "",
             fill(_TRAIN, tol=literal(plan.tol), bound=literal(plan.bound), frozen=repr(list(plan.frozen)),
                  eager=plan.eager, trace_numbers=TRACE_NUMBERS, optimizer=call,
                  schedule=("\n    # decay: lr for update i + 1 is lr / (1 + k i)\n    schedule = "
                            "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 1.0 / (1.0 + DECAY_K * i))"
                            if decay else ""),
                  schedule_step="\n        schedule.step()" if decay else "",
                  freeze_grad=_FREEZE_GRAD if frozen else "",
                  before="        before = theta()\n" if frozen or backtracking else "",
                  judged=_judged_code(plan), has_before=frozen or backtracking,
                  line_search=_LINE_SEARCH if backtracking else "",
                  test_code=_test_code(plan),
                  freeze_step="        new[MASK] = before[MASK]  # frozen parameters never change\n" if frozen else "")]
    return "".join(parts)


__all__ = ["LOSSES", "MODULES", "TORCH_OPTIM", "torch_network_script"]
