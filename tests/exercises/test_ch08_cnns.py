"""Exercises of chapter 08 (course_utils.exercises.ch08_cnns): the verdicts on the stub, typical mistakes,
a raising answer and the solution, and the expected values tied to PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.exercises import ch08_cnns as ch08
from course_utils.frameworks import torch_models
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_conv_output_size(capsys):
    assert_verdicts(
        ch08.check_conv_output_size,
        capsys,
        stub=ch08.buggy_conv_output_size,
        wrongs=[
            lambda n, k, p, s: (n + 2 * p - k + 1) // s,  # the task's bug, retyped
            lambda n, k, p, s: (n + 2 * p - k) // s,  # the + 1 forgotten
            lambda n, k, p, s: (n + p - k) // s + 1,  # padding on one side only
            lambda n, k, p, s: (n + 2 * p - k) / s + 1,  # no floor
            lambda n, k, p, s: float((n + 2 * p - k) // s + 1),  # right values, not an int
        ],
        raising=raising,
        solution=lambda n, k, p, s: (n + 2 * p - k) // s + 1,
    )
    assert ch08.check_conv_output_size(stub).status == "not started"


def test_the_buggy_size_agrees_with_the_notebooks_printed_cases():
    for padding, stride in [(0, 1), (1, 1), (1, 2), (2, 3)]:
        right = ch08.conv_output_size_reference(28, 3, padding, stride)
        assert ch08.buggy_conv_output_size(28, 3, padding, stride) == right


@pytest.mark.parametrize("case", ch08.CONV_CASES)
def test_conv_output_size_is_what_pytorch_computes(case):
    n, k, padding, stride = case
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=padding, stride=stride)
    assert tuple(out.shape[2:]) == (ch08.conv_output_size_reference(*case),) * 2


def _pool_right(image, k):
    h, w = image.shape[0] // k, image.shape[1] // k
    return image[: k * h, : k * w].reshape(h, k, w, k).max(axis=(1, 3))


def _pool_from_zero(image, k):  # a running max that starts at 0
    h, w = image.shape[0] // k, image.shape[1] // k
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = max(0.0, image[k * i : k * i + k, k * j : k * j + k].max())
    return out


def _pool_in_place(image, k):
    image[:] = np.maximum(image, image)  # writes into the input, then pools
    image *= 1.0 + 1e-3
    return _pool_right(image, k)


def test_max_pool(capsys):
    assert_verdicts(
        ch08.check_max_pool,
        capsys,
        stub=stub,
        wrongs=[
            lambda image, k: image.reshape(image.shape[0] // k, k, -1, k).max(
                axis=(1, 3)
            ),  # no crop
            lambda image, k: _pool_right(image, k).T,  # transposed
            lambda image, k: _pool_right(image, 2),  # k ignored
            _pool_from_zero,
            _pool_in_place,
        ],
        raising=raising,
        solution=_pool_right,
    )


@pytest.mark.parametrize("shape, k", [((28, 28), 3), ((6, 9), 3), ((8, 8), 4), ((5, 7), 1)])
def test_max_pool_reference_is_pytorchs(shape, k):
    image = np.random.default_rng(0).standard_normal(shape)
    theirs = F.max_pool2d(torch.from_numpy(image)[None, None], k)[0, 0].numpy()
    assert np.array_equal(ch08.max_pool_reference(image, k), theirs)


def test_cnn_shape_prediction(capsys):
    assert_verdicts(
        ch08.check_cnn_shape_prediction,
        capsys,
        stub=(..., ...),
        wrongs=[
            ((1, 16, 14, 14), 1168),  # one pool too few
            ((1, 16, 7, 7), 16 * 9 + 16),  # conv2's weights without the 8 input channels
            ((1, 7, 7, 16), 1168),  # channels-last, Keras's layout
        ],
        raising=(Exploding(), 1168),
        solution=((1, 16, 7, 7), 1168),
    )


def test_cnn_shapes_leave_the_random_numbers_alone():
    torch.manual_seed(5)
    state = torch.random.get_rng_state()
    shape, params = ch08.cnn_shapes()
    assert torch.equal(torch.random.get_rng_state(), state)
    cnn = torch_models.build_cnn()
    assert shape == tuple(cnn[:6](torch.zeros(1, 1, 28, 28)).shape) == (1, 16, 7, 7)
    assert params == cnn.conv2.weight.numel() + cnn.conv2.bias.numel() == 16 * 8 * 9 + 16


def test_the_hidden_test_passes_on_the_notebooks_solution(capsys):
    from course_utils import exercises
    from tests.exercises.helpers import solution_cells

    namespace = {"np": np, "exercises": exercises}
    exec(solution_cells()["08.1"], namespace)
    exec(exercises.EXERCISES["08.1"].hidden_test, namespace)
