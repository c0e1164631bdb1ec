"""course_utils.foundations.gradcheck: finite differences confirm a right backward pass and catch a wrong one."""

import numpy as np

from course_utils.foundations.gradcheck import gradient_check
from course_utils.foundations.layers import MLP


def test_gradient_check_of_a_small_mlp_below_1e_6():
    rng = np.random.default_rng(8)
    model = MLP(sizes=(6, 5, 4), seed=2, dtype=np.float64)
    model.params()[1][:] = rng.normal(scale=0.1, size=5)
    x, labels = rng.normal(size=(7, 6)), rng.integers(0, 4, size=7)
    numeric, err = gradient_check(lambda: model.loss_and_grads(x, labels), model.params())
    assert err < 1e-6
    _, grads = model.loss_and_grads(x, labels)
    for g, n in zip(grads, numeric, strict=True):
        np.testing.assert_allclose(g, n, atol=1e-7)


def test_gradient_check_catches_a_wrong_gradient():
    model = MLP(sizes=(3, 4, 2), seed=1, dtype=np.float64)
    x, labels = np.random.default_rng(9).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])

    def wrong():
        loss, grads = model.loss_and_grads(x, labels)
        return loss, [grads[0] * 2] + grads[1:]  # a backward with a bug in dW1

    _, err = gradient_check(wrong, model.params())
    assert err > 0.1
    numeric, err_none = gradient_check(lambda: model.loss_and_grads(x, labels)[0], model.params())
    assert err_none is None and len(numeric) == 4
