"""course_utils.numpy_nn against finite differences, PyTorch autograd and torch.optim, plus its errors."""

import subprocess
import sys

import numpy as np
import pytest

from course_utils import numpy_nn as nn


def central_diff(f, x, eps=1e-6):
    """Numeric derivative of an elementwise function f at every entry of x (float64)."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def numeric_grad(f, x, eps=1e-6):
    """Numeric gradient of a scalar function f(x) with respect to every entry of x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_import_loads_no_framework():
    code = "import sys, course_utils.numpy_nn, course_utils.autograd; print([m for m in ('torch', 'tensorflow') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


# --- activations ---------------------------------------------------------------

# points away from the kinks of relu / leaky relu (at 0 the derivative is not defined)
Z = np.array([-6.0, -2.5, -0.7, -0.1, 0.1, 0.4, 1.3, 3.0, 7.0])


@pytest.mark.parametrize(
    "f, df",
    [
        (nn.sigmoid, nn.sigmoid_grad),
        (nn.tanh, nn.tanh_grad),
        (nn.relu, nn.relu_grad),
        (nn.leaky_relu, nn.leaky_relu_grad),
        (lambda z: nn.leaky_relu(z, slope=0.2), lambda z: nn.leaky_relu_grad(z, slope=0.2)),
    ],
)
def test_activation_derivatives_match_central_differences(f, df):
    np.testing.assert_allclose(df(Z), central_diff(f, Z), rtol=1e-7, atol=1e-9)


def test_activation_values():
    np.testing.assert_allclose(nn.sigmoid(Z), 1 / (1 + np.exp(-Z)), rtol=1e-12)
    np.testing.assert_allclose(nn.tanh(Z), np.tanh(Z))
    np.testing.assert_array_equal(nn.relu(Z), np.where(Z > 0, Z, 0))
    np.testing.assert_allclose(nn.leaky_relu(Z, slope=0.1), np.where(Z > 0, Z, 0.1 * Z))
    assert nn.relu_grad(np.array([0.0]))[0] == 0.0


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = nn.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 1.0])


def test_softmax_matches_scipy_and_is_stable():
    from scipy.special import log_softmax, softmax

    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 7)) * 3
    np.testing.assert_allclose(nn.softmax(z), softmax(z, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(nn.softmax(z, axis=0), softmax(z, axis=0), rtol=1e-12)
    np.testing.assert_allclose(nn.log_softmax(z), log_softmax(z, axis=-1), rtol=1e-12)
    big = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = nn.softmax(big)
        lp = nn.log_softmax(big)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(lp, [[0.0, -1000.0, -2000.0]])


def test_softmax_jacobian_matches_central_differences():
    # d softmax_i / d z_j = p_i (delta_ij - p_j)
    z = np.array([0.3, -1.2, 2.0, 0.5])
    p = nn.softmax(z)
    analytic = np.diag(p) - np.outer(p, p)
    numeric = np.stack([numeric_grad(lambda v, i=i: nn.softmax(v)[i], z) for i in range(4)])
    np.testing.assert_allclose(analytic, numeric, atol=1e-9)


# --- losses --------------------------------------------------------------------


def test_mse_and_its_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert np.isclose(nn.mse(pred, target), np.mean((pred - target) ** 2))
    np.testing.assert_allclose(nn.mse_grad(pred, target), numeric_grad(lambda p: nn.mse(p, target), pred), atol=1e-8)


def test_binary_cross_entropy_matches_torch_and_its_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    p, y = rng.uniform(0.05, 0.95, size=8), rng.integers(0, 2, size=8).astype(float)
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item()
    assert np.isclose(nn.binary_cross_entropy(p, y), expected, rtol=1e-10)
    # dBCE/dp = (p - y) / (p (1 - p)) / n
    numeric = numeric_grad(lambda q: nn.binary_cross_entropy(q, y), p)
    np.testing.assert_allclose(numeric, (p - y) / (p * (1 - p)) / len(p), rtol=1e-6)
    # a confident mistake is expensive but finite
    assert np.isfinite(nn.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))


def test_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits, labels = rng.normal(size=(16, 10)) * 4, rng.integers(0, 10, size=16)
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert np.isclose(nn.cross_entropy(logits, labels), expected, rtol=1e-12)


def test_softmax_cross_entropy_grad_is_p_minus_y_over_n():
    rng = np.random.default_rng(4)
    logits, labels = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    numeric = numeric_grad(lambda z: nn.cross_entropy(z, labels), logits)
    np.testing.assert_allclose(nn.softmax_cross_entropy_grad(logits, labels), numeric, atol=1e-9)
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(nn.softmax_cross_entropy_grad(logits, labels), (nn.softmax(logits) - onehot) / 5)


def test_softmax_cross_entropy_stable_at_plus_minus_1000():
    torch = pytest.importorskip("torch")
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, 1000.0]])
    labels = np.array([1, 2, 2])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # no overflow, no nan, no log(0) (underflow to 0 is harmless)
        loss = nn.cross_entropy(logits, labels)
        grad = nn.softmax_cross_entropy_grad(logits, labels)
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert np.isfinite(loss) and np.isclose(loss, expected, rtol=1e-12)
    assert np.isclose(loss, (2000 + 1 + np.log1p(np.exp(-1)) + 0) / 3)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)  # rows of p - y sum to zero


