"""Exercises of chapter 13 (course_utils.exercises.ch13_captum)."""

import numpy as np
import torch

from course_utils.exercises import ch13_captum as ch13
from course_utils.frameworks.torch_models import build_cnn
from course_utils.xai.occlusion import occlusion_windows
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_occlusion_cost(capsys):
    assert_verdicts(
        ch13.check_occlusion_cost,
        capsys,
        stub=...,
        wrongs=[169, 144, 196],  # no pass of the untouched digit; 12 positions a side; 28 / 2 = 14
        raising=Exploding(),
        solution=170,
    )


def test_occlusion_cost_is_the_window_count_plus_one():
    # the count made by the hook agrees with the window layout of course_utils (and the analytic 13 x 13)
    assert (
        ch13.occlusion_images_per_digit()
        == len(occlusion_windows((28, 28), 4, 2)) + 1
        == 13 * 13 + 1
    )
    assert ch13.occlusion_images_per_digit((1, 7, 7), (1, 7, 7)) == 4 * 4 + 1


def _grad_cam(model, inputs, target, layer="relu1", rectify=True, average=True, final_relu=True):
    a = model.conv1(inputs)
    if layer == "relu1":
        a = torch.relu(a) if rectify else a
        a = a.detach().requires_grad_(True)
        after = a if rectify else torch.relu(a)
        out = model.head(model.flatten(model.pool2(model.relu2(model.conv2(model.pool1(after))))))
    else:
        a = torch.relu(model.conv2(model.pool1(torch.relu(a)))).detach().requires_grad_(True)
        out = model.head(model.flatten(model.pool2(a)))
    (grad,) = torch.autograd.grad(out[torch.arange(len(inputs)), target].sum(), a)
    alpha = grad.mean(dim=(2, 3), keepdim=True) if average else grad.sum(dim=(2, 3), keepdim=True)
    cam = (alpha * a).sum(dim=1, keepdim=True)
    return (torch.relu(cam) if final_relu else cam).detach().numpy()


def _model_and_inputs():
    torch.manual_seed(1)
    return build_cnn(), torch.rand(2, 1, 28, 28), torch.tensor([3, 8])


def test_grad_cam_first_layer(capsys):
    model, inputs, target = _model_and_inputs()

    def answer(fn):
        return (fn, model, inputs, target)

    assert_verdicts(
        ch13.check_grad_cam_first_layer,
        capsys,
        stub=answer(stub),
        wrongs=[
            answer(
                lambda m, x, t: _grad_cam(m, x, t, rectify=False)
            ),  # conv1's maps before the ReLU
            answer(lambda m, x, t: _grad_cam(m, x, t, average=False)),  # summed, not averaged
            answer(lambda m, x, t: _grad_cam(m, x, t, final_relu=False)),  # no final ReLU
            answer(lambda m, x, t: _grad_cam(m, x, t, layer="relu2")),  # the section's layer
        ],
        raising=answer(raising),
        solution=answer(_grad_cam),
    )


def test_grad_cam_from_scratch_is_captums_layer_grad_cam():
    from captum.attr import LayerGradCam

    model, inputs, target = _model_and_inputs()
    captum = LayerGradCam(model, model.relu1).attribute(
        inputs, target=target, relu_attributions=True
    )
    np.testing.assert_allclose(
        _grad_cam(model, inputs, target), captum.detach().numpy(), rtol=1e-5, atol=1e-7
    )


def _ink_fraction(attributions, x, threshold=0.5):
    a = np.abs(attributions).reshape(len(attributions), -1)
    ink = (np.asarray(x) > threshold).reshape(len(x), -1)
    return (a * ink).sum(axis=1) / a.sum(axis=1)


def _signed(attributions, x, threshold=0.5):  # forgot the absolute value
    a = np.asarray(attributions).reshape(len(attributions), -1)
    return (a * (np.asarray(x).reshape(len(x), -1) > threshold)).sum(axis=1) / a.sum(axis=1)


def test_ink_fraction(capsys):
    assert_verdicts(
        ch13.check_ink_fraction,
        capsys,
        stub=stub,
        wrongs=[
            _signed,
            lambda attributions, x, threshold=0.5: _ink_fraction(
                attributions, attributions, threshold
            ),
            lambda attributions, x, threshold=0.5: _ink_fraction(attributions, x, threshold).mean(),
            lambda attributions, x, threshold=0.5: _ink_fraction(
                attributions, x
            ),  # ignores threshold
        ],
        raising=raising,
        solution=_ink_fraction,
    )
