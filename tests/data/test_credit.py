"""course_utils.data.credit: the synthetic credit set keeps the promises of its docstring."""

import numpy as np
import pytest

from course_utils.data import CREDIT_FEATURES, CreditData, make_credit_data


def test_credit_generator_is_seeded_and_deterministic():
    a, b, c = (
        make_credit_data(500, seed=3),
        make_credit_data(500, seed=3),
        make_credit_data(500, seed=4),
    )
    assert isinstance(a, CreditData) and a.feature_names == CREDIT_FEATURES
    for field in ("x", "y", "group", "y_unbiased"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x, c.x)
    assert a.x.shape == (500, len(CREDIT_FEATURES)) and a.x.dtype == np.float64
    assert a.y.dtype == np.int64 and set(np.unique(a.y)) <= {0, 1}
    assert np.array_equal(a.columns(["group"])[:, 0], a.group)


def test_credit_generator_builds_the_documented_bias():
    data = make_credit_data(20000, seed=0)
    g = data.group
    # the unbiased outcome has (statistically) the same base rate in both groups ...
    assert abs(data.y_unbiased[g == 0].mean() - data.y_unbiased[g == 1].mean()) < 0.03
    # ... the historical labels flip about half of group 1's positives (bias = 0.5) and nothing else
    assert np.all(data.y <= data.y_unbiased)
    assert np.array_equal(data.y[g == 0], data.y_unbiased[g == 0])
    kept = data.y[(g == 1) & (data.y_unbiased == 1)].mean()
    assert kept == pytest.approx(0.5, abs=0.03)
    # the proxy carries the group (correlation ~0.7) ...
    neighbourhood = data.columns(["neighbourhood"])[:, 0]
    assert np.corrcoef(neighbourhood, g)[0, 1] == pytest.approx(0.7, abs=0.05)
    # ... and no bias, no proxy when asked
    clean = make_credit_data(20000, bias=0.0, proxy_strength=0.0, seed=0)
    assert np.array_equal(clean.y, clean.y_unbiased)
    assert abs(np.corrcoef(clean.columns(["neighbourhood"])[:, 0], clean.group)[0, 1]) < 0.03


def test_credit_generator_rejects_bad_arguments():
    with pytest.raises(ValueError, match="bias"):
        make_credit_data(100, bias=1.5)
    with pytest.raises(ValueError, match="group_share"):
        make_credit_data(100, group_share=0.0)
    with pytest.raises(ValueError, match="unknown feature"):
        make_credit_data(100).columns(["zip_code"])
