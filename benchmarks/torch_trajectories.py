"""Write PyTorch reference trajectories for tests/engine/test_torch_trajectories.py.

``make test`` does not install PyTorch (PyPI's default Linux wheel of torch 2.13.0 pulls in
the CUDA stack: 29 packages, 2.7 GB to download), so the comparison with torch.optim runs
against numbers this script wrote once, in float64, with PyTorch alone: the engine is not
imported. The file holds two setups (a scenario file of SPEC section 5 without its training
mode and optimizer, and the parameter names in theta order) and one case per setup,
training mode and optimizer: for ``UPDATES`` updates, the rows of each batch, the batch
loss and its gradient at the parameters the update starts from, and the parameters and
full-data loss before and after every update.

Setups: the lecture's 2-2-1 regression of SPEC section 2 (sigmoid, identity, sse) and a
2-2-1 classifier (tanh, sigmoid, binary_cross_entropy) on seven points. Optimizers: gd,
momentum, nesterov, adagrad, rmsprop, adam, adamw (torch.optim.AdamW, weight_decay 0.01);
modes: full batch, online, mini-batch; and momentum and nesterov with the decay schedule
(lecture, full batch). Numbers keep ``DIGITS`` significant figures, which
is far finer than the test's tolerance of 1e-10 and keeps the file under 300 KB.

Batch order is written here from the scenario rules, not read from the engine: online
update t uses row t mod n; mini-batch epoch e is ``np.random.default_rng([seed, e])
.permutation(n)`` cut into consecutive batches of k rows (the last one shorter). The test
checks that the engine's ``TrainingSession.batch_rows`` gives the same rows.

Usage (needs numpy and torch, e.g. ``pip install numpy torch``)::

    python benchmarks/torch_trajectories.py [OUTPUT]   # default tests/engine/data/torch_trajectories.json
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

UPDATES = 20
#: Numbers are stored with this many significant figures (the test compares to 1e-10).
DIGITS = 12
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tests" / "engine" / "data" / "torch_trajectories.json"

LECTURE = {
    "title": "lecture 2-2-1 (SPEC section 2)",
    "network": {"inputs": 2, "layers": [
        {"units": 2, "activation": "sigmoid", "weights": [[0.2, 0.4], [0.3, 0.5]], "biases": [0.1, 0.6]},
        {"units": 1, "activation": "identity", "weights": [[0.6, 0.2]], "biases": [0.4]}]},
    "data": {"inputs": [[3, -2], [-1, 1]], "targets": [[1.2], [0.7]]},
    "loss": "sse",
    "mini_batch": 1,
}

CLASSIFIER = {
    "title": "2-2-1 classifier (tanh, sigmoid, binary cross-entropy)",
    "network": {"inputs": 2, "layers": [
        {"units": 2, "activation": "tanh", "weights": [[0.5, -0.4], [-0.3, 0.8]], "biases": [0.1, -0.2]},
        {"units": 1, "activation": "sigmoid", "weights": [[0.6, -0.5]], "biases": [0.05]}]},
    "data": {"inputs": [[1.0, 0.5], [-0.8, 1.2], [0.3, -1.1], [-1.5, -0.4], [0.9, 1.4],
                        [-0.2, 0.1], [1.3, -0.7]],
             "targets": [[1], [0], [1], [0], [0], [1], [1]]},
    "loss": "binary_cross_entropy",
    "mini_batch": 3,
}

NETWORKS = {"lecture": LECTURE, "classifier": CLASSIFIER}
MODES = ("full_batch", "online", "mini_batch")
LR = 0.05
SEED = 3
#: Extra cases with the ``decay`` schedule lr_i = lr / (1 + k i) (torch: LambdaLR). With a
#: constant lr, SGD's v = mu v + g, theta -= lr v equals the classic u = mu u + lr g,
#: theta -= u; only a changing lr tells them apart.
DECAY_K = 0.1
DECAY_CASES = (("lecture", "full_batch", "momentum"), ("lecture", "full_batch", "nesterov"))

#: Scenario hyperparameters (SPEC section 3 names) and the torch.optim call they stand for.
OPTIMIZERS = {
    "gd": ({}, lambda p: torch.optim.SGD(p, lr=LR)),
    "momentum": ({"momentum": 0.9}, lambda p: torch.optim.SGD(p, lr=LR, momentum=0.9)),
    "nesterov": ({"momentum": 0.9},
                 lambda p: torch.optim.SGD(p, lr=LR, momentum=0.9, nesterov=True)),
    "adagrad": ({"eps": 1e-10}, lambda p: torch.optim.Adagrad(p, lr=LR, eps=1e-10)),
    "rmsprop": ({"alpha": 0.99, "eps": 1e-8},
                lambda p: torch.optim.RMSprop(p, lr=LR, alpha=0.99, eps=1e-8)),
    "adam": ({"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
             lambda p: torch.optim.Adam(p, lr=LR, betas=(0.9, 0.999), eps=1e-8)),
    "adamw": ({"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
              lambda p: torch.optim.AdamW(p, lr=LR, betas=(0.9, 0.999), eps=1e-8,
                                          weight_decay=0.01)),
}

ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}


def base_scenario(net: dict) -> dict:
    """The scenario file of ``net`` without its training mode and optimizer (set per case)."""
    return {"format": "stepwise-scenario", "version": 1, "kind": "network", "title": net["title"],
            "network": net["network"], "frozen": [], "data": net["data"], "loss": net["loss"],
            "seed": SEED}


def param_names(network: dict) -> list[str]:
    """w(l)[j,k] then b(l)[j] for each node j of each layer l (SPEC section 4 order)."""
    names, prev = [], network["inputs"]
    for l, layer in enumerate(network["layers"], start=1):
        for j in range(1, layer["units"] + 1):
            names += [f"w({l})[{j},{k}]" for k in range(1, prev + 1)] + [f"b({l})[{j}]"]
        prev = layer["units"]
    return names


def batches(n_obs: int, mode: str, k: int) -> list[list[int]]:
    if mode == "full_batch":
        return [list(range(n_obs))] * UPDATES
    if mode == "online":
        return [[t % n_obs] for t in range(UPDATES)]
    per_epoch = -(-n_obs // k)
    rows = []
    for t in range(UPDATES):
        epoch, b = divmod(t, per_epoch)
        perm = np.random.default_rng([SEED, epoch]).permutation(n_obs)
        rows.append(perm[b * k:(b + 1) * k].tolist())
    return rows


def build(network: dict) -> tuple[list[torch.nn.Linear], torch.nn.Module]:
    """The linear layers and the model up to the output layer's z (its activation is the loss's)."""
    linears, modules, prev = [], [], network["inputs"]
    layers = network["layers"]
    for i, layer in enumerate(layers):
        lin = torch.nn.Linear(prev, layer["units"])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(layer["weights"], dtype=torch.float64))
            lin.bias.copy_(torch.tensor(layer["biases"], dtype=torch.float64))
        linears.append(lin)
        modules.append(lin)
        if i < len(layers) - 1:
            modules.append(ACTIVATIONS[layer["activation"]]())
        prev = layer["units"]
    return linears, torch.nn.Sequential(*modules)


def loss_fn(loss: str, output_activation: str):
    """R(z of the output layer, y), summed over the batch like the lecture's R."""
    if loss == "sse":
        assert output_activation == "identity"
        return lambda z, y: ((y - z) ** 2).sum()
    assert loss == "binary_cross_entropy" and output_activation == "sigmoid"
    return lambda z, y: torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum")


