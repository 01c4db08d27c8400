"""The digits network against PyTorch: one full-batch step of a 64-16-10 softmax classifier (1,210
parameters), as the GUI pays for it, and the lean Run-mode speed.

Problems: the ``digits-64-16-10`` preset (all 1797 images, tanh hidden layer, softmax output,
cross-entropy, Adam lr 0.01), SPEC section 7's bar, the same network on 300 of the images, and the
preset with a held-out fifth and weight decay 1e-3 (PyTorch: Adam's ``weight_decay`` on the weights;
it trains on the same 1438 images).
A step is what one Step click costs at iteration granularity: gradient, Adam update and the
PassRecord at the new parameters (``session.step_iteration(); session.record()``), with one BLAS
thread as the GUI runs. PyTorch (CPU, float64, its default threads) runs the same network, summed
cross-entropy and ``torch.optim.Adam`` step (``zero_grad``, forward, ``backward``, ``step``) in the
same process; without torch the reference is skipped with a line that says so. The bar: the
engine's step at most 0.5x PyTorch's (``ratio_vs_torch``).

Prints ``bench: <name> = <value> <unit>`` lines (SPEC section 7).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from bench_engine import best_us, emit  # noqa: E402
from engine.presets import path as preset_path  # noqa: E402
from engine.scenario import build_training_session, load_scenario, parse_scenario  # noqa: E402

PRESET = "digits-64-16-10"
BAR = 0.5


def sessions():
    """(name, session) for the preset and for the same network on 300 images."""
    scenario = load_scenario(preset_path(PRESET))
    yield "digits_1797", build_training_session(scenario)
    d = scenario.to_dict()
    yield "digits_300", build_training_session(parse_scenario({**d, "data": {**d["data"], "n": 300}}))
    # held-out part and weight decay: the test loss is computed only when read, so a step costs the same
    yield "digits_1797_split_decay", build_training_session(parse_scenario(
        {**d, "test_fraction": 0.2, "split_seed": 0, "weight_decay": 1e-3}))


def engine_step_us(session, number: int) -> float:
    def step():
        session.step_iteration()
        session.record()

    with threadpool_limits(1):
        return best_us(step, number)


def torch_step_us(torch, session, number: int) -> float:
    net = session.network
    lins = []
    for layer in net.layers:
        lin = torch.nn.Linear(layer.W.shape[1], layer.units).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.array(layer.W)))
            lin.bias.copy_(torch.from_numpy(np.array(layer.b)))
        lins.append(lin)
    model = torch.nn.Sequential(lins[0], torch.nn.Tanh(), lins[1])
    spec = session.spec
    lam = session.weight_decay
    groups = [{"params": [lin.weight for lin in lins], "weight_decay": lam},
              {"params": [lin.bias for lin in lins], "weight_decay": 0.0}]
    opt = torch.optim.Adam(groups, lr=spec.lr, betas=(spec.params["beta1"], spec.params["beta2"]),
                           eps=spec.params["eps"])
    Xt = torch.from_numpy(np.array(session.X))
    labels = torch.from_numpy(np.array(session.Y).argmax(axis=1))
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")

    def step():
        opt.zero_grad()
        loss = loss_fn(model(Xt), labels)
        loss.backward()
        opt.step()

    return best_us(step, number)


def run_its(session, n: int = 2000) -> float:
    """Lean Run-mode updates per second (``session.run``), one BLAS thread."""
    with threadpool_limits(1):
        start = time.perf_counter()
        taken = session.run(n)
        return taken / (time.perf_counter() - start)


def main() -> int:
    try:
        import torch
        torch.set_default_dtype(torch.float64)
    except ImportError:
        torch = None
    for name, session in sessions():
        assert session.network.n_params == 1210
        number = 400 if session.n_obs <= 300 else 100
        ours = engine_step_us(session, number)
        emit(f"engine.{name}.step_us", ours, "us")
        emit(f"engine.{name}.run_its", run_its(session), "it/s")
        if torch is None:
            print(f"bench: engine.{name}.torch_step_us = skipped (torch not installed)", flush=True)
            continue
        theirs = torch_step_us(torch, session, number)
        emit(f"engine.{name}.torch_step_us", theirs, "us")
        emit(f"engine.{name}.ratio_vs_torch", ours / theirs, f"x (bar <= {BAR}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
