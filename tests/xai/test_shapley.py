"""course_utils.xai.shapley: known games, the four axioms, KernelSHAP against exact values, a linear model and shap.

kernel_shap explains a batch, one target per row; with segments each image's segments are the players.
"""

import warnings
from math import comb

import numpy as np
import pytest

from course_utils.xai import ShapleyResult, grid_segments, kernel_shap, shapley_exact
from course_utils.xai.shapley import MAX_EXACT_PLAYERS, all_coalitions

# --- games with known answers ---------------------------------------------------------------


def test_glove_game():
    # player 0 holds the only left glove, players 1 and 2 hold right gloves; a pair is worth 1
    def glove(masks):
        return np.minimum(masks[:, :1].sum(1), masks[:, 1:].sum(1)).astype(float)

    result = shapley_exact(glove, 3)
    assert np.allclose(result.values, [2 / 3, 1 / 6, 1 / 6])
    assert result.base_value == 0 and result.exact and result.n_evaluations == 8


def test_weighted_voting_game():
    # [51; 50, 30, 20]: the big player is pivotal in 4 of the 6 orders (Shapley-Shubik index)
    weights = np.array([50, 30, 20])
    result = shapley_exact(lambda m: (m @ weights >= 51).astype(float), 3)
    assert np.allclose(result.values, [4 / 6, 1 / 6, 1 / 6])


def test_un_security_council():
    # 5 permanent members (weight 7, a veto) and 10 elected (weight 1), quota 39: the classic
    # Shapley-Shubik answer is 421/2145 per permanent member and 4/2145 per elected member
    weights = np.array([7] * 5 + [1] * 10)
    result = shapley_exact(lambda m: (m @ weights >= 39).astype(float), 15)
    assert np.allclose(result.values[:5], 421 / 2145)
    assert np.allclose(result.values[5:], 4 / 2145)


def test_additive_game_gives_each_player_its_weight():
    w = np.array([3.0, -1.0, 0.5, 2.0, 0.0])
    result = shapley_exact(lambda m: m @ w + 10.0, 5)
    assert np.allclose(result.values, w)
    assert np.isclose(result.base_value, 10.0)


# --- the four axioms on random games --------------------------------------------------------


def _table_game(table):
    codes = 1 << np.arange(int(np.log2(len(table))))
    return lambda masks: table[masks.astype(np.int64) @ codes]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_axioms_on_random_games(seed):
    n = 6
    rng = np.random.default_rng(seed)
    v, w = rng.normal(size=2**n), rng.normal(size=2**n)
    masks = all_coalitions(n)
    codes = 1 << np.arange(n)
    phi_v = shapley_exact(_table_game(v), n).values
    # efficiency: the values share out v(N) - v(empty)
    assert np.isclose(phi_v.sum(), v[-1] - v[0])
    # additivity: phi(v + w) = phi(v) + phi(w)
    assert np.allclose(
        shapley_exact(_table_game(v + w), n).values, phi_v + shapley_exact(_table_game(w), n).values
    )
    # symmetry: make players 1 and 4 interchangeable, they get equal values
    swapped = masks.copy()
    swapped[:, [1, 4]] = swapped[:, [4, 1]]
    sym = (v + v[swapped.astype(np.int64) @ codes]) / 2
    phi_sym = shapley_exact(_table_game(sym), n).values
    assert np.isclose(phi_sym[1], phi_sym[4])
    assert not np.isclose(phi_sym[1], phi_sym[2])  # the test can fail: other players differ
    # dummy: a player who never changes the value gets zero
    without_3 = masks.copy()
    without_3[:, 3] = False
    dummy = v[without_3.astype(np.int64) @ codes]
    phi_dummy = shapley_exact(_table_game(dummy), n).values
    assert np.isclose(phi_dummy[3], 0.0)
    assert np.all(np.abs(np.delete(phi_dummy, 3)) > 1e-9)


def test_games_with_several_outputs():
    rng = np.random.default_rng(3)
    tables = rng.normal(size=(2**4, 3))
    codes = 1 << np.arange(4)
    result = shapley_exact(lambda m: tables[m.astype(np.int64) @ codes], 4)
    assert result.values.shape == (4, 3)
    for k in range(3):
        assert np.allclose(result.values[:, k], shapley_exact(_table_game(tables[:, k]), 4).values)


