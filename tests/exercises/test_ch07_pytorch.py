"""Exercises of chapter 07 (course_utils.exercises.ch07_pytorch): the verdicts on the stub, typical mistakes,
a raising answer and the solution, and the expected values tied to PyTorch itself."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.exercises import ch07_pytorch as ch07
from course_utils.frameworks import torch_models
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_weight_shape_prediction(capsys):
    assert_verdicts(
        ch07.check_weight_shape_prediction,
        capsys,
        stub=(..., ...),
        wrongs=[
            ((784, 128), (128, 10)),  # Keras's (in, out) layout
            ((128, 784), (128, 10)),  # half transposed
            ((128, 784), (10,)),  # the bias's shape
        ],
        raising=(Exploding(), (10, 128)),
        solution=((128, 784), (10, 128)),
    )


def test_the_predicted_shapes_are_nets():
    net = nn.Sequential(nn.Linear(28 * 28, 128), nn.Linear(128, 10))
    assert tuple(net[0].weight.shape) == (128, 784) and tuple(net[1].weight.shape) == (10, 128)


def _no_zero_grad(model, optimizer, images, labels):  # the bug, written another way
    loss = nn.CrossEntropyLoss()(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def _zero_grad_too_late(model, optimizer, images, labels):
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()


def _softmax_first(model, optimizer, images, labels):
    optimizer.zero_grad()
    loss = F.cross_entropy(F.softmax(model(images), dim=1), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def _returns_the_tensor(model, optimizer, images, labels):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss


def _fixed(model, optimizer, images, labels):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_train_step_debugged(capsys):
    assert_verdicts(
        ch07.check_train_step_debugged,
        capsys,
        stub=ch07.buggy_train_step,
        wrongs=[_no_zero_grad, _zero_grad_too_late, _softmax_first, _returns_the_tensor],
        raising=raising,
        solution=_fixed,
    )
    assert ch07.check_train_step_debugged(stub).status == "not started"


def test_the_reference_step_is_torchs_own_loop():
    """Three reference steps equal plain SGD by hand: w <- w - lr * grad of this batch's loss."""
    losses, (weight, bias) = ch07._run_steps(ch07._reference_step, "sgd")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        model = nn.Linear(6, 4)
        batches = [(torch.randn(8, 6), torch.randint(0, 4, (8,))) for _ in range(3)]
    w, b = model.weight.detach().clone(), model.bias.detach().clone()
    for (x, y), loss in zip(batches, losses, strict=True):
        w.requires_grad_(True), b.requires_grad_(True)
        value = F.cross_entropy(x @ w.T + b, y)
        gw, gb = torch.autograd.grad(value, (w, b))
        assert np.isclose(value.item(), loss, rtol=1e-6)
        w, b = (w - 0.5 * gw).detach(), (b - 0.5 * gb).detach()
    np.testing.assert_allclose(weight, w.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bias, b.numpy(), rtol=1e-5, atol=1e-7)


def _dropout_in_place(x, keep, p):
    x *= keep / (1 - p)
    return x


def test_inverted_dropout(capsys):
    assert_verdicts(
        ch07.check_inverted_dropout,
        capsys,
        stub=stub,
        wrongs=[
            lambda x, keep, p: x * keep,  # no rescaling
            lambda x, keep, p: x * keep / p,  # divided by the drop probability
            lambda x, keep, p: x / (1 - p),  # the mask forgotten
            _dropout_in_place,
        ],
        raising=raising,
        solution=lambda x, keep, p: x * keep / (1 - p),
    )


def test_inverted_dropout_is_torchs_dropout():
    torch.manual_seed(0)
    x = torch.randn(1000, dtype=torch.float64)
    out = nn.Dropout(p=0.3).train()(x)
    keep = (out != 0).double()
    np.testing.assert_allclose(out.numpy(), (x * keep / 0.7).numpy(), rtol=1e-12)


def test_dropout_flips(capsys):
    torch.manual_seed(0)
    model = torch_models.build_mlp()
    images = torch.rand(500, 1, 28, 28)
    count = ch07.dropout_flips(model, images)
    at_02 = ch07.dropout_flips(model, images, p=0.2)
    assert count > 1.5 * at_02 > 0
    assert_verdicts(
        ch07.check_dropout_flips,
        capsys,
        stub=(..., model, images),
        wrongs=[
            (at_02, model, images),  # the count at p = 0.2 of the cell above
            (count / len(images), model, images),  # a share, not a count
            (0, model, images),  # measured in eval mode
        ],
        raising=(Exploding(), model, images),
        solution=(count, model, images),
    )


def test_dropout_flips_leaves_the_model_and_the_random_numbers_alone():
    torch.manual_seed(3)
    model = torch_models.build_mlp()
    state = torch.random.get_rng_state()
    ch07.dropout_flips(model, torch.rand(50, 1, 28, 28, generator=torch.Generator().manual_seed(1)))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert model.dropout.p == 0.2 and not model.training


def test_dropout_flips_counts_by_hand():
    torch.manual_seed(0)
    model = torch_models.build_mlp()
    images = torch.rand(200, 1, 28, 28)
    trial = torch_models.build_mlp()
    trial.load_state_dict(model.state_dict())
    trial.dropout.p = 0.5
    trial.train()
    torch.manual_seed(0)
    first, second = trial(images).argmax(1), trial(images).argmax(1)
    assert ch07.dropout_flips(model, images) == int((first != second).sum())


def test_the_hidden_test_passes_on_the_notebooks_solution(capsys):
    from course_utils import exercises
    from tests.exercises.helpers import solution_cells

    namespace = {"np": np, "exercises": exercises}
    exec(solution_cells()["07.3"], namespace)
    exec(exercises.EXERCISES["07.3"].hidden_test, namespace)
