"""The same network in PyTorch, Keras and NumPy: the same weights must give the same numbers.

Weight layouts: a Keras Dense kernel is (n_in, n_out) like foundations.layers.Linear's W, and
PyTorch's Linear.weight is its transpose (n_out, n_in). A Keras Conv2D kernel
is (kh, kw, C_in, C_out); PyTorch's Conv2d.weight is (C_out, C_in, kh, kw).
Flatten reads (C, H, W) in PyTorch and (H, W, C) in Keras.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

from course_utils.data import load_mnist, scale_images  # noqa: E402
from course_utils.foundations.layers import MLP  # noqa: E402
from course_utils.frameworks import keras_models as km  # noqa: E402
from course_utils.frameworks import torch_models as tm  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    _, (x_test, y_test) = load_mnist("subset", verbose=False)
    return scale_images(x_test[:256]), y_test[:256]


def torch_mlp_to_keras(torch_mlp):
    keras_mlp = km.build_mlp()
    first, last = torch_mlp.hidden, torch_mlp.output
    keras_mlp.set_weights(
        [
            p.detach().numpy().T if p.ndim == 2 else p.detach().numpy()
            for p in (first.weight, first.bias, last.weight, last.bias)
        ]
    )
    return keras_mlp


def torch_cnn_to_keras(torch_cnn):
    keras_cnn = km.build_cnn()
    conv1, conv2, head = torch_cnn.conv1, torch_cnn.conv2, torch_cnn.head

    def conv_kernel(w):  # (F, C, kh, kw) -> (kh, kw, C, F)
        return w.detach().numpy().transpose(2, 3, 1, 0)

    head_kernel = (
        head.weight.detach().numpy().reshape(10, 16, 7, 7).transpose(2, 3, 1, 0).reshape(784, 10)
    )  # (c,h,w) -> (h,w,c) order
    keras_cnn.set_weights(
        [
            conv_kernel(conv1.weight),
            conv1.bias.detach().numpy(),
            conv_kernel(conv2.weight),
            conv2.bias.detach().numpy(),
            head_kernel,
            head.bias.detach().numpy(),
        ]
    )
    return keras_cnn


@pytest.mark.parametrize("seed", [0, 1])
def test_mlp_same_weights_same_logits(seed, digits):
    x, _ = digits
    torch.manual_seed(seed)
    torch_mlp = tm.build_mlp()
    keras_mlp = torch_mlp_to_keras(torch_mlp)
    torch_logits = tm.predict_logits(torch_mlp, x)
    keras_logits = km.predict_logits(keras_mlp, x)
    assert np.abs(torch_logits).max() > 0.1  # a real signal, not zeros
    np.testing.assert_allclose(keras_logits, torch_logits, atol=1e-5, rtol=1e-5)


def test_a_trained_mlp_predicts_the_same_in_keras(digits):
    x, y = digits
    (x_train, y_train), _ = load_mnist("subset", verbose=False)
    torch.manual_seed(0)
    torch_mlp = tm.build_mlp()
    tm.train(torch_mlp, scale_images(x_train[:1000]), y_train[:1000], epochs=2, progress=False)
    keras_mlp = torch_mlp_to_keras(torch_mlp)
    np.testing.assert_allclose(
        km.predict_logits(keras_mlp, x), tm.predict_logits(torch_mlp, x), atol=1e-5, rtol=1e-5
    )
    assert np.mean(km.predict_logits(keras_mlp, x).argmax(1) == y) > 0.7  # trained (chance is 0.1)


def test_cnn_same_weights_same_logits(digits):
    x, _ = digits
    torch.manual_seed(0)
    torch_cnn = tm.build_cnn()
    keras_cnn = torch_cnn_to_keras(torch_cnn)
    np.testing.assert_allclose(
        km.predict_logits(keras_cnn, x), tm.predict_logits(torch_cnn, x), atol=1e-5, rtol=1e-5
    )


def test_numpy_mlp_torch_and_keras_agree_on_logits_and_gradients(digits):
    """Part I's hand-written backprop, PyTorch's autograd and TensorFlow's GradientTape: one set of numbers."""
    import tensorflow as tf

    x, y = digits
    net = MLP(sizes=(784, 128, 10), seed=3)
    loss_np, grads_np = net.loss_and_grads(x, y)
    W1, b1, W2, b2 = net.params()

    torch_mlp = tm.build_mlp()  # eval(): Dropout is the identity, as in the NumPy MLP
    with torch.no_grad():
        for layer, W, b in ((torch_mlp.hidden, W1, b1), (torch_mlp.output, W2, b2)):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    loss_t = torch.nn.functional.cross_entropy(
        torch_mlp(tm.to_input(x, channel_axis=False)), torch.from_numpy(y)
    )
    loss_t.backward()
    grads_t = [
        torch_mlp.hidden.weight.grad.numpy().T,
        torch_mlp.hidden.bias.grad.numpy(),
        torch_mlp.output.weight.grad.numpy().T,
        torch_mlp.output.bias.grad.numpy(),
    ]

    keras_mlp = km.build_mlp()
    keras_mlp.set_weights([W1, b1, W2, b2])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss_k = loss_fn(y, keras_mlp(x, training=False))
    grads_k = [g.numpy() for g in tape.gradient(loss_k, keras_mlp.trainable_variables)]

    assert loss_np == pytest.approx(loss_t.item(), rel=1e-5) and loss_np == pytest.approx(
        float(loss_k), rel=1e-5
    )
    for g_np, g_t, g_k in zip(grads_np, grads_t, grads_k, strict=True):
        assert np.abs(g_np).max() > 0
        np.testing.assert_allclose(g_t, g_np, atol=1e-6, rtol=1e-4)
        np.testing.assert_allclose(g_k, g_np, atol=1e-6, rtol=1e-4)
