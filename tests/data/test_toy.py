"""course_utils.data.toy: the 2-D toy sets of Part I."""

import numpy as np
import pytest

from course_utils import data
from course_utils.data import toy


def test_toy_sets():
    x, y = data.make_xor(200, seed=1)
    assert x.shape == (200, 2) and set(np.unique(y)) == {0, 1}
    assert np.mean((np.sign(x[:, 0]) != np.sign(x[:, 1])) == (y == 1)) > 0.95
    with pytest.raises(ValueError, match="at least 4"):
        data.make_xor(3)
    x, y = data.make_two_blobs(100, distance=6.0)
    assert x.shape == (100, 2) and np.mean((x.sum(axis=1) > 0) == (y == 1)) > 0.95


def test_toy_data_by_name():
    assert toy.TOY_DATA == data.TOY_DATA == ("two blobs", "xor")
    for name, maker in (("two blobs", data.make_two_blobs), ("xor", data.make_xor)):
        x, y = data.toy_data(name, n=60, seed=3)
        expected_x, expected_y = maker(n=60, seed=3)
        assert np.array_equal(x, expected_x) and np.array_equal(y, expected_y)
        assert x.dtype == np.float64 and y.dtype == np.int64
    with pytest.raises(
        ValueError, match=r"toy data set must be one of \('two blobs', 'xor'\), got 'moons'"
    ):
        data.toy_data("moons")