@pytest.mark.parametrize("labels", [np.array([0, 3]), np.array([-1, 0])])
def test_losses_reject_labels_out_of_range(labels):
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        nn.cross_entropy(logits, labels)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        nn.softmax_cross_entropy_grad(logits, labels)


def test_losses_reject_bad_inputs():
    with pytest.raises(ValueError, match="integer class labels"):
        nn.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        nn.cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="same shape"):
        nn.mse(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"targets y must lie in \[0, 1\]"):
        nn.binary_cross_entropy(np.array([0.5]), np.array([2.0]))
    with pytest.raises(ValueError, match="probabilities"):
        nn.binary_cross_entropy(np.array([1.5]), np.array([1.0]))


# --- layers --------------------------------------------------------------------


def test_linear_backward_matches_central_differences():
    rng = np.random.default_rng(5)
    layer = nn.Linear(4, 3, seed=1, dtype=np.float64)
    layer.b[:] = rng.normal(size=3)
    x, upstream = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))

    def loss():  # a scalar that depends on the output: sum(out * upstream), so dL/dout = upstream
        return float(np.sum(layer.forward(x) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    np.testing.assert_allclose(dx, numeric_grad(lambda v: np.sum(layer.forward(v) * upstream), x), atol=1e-8)
    analytic = [layer.dW.copy(), layer.db.copy()]
    numeric, err = nn.gradient_check(loss, layer.params(), grads=analytic)
    np.testing.assert_allclose(analytic[0], numeric[0], atol=1e-8)
    np.testing.assert_allclose(analytic[1], numeric[1], atol=1e-8)
    assert err < 1e-8


def test_relu_layer_backward_matches_central_differences():
    rng = np.random.default_rng(6)
    layer = nn.ReLU()
    z = rng.normal(size=(4, 5))
    z[np.abs(z) < 0.05] = 0.3  # keep away from the kink
    upstream = rng.normal(size=(4, 5))
    layer.forward(z)
    np.testing.assert_allclose(layer.backward(upstream), numeric_grad(lambda v: np.sum(layer.forward(v) * upstream), z), atol=1e-8)


def test_linear_shapes_dtype_and_errors():
    layer = nn.Linear(3, 2, seed=0)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,) and layer.W.dtype == np.float32
    assert layer.forward(np.ones((4, 3))).dtype == np.float32
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(4, 5\)"):
        layer.forward(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"expected input of shape"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match="dout of shape"):
        layer.backward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="before forward"):
        nn.Linear(3, 2).backward(np.ones((1, 2)))


