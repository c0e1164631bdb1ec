"""course_utils.xai.deeplift against Captum's DeepLift and shap's DeepExplainer, its summation-to-delta
axiom, and its refusals.

Captum and shap run on a float64 copy of each model, as ours computes in float64.

Max-pool, two rules:
- "exact" (default): each window's change is split between the argmax of x and of the reference.
  References: Captum's own maxpool handler (it runs where no hooked nonlinearity touches the pool, e.g.
  with an identity 1x1 convolution between ReLU and pool), shap's DeepExplainer with one background
  image, the hand-derived answer of Captum's `lin_maxpool_lin` test case, and summation-to-delta on
  random Conv2d/ReLU/MaxPool2d/Linear chains with random and digit baselines.
- "gradient": the multiplier goes to the argmax of x's window, which is what Captum 0.9 computes when
  the pool follows an nn.ReLU (the course CNN). It leaves a summation gap; the tests check that the gap
  is exactly the max-pool layers' own terms and that it equals Captum's convergence delta.
"""

import copy
from collections import OrderedDict

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


@pytest.fixture(scope="module")
def few_digits():
    return scaled_test_digits(6)


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
    # Captum's effective rule after a ReLU is the gradient rule (the MLPs have no pools: both rules agree)
    ours, delta = xai.deeplift(
        model, x, y, baseline=baseline, return_delta=True, maxpool_rule="gradient"
    )
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
    ours, delta = xai.deeplift(
        model, x, y, baseline=0.1, return_delta=True, maxpool_rule="gradient"
    )
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
def test_gradient_rule_gap_is_the_pool_layers_own_terms_and_captums_delta(name, digits):
    x, y = digits
    model = MODELS[name]
    trace = xai.deeplift_layers(model, x, y, maxpool_rule="gradient")
    _, delta = xai.deeplift(model, x, y, return_delta=True, maxpool_rule="gradient")
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


def one_window_model():
    """f(x) = the max of one 2x2 window (MaxPool2d, then a Linear with weight 1)."""
    model = nn.Sequential(nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1, 1, bias=False)).eval()
    with torch.no_grad():
        model[2].weight.fill_(1.0)
    return model


def test_maxpool_rules_on_one_window_by_hand():
    """x = [[1, 0], [0, 0]], reference [[0, 0], [0, 2]]: f(x) - f(x') = 1 - 2 = -1.

    Gradient rule: x's argmax (0, 0) gets (1 - 0) * 1 = 1, so the sum misses by 2.
    Exact rule: max(y, y') = 2, so (0, 0) gets 2 - 2 = 0 and the reference's argmax (1, 1) gets
    1 - 2 = -1; its multiplier is -1 / (0 - 2) = 1/2, its contribution -1: the sum is f(x) - f(x').
    """
    x = np.array([[[[1.0, 0.0], [0.0, 0.0]]]], np.float32)
    ref = np.array([[[0.0, 0.0], [0.0, 2.0]]], np.float32)
    attr, delta = xai.deeplift(
        one_window_model(), x, 0, baseline=ref, return_delta=True, maxpool_rule="gradient"
    )
    np.testing.assert_allclose(attr, [[[[1.0, 0.0], [0.0, 0.0]]]])
    np.testing.assert_allclose(delta, [2.0])
    attr, delta = xai.deeplift(one_window_model(), x, 0, baseline=ref, return_delta=True)
    np.testing.assert_allclose(attr, [[[[0.0, 0.0], [0.0, -1.0]]]])
    np.testing.assert_allclose(delta, [0.0], atol=1e-15)
    trace = xai.deeplift_layers(one_window_model(), x, 0, baseline=ref)
    np.testing.assert_allclose(trace[0].m_in, [[[[0.0, 0.0], [0.0, 0.5]]]])
    # x's argmax unchanged (Δ = 0 there): it gets the gradient's multiplier 1, and no contribution;
    # the reference's argmax gets (2 - 3) / (0 - 3) = 1/3
    x, ref = np.array([[[[2.0, 0.0], [0.0, 0.0]]]]), np.array([[[[2.0, 0.0], [0.0, 3.0]]]])
    trace = xai.deeplift_layers(one_window_model(), x, 0, baseline=ref)
    np.testing.assert_allclose(trace[0].m_in, [[[[1.0, 0.0], [0.0, 1 / 3]]]])