def flat(tensors) -> list[float]:
    return torch.cat([t.detach().reshape(-1) for t in tensors]).tolist()


def rounded(values):
    if isinstance(values, list):
        return [rounded(v) for v in values]
    assert math.isfinite(values)
    return float(f"{values:.{DIGITS}g}")


def trajectory(name: str, mode: str, optimizer: str, decay: bool = False) -> dict:
    net = NETWORKS[name]
    linears, model = build(net["network"])
    R = loss_fn(net["loss"], net["network"]["layers"][-1]["activation"])
    X = torch.tensor(net["data"]["inputs"], dtype=torch.float64)
    Y = torch.tensor(net["data"]["targets"], dtype=torch.float64)
    opt = OPTIMIZERS[optimizer][1](model.parameters())
    # lr for update i + 1 (i updates taken) is lr / (1 + k i), as the engine's decay schedule
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0 / (1.0 + DECAY_K * i)) \
        if decay else None

    def theta() -> list[float]:
        # theta order of SPEC section 4: per layer, per node j, w(l)[j,1..k] then b(l)[j]
        return flat(torch.cat([lin.weight, lin.bias[:, None]], dim=1) for lin in linears)

    def grad() -> list[float]:
        return flat(torch.cat([lin.weight.grad, lin.bias.grad[:, None]], dim=1) for lin in linears)

    def full_loss() -> float:
        with torch.no_grad():
            return R(model(X), Y).item()

    rows = batches(len(X), mode, net["mini_batch"])
    out = {"parameters": [theta()], "losses": [full_loss()], "gradients": [], "batch_losses": []}
    for batch in rows:
        opt.zero_grad()
        idx = torch.tensor(batch)
        loss = R(model(X[idx]), Y[idx])
        loss.backward()
        out["batch_losses"].append(loss.item())
        out["gradients"].append(grad())
        opt.step()
        if schedule is not None:
            schedule.step()
        out["parameters"].append(theta())
        out["losses"].append(full_loss())
    training = {"mini_batch": net["mini_batch"]} if mode == "mini_batch" else mode
    spec = {"name": optimizer, "lr": LR, **OPTIMIZERS[optimizer][0]}
    if decay:
        spec.update(schedule="decay", decay_k=DECAY_K)
    return {"id": f"{name}-{mode}-{optimizer}" + ("-decay" if decay else ""), "setup": name,
            "training": training, "optimizer": spec,
            "batches": rows, **{key: rounded(value) for key, value in out.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUT,
                        help="JSON file to write (default: %(default)s)")
    out = parser.parse_args().output
    torch.set_default_dtype(torch.float64)
    cases = [trajectory(name, mode, optimizer)
             for name in NETWORKS for mode in MODES for optimizer in OPTIMIZERS]
    cases += [trajectory(name, mode, optimizer, decay=True) for name, mode, optimizer in DECAY_CASES]
    doc = {"about": "PyTorch float64 reference trajectories; written by "
                    "benchmarks/torch_trajectories.py, do not edit by hand",
           "torch": torch.__version__, "updates": UPDATES, "significant_digits": DIGITS,
           "setups": {name: {"scenario": base_scenario(net), "names": param_names(net["network"])}
                      for name, net in NETWORKS.items()},
           "cases": cases}
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "{" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                            for k, v in doc.items() if k != "cases")
    text += ',\n"cases": [\n' + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]}\n"
    out.write_text(text)
    print(f"wrote {len(cases)} cases, {len(text) / 1024:.0f} KB to {out}")


if __name__ == "__main__":
    main()