def test_shapley_exact_refuses_large_games_and_bad_value_functions():
    called = []
    with pytest.raises(ValueError, match=f"at most {MAX_EXACT_PLAYERS} players"):
        shapley_exact(lambda m: called.append(1) or np.zeros(len(m)), MAX_EXACT_PLAYERS + 1)
    assert not called, "the value function must not be called before the size check"
    with pytest.raises(
        ValueError,
        match=r"value_fn must return one row of outputs per input, shape \(8,\) or \(8, K\); it returned shape \(3,\)",
    ):
        shapley_exact(lambda m: np.zeros(3), 3)
    with pytest.raises(ValueError, match="positive integer"):
        shapley_exact(lambda m: np.zeros(len(m)), 0)


# --- KernelSHAP -----------------------------------------------------------------------------


def _mlp_function(n_features, seed=0):
    """A small nonlinear model with an interaction: rows (k, n) -> (k,)."""
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(size=(n_features, 8)), rng.normal(size=8)
    return lambda rows: np.tanh(rows @ w1) @ w2 + 0.3 * rows[:, 0] * rows[:, 1]


def _interventional_game(f, x, background):
    """v(S) = mean over background rows of f(x on S, background elsewhere): the game KernelSHAP explains."""

    def value(masks):
        rows = np.where(masks[:, None, :], x[None, None, :], background[None, :, :]).reshape(
            -1, len(x)
        )
        out = f(rows)
        return out.reshape(len(masks), len(background), *out.shape[1:]).mean(axis=1)

    return value


def test_kernel_shap_equals_exact_shapley_when_it_enumerates():
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(6, 8)), rng.normal(size=(8, 3))

    def f(rows):
        return np.tanh(rows @ w1) @ w2 + (rows[:, 0] * rows[:, 1])[:, None]

    x, background = rng.normal(size=6), rng.normal(size=(7, 6))
    exact = shapley_exact(_interventional_game(f, x, background), 6)
    # the same x three times, one output each: row k explains output k
    rows = np.repeat(x[None], 3, axis=0)
    phi, result = kernel_shap(
        f, rows, [0, 1, 2], background=background, n_samples=62, return_shapley=True
    )  # 2^6 - 2 coalitions: all of them
    assert isinstance(result, ShapleyResult) and result.exact and result.values.shape == (3, 6)
    np.testing.assert_array_equal(
        phi, result.values
    )  # features are the players: phi is the values, shaped like x
    assert np.allclose(result.values, exact.values.T, atol=1e-10)
    assert np.allclose(result.base_value, f(background).mean(axis=0))
    assert np.allclose(result.values.sum(axis=1) + result.base_value, f(x[None])[0])
    assert result.n_evaluations == 62


@pytest.mark.parametrize("n_features, nsamples", [(8, 2048), (30, 300)])
def test_kernel_shap_on_a_linear_model(n_features, nsamples):
    # for f(x) = w . x + b the Shapley values are w * (x - mean(background)), enumerated or sampled
    rng = np.random.default_rng(n_features)
    w = rng.normal(size=n_features)
    x, background = rng.normal(size=n_features), rng.normal(size=(25, n_features))
    _, result = kernel_shap(
        lambda rows: rows @ w + 0.7,
        x[None],
        0,
        background=background,
        n_samples=nsamples,
        seed=1,
        return_shapley=True,
    )
    assert result.exact == (2**n_features - 2 <= nsamples)
    assert np.allclose(result.values[0], w * (x - background.mean(axis=0)), atol=1e-9)


def test_kernel_shap_enforces_efficiency_when_sampling_and_zeroes_dummies():
    f = _mlp_function(20, seed=2)
    rng = np.random.default_rng(2)
    x, background = rng.normal(size=20), rng.normal(size=(4, 20))
    background[:, 5] = x[5]  # feature 5 equals x in every background row: it cannot matter
    _, result = kernel_shap(
        f, x[None], 0, background=background, n_samples=200, seed=0, return_shapley=True
    )
    assert not result.exact
    assert result.values[0, 5] == 0.0
    assert np.isclose(result.values.sum() + result.base_value[0], f(x[None])[0], atol=1e-10)
    _, again = kernel_shap(
        f, x[None], 0, background=background, n_samples=200, seed=0, return_shapley=True
    )
    assert np.array_equal(result.values, again.values), "the same seed must give the same values"