def captum_case_as_a_chain():
    """Captum's LinearMaxPoolLinearModel (identity Linear(4, 4), MaxPool1d(4), Linear(1, 1) of weight 1)
    as a chain of modules on (N, 1, 1, 4): the same function, which xai.deeplift can trace."""
    first, last = nn.Linear(4, 4, bias=False), nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        first.weight.copy_(torch.eye(4))
        last.weight.fill_(1.0)
    return nn.Sequential(first, nn.MaxPool2d((1, 4)), nn.Flatten(), last).eval()


def test_captums_lin_maxpool_lin_case():
    """Captum's test_lin_maxpool_lin_classification: x = ones, references [1, 2, 3, 9] and [4, 8, 6, 7].

    f(x) - f(x') = 1 - 9 = -8 and 1 - 8 = -7. The exact rule puts all of it on the reference's argmax
    (Δ there: 1 - 9 = -8 and 1 - 8 = -7, multiplier 1): [[0, 0, 0, -8], [0, -7, 0, 0]], no gap. The
    gradient rule puts m = 1 on x's argmax (the first of the tied ones), where Δ = 1 - 1 = 0 and
    1 - 4 = -3: [[0, 0, 0, 0], [-3, 0, 0, 0]], gaps 0 - (-8) = 8 and -3 - (-7) = 4.
    """
    x = np.ones((2, 1, 1, 4), np.float32)
    refs = np.array([[1, 2, 3, 9], [4, 8, 6, 7]], np.float32).reshape(2, 1, 1, 4)
    model = captum_case_as_a_chain()
    exact, exact_delta = xai.deeplift(model, x, 0, baseline=refs, return_delta=True)
    np.testing.assert_allclose(exact.reshape(2, 4), [[0, 0, 0, -8], [0, -7, 0, 0]])
    np.testing.assert_allclose(exact_delta, [0, 0], atol=1e-12)
    grad, grad_delta = xai.deeplift(
        model, x, 0, baseline=refs, return_delta=True, maxpool_rule="gradient"
    )
    np.testing.assert_allclose(grad.reshape(2, 4), [[0, 0, 0, 0], [-3, 0, 0, 0]])
    np.testing.assert_allclose(grad_delta, [8, 4])
    # and Captum on its own model (no ReLU next to the pool, so its maxpool handler runs)
    from captum.testing.helpers.basic_models import LinearMaxPoolLinearModel

    theirs, their_delta = captum_attr.DeepLift(LinearMaxPoolLinearModel()).attribute(
        torch.ones(2, 4),
        torch.from_numpy(refs.reshape(2, 4)),
        target=0,
        return_convergence_delta=True,
    )
    np.testing.assert_allclose(exact.reshape(2, 4), theirs.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(their_delta.detach().numpy(), [0, 0], atol=1e-6)


# --- the exact max-pool rule: summation to delta, and the references --------------------------

#: MaxPool2d settings: non-overlapping, overlapping, stride larger than the kernel, padded,
#: dilated, ceil_mode, rectangular.
POOLS = {
    "2x2": dict(kernel_size=2),
    "3/2 overlapping": dict(kernel_size=3, stride=2),
    "2/3 gaps": dict(kernel_size=2, stride=3),
    "3/1 padded": dict(kernel_size=3, stride=1, padding=1),
    "dilated": dict(kernel_size=2, stride=2, dilation=2),
    "ceil": dict(kernel_size=3, stride=2, ceil_mode=True),
    "2x3": dict(kernel_size=(2, 3), stride=(2, 1)),
}


def random_chain(seed, pool):
    """Conv2d, ReLU, MaxPool2d, Conv2d, MaxPool2d (a pool after a convolution, no ReLU between),
    ReLU, MaxPool2d (a pool after a pool), Flatten, Linear, ReLU, Linear; random weights."""
    torch.manual_seed(seed)
    body = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(**pool),
        nn.Conv2d(4, 5, 3, padding=1),
        nn.MaxPool2d(**pool),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1),
        nn.Flatten(),
    )
    width = body(torch.zeros(1, 1, 28, 28)).shape[1]
    return nn.Sequential(*body, nn.Linear(width, 12), nn.ReLU(), nn.Linear(12, 10)).eval()


