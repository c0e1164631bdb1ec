"""course_utils.xai.deeplift against Captum's DeepLift, its summation-to-delta axiom, and its refusals.

Captum runs on a float64 copy of each model, as ours computes in float64.

Max-pool: ours uses the gradient rule (the multiplier goes to the argmax of x's window),
which is what Captum 0.9 computes when the pool follows an nn.ReLU (the course CNN).
That rule leaves a summation gap; the tests check that the gap is exactly the max-pool
layers' own terms and that it equals Captum's convergence delta.
"""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
captum_attr = pytest.importorskip("captum.attr")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from course_utils import xai  # noqa: E402
from course_utils.frameworks.torch_models import build_mlp  # noqa: E402
from course_utils.xai.deeplift import SUPPORTED_LAYERS  # noqa: E402
from tests.xai.helpers import assert_attr_close, course_models, scaled_test_digits  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:Setting forward, backward hooks", "ignore:Input Tensor 0 did not"
)


@pytest.fixture(scope="module")
def digits():
    return scaled_test_digits(16)


MODELS = course_models()


def small_convnet():
    """Linear, Conv2d and ReLU only: summation-to-delta must hold exactly here."""
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 14 * 14, 32),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(32, 10),
    ).eval()


def captum_deeplift(model, x, target, baseline):
    """Captum's DeepLift on a float64 copy of the model (ours works in float64; Captum's float32
    rescale ratios Δout/Δin round to about 1e-3 relative on small elements)."""
    model64 = copy.deepcopy(model).double()
    attr, delta = captum_attr.DeepLift(model64).attribute(
        torch.from_numpy(np.asarray(x, np.float64)),
        baselines=torch.from_numpy(
            np.broadcast_to(np.asarray(baseline, np.float64), x.shape).copy()
        ),
        target=torch.as_tensor(target),
        return_convergence_delta=True,
    )
    return attr.detach().numpy(), delta.detach().numpy()


# --- against Captum ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("baseline", [0.0, 0.25, "blurred"])
def test_deeplift_matches_captum(name, baseline, digits):
    x, y = digits
    if isinstance(baseline, str):  # a different, non-constant reference for every row
        baseline = 0.25 * (
            x + np.roll(x, 3, axis=-1) + np.roll(x, -3, axis=-2) + np.roll(x, 2, axis=-2)
        )
    model = MODELS[name]
    ours, delta = xai.deeplift(model, x, y, baseline=baseline, return_delta=True)
    theirs, their_delta = captum_deeplift(model, x, y, np.asarray(baseline, np.float32))
    assert ours.shape == x.shape and ours.dtype == x.dtype
    assert_attr_close(ours, theirs)
    np.testing.assert_allclose(delta, their_delta, atol=1e-4 * np.abs(their_delta).max() + 1e-5)


def test_deeplift_matches_captum_on_a_net_without_pooling(digits):
    x, _ = digits
    model = small_convnet()
    ours = xai.deeplift(xai.wrap(model), x, 4)  # a wrapped model works too
    theirs, _ = captum_deeplift(model, x, 4, np.zeros_like(x))
    assert_attr_close(ours, theirs)


def test_deeplift_matches_captum_with_same_padding_and_strided_pooling(digits):
    x, y = digits
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 3, 5, padding="same"),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=3, padding=1),
        nn.Conv2d(3, 4, 3, stride=2, bias=False),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 10),
    ).eval()
    ours, delta = xai.deeplift(model, x, y, baseline=0.1, return_delta=True)
    theirs, their_delta = captum_deeplift(model, x, y, np.float32(0.1))
    assert_attr_close(ours, theirs)
    np.testing.assert_allclose(delta, their_delta, atol=1e-6)


# --- summation to delta ------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [small_convnet(), MODELS["mlp-random"], MODELS["mlp-trained"]],
    ids=["convnet", "mlp-random", "mlp-trained"],
)
@pytest.mark.parametrize("baseline", [None, 0.5])
def test_summation_to_delta_holds_on_linear_conv_relu_networks(model, baseline, digits):
    x, y = digits
    attr, delta = xai.deeplift(model, x, y, baseline=baseline, return_delta=True)
    assert np.abs(delta).max() < 1e-5
    # and the delta refers to the model's own outputs
    m = xai.wrap(model)
    base = np.zeros_like(x) if baseline is None else np.full_like(x, baseline)
    change = m.predict(x)[np.arange(len(x)), y] - m.predict(base)[np.arange(len(x)), y]
    np.testing.assert_allclose(attr.reshape(len(x), -1).sum(1), change, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["cnn-random", "cnn-trained"])