def test_kernel_shap_explains_a_row_alone_as_inside_a_batch():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(12, 3))

    def f(rows):
        return np.tanh(rows @ w) + rows[:, :1] * rows[:, 1:2]

    x, background = rng.normal(size=(4, 12)), rng.normal(size=(3, 12))
    x[2, 4] = background[0, 4] = background[1, 4] = background[
        2, 4
    ]  # one row with a dummy feature: fewer players there
    targets = np.array([2, 0, 1, 2])
    batch, result = kernel_shap(
        f, x, targets, background=background, n_samples=300, seed=4, return_shapley=True
    )
    assert not result.exact and batch[2, 4] == 0.0
    for i in range(4):
        alone, single = kernel_shap(
            f,
            x[i : i + 1],
            int(targets[i]),
            background=background,
            n_samples=300,
            seed=4,
            return_shapley=True,
        )
        np.testing.assert_array_equal(alone[0], batch[i])
        assert single.base_value[0] == result.base_value[i]
    assert not np.allclose(batch[0], batch[3])


def test_a_baseline_is_a_background_of_one_row():
    f = _mlp_function(6, seed=6)
    rng = np.random.default_rng(6)
    x, reference = rng.normal(size=(3, 6)), rng.normal(size=6)
    np.testing.assert_array_equal(
        kernel_shap(f, x, 0, reference), kernel_shap(f, x, 0, background=reference[None])
    )
    np.testing.assert_array_equal(
        kernel_shap(f, x, 0), kernel_shap(f, x, 0, background=np.zeros((1, 6)))
    )  # None: zeros
    np.testing.assert_array_equal(
        kernel_shap(f, x, 0, 0.5), kernel_shap(f, x, 0, background=np.full((1, 6), 0.5))
    )


# --- KernelSHAP on images: segments are the players ------------------------------------------------


