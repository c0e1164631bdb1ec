"""course_utils.robustness.fairness: group metrics on hand-made cases whose answers are worked out by hand."""

import numpy as np
import pytest

from course_utils.robustness import fairness

# Ten people, two groups of five. Worked out by hand:
#   group "a": y_true 1 1 1 0 0, y_pred 1 1 0 0 1 -> selected 3/5, TPR 2/3, correct 3/5
#   group "b": y_true 1 1 0 0 0, y_pred 1 0 0 0 0 -> selected 1/5, TPR 1/2, correct 4/5
Y_TRUE = np.array([1, 1, 1, 0, 0, 1, 1, 0, 0, 0])
Y_PRED = np.array([1, 1, 0, 0, 1, 1, 0, 0, 0, 0])
GROUP = np.array(["a"] * 5 + ["b"] * 5)


def test_selection_rates_by_hand():
    assert fairness.selection_rates(Y_PRED, GROUP) == pytest.approx({"a": 0.6, "b": 0.2})


def test_demographic_parity_difference_by_hand():
    assert fairness.demographic_parity_difference(Y_PRED, GROUP) == pytest.approx(0.4)


def test_true_positive_rates_and_equal_opportunity_by_hand():
    assert fairness.true_positive_rates(Y_TRUE, Y_PRED, GROUP) == pytest.approx(
        {"a": 2 / 3, "b": 0.5}
    )
    assert fairness.equal_opportunity_difference(Y_TRUE, Y_PRED, GROUP) == pytest.approx(
        2 / 3 - 1 / 2
    )


def test_group_accuracy_by_hand():
    assert fairness.group_accuracy(Y_TRUE, Y_PRED, GROUP) == pytest.approx({"a": 0.6, "b": 0.8})


def test_three_groups_use_max_minus_min():
    y_pred = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0])
    group = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])  # rates 1, 0, 1/3
    assert fairness.selection_rates(y_pred, group) == pytest.approx({0: 1.0, 1: 0.0, 2: 1 / 3})
    assert fairness.demographic_parity_difference(y_pred, group) == pytest.approx(1.0)


def test_fair_and_maximally_unfair_extremes():
    group = np.array([0, 0, 1, 1])
    assert fairness.demographic_parity_difference([1, 0, 0, 1], group) == 0.0
    assert fairness.demographic_parity_difference([1, 1, 0, 0], group) == 1.0
    assert fairness.equal_opportunity_difference([1, 1, 1, 1], [1, 1, 0, 0], group) == 1.0
    # EOD ignores the negatives: the groups differ on y = 0 only
    assert fairness.equal_opportunity_difference([1, 0, 1, 0], [1, 1, 1, 0], group) == 0.0


def test_metrics_match_a_direct_count_on_random_data():
    rng = np.random.default_rng(1)
    y_true, y_pred, group = rng.integers(0, 2, (3, 500))
    s = [y_pred[group == g].sum() / (group == g).sum() for g in (0, 1)]
    t = [(y_pred * y_true)[group == g].sum() / y_true[group == g].sum() for g in (0, 1)]
    assert fairness.demographic_parity_difference(y_pred, group) == pytest.approx(abs(s[0] - s[1]))
    assert fairness.equal_opportunity_difference(y_true, y_pred, group) == pytest.approx(
        abs(t[0] - t[1])
    )
    report = fairness.fairness_report(y_true, y_pred, group)
    assert report["accuracy"] == pytest.approx(np.mean(y_true == y_pred))


def _rate(decisions, mask):
    return decisions[mask].mean()


def test_parity_and_equal_opportunity_can_both_be_zero_at_different_base_rates():
    """Twenty people: base rates 0.6 and 0.3, yet DPD = EOD = 0; equalized odds is what breaks.

    Group a: 6 deserving, 4 selected of them and 1 of the 4 others -> s = 5/10, tpr = 4/6, fpr = 1/4.
    Group b: 3 deserving, 2 selected of them and 3 of the 7 others -> s = 5/10, tpr = 2/3, fpr = 3/7.
    """
    y_true = np.array([1] * 6 + [0] * 4 + [1] * 3 + [0] * 7)
    y_pred = np.array([1, 1, 1, 1, 0, 0, 1, 0, 0, 0] + [1, 1, 0, 1, 1, 1, 0, 0, 0, 0])
    group = np.array(["a"] * 10 + ["b"] * 10)
    base = {g: y_true[group == g].mean() for g in ("a", "b")}
    assert base == pytest.approx({"a": 0.6, "b": 0.3})
    assert fairness.demographic_parity_difference(y_pred, group) == 0.0
    assert fairness.equal_opportunity_difference(y_true, y_pred, group) == 0.0
    # the real impossibility: with equal selection and equal tpr, the false-positive rates differ
    fpr = {g: _rate(y_pred, (group == g) & (y_true == 0)) for g in ("a", "b")}
    assert fpr == pytest.approx({"a": 1 / 4, "b": 3 / 7})