def test_same_seed_same_network():
    a, b, c = nn.MLP(seed=3), nn.MLP(seed=3), nn.MLP(seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(a.params(), b.params(), strict=True))
    assert not np.array_equal(a.params()[0], c.params()[0])


# --- the MLP against torch ---------------------------------------------------


def _torch_copy(model):
    """The same network in torch: nn.Linear.weight is our W transposed."""
    import torch

    layers = []
    for layer in model.layers:
        if isinstance(layer, nn.Linear):
            lin = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(layer.W.T.astype(np.float64)))
                lin.bias.copy_(torch.from_numpy(layer.b.astype(np.float64)))
            layers.append(lin)
        else:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def test_mlp_gradients_match_torch_autograd_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    model = nn.MLP(sizes=(784, 32, 16, 10), seed=0, dtype=np.float64)
    for b in model.params()[1::2]:
        b[:] = rng.normal(scale=0.1, size=b.shape)  # non-zero biases, so db is exercised
    x = rng.uniform(size=(8, 28, 28))
    labels = rng.integers(0, 10, size=8)
    loss, grads = model.loss_and_grads(x, labels)
    dx = model.backward(nn.softmax_cross_entropy_grad(model.forward(x), labels))

    net = _torch_copy(model)
    xt = torch.tensor(x.reshape(8, -1), requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(net(xt), torch.tensor(labels))
    loss_t.backward()
    assert abs(loss - loss_t.item()) < 1e-12
    torch_grads = []
    for lin in net:
        if isinstance(lin, torch.nn.Linear):
            torch_grads += [lin.weight.grad.numpy().T, lin.bias.grad.numpy()]
    assert len(grads) == len(torch_grads) == 6
    for ours, theirs in zip(grads, torch_grads, strict=True):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-6, atol=1e-10)


def test_gradient_check_of_a_small_mlp_below_1e_6():
    rng = np.random.default_rng(8)
    model = nn.MLP(sizes=(6, 5, 4), seed=2, dtype=np.float64)
    model.params()[1][:] = rng.normal(scale=0.1, size=5)
    x, labels = rng.normal(size=(7, 6)), rng.integers(0, 4, size=7)
    numeric, err = nn.gradient_check(lambda: model.loss_and_grads(x, labels), model.params())
    assert err < 1e-6
    _, grads = model.loss_and_grads(x, labels)
    for g, n in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(g, n, atol=1e-7)


def test_gradient_check_catches_a_wrong_gradient():
    model = nn.MLP(sizes=(3, 4, 2), seed=1, dtype=np.float64)
    x, labels = np.random.default_rng(9).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])

    def wrong():
        loss, grads = model.loss_and_grads(x, labels)
        return loss, [grads[0] * 2] + grads[1:]  # a backward with a bug in dW1

    _, err = nn.gradient_check(wrong, model.params())
    assert err > 0.1
    numeric, err_none = nn.gradient_check(lambda: model.loss_and_grads(x, labels)[0], model.params())
    assert err_none is None and len(numeric) == 4


