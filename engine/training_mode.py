"""How many observations one update uses: the training mode (SPEC sections 1.3 and 5).

- ``full_batch``: all observations, summed, then one step (the lecture's way);
- ``online``: one observation, one step, in data order;
- ``mini_batch`` of size k: k observations of a seeded shuffle per epoch, one step.

:class:`BatchOrder` says which rows each update uses: mini-batches come from a permutation per
epoch drawn from ``np.random.default_rng([seed, epoch])``, so any update's batch is known without
replaying the ones before it.

In scenario files a mode is written ``"full_batch"``, ``"online"`` or ``{"mini_batch": k}``;
:meth:`TrainingMode.from_json` reads that form (errors name the field, e.g.
``training.mini_batch: expected a whole number >= 1, got 0``) and
:meth:`TrainingMode.to_json` writes it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.fields import FieldError, check_integer, check_name, check_object

#: The kinds of training mode, in the order the editor offers them.
TRAINING_KINDS = ("full_batch", "online", "mini_batch")
#: Each kind's name in a menu, and what one update of it does (the menu's tooltip).
TRAINING_TITLES = {"full_batch": "Full batch", "online": "Online", "mini_batch": "Mini-batch of k"}
TRAINING_TIPS = {"full_batch": "Sum over all observations, then one step (the lecture's way)",
                 "online": "One observation, one step",
                 "mini_batch": "k observations (shuffled with the seed each epoch), one step"}
#: The k an editor offers for ``mini_batch`` until one is chosen.
DEFAULT_BATCH_SIZE = 10


class TrainingError(ValueError):
    """A training setting is not allowed (a mode, a granularity, a tolerance, an optimizer); the
    message says what is."""


@dataclass(frozen=True)
class TrainingMode:
    """A training mode: ``kind`` in TRAINING_KINDS, ``batch_size`` k for ``mini_batch`` (else None)."""

    kind: str = "full_batch"
    batch_size: int | None = None

    def __post_init__(self) -> None:
        check_name(self.kind, "training", TRAINING_KINDS, "training mode")
        if self.kind == "mini_batch":
            if self.batch_size is None:
                raise FieldError("training", 'give the batch size: {"mini_batch": k}')
            object.__setattr__(self, "batch_size",
                               check_integer(self.batch_size, "training.mini_batch", 1))
        elif self.batch_size is not None:
            raise FieldError("training", f"{self.kind} takes no batch size, got {self.batch_size!r}")

    @classmethod
    def of_kind(cls, kind: str, batch_size: int) -> "TrainingMode":
        """The mode ``kind``; ``batch_size`` counts for ``mini_batch`` only (an editor keeps one k
        whichever kind is chosen)."""
        return cls(kind, batch_size if kind == "mini_batch" else None)

    @classmethod
    def from_json(cls, value: Any, path: str = "training") -> "TrainingMode":
        """The mode written as ``value``: ``"full_batch"``, ``"online"`` or ``{"mini_batch": k}``.

        Raises FieldError naming ``path`` (or ``path.mini_batch``) and what is allowed.
        """
        if isinstance(value, dict):
            d = check_object(value, path, ("mini_batch",), ("mini_batch",))
            return cls("mini_batch", check_integer(d["mini_batch"], f"{path}.mini_batch", 1))
        if value == "mini_batch":
            raise FieldError(path, 'give the batch size: {"mini_batch": k}')
        return cls(check_name(value, path, ("full_batch", "online"), "training mode"))

    @classmethod
    def coerce(cls, value: "TrainingMode | str | dict") -> "TrainingMode":
        """``value`` itself if it is a TrainingMode, else read from its file form (TrainingError if bad)."""
        if isinstance(value, TrainingMode):
            return value
        try:
            return cls.from_json(value)
        except FieldError as e:
            raise TrainingError(str(e)) from None

    def to_json(self) -> str | dict:
        """The scenario-file form: ``"full_batch"``, ``"online"`` or ``{"mini_batch": k}``."""
        return {"mini_batch": self.batch_size} if self.kind == "mini_batch" else self.kind

    def observations_per_update(self, n_obs: int) -> int:
        """Observations one update uses on a data set of ``n_obs`` (a batch never exceeds it)."""
        if self.kind == "full_batch":
            return n_obs
        if self.kind == "online":
            return 1
        assert self.batch_size is not None
        return min(self.batch_size, n_obs)

    def for_data(self, n_obs: int) -> "TrainingMode":
        """This mode on ``n_obs`` observations: a mini-batch larger than the data shrinks to it."""
        if self.kind != "mini_batch":
            return self
        return TrainingMode("mini_batch", self.observations_per_update(n_obs))


class BatchOrder:
    """The dataset rows (0-based) of each update's batch under ``mode`` on ``n_obs`` observations.

    Full batch: every row; online: row ``t mod n_obs`` for update ``t + 1``; mini-batch: slice
    ``b`` of epoch ``e``'s permutation, drawn from ``np.random.default_rng([seed, e])``.
    """

    def __init__(self, mode: TrainingMode, n_obs: int, seed: int) -> None:
        self.kind = mode.kind
        self.n_obs = n_obs
        self.seed = int(seed)
        self.batch_size = mode.observations_per_update(n_obs)
        self.per_epoch = -(-n_obs // self.batch_size)
        self._all = np.arange(n_obs)
        self._all.setflags(write=False)
        self._perms: dict[int, np.ndarray] = {}

    def rows(self, t: int) -> np.ndarray:
        """Rows of the batch that update ``t + 1`` (index ``t``) uses."""
        if self.kind == "full_batch":
            return self._all
        if self.kind == "online":
            return np.array([t % self.n_obs])
        epoch, b = divmod(t, self.per_epoch)
        perm = self._perms.get(epoch)
        if perm is None:
            perm = np.random.default_rng([self.seed, epoch]).permutation(self.n_obs)
            if len(self._perms) > 8:
                self._perms.clear()
            self._perms[epoch] = perm
        return perm[b * self.batch_size:(b + 1) * self.batch_size]


__all__ = ["DEFAULT_BATCH_SIZE", "TRAINING_KINDS", "TRAINING_TIPS", "TRAINING_TITLES", "BatchOrder",
           "TrainingError", "TrainingMode"]
