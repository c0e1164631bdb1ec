"""course_utils.xai.metrics: exact answers on linear models, the course CNN, and Captum's metrics.

Every metric takes (model, x, target, explanation_or_method, ...): attributions shaped like x, or a method(model, x, target).
"""

import numpy as np
import pytest

from course_utils import xai
from course_utils.xai import (
    deletion_curve,
    infidelity,
    insertion_curve,
    randomization_test,
    rank_correlation,
    sensitivity_max,
)

# --- linear models: exact answers -------------------------------------------------------------


def _linear(w):
    w = np.asarray(w, dtype=float).reshape(-1)
    return xai.wrap(lambda x: x.reshape(len(x), -1) @ w[:, None])


def test_deletion_and_insertion_on_a_linear_model():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(1, 10)), rng.random((2, 10))
    attribution = w * x
    deletion = deletion_curve(_linear(w), x, 0, attribution, n_steps=10, score="output")
    insertion = insertion_curve(_linear(w), x, 0, attribution, n_steps=10, score="output")
    # step k removes the k largest contributions w_i x_i
    ordered = -np.sort(-(w * x), axis=1)
    expected = (w * x).sum(axis=1, keepdims=True) - np.hstack(
        [np.zeros((2, 1)), np.cumsum(ordered, axis=1)]
    )
    assert np.allclose(deletion.scores, expected)
    assert np.allclose(deletion.fractions, np.linspace(0, 1, 11))
    # what deletion removes, insertion adds: the two curves sum to f(x) + f(0) = f(x)
    assert np.allclose(deletion.scores + insertion.scores, (w * x).sum(axis=1, keepdims=True))
    assert np.allclose(deletion.area, np.trapezoid(expected, np.linspace(0, 1, 11), axis=1))
    # the best order for deletion is the attribution w * x itself: any other order has a larger area
    other = deletion_curve(_linear(w), x, 0, rng.random(x.shape), n_steps=10, score="output")
    assert np.all(deletion.area <= other.area + 1e-12)


def test_the_default_score_is_the_softmax_probability_of_the_target():
    # three classes, logits z = W x + c: a score of the target alone, or of unnormalised
    # exponentials, gives other numbers; so does a wrong order or a wrong target
    rng = np.random.default_rng(3)
    weights, shift = rng.normal(size=(3, 6)), np.array([0.5, -1.0, 2.0])
    model = xai.wrap(lambda v: v.reshape(len(v), -1) @ weights.T + shift)
    x = 2.0 + rng.random((2, 6))  # not in [0, 1]
    target = np.array([2, 0])
    attribution = rng.normal(size=x.shape)
    n_steps = 3
    deletion = deletion_curve(model, x, target, attribution, n_steps=n_steps)
    insertion = insertion_curve(model, x, target, attribution, n_steps=n_steps, baseline=0.5)
    for i in range(2):
        order = np.argsort(-attribution[i])
        for k, count in enumerate(np.round(np.linspace(0, 1, n_steps + 1) * 6).astype(int)):
            removed, kept = x[i].copy(), np.full(6, 0.5)
            removed[order[:count]] = 0.0
            kept[order[:count]] = x[i, order[:count]]
            for image, curve in ((removed, deletion), (kept, insertion)):
                logits = weights @ image + shift
                probability = np.exp(logits - logits.max())
                probability /= probability.sum()
                assert curve.scores[i, k] == pytest.approx(probability[target[i]], rel=1e-12)
    # chunks of the batch give the same curve
    chunked = deletion_curve(model, x, target, attribution, n_steps=n_steps, batch_size=2)
    np.testing.assert_allclose(chunked.scores, deletion.scores, rtol=1e-12)


def test_a_method_gives_what_its_attributions_give():
    rng = np.random.default_rng(5)
    w, x = rng.normal(size=(1, 8)), rng.random((3, 8))
    model = xai.wrap(lambda v: v @ w.T, gradient=lambda v, t: np.broadcast_to(w, v.shape))
    attributions = xai.gradient_x_input(model, x, 0)
    for metric in (deletion_curve, insertion_curve):
        by_array, by_method = (
            metric(model, x, 0, attributions, n_steps=8, score="output"),
            metric(model, x, 0, xai.gradient_x_input, n_steps=8, score="output"),
        )
        np.testing.assert_array_equal(by_array.scores, by_method.scores)
    np.testing.assert_array_equal(
        infidelity(model, x, 0, attributions), infidelity(model, x, 0, xai.gradient_x_input)
    )


