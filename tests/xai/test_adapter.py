"""course_utils.xai.adapter: wrap() for PyTorch, Keras and NumPy models, the only code that knows a framework.

predict and gradient against torch autograd and TensorFlow's GradientTape; output_and_vjp against autograd's
vector-Jacobian product and the sum of per-class gradients; layers, copy, reinitialize and module_chain.
"""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from course_utils import xai  # noqa: E402
from course_utils.frameworks.torch_models import build_cnn, build_mlp  # noqa: E402
from course_utils.xai.adapter import torch_module_chain  # noqa: E402
from tests.xai.helpers import course_models, scaled_test_digits  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    return scaled_test_digits(8)


MODELS = course_models()


def _keras_mlp(seed=0):
    keras = pytest.importorskip("keras")
    from course_utils.frameworks.keras_models import build_mlp as build_keras_mlp

    keras.utils.set_random_seed(seed)
    return build_keras_mlp()


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# --- predict and gradient --------------------------------------------------------------------


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
    np.testing.assert_allclose(
        m.gradient(x, y, batch_size=3), xt.grad.numpy(), rtol=1e-6, atol=1e-9
    )
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
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
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


# --- output_and_vjp -----------------------------------------------------------------------------


def _weights(n, k=10, seed=0):
    return np.random.default_rng(seed).normal(size=(n, k)).astype(np.float32)


@pytest.mark.parametrize("name", ["cnn-trained", "mlp-random"])
def test_torch_output_and_vjp_match_autograd_and_the_sum_of_class_gradients(name, digits):
    x, _ = digits
    model = MODELS[name]
    m = xai.wrap(model)
    w = _weights(len(x))
    out, vjp = m.output_and_vjp(x)
    xt = torch.from_numpy(x).requires_grad_(True)
    expected_out = model(xt)
    (expected,) = torch.autograd.grad(expected_out, xt, grad_outputs=torch.from_numpy(w))
    np.testing.assert_allclose(out, expected_out.detach().numpy(), rtol=1e-6)
    got = vjp(w)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-7)
    per_class = sum(w[:, k].reshape(-1, 1, 1, 1) * m.gradient(x, k) for k in range(10))
    np.testing.assert_allclose(got, per_class, rtol=1e-4, atol=1e-6)


def test_keras_output_and_vjp_match_gradient_tape_and_the_sum_of_class_gradients(digits):
    tf = pytest.importorskip("tensorflow")
    model = _keras_mlp()
    x = digits[0][:, 0]
    m = xai.wrap(model)
    w = _weights(len(x), seed=1)
    out, vjp = m.output_and_vjp(x)
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        expected_out = model(xt, training=False)
    expected = tape.gradient(expected_out, xt, output_gradients=tf.convert_to_tensor(w)).numpy()
    np.testing.assert_allclose(out, expected_out.numpy(), rtol=1e-6)
    got = vjp(w)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    per_class = sum(w[:, k].reshape(-1, 1, 1) * m.gradient(x, k) for k in range(10))
    np.testing.assert_allclose(got, per_class, rtol=1e-4, atol=1e-6)


def test_numpy_output_and_vjp_sums_the_gradients_of_the_weighted_classes():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(5, 3))
    x = rng.normal(size=(4, 5))
    calls = []

    def gradient(v, t):
        calls.append(np.asarray(t).tolist())
        return np.broadcast_to(W[:, t].T, v.shape)  # d (x W)_t / dx = column t of W

    m = xai.wrap(
        lambda v: np.tanh(v @ W),
        gradient=lambda v, t: (
            gradient(v, t) * (1 - np.tanh(v @ W)[np.arange(len(v)), t] ** 2)[:, None]
        ),
    )
    out, vjp = m.output_and_vjp(x)
    np.testing.assert_allclose(out, np.tanh(x @ W))
    weights = rng.normal(size=(4, 3))
    weights[:, 1] = 0.0  # a class whose weight is zero everywhere is not asked for
    expected = (weights * (1 - np.tanh(x @ W) ** 2)) @ W.T  # the chain rule, by hand
    np.testing.assert_allclose(vjp(weights), expected, rtol=1e-12)
    assert calls == [[0, 0, 0, 0], [2, 2, 2, 2]]
    with pytest.raises(TypeError, match="predict"):
        xai.wrap(lambda v: v @ W).output_and_vjp(x)[1](weights)


# --- layers, copy, reinitialize ---------------------------------------------------------------------