def blurred(images, passes=3):
    """A box blur (3x3, repeated), a non-constant reference that looks like the digit."""
    out = np.asarray(images, np.float64)
    for _ in range(passes):
        padded = np.pad(out, [(0, 0)] * (out.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
        out = (
            sum(
                padded[..., i : i + out.shape[-2], j : j + out.shape[-1]]
                for i in range(3)
                for j in range(3)
            )
            / 9
        )
    return out.astype(np.float32)


def baselines_for(kind, x, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "uniform noise": lambda: rng.uniform(0, 1, x.shape).astype(np.float32),
        "normal noise": lambda: rng.normal(0.3, 0.5, x.shape).astype(np.float32),
        "another digit": lambda: np.roll(x, 1, axis=0),
        "blurred digit": lambda: blurred(x),
        "mean digit": lambda: np.broadcast_to(x.mean(axis=0), x.shape).copy(),
    }[kind]()


def output_change(model, x, target, baseline):
    """f_t(x) - f_t(x') from a float64 copy of the model: an independent forward pass."""
    model64 = copy.deepcopy(model).double()
    rows = np.arange(len(x))
    with torch.no_grad():
        f_x = model64(torch.from_numpy(np.asarray(x, np.float64))).numpy()
        f_r = model64(torch.from_numpy(np.asarray(baseline, np.float64))).numpy()
    return f_x[rows, target] - f_r[rows, target]


BASELINES = ["uniform noise", "normal noise", "another digit", "blurred digit", "mean digit"]


@pytest.mark.parametrize("pool", list(POOLS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_rule_sums_to_delta_on_random_chains(seed, pool, few_digits):
    x, _ = few_digits
    model = random_chain(seed, POOLS[pool])
    target = np.random.default_rng(seed).integers(0, 10, len(x))
    gradient_gaps = []
    for kind in BASELINES:
        baseline = baselines_for(kind, x, seed)
        attr, delta = xai.deeplift(model, x, target, baseline=baseline, return_delta=True)
        change = output_change(model, x, target, baseline)
        total = attr.astype(np.float64).reshape(len(x), -1).sum(axis=1)
        assert np.all(np.abs(total - change) <= 1e-5 * np.abs(change)), kind
        assert np.all(np.abs(delta) <= 1e-5 * np.abs(change)), kind
        _, gradient_delta = xai.deeplift(
            model, x, target, baseline=baseline, return_delta=True, maxpool_rule="gradient"
        )
        gradient_gaps.append(np.abs(gradient_delta) / np.abs(change))
    # the same chains and baselines are not trivial: the gradient rule misses by far more
    assert np.max(gradient_gaps) > 1e-2


@pytest.mark.parametrize("name", ["cnn-random", "cnn-trained"])
@pytest.mark.parametrize("kind", BASELINES)
def test_exact_rule_sums_to_delta_on_the_course_cnn(name, kind, digits):
    x, y = digits
    baseline = baselines_for(kind, x)
    attr, delta = xai.deeplift(MODELS[name], x, y, baseline=baseline, return_delta=True)
    change = output_change(MODELS[name], x, y, baseline)
    total = attr.astype(np.float64).reshape(len(x), -1).sum(axis=1)
    assert np.all(np.abs(total - change) <= 1e-5 * np.abs(change))
    trace = xai.deeplift_layers(MODELS[name], x, y, baseline=baseline)
    assert all(np.all(np.abs(t.gap()) <= 1e-9 * np.abs(change)) for t in trace)


def test_exact_rule_survives_references_close_to_x(digits):
    """Δ of about 1e-7 everywhere and exact zeros (half the image equal to x). The proof's bound: at a
    pool's input every multiplier is at most the sum of |m_out| over the windows covering it (each
    window sends a fraction in [0, 1] of its multiplier to each argmax), so nothing blows up; the gap is
    at most ε = 1e-10 per unit that falls back to the gradient."""
    x, y = digits
    rng = np.random.default_rng(5)
    baseline = x + 1e-7 * rng.standard_normal(x.shape)
    baseline[..., 14:] = x[..., 14:]
    model = random_chain(0, POOLS["3/2 overlapping"])
    trace = xai.deeplift_layers(model, x.astype(np.float64), y, baseline=baseline)
    for t in trace:
        if type(t.layer).__name__ == "MaxPool2d":
            pool = t.layer
            n, c, h, w = t.x_in.shape
            k = pool.kernel_size if isinstance(pool.kernel_size, tuple) else (pool.kernel_size,) * 2
            per_window = np.abs(t.m_out).reshape(n, c, 1, -1).repeat(k[0] * k[1], axis=2)
            covering = F.fold(
                torch.from_numpy(per_window.reshape(n, c * k[0] * k[1], -1)),
                (h, w),
                k,
                dilation=pool.dilation,
                padding=pool.padding,
                stride=pool.stride,
            ).numpy()
            assert np.all(np.abs(t.m_in) <= covering + 1e-12)
    attr, delta = xai.deeplift(model, x.astype(np.float64), y, baseline=baseline, return_delta=True)
    change = output_change(model, x, y, baseline)
    assert np.all(np.isfinite(attr))
    assert np.all(np.abs(delta) <= 1e-5 * np.abs(change) + 1e-11)


def test_exact_rule_equals_the_gradient_rule_where_every_argmax_agrees(digits):
    """Reference x / 2 on a bias-free Conv/ReLU/MaxPool network: every activation of the reference is
    exactly half of x's (scaling by a power of 2 is exact in floating point), so every window has the
    same argmax for both, and the two rules must give the same multipliers."""
    x, y = digits
    torch.manual_seed(4)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(4, 6, 3, bias=False),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(6 * 5 * 5, 10),
    ).eval()
    for factor in (0.5, 0.25):
        trace = xai.deeplift_layers(model, x, y, baseline=factor * x)
        for t in trace:  # the premise: the reference's activations are x's, scaled
            if type(t.layer).__name__ == "MaxPool2d":
                np.testing.assert_array_equal(t.ref_in, factor * t.x_in)
        exact = xai.deeplift(model, x, y, baseline=factor * x)
        gradient = xai.deeplift(model, x, y, baseline=factor * x, maxpool_rule="gradient")
        np.testing.assert_allclose(exact, gradient, rtol=1e-10, atol=1e-12 * np.abs(exact).max())
    # and where the argmaxes differ, the rules differ (so the equality above is not vacuous)
    exact = xai.deeplift(model, x, y, baseline=blurred(x))
    gradient = xai.deeplift(model, x, y, baseline=blurred(x), maxpool_rule="gradient")
    assert np.abs(exact - gradient).max() > 1e-2 * np.abs(exact).max()


def with_identity_before_pools(model):
    """The model with a per-channel identity 1x1 convolution between every ReLU and the MaxPool2d after
    it: the same function, but the pool no longer shares its input tensor with a hooked ReLU, so
    Captum's own maxpool handler reaches the ReLU's multipliers."""
    children = list(model.named_children())
    layers = OrderedDict()
    for i, (name, layer) in enumerate(children):
        layers[name] = copy.deepcopy(layer)
        if isinstance(layer, nn.ReLU) and isinstance(children[i + 1][1], nn.MaxPool2d):
            channels = children[i - 1][1].out_channels
            identity = nn.Conv2d(channels, channels, 1, groups=channels, bias=False)
            with torch.no_grad():
                identity.weight.fill_(1.0)
            layers[f"{name}_identity"] = identity
    return nn.Sequential(layers).eval()


@pytest.mark.parametrize("name", ["cnn-random", "cnn-trained"])
@pytest.mark.parametrize("baseline", ["black", "another digit", "blurred digit"])
def test_exact_rule_matches_captums_maxpool_handler(name, baseline, digits):
    x, y = digits
    base = np.zeros_like(x) if baseline == "black" else baselines_for(baseline, x)
    model = MODELS[name]
    rerouted = with_identity_before_pools(model)
    np.testing.assert_allclose(
        xai.wrap(rerouted).predict(x), xai.wrap(model).predict(x), rtol=1e-6, atol=1e-6
    )
    ours, delta = xai.deeplift(model, x, y, baseline=base, return_delta=True)
    theirs, their_delta = captum_deeplift(rerouted, x, y, base)
    assert_attr_close(ours, theirs)
    assert np.abs(their_delta).max() < 1e-9 and np.abs(delta).max() < 1e-9
    # while on the course CNN as it is, Captum computes the gradient rule
    plain, _ = captum_deeplift(model, x, y, base)
    assert_attr_close(xai.deeplift(model, x, y, baseline=base, maxpool_rule="gradient"), plain)


@pytest.mark.parametrize("pool", ["2x2", "2/3 gaps", "3/2 overlapping"])
def test_exact_rule_matches_captum_when_no_relu_touches_the_pool(pool, digits):
    """Conv2d -> MaxPool2d -> Conv2d -> ReLU: Captum's maxpool handler runs. It unpools with
    max_unpool2d, which keeps one window's share where overlapping windows pick the same input
    (shap's handler does the same): there Captum misses, while ours sums the shares and stays exact.
    (max_unpool2d has no dilation, so Captum's handler cannot run dilated pools at all.)"""
    x, y = digits
    torch.manual_seed(6)
    body = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(**POOLS[pool]), nn.Conv2d(4, 6, 3), nn.ReLU()
    )
    width = body(torch.zeros(1, 1, 28, 28)).flatten(1).shape[1]
    model = nn.Sequential(*body, nn.Flatten(), nn.Linear(width, 10)).eval()
    base = blurred(x)
    ours, delta = xai.deeplift(model, x, y, baseline=base, return_delta=True)
    theirs, their_delta = captum_deeplift(model, x, y, base)
    assert np.abs(delta).max() < 1e-9
    if pool == "3/2 overlapping":
        assert np.abs(their_delta).max() > 1e-3
    else:
        assert_attr_close(ours, theirs)
        assert np.abs(their_delta).max() < 1e-9


@pytest.mark.parametrize("baseline", ["black", "another digit", "blurred digit"])
def test_exact_rule_matches_shaps_deep_explainer_with_one_reference(baseline, few_digits):
    """shap's DeepExplainer (PyTorch) with a single background image is DeepLIFT against that image
    (shap explains the top class: ranked_outputs=1)."""
    shap = pytest.importorskip("shap")
    x = few_digits[0][:4]
    reference = {
        "black": np.zeros_like(x[:1]),
        "another digit": scaled_test_digits(7)[0][6:7],
        "blurred digit": blurred(scaled_test_digits(8)[0][7:8]),
    }[baseline]
    model = MODELS["cnn-trained"]
    model64 = copy.deepcopy(model).double()
    values, classes = shap.DeepExplainer(
        model64, torch.from_numpy(reference.astype(np.float64))
    ).shap_values(torch.from_numpy(x.astype(np.float64)), ranked_outputs=1, check_additivity=False)
    theirs, classes = np.asarray(values)[..., 0], np.asarray(classes)[:, 0]
    ours = xai.deeplift(model, x, classes, baseline=reference[0])
    assert_attr_close(ours, theirs)
    gradient = xai.deeplift(model, x, classes, baseline=reference[0], maxpool_rule="gradient")
    assert np.abs(gradient - theirs).max() > 1e-2 * np.abs(theirs).max()


@pytest.mark.parametrize("rule", ["Exact", "max", None, 1, ["exact"]])
def test_bad_maxpool_rule_is_a_value_error(rule):
    with pytest.raises(ValueError, match=r"maxpool_rule must be one of 'exact', 'gradient'"):
        xai.deeplift(
            MODELS["cnn-random"], np.zeros((1, 1, 28, 28), np.float32), 0, maxpool_rule=rule
        )
    with pytest.raises(ValueError, match="maxpool_rule"):
        xai.deeplift_layers(
            MODELS["cnn-random"], np.zeros((1, 1, 28, 28), np.float32), 0, maxpool_rule=rule
        )


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
