"""Write PyTorch reference trajectories with L2 weight decay for tests/engine/test_weight_decay.py.

Stepwise's weight decay is a term of R, lambda/2 * sum of every weight squared, biases excluded;
its gradient adds lambda * w to every weight's. Where PyTorch's semantics coincide, torch.optim
with ``weight_decay=lambda`` in a parameter group of the weights (and 0 for the biases) takes the
same steps: SGD (gd), SGD with momentum and Adam add ``weight_decay * p`` to the gradient before
their rule, exactly the gradient of that term. (AdamW's decoupled decay is a different thing and
is the adamw optimizer's own hyperparameter.) For each case this script records, with PyTorch
alone in float64, the parameters before and after each of ``UPDATES`` updates, and at each of them
the full-data R with the decay term (the loss plus lambda/2 sum w^2, both computed by torch) and
its gradient (autograd's gradient plus lambda w).

The setups, batch order and number format are those of ``benchmarks/torch_trajectories.py``.
Usage (needs numpy and torch)::

    python benchmarks/torch_weight_decay.py [OUTPUT]   # default tests/engine/data/torch_weight_decay.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from torch_trajectories import (CLASSIFIER, LECTURE, base_scenario, batches, build, flat, loss_fn,
                                rounded)

UPDATES = 20
LR = 0.05
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tests" / "engine" / "data" / "torch_weight_decay.json"

#: (id, setup, training mode, lambda, scenario optimizer, torch.optim call on the two groups)
CASES = (
    ("lecture-full_batch-gd", LECTURE, "full_batch", 0.1, {"name": "gd", "lr": LR},
     lambda groups: torch.optim.SGD(groups, lr=LR)),
    ("lecture-online-gd", LECTURE, "online", 0.3, {"name": "gd", "lr": LR},
     lambda groups: torch.optim.SGD(groups, lr=LR)),
    ("classifier-mini_batch-gd", CLASSIFIER, "mini_batch", 0.05, {"name": "gd", "lr": LR},
     lambda groups: torch.optim.SGD(groups, lr=LR)),
    ("lecture-full_batch-momentum", LECTURE, "full_batch", 0.1, {"name": "momentum", "lr": LR, "momentum": 0.9},
     lambda groups: torch.optim.SGD(groups, lr=LR, momentum=0.9)),
    ("classifier-full_batch-adam", CLASSIFIER, "full_batch", 0.2,
     {"name": "adam", "lr": LR, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
     lambda groups: torch.optim.Adam(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8)),
)


def trajectory(case_id: str, net: dict, mode: str, lam: float, spec: dict, make_opt) -> dict:
    linears, model = build(net["network"])
    R = loss_fn(net["loss"], net["network"]["layers"][-1]["activation"])
    X = torch.tensor(net["data"]["inputs"], dtype=torch.float64)
    Y = torch.tensor(net["data"]["targets"], dtype=torch.float64)
    weights = [lin.weight for lin in linears]
    biases = [lin.bias for lin in linears]
    opt = make_opt([{"params": weights, "weight_decay": lam}, {"params": biases, "weight_decay": 0.0}])

    def theta() -> list[float]:
        return flat(torch.cat([lin.weight, lin.bias[:, None]], dim=1) for lin in linears)

    def full_r_and_gradient() -> tuple[float, list[float]]:
        """R over all observations with the decay term, and its gradient, by autograd."""
        for p in weights + biases:
            p.grad = None
        value = R(model(X), Y) + 0.5 * lam * sum((w ** 2).sum() for w in weights)
        value.backward()
        grad = flat(torch.cat([lin.weight.grad, lin.bias.grad[:, None]], dim=1) for lin in linears)
        for p in weights + biases:
            p.grad = None
        return value.item(), grad

    out = {"parameters": [], "losses": [], "gradients": []}

    def record() -> None:
        value, grad = full_r_and_gradient()
        out["parameters"].append(theta())
        out["losses"].append(value)
        out["gradients"].append(grad)

    record()
    for batch in batches(len(X), mode, net["mini_batch"])[:UPDATES]:
        opt.zero_grad()
        idx = torch.tensor(batch)
        R(model(X[idx]), Y[idx]).backward()  # the data term; the optimizer adds weight_decay * w
        opt.step()
        record()
    training = {"mini_batch": net["mini_batch"]} if mode == "mini_batch" else mode
    scenario = {**base_scenario(net), "training": training, "optimizer": spec, "weight_decay": lam}
    return {"id": case_id, "scenario": scenario, **{key: rounded(value) for key, value in out.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUT,
                        help="JSON file to write (default: %(default)s)")
    out = parser.parse_args().output
    torch.set_default_dtype(torch.float64)
    cases = [trajectory(*case) for case in CASES]
    doc = {"about": "PyTorch float64 trajectories with weight_decay on the weights only; written by "
                    "benchmarks/torch_weight_decay.py, do not edit by hand",
           "torch": torch.__version__, "updates": UPDATES, "cases": cases}
    out.parent.mkdir(parents=True, exist_ok=True)
    text = '{"about": ' + json.dumps(doc["about"]) + f', "torch": {json.dumps(doc["torch"])}, "updates": {UPDATES},\n'
    text += '"cases": [\n' + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]}\n"
    out.write_text(text)
    print(f"wrote {len(cases)} cases, {len(text) / 1024:.0f} KB to {out}")


if __name__ == "__main__":
    main()