def test_infidelity_is_zero_for_the_gradient_of_a_linear_model():
    # f(x) - f(x - I) = w . I exactly, so the attribution w predicts every change
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=(1, 6)), rng.random((3, 6))
    assert np.allclose(infidelity(_linear(w), x, 0, np.repeat(w, 3, axis=0)), 0.0)
    assert np.all(
        infidelity(_linear(w), x, 0, w * x) > 1e-4
    )  # gradient x input is not what this metric rewards
    # with normalize=True any positive multiple of w is as good
    assert np.allclose(
        infidelity(_linear(w), x, 0, 5 * np.repeat(w, 3, axis=0), normalize=True), 0.0
    )


def test_infidelity_multiply_by_inputs_on_a_linear_model():
    # f(x) = w . x: Integrated Gradients from baseline b is w * (x - b), a contribution map. Scored as
    # what it is (I / (x - b) . Phi = I . w = f(x) - f(x - I)) it predicts every change exactly;
    # scored as a gradient map it does not, and the plain gradient w is the reverse case
    rng = np.random.default_rng(11)
    w, x = rng.normal(size=(1, 6)), rng.random((3, 6)) + 0.1
    b = rng.random((3, 6)) * 0.05  # x != b everywhere
    model = _linear(w)
    contributions = w * (x - b)
    assert np.allclose(
        infidelity(model, x, 0, contributions, multiply_by_inputs=True, baseline=b), 0.0
    )
    assert np.all(infidelity(model, x, 0, contributions) > 1e-4)
    gradient = np.repeat(w, 3, axis=0)
    assert np.all(infidelity(model, x, 0, gradient, multiply_by_inputs=True, baseline=b) > 1e-4)
    # where x equals the baseline a contribution map is 0 and cannot predict a change there
    x_at_b = x.copy()
    x_at_b[:, 0] = b[:, 0]
    one = np.zeros((1, 6))
    one[0, 0] = 0.3  # perturb only that feature
    score = infidelity(
        model,
        x_at_b,
        0,
        w * (x_at_b - b),
        perturbations=one,
        multiply_by_inputs=True,
        baseline=b,
    )
    assert np.allclose(score, (0.3 * w[0, 0]) ** 2)


def test_sensitivity_max_with_fresh_seeds_on_a_known_stochastic_method():
    # a 'method' that returns x plus seeded noise, the same for every example (as SmoothGrad draws)
    x = np.random.default_rng(12).random((2, 5))

    def noisy_identity(model, batch, target, seed=0):
        return batch + 0.1 * np.random.default_rng(seed).normal(size=batch.shape[1:])

    model = _linear(np.ones(5))
    zero = np.zeros((3, 5))
    # common seeds and no perturbation: the same map, sensitivity 0
    assert np.allclose(sensitivity_max(model, x, 0, noisy_identity, perturbations=zero), 0.0)
    # fresh seeds and no perturbation: the noise floor, max_j ||eps_j - eps_0||
    seeds = [10, 11, 12, 13]
    floor = sensitivity_max(model, x, 0, noisy_identity, perturbations=zero, method_seeds=seeds)
    eps = [0.1 * np.random.default_rng(s).normal(size=5) for s in seeds]
    expected = max(np.linalg.norm(e - eps[0]) for e in eps[1:])
    assert np.allclose(floor, expected)
    # with radius=0 the sampled perturbations are zero too
    assert np.allclose(
        sensitivity_max(model, x, 0, noisy_identity, radius=0.0, n_samples=3, method_seeds=seeds),
        expected,
    )
    # fresh seeds and a perturbation d: max_j ||d_j + eps_j - eps_0||
    d = np.random.default_rng(13).uniform(-0.02, 0.02, size=(2, 3, 5))
    moved = sensitivity_max(model, x, 0, noisy_identity, perturbations=d, method_seeds=seeds)
    by_hand = np.array(
        [max(np.linalg.norm(d[n, j] + eps[j + 1] - eps[0]) for j in range(3)) for n in range(2)]
    )
    assert np.allclose(moved, by_hand)


