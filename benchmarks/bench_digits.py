"""The digits network against PyTorch: one full-batch step of a 64-16-10 softmax classifier (1,210
parameters), as the GUI pays for it, and the lean Run-mode speed.

Problems: the ``digits-64-16-10`` preset as shipped (tanh hidden layer, softmax output, cross-entropy,
Adam lr 0.01; 300 training images, another 300 held out), which is SPEC section 7's bar (the
network on 300 images, at most 0.5x PyTorch); the preset with weight decay 1e-3 (PyTorch: Adam's
``weight_decay`` in the weights' parameter group); and, for information, the network on all 1797
images without a held-out part.
A step is what one Step click costs at iteration granularity: gradient, Adam update and the
PassRecord at the new parameters (``session.step_iteration(); session.record()``), with one BLAS
thread as the GUI runs. PyTorch (CPU, float64, its default threads) runs the same network on the
same training images, summed cross-entropy and ``torch.optim.Adam`` step (``zero_grad``, forward,
``backward``, ``step``) in the same process; without torch the reference is skipped with a line
that says so. The held-out loss is computed only when read, so it is not part of a step.

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
    """(name, session, bar) for the preset, the preset with weight decay and all 1797 images."""
    scenario = load_scenario(preset_path(PRESET))
    d = scenario.to_dict()
    yield "digits_preset", build_training_session(scenario), BAR
    yield "digits_preset_decay", build_training_session(parse_scenario({**d, "weight_decay": 1e-3})), BAR
    whole = {key: value for key, value in d.items() if key not in ("test_fraction", "split_seed")}
    yield "digits_1797", build_training_session(parse_scenario({**whole, "data": {**d["data"], "n": 1797}})), None


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
    for name, session, bar in sessions():
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
        note = f"x (bar <= {bar}x, {session.n_obs} images)" if bar else f"x ({session.n_obs} images, no bar)"
        emit(f"engine.{name}.ratio_vs_torch", ours / theirs, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