def _image_model(shape, seed=0):
    """A nonlinear model of images of ``shape`` with three outputs; a NumPy function of batches (k, *shape)."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(int(np.prod(shape)), 3)) / 10

    def f(batch):
        flat = batch.reshape(len(batch), -1)
        return np.tanh(flat @ w) * 2 + flat.mean(axis=1, keepdims=True) ** 2

    return f


def _segment_game(f, image, target, baseline, segments, layout):
    """v(S): f with the segments in S from the image, the others from the baseline (the game kernel_shap solves)."""

    def value(masks):
        keep = np.asarray(masks, dtype=bool)[:, segments]
        keep = {"hw": keep, "chw": keep[:, None], "hwc": keep[..., None]}[layout]
        return f(np.where(keep, image[None], baseline))[:, target]

    return value


@pytest.mark.parametrize("layout", ["hw", "chw", "hwc"])
def test_kernel_shap_with_segments_spreads_each_value_and_is_efficient(layout):
    rng = np.random.default_rng(7)
    segments = grid_segments(9, 9, cell=3)  # 9 players: every coalition is enumerated
    example = {"hw": (9, 9), "chw": (3, 9, 9), "hwc": (9, 9, 3)}[layout]
    x = rng.random((3, *example)).astype(np.float32)
    baseline = rng.random(example).astype(np.float32)
    f = _image_model(example)
    targets = np.array([0, 2, 1])
    phi, result = kernel_shap(
        f, x, targets, baseline, segments=segments, n_samples=600, return_shapley=True
    )
    assert phi.shape == x.shape and phi.dtype == np.float32
    assert result.exact and result.values.shape == (3, 9)
    per_pixel = (
        phi if layout == "hw" else (phi.sum(axis=1) if layout == "chw" else phi.sum(axis=-1))
    )
    for k in range(9):  # the map summed over a segment's pixels is the segment's value
        np.testing.assert_allclose(
            per_pixel[:, segments == k].sum(axis=1), result.values[:, k], rtol=1e-5, atol=1e-6
        )
    # efficiency: each map sums to f(x) - f(baseline), computed here
    fx, fb = (
        f(x.astype(np.float64))[np.arange(3), targets],
        f(baseline[None].astype(np.float64))[0, targets],
    )
    np.testing.assert_allclose(phi.reshape(3, -1).sum(axis=1), fx - fb, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(result.base_value, fb, rtol=1e-5)
    for i in range(
        3
    ):  # the values are the exact Shapley values of the segment game, and an image alone gets the same map
        exact = shapley_exact(
            _segment_game(f, x[i], targets[i], baseline, segments, layout), 9
        ).values
        np.testing.assert_allclose(result.values[i], exact, rtol=1e-4, atol=1e-5)
        alone = kernel_shap(
            f, x[i : i + 1], int(targets[i]), baseline, segments=segments, n_samples=600
        )
        np.testing.assert_array_equal(alone[0], phi[i])


def test_kernel_shap_gives_every_channel_of_a_pixel_the_same_value():
    rng = np.random.default_rng(8)
    segments = grid_segments(8, 8, cell=2)  # 16 players, sampled
    first = rng.random((2, 3, 8, 8)).astype(np.float32)  # (N, 3, H, W)
    last = np.ascontiguousarray(first.transpose(0, 2, 3, 1))  # the same images as (N, H, W, 3)
    f_first = _image_model((3, 8, 8), seed=1)

    def f_last(batch):  # the same model, reading channels-last images
        return f_first(np.asarray(batch).transpose(0, 3, 1, 2))

    phi_first, r_first = kernel_shap(
        f_first, first, 1, segments=segments, n_samples=500, seed=2, return_shapley=True
    )
    phi_last, r_last = kernel_shap(
        f_last, last, 1, segments=segments, n_samples=500, seed=2, return_shapley=True
    )
    assert not r_first.exact
    np.testing.assert_array_equal(
        kernel_shap(f_first, first[1:], 1, segments=segments, n_samples=500, seed=2)[0],
        phi_first[1],
    )  # sampled: alone = in the batch
    for c in (1, 2):
        np.testing.assert_array_equal(phi_first[:, c], phi_first[:, 0])
        np.testing.assert_array_equal(phi_last[..., c], phi_last[..., 0])
    np.testing.assert_allclose(r_last.values, r_first.values, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(phi_last, phi_first.transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-7)
    pixels = np.bincount(segments.ravel())  # 4 pixels per segment, 3 channels each
    np.testing.assert_allclose(
        phi_first[:, 0], (r_first.values / (pixels * 3))[:, segments], rtol=1e-5
    )
    f0 = f_first(np.zeros((1, 3, 8, 8)))[0, 1]
    np.testing.assert_allclose(
        phi_first.reshape(2, -1).sum(axis=1),
        f_first(first.astype(np.float64))[:, 1] - f0,
        rtol=1e-4,
        atol=1e-5,
    )


def _shap_kernel(f, background, x, nsamples, seed, l1_reg=False):
    shap = pytest.importorskip("shap")
    np.random.seed(seed)  # shap.KernelExplainer samples with NumPy's global generator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.KernelExplainer(f, background)
        return np.asarray(explainer.shap_values(x, nsamples=nsamples, l1_reg=l1_reg, silent=True))


def test_kernel_shap_matches_shap_when_both_enumerate():
    f = _mlp_function(8, seed=4)
    rng = np.random.default_rng(4)
    x, background = rng.normal(size=8), rng.normal(size=(5, 8))
    theirs = _shap_kernel(f, background, x, nsamples=2048, seed=0)
    rows = np.stack([rng.normal(size=8), x, rng.normal(size=8)])  # x is row 1 of the batch
    _, ours = kernel_shap(f, rows, 0, background=background, n_samples=2048, return_shapley=True)
    assert ours.exact
    assert np.allclose(ours.values[1], theirs, atol=1e-8)
    assert np.isclose(ours.base_value[1], f(background).mean())


def test_kernel_shap_agrees_with_shap_within_sampling_error():
    """16 features, 1,024 coalitions of 65,534: both estimators sample.

    Tolerance, and why: measured against the exact values (65,536 coalitions), each estimator's
    L2 error at this budget is about 3 % of ||phi|| (mean over five seeds: ours 0.039, shap's 0.038,
    ||phi|| = 1.36), and the two differ from each other by 4.4 % on average, as two independent
    estimates with 3 % errors should (sqrt(2) * 3 %). We allow 10 % for the mean difference, and
    require our error to be at most 1.25 times shap's (the same budget and sampler design).
    """
    n = 16
    f = _mlp_function(n, seed=1)
    rng = np.random.default_rng(1)
    x, background = rng.normal(size=n), rng.normal(size=(5, n))
    exact = shapley_exact(_interventional_game(f, x, background), n).values
    ours_err, shap_err, diff = [], [], []
    for seed in range(5):
        ours = kernel_shap(f, x[None], 0, background=background, n_samples=1024, seed=seed)[0]
        theirs = _shap_kernel(f, background, x, nsamples=1024, seed=seed)
        ours_err.append(np.linalg.norm(ours - exact))
        shap_err.append(np.linalg.norm(theirs - exact))
        diff.append(np.linalg.norm(ours - theirs))
    scale = np.linalg.norm(exact)
    assert np.mean(diff) / scale < 0.10, (np.mean(diff), scale)
    assert np.mean(ours_err) <= 1.25 * np.mean(shap_err), (ours_err, shap_err)
    assert np.mean(ours_err) / scale > 1e-3, (
        "with 1,024 of 65,534 coalitions the estimate should not be exact"
    )


def test_kernel_shap_spends_no_more_than_its_budget():
    """Every coalition is one evaluation per reference row: count the rows the model is asked for."""
    f = _mlp_function(12, seed=3)
    rng = np.random.default_rng(3)
    x, background = rng.normal(size=12), rng.normal(size=(3, 12))
    asked = []

    def counting(rows):
        asked.append(len(rows))
        return f(rows)

    for budget in (40, 301, 1000):  # 4,094 coalitions exist: all three budgets sample
        asked.clear()
        _, result = kernel_shap(
            counting, x[None], 0, background=background, n_samples=budget, return_shapley=True
        )
        coalition_rows = sum(asked) - len(background) - 1  # less the references and x itself
        assert not result.exact
        assert coalition_rows == result.n_evaluations * len(background)
        # duplicates drawn twice are evaluated once: at most the budget, and most of it is used
        assert 0.8 * budget <= result.n_evaluations <= budget, (budget, result.n_evaluations)


def test_sampled_coalitions_carry_the_shapley_kernel_mass_of_each_size():
    """The regression converges to Shapley values only if each subset size |z| carries the kernel's
    share of the weight, (m - 1) / (|z| (m - |z|)) normalised over 1..m-1: the sizes the budget
    enumerates carry it exactly, the sampled sizes in expectation (here within 4 standard errors)."""
    from course_utils.xai.shapley import _sample_coalitions

    m, budget = 14, 500
    sizes = np.arange(1, m)
    kernel_mass = (m - 1) / (sizes * (m - sizes))
    kernel_mass /= kernel_mass.sum()
    per_size = []
    for seed in range(40):
        masks, weights, exact = _sample_coalitions(m, budget, np.random.default_rng(seed))
        assert not exact and len(masks) <= budget
        assert len(np.unique(masks, axis=0)) == len(masks), "each coalition once, with its weight"
        assert np.all((masks.sum(axis=1) > 0) & (masks.sum(axis=1) < m)), "no empty or full one"
        assert np.isclose(weights.sum(), 1.0)
        per_size.append([weights[masks.sum(axis=1) == s].sum() for s in sizes])
    per_size = np.array(per_size)
    enumerated = np.ptp(per_size, axis=0) < 1e-12
    assert enumerated[[0, -1]].all() and not enumerated.all(), "outer sizes listed, inner sampled"
    np.testing.assert_allclose(per_size[0, enumerated], kernel_mass[enumerated], rtol=1e-12)
    mean = per_size[:, ~enumerated].mean(axis=0)
    error = per_size[:, ~enumerated].std(axis=0, ddof=1) / np.sqrt(len(per_size))
    assert np.all(np.abs(mean - kernel_mass[~enumerated]) < 4 * error + 1e-12), (
        mean,
        kernel_mass[~enumerated],
        error,
    )
    # a sampled coalition and its complement come in pairs (the variance-reduction trick)
    masks, _, _ = _sample_coalitions(m, budget, np.random.default_rng(0))
    rows = {tuple(r) for r in masks}
    assert all(tuple(~np.array(r)) in rows for r in rows)


def test_sampled_kernel_shap_converges_to_the_exact_values():
    """10 features with interactions: the error shrinks as the budget grows, towards exactness."""
    n = 10
    f = _mlp_function(n, seed=6)
    rng = np.random.default_rng(6)
    x, background = rng.normal(size=n), rng.normal(size=(4, n))
    exact = shapley_exact(_interventional_game(f, x, background), n).values
    errors = {}
    for budget in (60, 200, 1000):  # of 1,022 coalitions
        errors[budget] = np.mean(
            [
                np.linalg.norm(
                    kernel_shap(f, x[None], 0, background=background, n_samples=budget, seed=s)[0]
                    - exact
                )
                for s in range(8)
            ]
        ) / np.linalg.norm(exact)
    assert errors[60] > errors[200] > errors[1000], errors
    assert errors[1000] < 0.01, errors


def test_shap_default_l1_reg_selects_features():
    # why the comparisons pass l1_reg=False: by default shap keeps only ten features
    f = _mlp_function(16, seed=1)
    rng = np.random.default_rng(1)
    x, background = rng.normal(size=16), rng.normal(size=(5, 16))
    default = _shap_kernel(f, background, x, nsamples=1024, seed=0, l1_reg="num_features(10)")
    assert np.count_nonzero(default) <= 10
    assert np.count_nonzero(kernel_shap(f, x[None], 0, background=background, n_samples=1024)) == 16


def test_kernel_shap_bad_input():
    f = _mlp_function(4)
    x, background = np.zeros((1, 4)), np.ones((3, 4))
    with pytest.raises(
        ValueError, match=r"background must have shape \(m, 4\).*got shape \(3, 5\)"
    ):
        kernel_shap(f, x, 0, background=np.ones((3, 5)))
    with pytest.raises(ValueError, match="too small"):
        kernel_shap(
            _mlp_function(10), np.zeros((1, 10)), 0, background=np.ones((2, 10)), n_samples=5
        )
    with pytest.raises(
        ValueError, match=r"returned shape \(3, 2, 2\)"
    ):  # the background rows are the first the model sees
        kernel_shap(lambda rows: np.zeros((len(rows), 2, 2)), x, 0, background=background)
    with pytest.raises(ValueError, match=r"returned shape \(7,\)"):
        kernel_shap(lambda rows: np.zeros(7), x, 0, background=background)
    with pytest.raises(
        ValueError,
        match=r"x must be a batch, shape \(N, \.\.\.\) with the examples along axis 0; got shape \(4,\)\. For a single example use x\[None\]\.",
    ):
        kernel_shap(f, np.zeros(4), 0, background=background)
    with pytest.raises(
        ValueError,
        match=r"give either baseline \(one reference input\) or background \(a set of rows\), not both",
    ):
        kernel_shap(f, x, 0, np.zeros(4), background=background)
    with pytest.raises(
        ValueError,
        match=r"target 1 is outside the model's outputs: expected a class index in 0\.\.0",
    ):
        kernel_shap(f, x, 1, background=background)
    with pytest.raises(ValueError, match=r"kernel_shap with segments takes a batch of images"):
        kernel_shap(f, x, 0, segments=np.zeros((2, 2), int))


# --- documented values, defaults and edge cases ---------------------------------------------------


def test_the_shapley_kernel_by_hand_and_its_shape():
    from course_utils.xai.shapley import shapley_kernel_weight

    # pi(z) = (n - 1) / (C(n, |z|) |z| (n - |z|)): n = 4, sizes 1, 2, 3 -> 3/12, 3/24, 3/12
    np.testing.assert_allclose(shapley_kernel_weight(4, [1, 2, 3]), [0.25, 0.125, 0.25])
    np.testing.assert_allclose(
        shapley_kernel_weight(5, np.array([[1, 2], [3, 4]])), [[0.2, 1 / 15], [1 / 15, 0.2]]
    )


def test_a_game_of_one_player_gives_it_everything():
    result = shapley_exact(lambda masks: np.where(masks[:, 0], 5.0, 2.0), 1)
    np.testing.assert_allclose(result.values, [3.0])
    with pytest.raises(
        ValueError,
        match=rf"^shapley_exact enumerates 2\^n coalitions; n_players=21 would need {2**21:,} evaluations\. ",
    ):
        shapley_exact(lambda m: np.zeros(len(m)), MAX_EXACT_PLAYERS + 1)


def test_one_varying_feature_gets_the_whole_change_and_none_no_evaluation():
    f = _mlp_function(5, seed=7)
    rng = np.random.default_rng(7)
    background = np.repeat(rng.normal(size=(1, 5)), 3, axis=0)
    x = np.repeat(background[:1], 2, axis=0)
    x[0, 3] += 1.0  # row 0 differs from the background in feature 3 only; row 1 nowhere
    _, result = kernel_shap(f, x, 0, background=background, return_shapley=True)
    expected = np.zeros((2, 5))
    expected[0, 3] = f(x[:1])[0] - f(background[:1])[0]
    np.testing.assert_allclose(result.values, expected, atol=1e-12)
    assert result.n_evaluations == 0, "no coalition needs the model when one feature or none plays"


def test_kernel_shap_defaults_are_2048_coalitions_from_seed_0():
    f = _mlp_function(12, seed=8)
    rng = np.random.default_rng(8)
    x, background = rng.normal(size=(1, 12)), rng.normal(size=(3, 12))
    default = kernel_shap(f, x, 0, background=background)
    np.testing.assert_array_equal(
        default, kernel_shap(f, x, 0, background=background, n_samples=2048, seed=0)
    )
    assert not np.array_equal(
        default, kernel_shap(f, x, 0, background=background, n_samples=2048, seed=1)
    )
    seen = []

    def recording(rows):
        seen.append(rows.dtype)
        return f(rows)

    kernel_shap(
        recording, x.astype(np.float32), 0, background=background.astype(np.float32), n_samples=100
    )
    assert set(seen) == {np.dtype(np.float32)}, "the model sees rows of the data's dtype"
    for name in ("n_samples", "batch_size"):
        with pytest.raises(ValueError, match=rf"^{name} must be an int >= 1, got 0$"):
            kernel_shap(f, x, 0, background=background, **{name: 0})


def test_the_weighted_least_squares_splits_tied_players_and_solves_each_output():
    from course_utils.xai.shapley import constrained_weighted_least_squares

    # players 0 and 1 always play together: the normal equations are singular, and the
    # minimum-norm solution splits their joint value equally (the symmetry axiom)
    masks = np.array([[1, 1, 0], [0, 0, 1]], dtype=bool)
    phi = constrained_weighted_least_squares(
        masks, np.array([[4.0], [1.0]]), np.array([1.0, 1.0]), np.array([5.0])
    )
    np.testing.assert_allclose(phi[:, 0], [2.0, 2.0, 1.0], atol=1e-12)
    # two outputs at once: each column solved on its own, each summing to its own total
    full = all_coalitions(3)[1:-1]
    values = np.stack([full @ [1.0, 2.0, 3.0], full @ [-1.0, 0.5, 4.0]], axis=1)
    phi = constrained_weighted_least_squares(full, values, np.ones(len(full)), np.array([6.0, 3.5]))
    np.testing.assert_allclose(phi, [[1.0, -1.0], [2.0, 0.5], [3.0, 4.0]], atol=1e-12)


@pytest.mark.parametrize("budget, listed", [(500, {1, 13}), (1500, {1, 2, 12, 13})])
def test_sizes_are_listed_from_the_outside_in_while_the_budget_covers_them(budget, listed):
    """14 players (16,382 coalitions). Kernel mass per size s is proportional to 1/(s (14 - s)).
    With 500: sizes 1 and 13 (28 coalitions) need 28 <= 500 x 0.339 of the mass: listed; sizes 2
    and 12 (182) would need 182 <= 472 x 0.277 = 131: sampled. With 1,500: 1 and 13, then 2 and
    12 (182 <= 1,472 x 0.277 = 408), not 3 and 11 (728 > 1,290 x 0.279 = 360)."""
    from course_utils.xai.shapley import _sample_coalitions

    m = 14
    masks, weights, _ = _sample_coalitions(m, budget, np.random.default_rng(0))
    sizes = masks.sum(axis=1)
    full = {s for s in range(1, m) if (sizes == s).sum() == comb(m, s)}
    assert full == listed
    # the rest of the budget is drawn: every sampled coalition's weight is a whole number of
    # draws times the same share, and the draws add up to what the listed sizes left over
    sampled = ~np.isin(sizes, list(listed))
    per_draw = weights[sampled].min()
    draws = weights[sampled] / per_draw
    np.testing.assert_allclose(draws, np.round(draws), atol=1e-9)
    assert round(draws.sum()) == budget - sum(comb(m, s) for s in listed)
