"""course_utils.xai: the adapter (wrap), saliency, gradient x input and SmoothGrad.

References: Captum's Saliency and InputXGradient (rtol 1e-4), torch autograd, an
analytic linear model, and the same MLP weights in Keras.
"""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
captum_attr = pytest.importorskip("captum.attr")

from attribution_helpers import assert_attr_close, course_models, scaled_test_digits  # noqa: E402

from course_utils import xai  # noqa: E402
from course_utils.torch_models import build_mlp  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")



@pytest.fixture(scope="module")
def digits():
    return scaled_test_digits(8)


MODELS = course_models()


# --- wrap ----------------------------------------------------------------


def test_wrap_torch_predict_and_gradient_match_autograd(digits):
    x, y = digits
    model = MODELS["cnn-trained"]
    m = xai.wrap(model)
    assert m.framework == "torch" and xai.wrap(m) is m
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m.predict(x), expected, rtol=1e-6)
    xt = torch.from_numpy(x).requires_grad_(True)
    model(xt)[torch.arange(len(x)), torch.from_numpy(y)].sum().backward()
    np.testing.assert_allclose(m.gradient(x, y), xt.grad.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(m.gradient(x, y, batch_size=3), xt.grad.numpy(), rtol=1e-6, atol=1e-9)
    # float64 input is cast to the model's dtype; one int target means every row
    assert m.gradient(x.astype(np.float64), 3).shape == x.shape


def test_wrap_numpy_function_has_predict_only_unless_given_a_gradient():
    w = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.0]])
    m = xai.wrap(lambda x: x @ w)
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]])
    np.testing.assert_allclose(m.predict(x), x @ w)
    with pytest.raises(TypeError, match="predict"):
        m.gradient(x, 0)
    with pytest.raises(TypeError, match="predict"):
        xai.saliency(m, x, 0)
    m2 = xai.wrap(lambda x: x @ w, gradient=lambda x, t: w[:, t].T)
    np.testing.assert_allclose(xai.gradient_x_input(m2, x, [0, 1]), x * w[:, [0, 1]].T)
    with pytest.raises(TypeError, match="nn.Module"):
        xai.wrap(42)


def test_wrapping_a_numpy_function_imports_no_framework():
    code = (
        "import sys, numpy as np; from course_utils import xai; m = xai.wrap(lambda x: x.sum(1, keepdims=True));"
        "m.predict(np.ones((2, 3))); print(sorted(k for k in ('torch', 'tensorflow', 'keras') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(
    "x, target, message",
    [
        (np.zeros((1, 28, 28), np.float32), 10, r"outside the model's outputs.*0\.\.9"),
        (np.zeros((1, 28, 28), np.float32), -1, r"0\.\.9"),
        (np.zeros((2, 28, 28), np.float32), [1, 2, 3], r"one int per row"),
        (np.zeros((2, 28, 28), np.float32), "3", r"int"),
        (np.zeros((2, 28, 28), np.float32), [0.5, 1], r"int"),
        (np.zeros(784, np.float32), 0, r"batch"),
        (np.full((1, 28, 28), np.nan, np.float32), 0, r"finite"),
        (np.zeros((1, 28, 28), np.uint8), 0, r"float"),
        (np.zeros((0, 28, 28), np.float32), 0, r"empty"),
    ],
)
def test_bad_input_gets_a_clear_value_error(x, target, message):
    with pytest.raises(ValueError, match=message):
        xai.saliency(MODELS["mlp-random"], x, target)


def test_wrapping_a_model_in_training_mode_warns():
    model = build_mlp().train()
    with pytest.warns(UserWarning, match="Dropout"):
        xai.wrap(model)
    model.eval()


def test_wrong_input_shape_for_the_model_is_a_value_error():
    with pytest.raises(ValueError, match="batch-first"):
        xai.wrap(MODELS["cnn-random"]).gradient(np.zeros((2, 5, 5), np.float32), 0)


# --- against Captum -----------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("absolute", [True, False])
def test_saliency_matches_captum(name, absolute, digits):
    x, y = digits
    model = MODELS[name]
    ours = xai.saliency(model, x, y, absolute=absolute)
    theirs = captum_attr.Saliency(model).attribute(torch.from_numpy(x), target=torch.from_numpy(y), abs=absolute)
    assert ours.shape == x.shape
    assert_attr_close(ours, theirs.numpy())


@pytest.mark.parametrize("name", list(MODELS))
def test_gradient_x_input_matches_captum(name, digits):
    x, _ = digits
    model = MODELS[name]
    target = 7
    ours = xai.gradient_x_input(model, x, target)
    theirs = captum_attr.InputXGradient(model).attribute(torch.from_numpy(x), target=target).detach().numpy()
    assert_attr_close(ours, theirs)


def test_linear_model_saliency_and_gradient_x_input_are_analytic():
    rng = np.random.default_rng(1)
    linear = torch.nn.Linear(6, 3).double()
    w, b = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    x = rng.normal(size=(5, 6))
    t = np.array([0, 1, 2, 1, 0])
    np.testing.assert_allclose(xai.saliency(linear, x, t, absolute=False), w[t], rtol=1e-12)
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
    noise = np.random.default_rng(4).normal(size=(n, *x.shape)).astype(np.float32) * sigma
    grads = []
    for k in range(n):
        xt = torch.from_numpy(x + noise[k]).requires_grad_(True)
        model(xt)[torch.arange(len(x)), torch.from_numpy(y)].sum().backward()
        grads.append(xt.grad.numpy())
    assert_attr_close(ours, np.mean(grads, axis=0))


def test_smoothgrad_without_noise_is_the_gradient_and_seeds_repeat(digits):
    x, y = digits
    model = MODELS["mlp-trained"]
    np.testing.assert_allclose(
        xai.smoothgrad(model, x, y, n_samples=3, noise_level=0.0), xai.saliency(model, x, y, absolute=False), rtol=1e-6
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
    from course_utils.keras_models import build_mlp as build_keras_mlp

    torch_mlp = MODELS["mlp-trained"]
    keras_mlp = build_keras_mlp()
    dense = [layer for layer in keras_mlp.layers if layer.__class__.__name__ == "Dense"]
    linear = [layer for layer in torch_mlp if isinstance(layer, torch.nn.Linear)]
    for d, lin in zip(dense, linear, strict=True):
        d.set_weights([lin.weight.detach().numpy().T, lin.bias.detach().numpy()])
    return keras_mlp, torch_mlp


def test_keras_and_torch_with_the_same_weights_agree(keras_and_torch_mlp, digits):
    keras_mlp, torch_mlp = keras_and_torch_mlp
    x, y = digits[0][:, 0], digits[1]  # the MLPs take (N, 28, 28)
    k, t = xai.wrap(keras_mlp), xai.wrap(torch_mlp)
    assert k.framework == "keras"
    np.testing.assert_allclose(k.predict(x), t.predict(x), rtol=1e-4, atol=1e-5)
    assert_attr_close(xai.saliency(k, x, y), xai.saliency(t, x, y))
    assert_attr_close(xai.gradient_x_input(keras_mlp, x, 3), xai.gradient_x_input(torch_mlp, x, 3))
    assert_attr_close(xai.smoothgrad(keras_mlp, x, y, n_samples=5), xai.smoothgrad(torch_mlp, x, y, n_samples=5))
    with pytest.raises(ValueError, match="expects inputs of shape"):
        k.gradient(x[:, None], 0)