def test_mlp_accepts_images_and_rejects_wrong_input():
    model = nn.MLP(seed=0)
    x = np.random.default_rng(0).uniform(size=(3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(model.forward(x), model.forward(x.reshape(3, 784)))
    assert model.forward(x).shape == (3, 10) and model.forward(x).dtype == np.float32
    assert model.predict(x).shape == (3,)
    np.testing.assert_allclose(model.predict_proba(x).sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\)"):
        model.forward(np.zeros((3, 27, 27), dtype=np.float32))
    with pytest.raises(ValueError, match="scale_images"):
        model.forward(np.zeros((3, 28, 28), dtype=np.uint8))


# --- optimisers ----------------------------------------------------------------


def _ten_steps(ours_factory, torch_factory):
    import torch

    rng = np.random.default_rng(10)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    grads_seq = [[rng.normal(size=(4, 3)), rng.normal(size=3)] for _ in range(10)]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    ours, theirs = ours_factory(params), torch_factory(tparams)
    for grads in grads_seq:
        ours.step(grads)
        for tp, g in zip(tparams, grads, strict=True):
            tp.grad = torch.tensor(g)
        theirs.step()
        for p, tp in zip(params, tparams, strict=True):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-6, atol=1e-12)
    return params


def test_adam_first_ten_steps_match_torch():
    torch = pytest.importorskip("torch")
    start = [np.random.default_rng(10).normal(size=(4, 3))]
    params = _ten_steps(lambda p: nn.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01))
    assert not np.allclose(params[0], start[0])  # the parameters did move
    _ten_steps(lambda p: nn.Adam(p, lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6), lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6))


def test_sgd_and_momentum_match_torch():
    torch = pytest.importorskip("torch")
    _ten_steps(lambda p: nn.SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05))
    _ten_steps(lambda p: nn.Momentum(p, lr=0.05, beta=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))


def test_optimisers_update_in_place_and_keep_float32():
    model = nn.MLP(sizes=(4, 3, 2), seed=0)
    W = model.params()[0]
    before = W.copy()
    opt = nn.Adam(model.params(), lr=0.1)
    opt.step([np.ones_like(p) for p in model.params()])
    assert model.params()[0] is W and W.dtype == np.float32
    np.testing.assert_allclose(W, before - 0.1, rtol=1e-5)  # Adam's first step is lr * sign(g)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
@pytest.mark.parametrize("cls", [nn.SGD, nn.Momentum, nn.Adam])
def test_optimisers_reject_non_positive_learning_rates(cls, lr):
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        cls([np.zeros(3)], lr=lr)


def test_train_rejects_bad_arguments():
    model = nn.MLP(sizes=(4, 3, 2))
    x, y = np.zeros((6, 4), dtype=np.float32), np.zeros(6, dtype=np.int64)
    with pytest.raises(ValueError, match="learning rate"):
        nn.train(model, x, y, epochs=1, lr=0, progress=False)
    with pytest.raises(ValueError, match="5 labels"):
        nn.train(model, x, y[:5], epochs=1, progress=False)
    with pytest.raises(ValueError, match="shape"):
        nn.SGD(model.params(), lr=0.1).step([np.zeros(2)] * 4)


# --- training ------------------------------------------------------------------


def test_train_learns_two_blobs_and_is_deterministic():
    from course_utils.data import make_two_blobs

    x, y = make_two_blobs(n=400, distance=4.0, seed=0)
    xv, yv = make_two_blobs(n=200, distance=4.0, seed=1)
    histories = []
    for _ in range(2):
        model = nn.MLP(sizes=(2, 8, 2), seed=0)
        histories.append(nn.train(model, x, y, epochs=5, batch_size=32, lr=0.01, x_val=xv, y_val=yv, progress=False))
    h = histories[0]
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "batch_loss"}
    assert len(h["loss"]) == 5 and len(h["batch_loss"]) == 5 * 13
    assert h == histories[1]
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] > 0.95
    assert np.isclose(h["val_accuracy"][-1], nn.accuracy(model, xv, yv))


def test_train_blas_threads_does_not_change_the_result():
    from course_utils.data import make_two_blobs

    x, y = make_two_blobs(n=200, distance=3.0, seed=2)
    runs = [nn.train(nn.MLP(sizes=(2, 16, 2), seed=0, dtype=np.float64), x, y, epochs=2, progress=False, blas_threads=t) for t in (1, None)]
    np.testing.assert_allclose(runs[0]["batch_loss"], runs[1]["batch_loss"], rtol=1e-10)
    with pytest.raises(ValueError, match="blas_threads"):
        nn.train(nn.MLP(sizes=(2, 3, 2)), x, y, epochs=1, progress=False, blas_threads=0)