def test_selection_rate_decomposes_into_tpr_and_fpr():
    """s_g = fpr_g + (tpr_g - fpr_g) p_g, the identity behind parity versus equalized odds."""
    rng = np.random.default_rng(3)
    group = rng.integers(0, 3, 900)
    y_true = (rng.random(900) < np.array([0.2, 0.5, 0.7])[group]).astype(int)
    y_pred = (rng.random(900) < 0.3 + 0.4 * y_true).astype(int)
    s = fairness.selection_rates(y_pred, group)
    tpr = fairness.true_positive_rates(y_true, y_pred, group)
    for g in range(3):
        in_g = group == g
        p, fpr = y_true[in_g].mean(), _rate(y_pred, in_g & (y_true == 0))
        assert s[g] == pytest.approx(fpr + (tpr[g] - fpr) * p, rel=1e-12)


def test_chouldechovas_identity_links_calibration_and_error_rates():
    """fpr = p / (1 - p) * (1 - ppv) / ppv * (1 - fnr), per group, on random decisions."""
    rng = np.random.default_rng(4)
    group = rng.integers(0, 2, 2000)
    y_true = (rng.random(2000) < np.where(group == 1, 0.3, 0.6)).astype(int)
    y_pred = (rng.random(2000) < 0.2 + 0.5 * y_true).astype(int)
    tpr = fairness.true_positive_rates(y_true, y_pred, group)
    for g in (0, 1):
        in_g = group == g
        p = y_true[in_g].mean()
        ppv = _rate(y_true, in_g & (y_pred == 1))
        fpr = _rate(y_pred, in_g & (y_true == 0))
        assert fpr == pytest.approx(p / (1 - p) * (1 - ppv) / ppv * tpr[g], rel=1e-12)