def test_sensitivity_max_on_known_explanations():
    x = np.random.default_rng(2).random((2, 5))
    d = np.random.default_rng(3).uniform(-0.1, 0.1, size=(2, 7, 5))
    model = _linear(np.ones(5))  # the explainers below ignore it
    assert np.allclose(
        sensitivity_max(model, x, 0, lambda m, b, t: np.ones_like(b), perturbations=d), 0.0
    )
    identity = sensitivity_max(model, x, 0, lambda m, b, t: b, perturbations=d)
    assert np.allclose(identity, np.linalg.norm(d, axis=2).max(axis=1))
    relative = sensitivity_max(model, x, 0, lambda m, b, t: b, perturbations=d, relative=True)
    assert np.allclose(relative, identity / np.linalg.norm(x, axis=1))


def test_rank_correlation():
    a = np.random.default_rng(4).normal(size=(3, 20))
    assert np.allclose(rank_correlation(a, 2 * a + 1, absolute=False), 1.0)
    assert np.allclose(rank_correlation(a, -a, absolute=False), -1.0)
    assert np.allclose(rank_correlation(a, -a, absolute=True), 1.0)
    assert np.allclose(rank_correlation(a, -a), 1.0), "absolute=True by default"
    # two features: ranks -1/2 and 1/2, a denominator below 1
    assert rank_correlation([[1.0, 2.0]], [[3.0, 5.0]])[0] == pytest.approx(1.0)
    assert rank_correlation([[1.0, 2.0]], [[5.0, 3.0]])[0] == pytest.approx(-1.0)
    # ties get their average rank: scipy's Spearman on the same rows
    from scipy.stats import spearmanr

    tied = np.array([[1.0, 1.0, 2.0, 3.0, 3.0, 3.0], [0.0, 5.0, 5.0, 1.0, 2.0, 2.0]])
    other = np.array([[2.0, 1.0, 1.0, 4.0, 3.0, 2.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    for i in range(2):
        expected = spearmanr(tied[i], other[i]).statistic
        assert rank_correlation(tied, other, absolute=False)[i] == pytest.approx(
            expected, rel=1e-12
        )
    # a constant map has no ranking: 0, without a 0/0 warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rank_correlation(np.ones((1, 5)), a[:1, :5])[0] == 0.0
    with pytest.raises(
        ValueError,
        match=r"^expected two batches of explanations of the same shape \(N, \.\.\.\), got \(3, 20\) and \(3, 19\)$",
    ):
        rank_correlation(a, a[:, :19])
    with pytest.raises(ValueError, match=r"got \(20,\) and \(20,\)$"):
        rank_correlation(a[0], a[1])  # one map is not a batch


def test_metrics_bad_input():
    w = np.ones((1, 4))
    x = np.zeros((2, 4))
    with pytest.raises(ValueError, match=r"attributions must have the shape of x \(2, 4\)"):
        deletion_curve(_linear(w), x, 0, np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"attributions must have the shape of x \(2, 4\)"):
        insertion_curve(
            _linear(w), x, 0, lambda m, b, t: b[:, :2]
        )  # a method that returns the wrong shape
    with pytest.raises(ValueError, match="score must be"):
        deletion_curve(_linear(w), x, 0, np.zeros((2, 4)), score="logit")
    with pytest.raises(ValueError, match="perturbations must have shape"):
        infidelity(_linear(w), x, 0, np.zeros((2, 4)), perturbations=np.zeros((3, 5)))
    with pytest.raises(ValueError, match="outside the model's outputs"):
        infidelity(_linear(w), x, 3, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="PyTorch or Keras model"):
        randomization_test(_linear(w), x, 0, xai.saliency)
    with pytest.raises(ValueError, match="shaped like x"):
        sensitivity_max(_linear(w), x, 0, lambda m, b, t: b[:, :2])
    with pytest.raises(
        ValueError,
        match=r"method must be an explainer method\(model, x, target\) -> attributions, got ndarray",
    ):
        sensitivity_max(_linear(w), x, 0, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="multiply_by_inputs must be True"):
        infidelity(_linear(w), x, 0, np.zeros((2, 4)), multiply_by_inputs="yes")
    with pytest.raises(ValueError, match=r"method_seeds must be 3 ints"):
        sensitivity_max(_linear(w), x, 0, xai.smoothgrad, n_samples=2, method_seeds=[0, 1])
    with pytest.raises(ValueError, match="method_seeds needs a method that takes seed"):
        sensitivity_max(_linear(w), x, 0, lambda m, b, t: b, n_samples=2, method_seeds=[0, 1, 2])
    with pytest.raises(ValueError, match="radius must be >= 0"):
        sensitivity_max(_linear(w), x, 0, lambda m, b, t: b, radius=-0.1)


# --- the course CNN ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cnn_and_digits():
    pytest.importorskip("torch")
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model

    model = trained_model("cnn", verbose=False)
    _, (x_test, y_test) = load_mnist(verbose=False)
    return model, scale_images(x_test[:16])[:, None], y_test[:16]


def test_deletion_curve_of_ig_beats_a_random_order(cnn_and_digits):
    model, x, y = cnn_and_digits
    ig = xai.integrated_gradients(model, x, y)
    noise = np.random.default_rng(0).random(x.shape)
    deletion_ig, deletion_random = (
        deletion_curve(model, x, y, ig),
        deletion_curve(model, x, y, noise),
    )
    # measured: mean area 0.05 for IG against 0.57 for a random order, lower on every one of the 16 digits
    assert np.mean(deletion_ig.area < deletion_random.area) >= 0.9
    assert deletion_ig.area.mean() < 0.5 * deletion_random.area.mean()
    insertion_ig, insertion_random = (
        insertion_curve(model, x, y, ig),
        insertion_curve(model, x, y, noise),
    )
    assert insertion_ig.area.mean() > insertion_random.area.mean()
    assert np.allclose(
        deletion_ig.scores[:, 0], insertion_ig.scores[:, -1]
    )  # both are p(target | x)


def test_randomization_test_shows_gradients_change(cnn_and_digits):
    torch = pytest.importorskip("torch")
    model, x, y = cnn_and_digits
    x, y = x[:6], y[:6]
    before = [p.detach().clone() for p in model.parameters()]
    result = randomization_test(model, x, y, xai.saliency)
    assert result.layers == ["Linear head", "Conv2d conv2", "Conv2d conv1"]
    assert result.explanations.shape == (4, *x.shape) and result.similarity.shape == (3, 6)
    assert np.all(result.similarity[-1] < 0.5), (
        result.similarity
    )  # every map has changed once all layers are random
    assert result.similarity.mean(axis=1)[0] < 0.9
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True)), (
        "the model itself must not change"
    )
    # the control: an 'explanation' that ignores the model (the image itself) passes as unchanged
    control = randomization_test(model, x, y, lambda m, inputs, t: inputs)
    assert np.allclose(control.similarity, 1.0)
    independent = randomization_test(model, x, y, xai.saliency, mode="independent")
    assert np.allclose(
        independent.similarity[0], result.similarity[0]
    )  # the first step is the same layer


def test_randomization_test_on_a_keras_model():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)]
    )
    x = np.random.default_rng(0).random((4, 6)).astype(np.float32)
    weights = [w.copy() for w in model.get_weights()]
    result = randomization_test(model, x, 1, xai.saliency)
    assert len(result.layers) == 2 and result.layers[0].startswith("Dense")
    assert np.all(result.similarity < 0.99)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights(), strict=True))


