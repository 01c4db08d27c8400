"""Export a scenario as code: a standalone, readable Python script that reproduces ``stepwise run``.

``python main.py export SCENARIO --to pytorch|numpy --steps N --out FILE.py`` and the window's
File > Export > As script… call :func:`export_script`. The script rebuilds the scenario exactly
(weights and data as repr-exact floats, the same activations, loss, training mode with its
mini-batch order, optimizer and stopping rules), takes N updates and prints the JSON trace of
``run --format json`` (SPEC section 6) to 1e-9.

- ``numpy``: networks (``engine.code_export_numpy``: forward and back propagation written out in
  lecture notation) and functions (``engine.code_export_function``: the formula and its derivatives
  printed as numpy code by sympy's printer, every optimizer and schedule, backtracking too);
- ``pytorch``: networks (``engine.code_export_torch``: ``torch.nn.Linear`` layers, autograd and the
  ``torch.optim`` class of the optimizer). Function scenarios are refused with a message.
"""

from __future__ import annotations

from engine.code_export_parts import ExportError
from engine.scenario import Scenario

TARGETS = ("numpy", "pytorch")


def export_script(scenario: Scenario, to: str, steps: int, every: int = 1, name: str = "SCENARIO") -> str:
    """The script text for ``scenario`` in the form ``to`` (``numpy`` or ``pytorch``).

    ``steps``: updates the script takes; ``every``: record every K-th step and the last, as
    ``run --every K``; ``name``: how the script's docstring names the scenario in the ``run``
    command it reproduces. Raises ExportError (a ValueError) with a one-line message when the form
    cannot express the scenario.
    """
    if to not in TARGETS:
        raise ExportError(f"--to must be one of {', '.join(TARGETS)}, got {to!r}")
    if int(steps) != steps or steps < 0:
        raise ExportError(f"steps must be a whole number >= 0, got {steps}")
    if int(every) != every or every < 1:
        raise ExportError(f"every must be a whole number >= 1, got {every}")
    if scenario.kind == "network":
        from engine.code_export_plan import network_plan


        plan = network_plan(scenario)
        if to == "numpy":
            from engine.code_export_numpy import numpy_network_script

            return numpy_network_script(plan, int(steps), int(every), name)
        from engine.code_export_torch import torch_network_script

        return torch_network_script(plan, int(steps), int(every), name)
    if to == "pytorch":
        raise ExportError(f"--to pytorch writes network scenarios only; this is a {scenario.kind} "
                          "scenario: use --to numpy")
    from engine.code_export_function import function_script

    return function_script(scenario, int(steps), int(every), name)


__all__ = ["TARGETS", "ExportError", "export_script"]
