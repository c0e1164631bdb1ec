"""Exercises of chapter 14 (course_utils.exercises.ch14_lime)."""

import numpy as np
import pytest

from course_utils.exercises import ch14_lime as ch14
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def _occlusion(logits_fn, image, target, window, stride, tiling=False, mean=True):
    size = image.shape[0]
    last = (
        (size - window) // stride * stride
        if tiling
        else int(np.ceil((size - window) / stride)) * stride
    )
    starts = range(0, last + 1, stride)
    masks = []
    for r in starts:
        for c in starts:
            mask = np.zeros(image.shape, dtype=bool)
            mask[r : r + window, c : c + window] = True
            masks.append(mask)
    masks = np.stack(masks)
    drops = logits_fn(image[None])[0, target] - logits_fn(np.where(masks, 0.0, image))[:, target]
    total = (drops[:, None, None] * masks).sum(axis=0)
    return total / masks.sum(axis=0) if mean else total


def _in_place(logits_fn, image, target, window, stride):
    out = _occlusion(logits_fn, image, target, window, stride)
    image[:2] = 0.0
    return out


def _model():
    weights = np.random.default_rng(0).normal(size=(784, 4))
    return lambda images: np.asarray(images, dtype=float).reshape(len(images), -1) @ weights


def test_occlusion_clipped(capsys):
    f, image = _model(), np.random.default_rng(1).random((28, 28))

    def answer(fn):
        return (fn, f, image, 1)

    assert_verdicts(
        ch14.check_occlusion_clipped,
        capsys,
        stub=answer(stub),
        wrongs=[
            answer(
                lambda *a: _occlusion(*a, tiling=True)
            ),  # the section's tiling: border pixels uncovered
            answer(lambda *a: _occlusion(*a, mean=False)),  # sums the drops instead of averaging
            answer(lambda g, im, t, w, s: -_occlusion(g, im, t, w, s)),  # the rise, not the drop
            answer(_in_place),
        ],
        raising=answer(raising),
        solution=answer(_occlusion),
    )


@pytest.mark.parametrize(("window", "stride"), [(5, 3), (6, 4), (4, 2)])
def test_clipped_occlusion_agrees_with_captum(window, stride):
    import torch
    from captum.attr import Occlusion

    weights = torch.from_numpy(np.random.default_rng(2).normal(size=(784, 3)))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 3, bias=False)).double()
    with torch.no_grad():
        model[1].weight.copy_(weights.T)
    image = np.random.default_rng(3).random((28, 28))
    captum = Occlusion(model).attribute(
        torch.from_numpy(image[None, None]),
        target=2,
        sliding_window_shapes=(1, window, window),
        strides=(1, stride, stride),
        baselines=0.0,
    )
    ours = _occlusion(
        lambda ims: model(torch.from_numpy(np.asarray(ims)[:, None])).detach().numpy(),
        image,
        2,
        window,
        stride,
    )
    np.testing.assert_allclose(ours, captum[0, 0].numpy(), rtol=1e-6, atol=1e-6)


def _proximity(on, kernel_width):
    on = np.asarray(on, dtype=float)
    d = 1.0 - np.sqrt(on.sum(axis=1) / on.shape[1])
    return np.sqrt(np.exp(-(d**2) / kernel_width**2))


def test_lime_proximity(capsys):
    assert_verdicts(
        ch14.check_lime_proximity,
        capsys,
        stub=stub,
        wrongs=[
            lambda on, w: np.exp(-((1 - np.asarray(on).mean(1)) ** 2) / w**2),  # no square roots
            lambda on, w: np.exp(
                -((1 - np.sqrt(np.asarray(on).mean(1))) ** 2) / w**2
            ),  # exp without sqrt
            lambda on, w: _proximity(1 - np.asarray(on), w),  # counts the switched-off cells
        ],
        raising=raising,
        solution=_proximity,
    )


def test_proximity_is_the_lime_librarys_kernel():
    from lime.lime_image import LimeImageExplainer

    on = np.random.default_rng(5).integers(0, 2, size=(20, 49))
    d = 1.0 - np.sqrt(on.sum(axis=1) / 49)
    for width in (0.1, 0.25, 1.0):
        library = LimeImageExplainer(kernel_width=width).base.kernel_fn(d)
        np.testing.assert_allclose(_proximity(on, width), library, rtol=1e-12)


def test_effective_samples(capsys):
    narrow, default = ch14.effective_samples(0.1), ch14.effective_samples(0.25)
    assert_verdicts(
        ch14.check_effective_samples,
        capsys,
        stub=(..., ...),
        wrongs=[(default, narrow), (1000.0, 1000.0), (round(narrow) + 5, default)],
        raising=(Exploding(), default),
        solution=(round(narrow, 1), round(default, 1)),
    )


def test_effective_samples_uses_lime_images_draws_and_has_its_limits():
    from course_utils.xai.lime_surrogate import lime_kernel

    # the same switches lime_image draws (first row on), so the same weights as its fit
    on = np.random.RandomState(0).randint(0, 2, 1000 * 49).reshape(1000, 49)
    on[0] = 1
    np.testing.assert_allclose(
        ch14.lime_sample_weights(0.25), lime_kernel(1 - np.sqrt(on.sum(1) / 49), 0.25)
    )
    assert ch14.effective_samples(1e6) == pytest.approx(
        1000.0
    )  # equal weights: every sample counts
    assert ch14.effective_samples(0.01) == pytest.approx(1.0, abs=1e-6)  # only the image itself
    assert ch14.effective_samples(0.1) < ch14.effective_samples(0.25) < 1000