@pytest.mark.parametrize("normalize", [False, True])
def test_infidelity_matches_captum(cnn_and_digits, normalize):
    torch = pytest.importorskip("torch")
    from captum.metrics import infidelity as captum_infidelity

    model, x, y = cnn_and_digits
    x, y = x[:8], y[:8]
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 0.1, size=(8, 10, 1, 28, 28)).astype(np.float32)
    flat = torch.from_numpy(
        noise.reshape(80, 1, 28, 28)
    )  # Captum repeats each example 10 times in a row

    def perturb(inputs):
        return flat, inputs - flat

    for attributions in (
        xai.saliency(model, x, y, absolute=False),
        xai.integrated_gradients(model, x, y),
    ):
        ours = infidelity(model, x, y, attributions, perturbations=noise, normalize=normalize)
        theirs = captum_infidelity(
            model, perturb, torch.from_numpy(x), torch.from_numpy(attributions.astype(np.float32)),
            target=torch.from_numpy(y), n_perturb_samples=10, normalize=normalize,
        ).numpy()  # fmt: skip
        assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-6 * np.abs(theirs).max())


@pytest.mark.parametrize("multiply_by_inputs", [False, True])
@pytest.mark.parametrize("baseline", ["black", "blurred digit"])
def test_infidelity_conventions_match_captum(cnn_and_digits, multiply_by_inputs, baseline):
    # Captum's infidelity_perturb_func_decorator turns perturbed inputs into perturbations: x - x_p,
    # or (x - x_p) / (x - baseline) with multiply_by_inputs=True; ours must give the same numbers
    torch = pytest.importorskip("torch")
    from captum.metrics import infidelity as captum_infidelity
    from captum.metrics import infidelity_perturb_func_decorator
    from scipy.ndimage import gaussian_filter

    model, x, y = cnn_and_digits
    x, y = x[:6], y[:6]
    base = (
        np.zeros_like(x)
        if baseline == "black"
        else gaussian_filter(x, sigma=(0, 0, 3, 3)).astype(np.float32)
    )
    # square removal: the perturbed input is x with a random square set to the baseline
    rng = np.random.default_rng(1)
    squares = np.zeros((6, 12, 1, 28, 28), dtype=np.float32)
    for n in range(6):
        for k in range(12):
            size = rng.integers(4, 11)
            r, c = rng.integers(0, 28 - size + 1, size=2)
            squares[n, k, 0, r : r + size, c : c + size] = (x - base)[
                n, 0, r : r + size, c : c + size
            ]
    flat = torch.from_numpy(squares.reshape(72, 1, 28, 28))

    @infidelity_perturb_func_decorator(multiply_by_inputs)
    def perturbed_inputs(inputs, baselines=None):
        return inputs - flat

    kwargs = {} if baseline == "black" else {"baselines": torch.from_numpy(base)}
    for attributions in (
        xai.saliency(model, x, y, absolute=False),
        xai.gradient_x_input(model, x, y),
        xai.integrated_gradients(model, x, y, baseline=base),
    ):
        ours = infidelity(
            model, x, y, attributions, perturbations=squares, normalize=True,
            multiply_by_inputs=multiply_by_inputs, baseline=base,
        )  # fmt: skip
        theirs = captum_infidelity(
            model, perturbed_inputs, torch.from_numpy(x),
            torch.from_numpy(attributions.astype(np.float32)), target=torch.from_numpy(y),
            n_perturb_samples=12, normalize=True, **kwargs,
        ).numpy()  # fmt: skip
        np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=1e-6 * np.abs(theirs).max())