def test_maxpool_gap_is_the_pool_layers_own_terms_and_captums_delta(name, digits):
    x, y = digits
    model = MODELS[name]
    trace = xai.deeplift_layers(model, x, y)
    _, delta = xai.deeplift(model, x, y, return_delta=True)
    per_layer = {t.name: t.gap() for t in trace}
    for t in trace:
        if type(t.layer).__name__ != "MaxPool2d":
            assert np.abs(per_layer[t.name]).max() < 1e-9, t.name
    np.testing.assert_allclose(sum(per_layer.values()), delta, atol=1e-9)
    # the formula: each window adds m_out * ((a_p - a'_p) - (max a - max a')), p = argmax of x's window
    for t in trace:
        if type(t.layer).__name__ == "MaxPool2d":
            _, idx = F.max_pool2d(torch.from_numpy(t.x_in), 2, return_indices=True)
            n, c = t.x_in.shape[:2]
            d_at_argmax = np.take_along_axis(
                (t.x_in - t.ref_in).reshape(n, c, -1), idx.reshape(n, c, -1).numpy(), axis=2
            )
            window = t.m_out.reshape(n, c, -1) * (
                d_at_argmax - (t.x_out - t.ref_out).reshape(n, c, -1)
            )
            np.testing.assert_allclose(window.sum(axis=(1, 2)), per_layer[t.name], atol=1e-9)
    _, their_delta = captum_deeplift(model, x, y, np.zeros_like(x))
    np.testing.assert_allclose(delta, their_delta, atol=1e-4 * np.abs(their_delta).max() + 1e-5)
    if name == "cnn-trained":
        assert np.abs(delta).max() > 1e-3  # the gap is real, not rounding


def test_layer_trace_names_the_course_cnns_modules(digits):
    x, y = digits
    trace = xai.deeplift_layers(MODELS["cnn-trained"], x[:2], y[:2])
    assert [t.name for t in trace] == [
        "conv1",
        "relu1",
        "pool1",
        "conv2",
        "relu2",
        "pool2",
        "flatten",
        "head",
    ]
    assert {type(t.layer).__name__ for t in trace} <= set(SUPPORTED_LAYERS)
    assert trace[0].x_in.shape == (2, 1, 28, 28) and trace[-1].m_out.shape == (2, 10)


def test_maxpool_gap_on_one_window_by_hand():
    """f(x) = max of a 2x2 window. x = [[1, 0], [0, 0]], reference [[0, 0], [0, 2]]: f(x) - f(x') = -1.

    The gradient rule credits x's argmax with (1 - 0) * 1 = 1, so the sum misses by 2.
    """
    model = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1, 1, bias=False)).eval()
    with torch.no_grad():
        model[2].weight.fill_(1.0)
    x = np.array([[[[1.0, 0.0], [0.0, 0.0]]]], np.float32)
    ref = np.array([[[0.0, 0.0], [0.0, 2.0]]], np.float32)
    attr, delta = xai.deeplift(model, x, 0, baseline=ref, return_delta=True)
    np.testing.assert_allclose(attr, [[[[1.0, 0.0], [0.0, 0.0]]]])
    np.testing.assert_allclose(delta, [2.0])


# --- DeepLIFT, gradients and IG -----------------------------------------------------------


def test_saturated_unit_gets_credit_where_the_gradient_is_zero():
    """f(x) = 1 - relu(1 - x) = min(x, 1). At x = 3 the unit is saturated: gradient 0, yet f(3) - f(0) = 1."""
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)).eval()
    with torch.no_grad():
        model[0].weight.fill_(-1.0)
        model[0].bias.fill_(1.0)
        model[2].weight.fill_(-1.0)
        model[2].bias.fill_(1.0)
    x = np.array([[3.0]], np.float32)
    assert xai.gradient_x_input(model, x, 0)[0, 0] == 0.0
    attr, delta = xai.deeplift(model, x, 0, return_delta=True)
    assert attr[0, 0] == pytest.approx(1.0) and abs(delta[0]) < 1e-12


