"""Network engine figures: one full-batch step against PyTorch, Run-mode speed, history memory.

A step is what the GUI pays for one Step click at iteration granularity: gradient, update
and the PassRecord at the new parameters (``session.step_iteration(); session.record()``).
PyTorch (CPU, float64, its default threads) runs the same network, loss and update
(``zero_grad``, forward, ``backward``, ``SGD.step``) in the same process, so the ratios
compare like with like on the same machine at the same moment. The numpy step runs with
one BLAS thread (threadpoolctl), as the GUI does: on 2 cores, threaded BLAS beside other
work stalls badly, and small matrices gain nothing from it. For the large network the
step is also timed with two BLAS threads (both figures printed; ``step_us`` is the
better, as an application would choose), since PyTorch uses both cores there.

Prints ``bench: <name> = <value> <unit>`` lines (SPEC section 7).
"""

from __future__ import annotations

import gc
import os
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, glorot, lecture_network  # noqa: E402
from engine.optimizers import make_spec  # noqa: E402
from engine.training import TrainingSession  # noqa: E402


def emit(name: str, value: float, unit: str) -> None:
    text = f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    print(f"bench: {name} = {text} {unit}", flush=True)


def best_us(fn, number: int, repeat: int = 25) -> float:
    """Best mean over ``repeat`` short runs: on a shared machine the quiet moments are the
    ones that measure the code (both engines are timed the same way)."""
    fn()
    number = max(5, number // 10)
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def problems():
    rng = np.random.default_rng(0)
    yield "lecture", lecture_network(), np.array(LECTURE_INPUTS), np.array(LECTURE_TARGETS), 5000
    for name, sizes, n, number in (("net_2_8_8_1", [8, 8, 1], 200, 2000),
                                   ("net_2_64_64_1", [64, 64, 1], 5000, 40)):
        net = glorot(2, sizes, ["sigmoid"] * (len(sizes) - 1) + ["identity"], rng)
        X = rng.uniform(-2, 2, size=(n, 2))
        Y = np.sin(X[:, :1]) * np.cos(X[:, 1:])
        yield name, net, X, Y, number


def numpy_step_us(net, X, Y, number: int, threads: int = 1) -> float:
    session = TrainingSession(net, X, Y, loss="sse", spec=make_spec("gd", lr=1e-6), tol=0.0)

    def step():
        session.step_iteration()
        session.record()

    with threadpool_limits(threads):
        return best_us(step, number)


def torch_step_us(torch, net, X, Y, number: int) -> float:
    layers = []
    for l, layer in enumerate(net.layers):
        lin = torch.nn.Linear(layer.W.shape[1], layer.units).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.array(layer.W)))
            lin.bias.copy_(torch.from_numpy(np.array(layer.b)))
        layers.append(lin)
        if layer.activation == "sigmoid":
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)
    Xt = torch.from_numpy(X)
    Yt = torch.from_numpy(Y)

    def step():
        opt.zero_grad()
        loss = ((Yt - model(Xt)) ** 2).sum()
        loss.backward()
        opt.step()

    return best_us(step, number)


def run_speed() -> None:
    session = TrainingSession(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS,
                              spec=make_spec("gd", lr=1e-4), tol=0.0)
    n = 20000
    start = time.perf_counter()
    session.run(n)
    emit("engine.lecture.run_its", n / (time.perf_counter() - start), "it/s")


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def history_memory() -> None:
    """1,000,000 Adam updates of the lecture network; resident-memory growth and the
    session's own account of its history."""
    gc.collect()
    before = _rss_mb() if os.path.exists("/proc/self/status") else float("nan")
    session = TrainingSession(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS,
                              spec=make_spec("adam", lr=1e-5), tol=0.0)
    start = time.perf_counter()
    session.run(1_000_000)
    elapsed = time.perf_counter() - start
    session.losses()
    gc.collect()
    after = _rss_mb() if os.path.exists("/proc/self/status") else float("nan")
    emit("engine.history_1e6.mb", after - before, "MB")
    emit("engine.history_1e6.accounted_mb", session.memory_bytes() / 2 ** 20, "MB")
    emit("engine.history_1e6.run_s", elapsed, "s")


def main() -> int:
    try:
        import torch
        torch.set_default_dtype(torch.float64)
    except ImportError:
        torch = None
    for name, net, X, Y, number in problems():
        ours = numpy_step_us(net, X, Y, number)
        if X.shape[0] * max(net.sizes) >= 100_000:
            # large matrices: BLAS may use both cores (threads set once, not per step)
            emit(f"engine.{name}.step_us_1thread", ours, "us")
            two = numpy_step_us(net, X, Y, number, threads=2)
            emit(f"engine.{name}.step_us_2threads", two, "us")
            ours = min(ours, two)
        emit(f"engine.{name}.step_us", ours, "us")
        if torch is None:
            print(f"bench: engine.{name}.torch_step_us = skipped (torch not installed)")
            continue
        theirs = torch_step_us(torch, net, X, Y, number)
        emit(f"engine.{name}.torch_step_us", theirs, "us")
        emit(f"engine.{name}.ratio_vs_torch", ours / theirs, "x")
    run_speed()
    if "--quick" not in sys.argv:
        history_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