def test_sensitivity_max_fresh_seeds_of_smoothgrad(cnn_and_digits):
    # method_seeds calls the method once per seed: the same numbers as doing it by hand
    model, x, y = cnn_and_digits
    x, y = x[:3], y[:3]
    d = np.random.default_rng(2).uniform(-0.02, 0.02, size=(3, 2, 1, 28, 28)).astype(np.float32)
    seeds = [0, 1, 2]
    ours = sensitivity_max(
        model, x, y, xai.smoothgrad, perturbations=d, method_seeds=seeds, relative=True
    )
    base = xai.smoothgrad(model, x, y, seed=0).reshape(3, -1)
    moved = [
        xai.smoothgrad(model, x + d[:, j], y, seed=seeds[j + 1]).reshape(3, -1) for j in range(2)
    ]
    by_hand = np.max([np.linalg.norm(m - base, axis=1) for m in moved], axis=0) / np.linalg.norm(
        base, axis=1
    )
    np.testing.assert_allclose(ours, by_hand, rtol=1e-5)
    # the same seed everywhere is the default call (common random numbers)
    common = sensitivity_max(model, x, y, xai.smoothgrad, perturbations=d, relative=True)
    np.testing.assert_allclose(
        sensitivity_max(
            model, x, y, xai.smoothgrad, perturbations=d, relative=True, method_seeds=[0, 0, 0]
        ),
        common,
        rtol=1e-5,
    )
    # and with zero perturbations only fresh seeds move the map: the noise floor
    zero = np.zeros_like(d)
    assert np.all(sensitivity_max(model, x, y, xai.smoothgrad, perturbations=zero) == 0)
    floor = sensitivity_max(model, x, y, xai.smoothgrad, perturbations=zero, method_seeds=seeds)
    assert np.all(floor > 0)


@pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")
def test_sensitivity_max_matches_captum(cnn_and_digits):
    torch = pytest.importorskip("torch")
    from captum.attr import Saliency
    from captum.metrics import sensitivity_max as captum_sensitivity

    model, x, y = cnn_and_digits
    x, y = x[:8], y[:8]
    shifts = (
        np.random.default_rng(1).uniform(-0.02, 0.02, size=(8, 10, 1, 28, 28)).astype(np.float32)
    )
    flat = torch.from_numpy(shifts.reshape(80, 1, 28, 28))

    def perturb(inputs, radius):
        return inputs + flat

    theirs = captum_sensitivity(
        Saliency(model).attribute,
        torch.from_numpy(x),
        perturb_func=perturb,
        n_perturb_samples=10,
        target=torch.from_numpy(y),
    ).numpy()

    relative = sensitivity_max(model, x, y, xai.saliency, perturbations=shifts, relative=True)
    assert np.allclose(relative, theirs, rtol=1e-4)
    # the paper's definition is Captum's times the norm of the explanation at x
    paper = sensitivity_max(model, x, y, xai.saliency, perturbations=shifts)
    norms = np.linalg.norm(xai.saliency(model, x, y).reshape(8, -1), axis=1)
    assert np.allclose(paper, theirs * norms, rtol=1e-4)


# --- documented defaults and conventions, by hand --------------------------------------------


def test_infidelity_defaults_by_hand():
    """10 perturbations I ~ N(0, 0.1^2) from seed 0, no normalisation: mean_j (I_j . Phi - (f(x) - f(x - I_j)))^2."""
    rng = np.random.default_rng(5)
    w, x = rng.normal(size=6), rng.random((3, 6)).astype(np.float32)
    phi = rng.normal(size=(3, 6))  # any map, not the gradient
    seen = []

    def f(batch):
        seen.append(batch.dtype)
        return np.tanh(batch @ w)[:, None]  # nonlinear: the change is not w . I

    model = xai.wrap(f)
    ours = infidelity(model, x, 0, phi)
    noise = np.random.default_rng(0).normal(0.0, 0.1, size=(3, 10, 6)).astype(np.float32)
    change = f(x)[:, :1] - f((x[:, None] - noise).reshape(30, 6)).reshape(3, 10)
    by_hand = ((np.einsum("nsd,nd->ns", noise, phi) - change) ** 2).mean(axis=1)
    np.testing.assert_allclose(ours, by_hand, rtol=1e-10)
    assert set(seen) == {np.dtype(np.float32)}, "perturbed inputs keep the batch's dtype"


def test_infidelity_multiply_by_inputs_divides_by_x_minus_the_default_black_baseline():
    rng = np.random.default_rng(6)
    w, x = rng.normal(size=5), rng.random((2, 5)) + 0.2
    x[:, 1] = 0.0  # x equals the baseline 0 here: I~ is I itself (Captum's safe division by 1)
    phi = rng.normal(size=(2, 5))
    noise = rng.normal(0.0, 0.1, size=(4, 5))  # shared by both examples
    ours = infidelity(_linear(w), x, 0, phi, perturbations=noise, multiply_by_inputs=True)
    scaled = noise[None] / np.where(x == 0, 1.0, x)[:, None]
    by_hand = ((np.einsum("nsd,nd->ns", scaled, phi) - noise @ w) ** 2).mean(axis=1)
    np.testing.assert_allclose(ours, by_hand, rtol=1e-10)