def test_torch_layers_are_the_named_modules_with_parameters():
    mlp, cnn = xai.wrap(build_mlp()), xai.wrap(build_cnn())
    assert [(name, layer) for name, layer in mlp.layers()] == [
        ("Linear hidden", mlp.model.hidden),
        ("Linear output", mlp.model.output),
    ]
    assert [name for name, _ in cnn.layers()] == ["Conv2d conv1", "Conv2d conv2", "Linear head"]
    assert [layer for _, layer in cnn.layers()] == [
        cnn.model.conv1,
        cnn.model.conv2,
        cnn.model.head,
    ]


def test_keras_layers_are_the_layers_with_weights():
    model = _keras_mlp()
    assert xai.wrap(model).layers() == [
        ("Dense hidden", model.get_layer("hidden")),
        ("Dense output", model.get_layer("output")),
    ]


def test_torch_copy_and_reinitialize_change_the_copy_not_the_original(digits):
    x, _ = digits
    original = MODELS["cnn-trained"]
    before = _state(original)
    wrapped = xai.wrap(original)
    copy = wrapped.copy()
    assert copy.framework == "torch" and copy.model is not original and not copy.model.training
    np.testing.assert_array_equal(copy.predict(x), wrapped.predict(x))
    copy.reinitialize("Linear head", seed=3)
    assert not torch.equal(copy.model.head.weight, original.head.weight)
    assert torch.equal(copy.model.conv1.weight, original.conv1.weight)  # only the named layer moves
    assert not np.allclose(copy.predict(x), wrapped.predict(x))
    assert all(torch.equal(v, original.state_dict()[k]) for k, v in before.items()), (
        "the original must not change"
    )
    again = wrapped.copy()
    again.reinitialize("Linear head", seed=3)
    assert torch.equal(
        again.model.head.weight, copy.model.head.weight
    )  # the seed fixes the fresh weights
    again.reinitialize("Linear head", seed=4)
    assert not torch.equal(again.model.head.weight, copy.model.head.weight)
    with pytest.raises(
        ValueError,
        match=r"no layer called 'head'; the layers with parameters are \['Conv2d conv1', 'Conv2d conv2', 'Linear head'\]",
    ):
        again.reinitialize("head", seed=0)


def test_keras_copy_and_reinitialize_change_the_copy_not_the_original():
    model = _keras_mlp(seed=1)
    before = [w.copy() for w in model.get_weights()]
    wrapped = xai.wrap(model)
    copy = wrapped.copy()
    assert copy.framework == "keras" and copy.model is not model
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(copy.predict(x), wrapped.predict(x))
    copy.reinitialize("Dense output", seed=5)
    assert not np.array_equal(
        copy.model.get_layer("output").get_weights()[0], model.get_layer("output").get_weights()[0]
    )
    assert np.array_equal(
        copy.model.get_layer("hidden").get_weights()[0], model.get_layer("hidden").get_weights()[0]
    )
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)), (
        "the original must not change"
    )
    again = wrapped.copy()
    again.reinitialize("Dense output", seed=5)
    assert np.array_equal(
        again.model.get_layer("output").get_weights()[0],
        copy.model.get_layer("output").get_weights()[0],
    )


def test_a_numpy_function_has_no_layers_to_copy_or_reinitialize():
    m = xai.wrap(lambda v: v)
    with pytest.raises(ValueError, match="a numpy model has no layers the course can reach"):
        m.layers()
    with pytest.raises(ValueError, match="a numpy model cannot be copied here"):
        m.copy()
    with pytest.raises(ValueError, match="a numpy model's layers cannot be re-initialised here"):
        m.reinitialize("Linear 0", 0)


# --- module_chain -----------------------------------------------------------------------------------


def test_module_chain_lists_the_modules_in_forward_order(digits):
    x, _ = digits
    cnn = MODELS["cnn-trained"]
    chain = xai.wrap(cnn).module_chain(x[:1])
    assert chain == list(cnn.children())
    assert (
        torch_module_chain(
            cnn, x[:1], supported=("Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear")
        )
        == chain
    )
    single = nn.Linear(4, 2)
    assert xai.wrap(single).module_chain() == [single]


def test_module_chain_refuses_unsupported_layers_and_other_frameworks():
    model = nn.Sequential(nn.Flatten(), nn.Tanh(), nn.Linear(784, 10)).eval()
    with pytest.raises(
        ValueError,
        match=r"^lrp has no rule for layer '1' of type Tanh; it supports only Linear, Flatten \(built as torch.nn modules\)$",
    ):
        xai.wrap(model).module_chain(supported=("Linear", "Flatten"), method="lrp")
    with pytest.raises(
        ValueError, match=r"^lrp needs the layers of a PyTorch nn.Module, got a Keras model"
    ):
        xai.wrap(_keras_mlp()).module_chain(method="lrp")
    with pytest.raises(
        ValueError, match=r"^this method needs the layers of a PyTorch nn.Module, got a function"
    ):
        xai.wrap(lambda v: v).module_chain()
