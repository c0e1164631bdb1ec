"""Exercises and quiz of chapter 18 (course_utils.exercises.ch18_fairness)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from course_utils.data import make_credit_data
from course_utils.exercises import ch18_fairness as ch18
from course_utils.robustness import fairness
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def bound(check, *extra):
    """The checker with the arguments the notebook's check cell passes after the answer."""

    def checker(*answer):
        return check(*answer, *extra)

    checker.exercise = check.exercise
    return checker


def rate(y_pred, mask):
    return np.asarray(y_pred)[mask].mean()


def _dpd(y_pred, group):
    return abs(rate(y_pred, group == 1) - rate(y_pred, group == 0))


def test_demographic_parity_difference(capsys):
    assert_verdicts(
        ch18.check_demographic_parity_difference,
        capsys,
        stub=stub,
        wrongs=[
            lambda y_pred, group: rate(y_pred, group == 1) - rate(y_pred, group == 0),  # signed
            lambda y_pred, group: rate(y_pred, group == 1) / rate(y_pred, group == 0),  # a ratio
            lambda y_pred, group: np.mean(y_pred),  # the overall selection rate
        ],
        raising=raising,
        solution=_dpd,
    )


def test_demographic_parity_difference_agrees_with_the_package():
    rng = np.random.default_rng(5)
    y_pred, group = rng.integers(0, 2, (2, 500))
    assert np.isclose(_dpd(y_pred, group), fairness.demographic_parity_difference(y_pred, group))


def _eod(y_true, y_pred, group):
    tprs = [rate(y_pred, (group == g) & (y_true == 1)) for g in np.unique(group)]
    return max(tprs) - min(tprs)


def _eod_first_last(y_true, y_pred, group):
    tprs = [rate(y_pred, (group == g) & (y_true == 1)) for g in np.unique(group)]
    return abs(tprs[-1] - tprs[0])


def _eod_two_groups(y_true, y_pred, group):
    return abs(
        rate(y_pred, (group == 1) & (y_true == 1)) - rate(y_pred, (group == 0) & (y_true == 1))
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the mean of an empty group
def test_equal_opportunity_any_groups(capsys):
    assert_verdicts(
        ch18.check_equal_opportunity_any_groups,
        capsys,
        stub=stub,
        wrongs=[
            _eod_two_groups,  # groups 0 and 1 hard-coded
            _eod_first_last,  # the first and the last group, not the extremes
            lambda y_true, y_pred, group: _eod(
                np.ones_like(y_true), y_pred, group
            ),  # ignores y_true
        ],
        raising=raising,
        solution=_eod,
    )


def test_equal_opportunity_agrees_with_an_analytic_case():
    # three groups whose TPRs are 1/4, 3/4 and 1/2 by construction: EOD = 1/2
    y_true = np.ones(12, dtype=int)
    y_pred = np.array([1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0])
    group = np.repeat(["x", "y", "z"], 4)
    assert np.isclose(_eod(y_true, y_pred, group), 0.5)
    assert np.isclose(fairness.equal_opportunity_difference(y_true, y_pred, group), 0.5)


@pytest.fixture(scope="module")
def credit():
    data = make_credit_data(1500, seed=1)
    features = ["income", "debt_ratio", "years_of_history", "late_payments", "neighbourhood"]
    x = data.columns(features)
    model = LogisticRegression().fit(x[:1000], data.y[:1000])
    return model, x[1000:], data.group[1000:]


def test_threshold_experiment(capsys, credit):
    model, x, group = credit
    p = model.predict_proba(x)[:, 1]
    # an independent computation with plain masks
    dpds = []
    for t in ch18.THRESHOLDS:
        approve = np.where(group == 1, p >= t, p >= 0.5)
        dpds.append(abs(approve[group == 1].mean() - approve[group == 0].mean()))
    np.testing.assert_allclose(ch18.threshold_dpds(model, x, group), dpds)
    best = int(np.argmin(dpds))
    assert dpds[best] < dpds[-1], "a lower group-1 threshold narrows the gap on the biased labels"
    t = ch18.THRESHOLDS
    assert_verdicts(
        bound(ch18.check_threshold_experiment, model, x, group),
        capsys,
        stub=(..., ...),
        wrongs=[
            (t[-1], dpds[-1]),  # the untouched threshold 0.5
            (t[best], dpds[best] + 0.02),
            (t[best - 1] if best else t[best + 1], dpds[best]),
        ],
        raising=(Exploding(), 0.1),
        solution=(t[best], dpds[best]),
    )


@pytest.mark.parametrize(
    ("exercise_id", "name", "solution"),
    [
        ("18.1", "demographic_parity_difference", _dpd),
        ("18.2", "equal_opportunity_difference", _eod),
    ],
)
def test_hidden_tests_pass_on_the_solution(exercise_id, name, solution):
    from course_utils import exercises

    exec(
        exercises.EXERCISES[exercise_id].hidden_test,
        {"np": np, "exercises": exercises, name: solution},
    )