def test_on_a_linear_model_deeplift_gradient_x_input_and_ig_coincide():
    rng = np.random.default_rng(0)
    linear = nn.Sequential(nn.Flatten(), nn.Linear(20, 3)).double().eval()
    x = rng.normal(size=(4, 20))
    w = linear[1].weight.detach().numpy()
    dl = xai.deeplift(linear, x, 1)
    np.testing.assert_allclose(dl, x * w[1], rtol=1e-10)
    np.testing.assert_allclose(dl, xai.gradient_x_input(linear, x, 1), rtol=1e-10)
    np.testing.assert_allclose(dl, xai.integrated_gradients(linear, x, 1, n_steps=3), rtol=1e-10)


# --- refusals ------------------------------------------------------------------------------


class FunctionalCNN(nn.Module):
    """The course CNN's layers, but with F.relu / F.max_pool2d in forward: invisible to module-based DeepLIFT."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


class Untraceable(nn.Module):
    """F.relu behind data-dependent control flow: torch.fx cannot trace it, the output check catches it."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(784, 16), nn.Linear(16, 10)

    def forward(self, x):
        h = self.fc1(x.flatten(1))
        if h.sum() > -1e9:
            h = F.relu(h)
        return self.fc2(h)


class ReorderedButChained(nn.Module):
    """Registered in one order, called in another: the fx trace gives the calling order, so this is fine."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 10)
        self.act = nn.ReLU()
        self.flat = nn.Flatten()
        self.body = nn.Linear(784, 32)

    def forward(self, x):
        return self.head(self.act(self.body(self.flat(x))))


def test_functional_relu_is_refused_with_a_clear_error(digits):
    x, y = digits
    model = FunctionalCNN().eval()
    model.load_state_dict(
        {
            k: v
            for k, v in zip(
                model.state_dict(), MODELS["cnn-trained"].state_dict().values(), strict=True
            )
        }
    )
    with pytest.raises(ValueError, match=r"relu.*nn\.ReLU"):
        xai.deeplift(model, x, y)
    with pytest.raises(ValueError, match="does not reproduce"):
        xai.deeplift(Untraceable().eval(), x, 0)
    # while the gradient methods, which need no layers, still work on it and agree with the module version
    assert_attr_close(
        xai.integrated_gradients(model, x, y, n_steps=10),
        xai.integrated_gradients(MODELS["cnn-trained"], x, y, n_steps=10),
    )


def test_calling_order_comes_from_forward_not_registration(digits):
    x, _ = digits
    torch.manual_seed(2)
    model = ReorderedButChained().eval()
    ours = xai.deeplift(model, x, 3)
    theirs, _ = captum_deeplift(model, x, 3, np.zeros_like(x))
    assert_attr_close(ours, theirs)


@pytest.mark.parametrize(
    "layer, name",
    [(nn.Sigmoid(), "Sigmoid"), (nn.BatchNorm1d(784), "BatchNorm1d"), (nn.Tanh(), "Tanh")],
)
def test_unsupported_layers_are_named(layer, name):
    model = nn.Sequential(nn.Flatten(), layer, nn.Linear(784, 10)).eval()
    with pytest.raises(ValueError, match=rf"layer '1' of type {name}.*Linear, Conv2d, ReLU"):
        xai.deeplift(model, np.zeros((1, 28, 28), np.float32), 0)


def test_dropout_in_training_mode_and_non_torch_models_are_refused():
    model = build_mlp().train()
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="eval"):
        xai.deeplift(xai.wrap(model), np.zeros((1, 28, 28), np.float32), 0)
    with pytest.raises(ValueError, match="PyTorch"):
        xai.deeplift(lambda x: x.reshape(len(x), -1)[:, :10], np.zeros((1, 28, 28), np.float32), 0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": 10}, r"0\.\.9"),
        ({"baseline": np.zeros(5, np.float32)}, "baseline"),
        ({"x": np.zeros(784, np.float32)}, "batch"),
    ],
)
def test_bad_input_is_a_value_error(kwargs, message):
    args = {"x": np.zeros((2, 1, 28, 28), np.float32), "target": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        xai.deeplift(MODELS["cnn-random"], **args)
