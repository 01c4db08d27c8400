"""``readonly``: the read-only float64 copies that the engine's records are made of."""

import numpy as np
import pytest

from engine.arrays import readonly


def test_readonly_is_a_float64_copy_that_cannot_be_written() -> None:
    source = np.array([[1, 2], [3, 4]])
    arr = readonly(source)
    assert arr.dtype == np.float64 and arr.shape == (2, 2)
    np.testing.assert_array_equal(arr, [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError):
        arr[0, 0] = 9.0
    source[0, 0] = 9
    assert arr[0, 0] == 1.0  # a copy: the caller's later edits do not reach the record


def test_readonly_copies_even_a_readonly_float64_array() -> None:
    first = readonly([0.5, -1.5])
    second = readonly(first)
    assert second is not first and not np.shares_memory(first, second)
    assert not second.flags.writeable
    np.testing.assert_array_equal(second, [0.5, -1.5])


def test_readonly_accepts_scalars_and_lists() -> None:
    assert readonly(2).shape == () and float(readonly(2)) == 2.0
    np.testing.assert_array_equal(readonly([3.0, -2.0]), np.array([3.0, -2.0]))
