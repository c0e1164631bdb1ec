"""course_utils.xai.occlusion: an analytic answer on a linear model, layouts, and Captum's Occlusion on the course models."""

import numpy as np
import pytest

from course_utils.xai import occlusion, wrap
from course_utils.xai.occlusion import occlusion_windows


def _linear(w):
    return wrap(lambda x: x.reshape(len(x), -1) @ w.reshape(-1, 1))


def test_single_pixel_occlusion_of_a_linear_model_is_gradient_times_input():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(28, 28))
    x = rng.random((3, 28, 28))
    attribution = occlusion(_linear(w), x, 0, window=1, stride=1)
    assert np.allclose(attribution, w * x)


def test_patch_drops_are_shared_by_their_pixels():
    # non-overlapping 7x7 windows: every pixel gets its patch's whole drop, sum_P w_i x_i
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=(28, 28)), rng.random((2, 28, 28))
    attribution = occlusion(_linear(w), x, 0, window=7, stride=7, baseline=0.5)
    drop = ((x - 0.5) * w).reshape(2, 4, 7, 4, 7).sum(axis=(2, 4))
    assert np.allclose(attribution, np.repeat(np.repeat(drop, 7, axis=1), 7, axis=2))


def test_layouts_and_windows():
    rng = np.random.default_rng(2)
    w, x = rng.normal(size=(28, 28)), rng.random((2, 28, 28))
    plain = occlusion(_linear(w), x, 0)
    assert np.allclose(occlusion(_linear(w), x[:, None], 0), plain[:, None])  # channels first
    assert np.allclose(
        occlusion(_linear(w), x[..., None], 0), plain[..., None]
    )  # channels last (Keras)
    masks = occlusion_windows((28, 28), window=4, stride=2)
    assert masks.shape == (13 * 13, 28, 28) and masks.any(axis=0).all()
    clipped = occlusion_windows((28, 28), window=5, stride=2)  # last window clipped at the border
    assert clipped.shape[0] == 13 * 13 and clipped[-1].sum() == 16
    vector = rng.random((4, 10))
    assert np.allclose(
        occlusion(_linear(np.arange(10.0)), vector, 0, window=1, stride=1), vector * np.arange(10.0)
    )


def test_occlusion_bad_input():
    w = np.ones((28, 28))
    x = np.zeros((1, 28, 28))
    with pytest.raises(ValueError, match="stride .* must not exceed window"):
        occlusion(_linear(w), x, 0, window=2, stride=3)
    with pytest.raises(ValueError, match="larger than the input"):
        occlusion(_linear(w), x, 0, window=30)
    with pytest.raises(ValueError, match="outside the model's outputs"):
        occlusion(_linear(w), x, 1)
    with pytest.raises(ValueError, match="must be a batch"):
        occlusion(_linear(w), np.zeros(28), 0)
    with pytest.raises(
        ValueError,
        match=r"baseline must be None \(zeros\), a number, one example of shape \(28, 28\), or one per row of shape \(1, 28, 28\); got shape \(3, 3\)",
    ):
        occlusion(_linear(w), x, 0, baseline=np.zeros((3, 3)))


@pytest.mark.parametrize("weights", ["trained", "random"])
@pytest.mark.parametrize("window, stride", [(4, 2), (5, 2), (7, 7), (3, 1)])
def test_occlusion_matches_captum_on_the_course_cnn(weights, window, stride):
    torch = pytest.importorskip("torch")
    from captum.attr import Occlusion

    from course_utils.frameworks.torch_models import build_cnn, trained_model

    torch.manual_seed(0)
    model = trained_model("cnn", verbose=False) if weights == "trained" else build_cnn()
    x = np.random.default_rng(0).random((3, 1, 28, 28)).astype(np.float32)
    target = np.array([0, 3, 7])
    ours = occlusion(model, x, target, window=window, stride=stride, baseline=0.0)
    theirs = Occlusion(model).attribute(
        torch.from_numpy(x), target=torch.from_numpy(target), sliding_window_shapes=(1, window, window),
        strides=(1, stride, stride), baselines=0.0, perturbations_per_eval=256,
    ).numpy()  # fmt: skip
    assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-5 * np.abs(theirs).max())


def test_occlusion_matches_captum_on_the_course_mlp_with_a_grey_patch():
    torch = pytest.importorskip("torch")
    from captum.attr import Occlusion

    from course_utils.frameworks.torch_models import trained_model

    model = trained_model("mlp", verbose=False)
    x = np.random.default_rng(1).random((2, 28, 28)).astype(np.float32)
    ours = occlusion(model, x, 5, window=6, stride=3, baseline=0.5)
    theirs = (
        Occlusion(model)
        .attribute(
            torch.from_numpy(x),
            target=5,
            sliding_window_shapes=(6, 6),
            strides=(3, 3),
            baselines=0.5,
        )
        .numpy()
    )
    assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-5 * np.abs(theirs).max())