def test_reweighing_by_hand():
    # group 0: labels 1 1 1 0 ; group 1: labels 1 0 0 0.  P(g)=1/2, P(y=1)=1/2.
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    w = fairness.reweighing_weights(y, group)
    # cell (0,1): P=3/8 -> (1/2)(1/2)/(3/8) = 2/3 ; (0,0): 1/8 -> 2 ; (1,1): 1/8 -> 2 ; (1,0): 3/8 -> 2/3
    assert np.allclose(w, [2 / 3, 2 / 3, 2 / 3, 2, 2, 2 / 3, 2 / 3, 2 / 3])
    # weighted, the label no longer depends on the group, and the weights average to 1
    for g in (0, 1):
        assert np.average(y[group == g], weights=w[group == g]) == pytest.approx(0.5)
    assert w.mean() == pytest.approx(1.0)


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="0/1"):
        fairness.selection_rates([0, 2, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="one entry per person"):
        fairness.selection_rates([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="at least two groups"):
        fairness.demographic_parity_difference([0, 1, 1], [5, 5, 5])
    with pytest.raises(ValueError, match="undefined"):
        fairness.true_positive_rates([1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        fairness.group_accuracy([1, 0], [1, 0, 1], [0, 1, 1])


def test_reweighing_with_three_groups_by_hand():
    # group a: labels 1 1 0 ; group b: 1 0 0 0 0 0 ; group c: 1 1 1 ; n = 12, P(y=1) = 6/12
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1])
    group = np.array(["a"] * 3 + ["b"] * 6 + ["c"] * 3)
    w = fairness.reweighing_weights(y, group)
    # w = P(g) P(y) / P(g, y): (a,1) (3/12)(6/12)/(2/12) = 3/4, (a,0) 3/2, (b,1) 3, (b,0) 3/5,
    # (c,1) (3/12)(6/12)/(3/12) = 1/2; c has no negative label
    expected = [3 / 4, 3 / 4, 3 / 2, 3, 3 / 5, 3 / 5, 3 / 5, 3 / 5, 3 / 5, 1 / 2, 1 / 2, 1 / 2]
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    # weighted, every cell holds P(g) P(y) of the data (c's empty negative cell stays empty)
    for g in ("a", "b"):
        for label in (0, 1):
            cell = (group == g) & (y == label)
            assert w[cell].sum() / len(y) == pytest.approx(
                (group == g).mean() * (y == label).mean(), rel=1e-12
            )


def test_every_refusal_says_exactly_what_was_expected():
    cases = [
        (
            lambda: fairness.selection_rates([[0, 1]], [0, 1]),
            r"^y_pred must be a 1-D array, got shape \(1, 2\)$",
        ),
        (lambda: fairness.selection_rates([], []), r"^y_pred is empty$"),
        (
            lambda: fairness.selection_rates([0, 2, 1, 0.5], [0, 1, 1, 0]),
            r"^y_pred must hold 0/1 decisions or outcomes, found values such as \[0\.0, 0\.5, 1\.0, 2\.0\]$",
        ),
        (
            lambda: fairness.selection_rates([0, 1, 1], [0, 1]),
            r"^group must be a 1-D array with one entry per person \(3\), got shape \(2,\)$",
        ),
        (
            lambda: fairness.selection_rates([0, 1], [[0, 1]]),
            r"^group must be a 1-D array with one entry per person \(2\), got shape \(1, 2\)$",
        ),
        (
            lambda: fairness.demographic_parity_difference([0, 1, 1], [5, 5, 5]),
            r"^group holds a single value: group metrics need at least two groups$",
        ),
        (
            lambda: fairness.true_positive_rates([1, 0, 0, 0], [1, 0, 0, 0], ["a", "a", "b", "b"]),
            r"^group 'b' has no person with y_true = 1: its true-positive rate is undefined$",
        ),
        (
            lambda: fairness.true_positive_rates([1, 0], [1, 0, 1], [0, 1, 1]),
            r"^y_true and y_pred must have the same length, got 2 and 3$",
        ),
        (
            lambda: fairness.group_accuracy([1, 0], [1, 0, 1], [0, 1, 1]),
            r"^y_true and y_pred must have the same length, got 2 and 3$",
        ),
        (lambda: fairness.reweighing_weights([0, 1, 3], [0, 1, 1]), r"^y must hold 0/1"),
        (lambda: fairness.fairness_report([0, 1], [0, 7], [0, 1]), r"^y_pred must hold 0/1"),
        (lambda: fairness.fairness_report([0, 7], [0, 1], [0, 1]), r"^y_true must hold 0/1"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


def test_the_report_by_hand_with_three_named_groups():
    y_true = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 1])
    y_pred = np.array([1, 0, 0, 1, 1, 0, 1, 1, 1, 0])
    group = np.array(["x", "x", "x", "x", "y", "y", "y", "z", "z", "z"])
    report = fairness.fairness_report(y_true, y_pred, group)
    assert report["accuracy"] == pytest.approx(6 / 10)
    assert report["selection_rates"] == pytest.approx({"x": 2 / 4, "y": 2 / 3, "z": 2 / 3})
    assert report["true_positive_rates"] == pytest.approx({"x": 1 / 2, "y": 1.0, "z": 1 / 2})
    assert report["group_accuracy"] == pytest.approx({"x": 2 / 4, "y": 1.0, "z": 1 / 3})
    assert report["demographic_parity_difference"] == pytest.approx(2 / 3 - 2 / 4)
    assert report["equal_opportunity_difference"] == pytest.approx(1 - 1 / 2)
    # keys are plain Python values, so the dicts print and compare as learners expect
    assert all(type(k) is str for k in report["selection_rates"])
    numeric = fairness.selection_rates([1, 0, 1], np.array([3, 4, 4]))
    assert numeric == {3: 1.0, 4: 0.5} and all(type(k) is int for k in numeric)
    weights = fairness.reweighing_weights(y_true, group)
    assert weights.dtype == np.float64 and weights.shape == (10,)


def test_reweighing_with_unequal_label_rates_by_hand():
    # P(y=1) = 3/8: group a holds labels 1 0 0 0 0 (n=5), group b 1 1 0 (n=3)
    y = np.array([1, 0, 0, 0, 0, 1, 1, 0])
    group = np.array(["a"] * 5 + ["b"] * 3)
    w = fairness.reweighing_weights(y, group)
    # (a,1): (5/8)(3/8)/(1/8) = 15/8; (a,0): (5/8)(5/8)/(4/8) = 25/32; (b,1): (3/8)(3/8)/(2/8) = 9/16;
    # (b,0): (3/8)(5/8)/(1/8) = 15/8
    expected = [15 / 8] + [25 / 32] * 4 + [9 / 16] * 2 + [15 / 8]
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_each_function_names_the_argument_it_refuses():
    for call, name in [
        (lambda: fairness.group_accuracy([0, 2], [0, 1], [0, 1]), "y_true"),
        (lambda: fairness.group_accuracy([0, 1], [0, 2], [0, 1]), "y_pred"),
        (lambda: fairness.true_positive_rates([0, 2], [0, 1], [0, 1]), "y_true"),
        (lambda: fairness.true_positive_rates([0, 1], [0, 2], [0, 1]), "y_pred"),
        (lambda: fairness.equal_opportunity_difference([1, 1], [2, 1], [0, 1]), "y_pred"),
    ]:
        with pytest.raises(ValueError, match=rf"^{name} must hold 0/1 decisions or outcomes"):
            call()
    # the message shows at most five of the values it found
    with pytest.raises(ValueError, match=r"found values such as \[2, 3, 4, 5, 6\]$"):
        fairness.selection_rates([2, 3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 0, 1, 0])
