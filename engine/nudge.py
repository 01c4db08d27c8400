"""The nudge table's columns as data (SPEC section 1.3), with weight decay's column of its own.

For each observation i shown: the residual e_i = y_i - output_i, the sensitivity s_i = d output/d theta
and the contribution e_i * s_i; the sum of the contributions over every observation of the record;
with weight decay (lambda > 0) the decay column -lambda * w (0 for a bias), R's term lambda/2 sum w^2
pulling each weight toward 0; and -grad R. For the squared-error losses
``-grad R = factor * sum_i e_i s_i + decay`` with the loss's ``factor`` (2 for sse, 1 for half_sse,
2/(n n_out) for mse); the cross-entropies have no such factor (None). The window's table and the
notes (``engine.explain``) show these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine.pass_record import PassRecord


@dataclass(frozen=True, eq=False)
class NudgeColumns:
    """The nudge table of a record for the observations ``rows`` (0-based in the record).

    ``residuals (n_shown, n_out)``, ``sensitivities (n_shown, n_out, n_params)``,
    ``contributions (n_shown, n_params)``; ``total (n_params,)``: contributions summed over every
    observation of the record; ``decay (n_params,)``: -lambda w (zeros without decay);
    ``neg_gradient (n_params,)`` = -grad R; ``factor``: the loss's contribution factor or None.
    """

    names: tuple[str, ...]
    rows: tuple[int, ...]
    residuals: np.ndarray
    sensitivities: np.ndarray
    contributions: np.ndarray
    total: np.ndarray
    decay: np.ndarray
    neg_gradient: np.ndarray
    factor: float | None
    weight_decay: float

    @property
    def has_decay(self) -> bool:
        """True when R holds a weight-decay term, so the table shows its column."""
        return self.weight_decay > 0


def nudge_columns(rec: PassRecord, rows: Sequence[int]) -> NudgeColumns:
    """The nudge table's columns for the observations ``rows`` (0-based) of ``rec``."""
    rows = tuple(int(i) for i in rows)
    n_params = rec.structure.n_params
    # only the shown observations' sensitivities and contributions: cheap for any data set size
    sens = np.stack([rec.sensitivities_of(i) for i in rows]) if rows else np.empty((0, rec.output.shape[1], n_params))
    contributions = np.stack([rec.contributions_of(i) for i in rows]) if rows else np.empty((0, n_params))
    return NudgeColumns(tuple(rec.structure.param_names()), rows, rec.residual[list(rows)], sens,
                        contributions, rec.contribution_sum, -rec.decay_gradient,
                        rec.neg_gradient, rec.contribution_factor, rec.weight_decay)


__all__ = ["NudgeColumns", "nudge_columns"]