def _windows_by_hand(size, window, stride):
    """Window corners 0, stride, 2 stride, ... up to ceil((size - window) / stride) strides."""
    return [k * stride for k in range(int(np.ceil((size - window) / stride)) + 1)]


def test_the_defaults_are_a_4_pixel_window_moved_by_2():
    rng = np.random.default_rng(3)
    w, x = rng.normal(size=(28, 28)), rng.random((2, 28, 28)).astype(np.float32)
    masks = occlusion_windows((28, 28))
    assert masks.dtype == bool and masks.shape == (13 * 13, 28, 28)
    assert masks[0, :4, :4].all() and masks[0].sum() == 16 and masks[1, :4, 2:6].all()
    # by hand on a linear model: each window's drop is sum over its pixels of w x, spread as a mean
    total, count = np.zeros((2, 28, 28)), np.zeros((28, 28))
    for r in _windows_by_hand(28, 4, 2):
        for c in _windows_by_hand(28, 4, 2):
            drop = (w[r : r + 4, c : c + 4] * x[:, r : r + 4, c : c + 4]).sum(axis=(1, 2))
            total[:, r : r + 4, c : c + 4] += drop[:, None, None]
            count[r : r + 4, c : c + 4] += 1
    ours = occlusion(_linear(w), x, 0)
    assert ours.dtype == np.float32, "a float32 batch gets float32 attributions"
    np.testing.assert_allclose(ours, total / count, rtol=1e-5)


def test_an_int_window_covers_every_channel_at_once():
    masks = occlusion_windows((3, 8, 8), window=4, stride=2)  # channels first
    assert masks.shape == (9, 3, 8, 8)
    assert masks[0, :, :4, :4].all() and masks[0].sum() == 3 * 16
    last = occlusion_windows((8, 8, 3), window=4, stride=2)  # channels last
    np.testing.assert_array_equal(last, np.moveaxis(masks, 1, -1))


def test_tuple_windows_and_strides_give_one_entry_per_axis_of_any_layout():
    # a channel at a time, on a layout the int form does not know (four axes per example)
    masks = occlusion_windows((2, 3, 4, 5), window=(1, 3, 2, 5), stride=(1, 3, 2, 5))
    assert masks.shape == (2 * 1 * 2 * 1, 2, 3, 4, 5)
    assert masks.sum(axis=0).min() == 1 and masks.sum(axis=0).max() == 1  # a tiling
    np.testing.assert_array_equal(masks[0, 0, :, :2], True)
    assert masks[0, 1].sum() == 0
    rng = np.random.default_rng(4)
    w, x = rng.normal(size=(3, 6, 6)), rng.random((2, 3, 6, 6))
    per_channel = occlusion(_linear(w), x, 0, window=(1, 1, 1), stride=(1, 1, 1))
    np.testing.assert_allclose(
        per_channel, w * x, rtol=1e-8, atol=1e-12
    )  # a single entry: gradient x input
    with pytest.raises(
        ValueError,
        match=r"^window must be an int or a tuple with one entry per axis of an example \(28, 28\); got \(4,\)$",
    ):
        occlusion_windows((28, 28), window=(4,), stride=(2, 2))
    with pytest.raises(
        ValueError,
        match=r"^stride must be an int or a tuple with one entry per axis of an example \(28, 28\); got \(2, 2, 2\)$",
    ):
        occlusion_windows((28, 28), window=(4, 4), stride=(2, 2, 2))
    with pytest.raises(ValueError, match=r"^window must be an int >= 1, got 0$"):
        occlusion_windows((28, 28), window=(4, 0))
    with pytest.raises(ValueError, match=r"^stride must be an int >= 1, got 0$"):
        occlusion_windows((28, 28), window=(4, 4), stride=(0, 2))
    with pytest.raises(ValueError, match=r"^window must be an int >= 1, got 2.5$"):
        occlusion_windows((28, 28), window=2.5)


def test_a_window_as_large_as_the_input_may_take_any_stride():
    whole = occlusion_windows((28, 28), window=28, stride=30)  # one position: nothing is skipped
    assert whole.shape == (1, 28, 28) and whole.all()


def test_layouts_the_int_form_cannot_read_get_a_message_that_says_what_to_do():
    with pytest.raises(
        ValueError,
        match=r"^occlusion takes batches of vectors \(N, F\), images \(N, H, W\), \(N, C, H, W\) or "
        r"\(N, H, W, C\) with C <= 4; got examples of shape \(2, 3, 4, 5\)\. Pass window and "
        r"stride as tuples of length 4 for other layouts\.$",
    ):
        occlusion_windows((2, 3, 4, 5))