def test_infidelity_normalize_by_hand_and_without_warnings_for_a_zero_map():
    rng = np.random.default_rng(7)
    w, x = rng.normal(size=4), rng.random((2, 4))
    phi, noise = rng.normal(size=(2, 4)), rng.normal(0.0, 0.1, size=(6, 4))
    a, b = np.einsum("sd,nd->ns", noise, phi), np.tile(noise @ w, (2, 1))
    beta = (a * b).sum(axis=1) / (a**2).sum(axis=1)
    ours = infidelity(_linear(w), x, 0, phi, perturbations=noise, normalize=True)
    np.testing.assert_allclose(ours, ((beta[:, None] * a - b) ** 2).mean(axis=1), rtol=1e-10)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way: a zero map predicts no change
        zero = infidelity(_linear(w), x, 0, np.zeros_like(x), perturbations=noise, normalize=True)
    np.testing.assert_allclose(zero, (b**2).mean(axis=1), rtol=1e-12)


def test_sensitivity_max_defaults_by_hand():
    """10 draws uniform in [-0.02, 0.02] from seed 0, one target for every copy of every example."""
    x = np.random.default_rng(8).random((3, 5))
    w = np.random.default_rng(9).normal(size=(2, 5))

    def explain(model, batch, target):  # a map that depends on the input and on the target
        target = np.broadcast_to(np.asarray(target), (len(batch),))
        return batch**2 * w[target]

    ours = sensitivity_max(_linear(np.ones(5)), x, 1, explain)
    d = np.random.default_rng(0).uniform(-0.02, 0.02, size=(3, 10, 5))
    moved = (x[:, None] + d) ** 2 * w[1]
    by_hand = np.linalg.norm(moved - (x**2 * w[1])[:, None], axis=2).max(axis=1)
    np.testing.assert_allclose(ours, by_hand, rtol=1e-10)


def test_relative_sensitivity_divides_by_the_maps_norm_unless_it_is_zero():
    x = np.random.default_rng(10).random((2, 5))
    d = np.random.default_rng(11).uniform(-0.1, 0.1, size=(2, 3, 5))
    model = _linear(np.ones(5))
    small = sensitivity_max(model, x, 0, lambda m, b, t: 0.1 * b, perturbations=d, relative=True)
    plain = sensitivity_max(model, x, 0, lambda m, b, t: 0.1 * b, perturbations=d)
    np.testing.assert_allclose(small, plain / np.linalg.norm(0.1 * x, axis=1), rtol=1e-12)
    assert np.all(np.linalg.norm(0.1 * x, axis=1) < 1), "norms below 1 are divided by too"

    def zero_at_x(m, batch, t):  # a map that is zero at x and not elsewhere
        return np.where(np.isin(batch, x), 0.0, batch)

    zero = sensitivity_max(model, x, 0, zero_at_x, perturbations=d, relative=True)
    np.testing.assert_allclose(zero, np.linalg.norm(x[:, None] + d, axis=2).max(axis=1))


def test_method_seeds_are_ints_for_a_method_that_takes_a_seed():
    import functools

    x, model = np.zeros((1, 3)), _linear(np.ones(3))
    zero = np.zeros((2, 3))

    def seeded(m, batch, target, seed=0):
        return batch + seed

    for bad in ([True, False, True], [0, 1.5, 2], [0, 1]):
        with pytest.raises(ValueError, match=r"^method_seeds must be 3 ints: one for Phi\(x\)"):
            sensitivity_max(model, x, 0, seeded, perturbations=zero, method_seeds=bad)
    message = (
        r"^method_seeds needs a method that takes seed=\.\.\., e\.g\. functools\.partial\("
        r"xai\.smoothgrad, n_samples=25\); got {}$"
    )
    with pytest.raises(ValueError, match=message.format("saliency")):
        sensitivity_max(model, x, 0, xai.saliency, perturbations=zero, method_seeds=[0, 1, 2])
    with pytest.raises(ValueError, match=message.format("partial")):
        sensitivity_max(
            model, x, 0, functools.partial(xai.saliency), perturbations=zero, method_seeds=[0, 1, 2]
        )

    class NoSignature:  # inspect cannot read its signature: the call decides
        __signature__ = "not a signature"

        def __call__(self, m, batch, target, seed=0):
            return batch + seed

    np.testing.assert_allclose(
        sensitivity_max(model, x, 0, NoSignature(), perturbations=zero, method_seeds=[0, 1, 5]),
        np.sqrt(3) * 5,
    )
    with pytest.raises(ValueError, match=r"^n_samples must be an int >= 1, got 0$"):
        sensitivity_max(model, x, 0, seeded, n_samples=0)
    with pytest.raises(ValueError, match=r"^n_samples must be an int >= 1, got 0$"):
        infidelity(model, x, 0, np.zeros_like(x), n_samples=0)


