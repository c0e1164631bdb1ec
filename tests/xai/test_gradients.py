"""course_utils.xai.gradients: saliency, gradient x input and SmoothGrad.

References: Captum's Saliency and InputXGradient (rtol 1e-4), torch autograd, an
analytic linear model, and the same MLP weights in Keras. The adapter is tested in test_adapter.py.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
captum_attr = pytest.importorskip("captum.attr")

from course_utils import xai  # noqa: E402
from tests.xai.helpers import assert_attr_close, course_models, scaled_test_digits  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")


@pytest.fixture(scope="module")
def digits():
    return scaled_test_digits(8)


MODELS = course_models()


# --- against Captum -----------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("absolute", [True, False])
def test_saliency_matches_captum(name, absolute, digits):
    x, y = digits
    model = MODELS[name]
    ours = xai.saliency(model, x, y, absolute=absolute)
    theirs = captum_attr.Saliency(model).attribute(
        torch.from_numpy(x), target=torch.from_numpy(y), abs=absolute
    )
    assert ours.shape == x.shape
    assert_attr_close(ours, theirs.numpy())


@pytest.mark.parametrize("name", list(MODELS))
def test_gradient_x_input_matches_captum(name, digits):
    x, _ = digits
    model = MODELS[name]
    target = 7
    ours = xai.gradient_x_input(model, x, target)
    theirs = (
        captum_attr.InputXGradient(model)
        .attribute(torch.from_numpy(x), target=target)
        .detach()
        .numpy()
    )
    assert_attr_close(ours, theirs)


def test_linear_model_saliency_and_gradient_x_input_are_analytic():
    rng = np.random.default_rng(1)
    linear = torch.nn.Linear(6, 3).double()
    w, b = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    x = rng.normal(size=(5, 6))
    t = np.array([0, 1, 2, 1, 0])
    np.testing.assert_allclose(xai.saliency(linear, x, t, absolute=False), w[t], rtol=1e-12)
    assert (w < 0).any()  # so the default, magnitudes, differs from the signed gradient
    np.testing.assert_allclose(xai.saliency(linear, x, t), np.abs(w[t]), rtol=1e-12)
    gxi = xai.gradient_x_input(linear, x, t)
    np.testing.assert_allclose(gxi, x * w[t], rtol=1e-12)
    # for a linear model gradient x input sums to f(x) - b
    np.testing.assert_allclose(gxi.sum(1), (x @ w.T)[np.arange(5), t], rtol=1e-10)
    assert not np.allclose(gxi.sum(1), (x @ w.T + b)[np.arange(5), t])


# --- SmoothGrad -----------------------------------------------------------------


def test_smoothgrad_is_the_mean_gradient_at_the_documented_noise(digits):
    x, y = digits
    model = MODELS["cnn-trained"]
    n, level = 6, 0.2
    ours = xai.smoothgrad(model, x, y, n_samples=n, noise_level=level, seed=4)
    sigma = level * (x.max(axis=(1, 2, 3), keepdims=True) - x.min(axis=(1, 2, 3), keepdims=True))
    noise = np.random.default_rng(4).normal(size=(n, 1, *x.shape[1:])).astype(np.float32) * sigma
    grads = []
    for k in range(n):
        xt = torch.from_numpy(x + noise[k]).requires_grad_(True)
        model(xt)[torch.arange(len(x)), torch.from_numpy(y)].sum().backward()
        grads.append(xt.grad.numpy())
    assert_attr_close(ours, np.mean(grads, axis=0))


def test_smoothgrad_noise_follows_each_examples_own_range_on_several_channels():
    # f(x) = sum_i w_i x_i^2 has gradient 2 w x, so SmoothGrad is 2 w (x + mean noise): a known answer
    rng = np.random.default_rng(0)
    x = np.stack([0.2 + 0.5 * rng.random((3, 5, 5)), -1.0 + 3.0 * rng.random((3, 5, 5))]).astype(
        np.float64
    )
    w = rng.normal(size=(3, 5, 5))

    def f(batch):
        return (w * batch**2).reshape(len(batch), -1).sum(axis=1, keepdims=True)

    model = xai.wrap(f, gradient=lambda batch, target: 2 * w * batch)
    n, level = 7, 0.3
    ours = xai.smoothgrad(model, x, 0, n_samples=n, noise_level=level, seed=5)
    draws = np.random.default_rng(5).normal(size=(n, *x.shape[1:]))
    for i in range(len(x)):
        sigma = level * (x[i].max() - x[i].min())  # this example's range, over every channel
        np.testing.assert_allclose(ours[i], 2 * w * (x[i] + sigma * draws.mean(axis=0)), rtol=1e-10)


def test_smoothgrad_defaults_are_50_draws_of_seed_0_at_15_percent_of_the_range():
    # the quadratic model of the test above, in float32: its SmoothGrad is 2 w (x + sigma mean(draws))
    rng = np.random.default_rng(1)
    x = (-2.0 + 5.0 * rng.random((2, 1, 4, 4))).astype(np.float32)
    w = rng.normal(size=(1, 4, 4)).astype(np.float32)

    def f(batch):
        return (w * batch**2).reshape(len(batch), -1).sum(axis=1, keepdims=True)

    model = xai.wrap(f, gradient=lambda batch, target: 2 * w * batch)
    ours = xai.smoothgrad(model, x, 0)
    assert ours.dtype == np.float32, "a float32 input gets a float32 map (and float32 noise)"
    draws = np.random.default_rng(0).normal(size=(50, *x.shape[1:])).astype(np.float32)
    for i in range(len(x)):
        sigma = 0.15 * (x[i].max() - x[i].min())
        np.testing.assert_allclose(ours[i], 2 * w * (x[i] + sigma * draws.mean(axis=0)), rtol=1e-4)


@pytest.mark.parametrize("level", [float("nan"), float("inf"), -0.1, "0.1", None])
def test_smoothgrad_refuses_a_noise_level_that_is_not_a_finite_fraction(level):
    model = xai.wrap(lambda v: v.sum(axis=1, keepdims=True), gradient=lambda v, t: np.ones_like(v))
    with pytest.raises(
        ValueError,
        match=r"^noise_level must be a finite number >= 0 \(a fraction of each input's range\), got ",
    ):
        xai.smoothgrad(model, np.zeros((1, 3)), 0, noise_level=level)


def test_smoothgrad_refuses_a_sample_count_below_one():
    model = xai.wrap(lambda v: v.sum(axis=1, keepdims=True), gradient=lambda v, t: np.ones_like(v))
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match=rf"^n_samples must be an int >= 1, got {bad}$"):
            xai.smoothgrad(model, np.zeros((1, 3)), 0, n_samples=bad)


def test_smoothgrad_of_an_example_does_not_depend_on_its_batch(digits):
    x, y = digits
    model = MODELS["cnn-trained"]
    batch = xai.smoothgrad(model, x, y, n_samples=5, seed=3)
    for i in (0, len(x) - 1):
        alone = xai.smoothgrad(model, x[i : i + 1], y[i], n_samples=5, seed=3)
        np.testing.assert_allclose(alone[0], batch[i], rtol=1e-5, atol=1e-7)
    small_batches = xai.smoothgrad(model, x, y, n_samples=5, seed=3, batch_size=7)
    np.testing.assert_allclose(small_batches, batch, rtol=1e-5, atol=1e-7)


def test_smoothgrad_without_noise_is_the_gradient_and_seeds_repeat(digits):
    x, y = digits
    model = MODELS["mlp-trained"]
    np.testing.assert_allclose(
        xai.smoothgrad(model, x, y, n_samples=3, noise_level=0.0),
        xai.saliency(model, x, y, absolute=False),
        rtol=1e-6,
    )
    a = xai.smoothgrad(model, x, y, n_samples=4, seed=1)
    assert np.array_equal(a, xai.smoothgrad(model, x, y, n_samples=4, seed=1))
    assert not np.allclose(a, xai.smoothgrad(model, x, y, n_samples=4, seed=2))
    with pytest.raises(ValueError, match="noise_level"):
        xai.smoothgrad(model, x, y, noise_level=-1)
    with pytest.raises(ValueError, match="n_samples"):
        xai.smoothgrad(model, x, y, n_samples=0)


# --- Keras: the same weights give the same numbers ---------------------------------


@pytest.fixture(scope="module")
def keras_and_torch_mlp():
    from course_utils.frameworks.keras_models import build_mlp as build_keras_mlp

    torch_mlp = MODELS["mlp-trained"]
    keras_mlp = build_keras_mlp()
    for name in ("hidden", "output"):
        linear = getattr(torch_mlp, name)
        keras_mlp.get_layer(name).set_weights(
            [linear.weight.detach().numpy().T, linear.bias.detach().numpy()]
        )
    return keras_mlp, torch_mlp


def test_keras_and_torch_with_the_same_weights_agree(keras_and_torch_mlp, digits):
    keras_mlp, torch_mlp = keras_and_torch_mlp
    x, y = digits[0][:, 0], digits[1]  # the MLPs take (N, 28, 28)
    k, t = xai.wrap(keras_mlp), xai.wrap(torch_mlp)
    assert k.framework == "keras"
    np.testing.assert_allclose(k.predict(x), t.predict(x), rtol=1e-4, atol=1e-5)
    assert_attr_close(xai.saliency(k, x, y), xai.saliency(t, x, y))
    assert_attr_close(xai.gradient_x_input(keras_mlp, x, 3), xai.gradient_x_input(torch_mlp, x, 3))
    assert_attr_close(
        xai.smoothgrad(keras_mlp, x, y, n_samples=5), xai.smoothgrad(torch_mlp, x, y, n_samples=5)
    )
    with pytest.raises(ValueError, match="expects inputs of shape"):
        k.gradient(x[:, None], 0)
