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


def test_adam_defaults_are_kingma_and_bas_and_torchs():
    torch = pytest.importorskip("torch")
    _ten_steps(lambda p: Adam(p), lambda p: torch.optim.Adam(p))  # lr 1e-3, betas (0.9, 0.999)


def test_momentum_zero_is_plain_gradient_descent_and_betas_of_zero_are_allowed():
    rng = np.random.default_rng(3)
    start, grads = rng.normal(size=(3, 2)), [rng.normal(size=(3, 2)) for _ in range(3)]
    plain, heavy = start.copy(), start.copy()
    sgd, momentum = SGD([plain], lr=0.1), Momentum([heavy], lr=0.1, beta=0.0)
    for g in grads:
        sgd.step([g])
        momentum.step([g])
    np.testing.assert_array_equal(plain, heavy)
    # beta1 = beta2 = 0: m = g, v = g^2, so every step is lr * sign(g) (up to eps)
    p = start.copy()
    Adam([p], lr=0.1, beta1=0.0, beta2=0.0, eps=1e-12).step([grads[0]])
    np.testing.assert_allclose(p, start - 0.1 * np.sign(grads[0]), rtol=1e-9)


@pytest.mark.parametrize("beta", [1.0, 1.5, -0.1])
def test_momentum_refuses_a_beta_outside_zero_to_one(beta):
    with pytest.raises(ValueError, match=rf"^momentum beta must lie in \[0, 1\), got {beta}$"):
        Momentum([np.zeros(3)], lr=0.1, beta=beta)


@pytest.mark.parametrize(
    "beta1, beta2", [(1.0, 0.5), (1.5, 0.5), (0.5, 1.0), (0.5, 2.0), (-0.1, 0.5)]
)
def test_adam_refuses_betas_outside_zero_to_one(beta1, beta2):
    with pytest.raises(
        ValueError,
        match=rf"^Adam's betas must lie in \[0, 1\), got beta1={beta1}, beta2={beta2}$",
    ):
        Adam([np.zeros(3)], beta1=beta1, beta2=beta2)


@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
@pytest.mark.parametrize(
    "param, name", [([0.0, 1.0], "list"), (np.arange(3), "ndarray"), (np.zeros(2, bool), "ndarray")]
)
def test_optimisers_refuse_parameters_they_cannot_update_in_place(cls, param, name):
    with pytest.raises(
        ValueError, match=rf"^optimisers update float NumPy arrays in place; got {name}$"
    ):
        cls([np.zeros(2), param], lr=0.1)