def test_curves_take_50_steps_by_default_keep_the_dtype_and_honour_a_baseline():
    rng = np.random.default_rng(12)
    w = rng.normal(size=(1, 100))
    x = rng.random((2, 100)).astype(np.float32)
    seen = []

    def f(batch):
        seen.append(batch.dtype)
        return batch @ w.T

    model, attribution = xai.wrap(f), rng.normal(size=x.shape)
    for curve in (deletion_curve, insertion_curve):
        result = curve(model, x, 0, attribution, score="output")
        np.testing.assert_array_equal(result.fractions, np.linspace(0, 1, 51))
        assert result.scores.shape == (2, 51)
    assert set(seen) == {np.dtype(np.float32)}, "the masked copies keep the batch's dtype"
    # a grey baseline: deletion ends at f(0.5 everywhere), insertion starts there
    grey = deletion_curve(model, x, 0, attribution, n_steps=4, baseline=0.5, score="output")
    np.testing.assert_allclose(grey.scores[:, -1], 0.5 * w.sum(), rtol=1e-5)
    with pytest.raises(ValueError, match=r"^n_steps must be an int >= 1, got 0$"):
        deletion_curve(model, x, 0, attribution, n_steps=0)


def test_tied_attributions_are_taken_in_index_order():
    """Ties (a flat region, a segment's shared value) go lowest index first: a stable sort."""
    w = np.arange(1.0, 201.0)  # every feature moves the output by a different amount
    x = np.ones((1, 200))
    attribution = np.repeat([[3.0, 1.0, 2.0, 0.0]], 50, axis=0).T.reshape(1, 200)  # 4 ties of 50
    attribution = np.random.default_rng(13).permutation(attribution.ravel())[None]
    result = deletion_curve(_linear(w), x, 0, attribution, n_steps=200, score="output")
    order = np.lexsort((np.arange(200), -attribution[0]))  # by value, then by index
    expected = w.sum() - np.concatenate([[0.0], np.cumsum(w[order])])
    np.testing.assert_allclose(result.scores[0], expected, rtol=1e-12)


def test_randomization_test_messages_and_its_documented_defaults(cnn_and_digits):
    pytest.importorskip("torch")
    model, x, y = cnn_and_digits
    x, y = x[:3], y[:3]
    with pytest.raises(ValueError, match=r"^mode must be 'cascading' or 'independent', got 'top'$"):
        randomization_test(model, x, y, xai.saliency, mode="top")
    with pytest.raises(
        ValueError,
        match=r"^randomization_test needs a PyTorch or Keras model whose layers it can "
        r"re-initialise, got function$",
    ):
        randomization_test(lambda v: v.reshape(len(v), -1)[:, :10], x, y, xai.saliency)
    result = randomization_test(model, x, y, xai.saliency)
    assert result.explanations.dtype == np.float64, "the maps are compared in float64"
    # absolute=True by default: the similarity of |maps|
    for k in range(len(result.layers)):
        np.testing.assert_allclose(
            result.similarity[k],
            rank_correlation(result.explanations[0], result.explanations[k + 1], absolute=True),
            rtol=1e-12,
        )
    # step k re-initialises layer k (from the output down) with seed 0 + k; in 'independent' mode
    # that layer alone, in a fresh copy of the trained model
    independent = randomization_test(model, x, y, xai.saliency, mode="independent", seed=5)
    wrapped = xai.wrap(model)
    for k, name in enumerate(independent.layers):
        work = wrapped.copy()
        work.reinitialize(name, 5 + k)
        np.testing.assert_allclose(
            independent.explanations[k + 1], xai.saliency(work.model, x, y), rtol=1e-6, atol=1e-8
        )
    cascade = wrapped.copy()
    for k, name in enumerate(result.layers):
        cascade.reinitialize(name, k)
    np.testing.assert_allclose(
        result.explanations[-1], xai.saliency(cascade.model, x, y), rtol=1e-6, atol=1e-8
    )
