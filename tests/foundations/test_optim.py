"""course_utils.foundations.optim: SGD, momentum and Adam step for step against torch.optim, and their checks."""

import numpy as np
import pytest

from course_utils.foundations.layers import MLP
from course_utils.foundations.optim import SGD, Adam, Momentum


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
    params = _ten_steps(lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01))
    assert not np.allclose(params[0], start[0])  # the parameters did move
    _ten_steps(
        lambda p: Adam(p, lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    )


def test_sgd_and_momentum_match_torch():
    torch = pytest.importorskip("torch")
    _ten_steps(lambda p: SGD(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05))
    _ten_steps(
        lambda p: Momentum(p, lr=0.05, beta=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    )


def test_optimisers_update_in_place_and_keep_float32():
    model = MLP(sizes=(4, 3, 2), seed=0)
    W = model.params()[0]
    before = W.copy()
    opt = Adam(model.params(), lr=0.1)
    opt.step([np.ones_like(p) for p in model.params()])
    assert model.params()[0] is W and W.dtype == np.float32
    np.testing.assert_allclose(W, before - 0.1, rtol=1e-5)  # Adam's first step is lr * sign(g)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
def test_optimisers_reject_non_positive_learning_rates(cls, lr):
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        cls([np.zeros(3)], lr=lr)


@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
def test_step_checks_one_gradient_per_parameter_of_its_shape(cls):
    model = MLP(sizes=(4, 3, 2))
    before = [p.copy() for p in model.params()]
    grads = [np.zeros_like(p) for p in model.params()]
    optimiser = cls(model.params(), lr=0.1)
    # the optimiser's own message (NumPy's broadcasting error would name no parameter)
    wrong = [*grads[:2], np.zeros((2, 3)), grads[3]]  # W2 is (3, 2): a transposed gradient
    with pytest.raises(
        ValueError, match=r"^gradient 2 has shape \(2, 3\), its parameter has shape \(3, 2\)$"
    ):
        optimiser.step(wrong)
    # a gradient that would broadcast silently is refused too: b1's (3,) against (1, 3)
    with pytest.raises(ValueError, match=r"^gradient 1 has shape \(1, 3\)"):
        optimiser.step([grads[0], np.zeros((1, 3)), *grads[2:]])
    with pytest.raises(
        ValueError, match=r"^step expected 4 gradients \(one per parameter\), got 3$"
    ):
        optimiser.step(grads[:3])
    for p, b in zip(model.params(), before, strict=True):
        np.testing.assert_array_equal(p, b)  # a refused step changes nothing
