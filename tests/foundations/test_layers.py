"""course_utils.foundations.layers: Linear, ReLU and the MLP against central differences and PyTorch autograd."""

import numpy as np
import pytest

from course_utils.foundations.gradcheck import gradient_check
from course_utils.foundations.layers import MLP, Linear, ReLU
from course_utils.foundations.losses import softmax_cross_entropy_grad
from tests.foundations.helpers import numeric_grad


def test_linear_backward_matches_central_differences():
    rng = np.random.default_rng(5)
    layer = Linear(4, 3, seed=1, dtype=np.float64)
    layer.b[:] = rng.normal(size=3)
    x, upstream = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))

    def loss():  # a scalar that depends on the output: sum(out * upstream), so dL/dout = upstream
        return float(np.sum(layer.forward(x) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    np.testing.assert_allclose(
        dx, numeric_grad(lambda v: np.sum(layer.forward(v) * upstream), x), atol=1e-8
    )
    analytic = [layer.dW.copy(), layer.db.copy()]
    numeric, err = gradient_check(loss, layer.params(), grads=analytic)
    np.testing.assert_allclose(analytic[0], numeric[0], atol=1e-8)
    np.testing.assert_allclose(analytic[1], numeric[1], atol=1e-8)
    assert err < 1e-8


def test_relu_layer_backward_matches_central_differences():
    rng = np.random.default_rng(6)
    layer = ReLU()
    z = rng.normal(size=(4, 5))
    z[np.abs(z) < 0.05] = 0.3  # keep away from the kink
    upstream = rng.normal(size=(4, 5))
    layer.forward(z)
    np.testing.assert_allclose(
        layer.backward(upstream),
        numeric_grad(lambda v: np.sum(layer.forward(v) * upstream), z),
        atol=1e-8,
    )


def test_linear_shapes_dtype_and_errors():
    layer = Linear(3, 2, seed=0)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,) and layer.W.dtype == np.float32
    assert layer.forward(np.ones((4, 3))).dtype == np.float32
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), got \(4, 5\)"):
        layer.forward(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"expected input of shape"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match="dout of shape"):
        layer.backward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="before forward"):
        Linear(3, 2).backward(np.ones((1, 2)))


def test_same_seed_same_network():
    a, b, c = MLP(seed=3), MLP(seed=3), MLP(seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(a.params(), b.params(), strict=True))
    assert not np.array_equal(a.params()[0], c.params()[0])


def _torch_copy(model):
    """The same network in torch: Linear.weight is our W transposed."""
    import torch

    layers = []
    for layer in model.layers:
        if isinstance(layer, Linear):
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
    model = MLP(sizes=(784, 32, 16, 10), seed=0, dtype=np.float64)
    for b in model.params()[1::2]:
        b[:] = rng.normal(scale=0.1, size=b.shape)  # non-zero biases, so db is exercised
    x = rng.uniform(size=(8, 28, 28))
    labels = rng.integers(0, 10, size=8)
    loss, grads = model.loss_and_grads(x, labels)
    dx = model.backward(softmax_cross_entropy_grad(model.forward(x), labels))

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


def test_mlp_accepts_images_and_rejects_wrong_input():
    model = MLP(seed=0)
    x = np.random.default_rng(0).uniform(size=(3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(model.forward(x), model.forward(x.reshape(3, 784)))
    assert model.forward(x).shape == (3, 10) and model.forward(x).dtype == np.float32
    assert model.predict(x).shape == (3,)
    np.testing.assert_allclose(model.predict_proba(x).sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\)"):
        model.forward(np.zeros((3, 27, 27), dtype=np.float32))
    with pytest.raises(ValueError, match="scale_images"):
        model.forward(np.zeros((3, 28, 28), dtype=np.uint8))
