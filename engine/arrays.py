"""Read-only float64 arrays, the building block of the engine's immutable records.

Records, optimizer states and presets hold arrays that must not change once made (rewinding
restores a record, it never edits one), so they keep their own read-only copy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def readonly(a: ArrayLike) -> np.ndarray:
    """A new read-only float64 copy of ``a`` (same shape); later changes to ``a`` do not reach it."""
    arr = np.array(a, dtype=np.float64, copy=True)
    arr.setflags(write=False)
    return arr


__all__ = ["readonly"]
