"""Training against PyTorch: every optimizer, every training mode, a regression and a classifier.

The reference numbers in ``data/torch_trajectories.json`` were computed by PyTorch alone, in
float64 (``benchmarks/torch_trajectories.py``; run it with torch installed to regenerate
them). Each case is a scenario file; the engine builds its session through the scenario
builder, as the app and the command line do, and must reproduce every batch, batch loss,
gradient, parameter vector and full-data loss of 20 updates to 1e-10.

The file is kept under 300 KB (it is read on every run); ``DIGITS`` significant figures in the
script are far finer than the tolerance.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from engine.scenario import build_training_session, parse_scenario

DATA = json.loads((Path(__file__).parent / "data" / "torch_trajectories.json").read_text())
CASES = DATA["cases"]
RTOL, ATOL = 1e-10, 1e-12

OPTIMIZERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
MODES = ("full_batch", "online", "mini_batch")


def _mode(training) -> str:
    return training if isinstance(training, str) else next(iter(training))


def test_the_file_covers_every_optimizer_mode_and_setup():
    covered = {(c["setup"], _mode(c["training"]), c["optimizer"]["name"]) for c in CASES}
    assert covered == set(itertools.product(("lecture", "classifier"), MODES, OPTIMIZERS))
    # with a constant lr, torch's v = mu v + g; theta -= lr v equals u = mu u + lr g; theta -= u,
    # so momentum and nesterov are also run with a decaying lr
    assert {c["id"] for c in CASES if c["optimizer"].get("schedule") == "decay"} == {
        "lecture-full_batch-momentum-decay", "lecture-full_batch-nesterov-decay"}
    assert DATA["updates"] == 20 and DATA["significant_digits"] >= 12
    assert {DATA["setups"]["lecture"]["scenario"]["loss"],
            DATA["setups"]["classifier"]["scenario"]["loss"]} == {"sse", "binary_cross_entropy"}


def test_the_lecture_reference_starts_at_the_lecture_gradient():
    # the first full-batch gradient is the lecture's (SPEC section 2, to 4 decimals)
    case = next(c for c in CASES if c["id"] == "lecture-full_batch-gd")
    np.testing.assert_allclose(case["gradients"][0],
                               [-0.4042, 0.2873, -0.0633, -0.1258, 0.0890, -0.0211,
                                -0.1611, -0.2341, -0.4157], atol=5e-5)
    assert case["losses"][0] == pytest.approx(0.3905 ** 2 + 0.1827 ** 2, abs=1e-4)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_training_session_matches_pytorch(case):
    setup = DATA["setups"][case["setup"]]
    scenario = parse_scenario({**setup["scenario"], "training": case["training"],
                               "optimizer": case["optimizer"]})
    session = build_training_session(scenario)
    n = len(case["gradients"])
    assert session.param_names == setup["names"]
    assert [session.batch_rows(t).tolist() for t in range(n)] == case["batches"], \
        "the batch order differs from the one the reference was computed with"
    assert session.run(n) == n, session.status.reason
    params = np.array([session.parameters_at(k) for k in range(n + 1)])
    np.testing.assert_allclose(params, case["parameters"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(session.losses(), case["losses"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(session.batch_losses(), case["batch_losses"], rtol=RTOL, atol=ATOL)
    gradients = []
    for t in range(n):
        session.jump(t)
        rec = session.batch_record()
        assert rec.rows.tolist() == case["batches"][t]
        gradients.append(np.array(rec.gradient))
    np.testing.assert_allclose(gradients, case["gradients"], rtol=RTOL, atol=ATOL)
