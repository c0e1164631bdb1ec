"""course_utils.xai.lime_surrogate: a linear model's coefficients come back; lime_image is the lime library's algorithm.

Both explainers take a batch and return its shape; every example is explained with the same seed, so an
example explained alone or inside a batch gets the same explanation.
"""

import warnings

import numpy as np
import pytest

from course_utils.xai import LimeResult, grid_segments, lime_image, lime_tabular, segment_map

# --- tabular ---------------------------------------------------------------------------------


def test_lime_tabular_recovers_linear_coefficients():
    rng = np.random.default_rng(0)
    w = np.array([2.0, -1.0, 0.5, 0.0, 3.0])
    training = rng.normal(size=(300, 5)) * [1.0, 5.0, 0.2, 2.0, 1.0] + [0, 10, 0, 0, -3]

    def f(rows):
        return rows @ w + 4.0

    x = training[7:8]
    weights, result = lime_tabular(
        f, x, 0, training, return_surrogate=True
    )  # a 1-D output is one column: target 0
    assert isinstance(result, LimeResult) and weights.shape == (1, 5)
    np.testing.assert_array_equal(weights, result.weights)
    # the weights are per unit of each input feature, whatever its scale; ridge shrinks them by < 0.1 %
    assert np.allclose(result.weights[0], w, rtol=1e-3, atol=1e-3)
    assert np.isclose(result.intercept[0], f(x)[0], rtol=1e-4)
    assert result.score[0] > 0.9999
    assert result.segments is None and result.target.tolist() == [0]
    assert np.isclose(result.prediction[0], f(x)[0])


def test_lime_tabular_recovers_the_local_slope_of_a_nonlinear_model():
    # perturbations scale with the training data's spread: with a narrow spread the surrogate is local
    rng = np.random.default_rng(1)
    training = rng.normal(size=(200, 3)) * 0.02
    weights = np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 1.0]])

    def f(rows):  # two outputs; the second is the larger at x below
        z = rows @ weights
        return np.stack([np.sin(z[:, 0]), 1.0 + z[:, 1] ** 2], axis=1)

    x = np.array([[0.3, -0.2, 0.8]])
    assert f(x).argmax(axis=1).tolist() == [1]  # the top output at x
    _, result = lime_tabular(f, x, 1, training, alpha=1e-6, return_surrogate=True)
    assert result.target.tolist() == [1]
    slope = 2 * (x[0] @ weights[:, 1]) * weights[:, 1]  # gradient of 1 + z^2
    assert np.allclose(result.weights[0], slope, atol=0.01)
    first = lime_tabular(f, x, 0, training, alpha=1e-6)
    assert np.allclose(first[0], np.cos(x[0] @ weights[:, 0]) * weights[:, 0], atol=0.01)
    wide = lime_tabular(f, x, 1, training * 100, alpha=1e-6)  # spread 2: no longer the local slope
    assert not np.allclose(wide[0], slope, atol=0.1)


def test_lime_tabular_equals_lime_library_given_the_same_draws():
    # LimeTabularExplainer(sample_around_instance=True, discretize_continuous=False) draws the same
    # N(0, 1) noise from RandomState(seed); it reports weights per standard deviation, ours per unit
    lime_tabular_module = pytest.importorskip("lime.lime_tabular")
    rng = np.random.default_rng(0)
    training = rng.normal(size=(500, 4)) * [1.0, 2.0, 0.5, 1.0]

    def f(rows):
        return 1 / (1 + np.exp(-(rows @ [1.0, -0.5, 2.0, 0.0] + rows[:, 0] * rows[:, 3])))

    x = training[[11, 3, 40]]  # the library's instance, training[3], is row 1 of the batch
    _, ours = lime_tabular(f, x, 0, training, seed=5, return_surrogate=True)
    explainer = lime_tabular_module.LimeTabularExplainer(
        training,
        mode="regression",
        discretize_continuous=False,
        sample_around_instance=True,
        random_state=5,
    )
    explanation = explainer.explain_instance(training[3], f, num_features=4, num_samples=5000)
    theirs = np.zeros(4)
    for index, weight in explanation.local_exp[1]:
        theirs[index] = weight
    assert np.allclose(ours.weights[1] * training.std(axis=0), theirs, atol=1e-10)
    assert np.isclose(ours.score[1], explanation.score)


def test_lime_tabular_explains_a_row_alone_as_inside_a_batch():
    rng = np.random.default_rng(3)
    training = rng.normal(size=(100, 4))
    mixing = rng.normal(size=(4, 3))

    def f(rows):
        return np.tanh(rows @ mixing) + rows[:, :1] * rows[:, 1:2]

    x = rng.normal(size=(5, 4))
    targets = np.array([0, 2, 1, 2, 0])
    batch, result = lime_tabular(
        f, x, targets, training, n_samples=800, seed=7, return_surrogate=True
    )
    assert batch.shape == (5, 4)
    assert (
        len({tuple(row) for row in batch.round(6)}) == 5
    )  # five different rows, five different explanations
    for i in range(5):
        alone, single = lime_tabular(
            f, x[i : i + 1], int(targets[i]), training, n_samples=800, seed=7, return_surrogate=True
        )
        np.testing.assert_array_equal(alone[0], batch[i])
        assert single.intercept[0] == result.intercept[i] and single.score[0] == result.score[i]
        assert single.prediction[0] == result.prediction[i] and single.target[0] == result.target[i]


def test_lime_tabular_bad_input():
    with pytest.raises(
        ValueError, match=r"training_data must have shape \(m, 3\) to match x; got shape \(10, 4\)"
    ):
        lime_tabular(lambda r: r.sum(1), np.zeros((1, 3)), 0, np.zeros((10, 4)))
    with pytest.raises(
        ValueError,
        match=r"x must be rows of features, shape \(N, n_features\); got shape \(1, 3, 3\)",
    ):
        lime_tabular(lambda r: r.sum(1), np.zeros((1, 3, 3)), 0, np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"x must be a batch.*x\[None\]"):
        lime_tabular(lambda r: r.sum(1), np.zeros(3), 0, np.zeros((10, 3)))
    with pytest.raises(
        ValueError,
        match=r"target 1 is outside the model's outputs: expected a class index in 0\.\.0",
    ):
        lime_tabular(lambda r: r.sum(1), np.zeros((1, 3)), 1, np.zeros((10, 3)))


# --- images: an analytic case ------------------------------------------------------------------


def test_lime_image_finds_the_only_segment_that_matters():
    rng = np.random.default_rng(0)
    image = rng.random((28, 28)).astype(np.float32)
    segments = grid_segments()
    cell = segments == 17

    def f(batch):  # the mean brightness of cell 17: linear in the switch of segment 17
        return batch[:, cell].mean(axis=1)

    maps, result = lime_image(
        f, image[None], 0, n_samples=500, alpha=1e-9, return_surrogate=True
    )  # (almost) no ridge penalty: exact recovery
    assert np.isclose(result.weights[0, 17], image[cell].mean(), rtol=1e-6)
    assert np.abs(np.delete(result.weights[0], 17)).max() < 1e-6
    assert np.isclose(result.score[0], 1.0)
    _, shrunk = lime_image(
        f, image[None], 0, n_samples=500, return_surrogate=True
    )  # the default ridge penalty (alpha = 1) shrinks a little
    assert int(np.argmax(np.abs(shrunk.weights[0]))) == 17
    assert 0.95 * image[cell].mean() < shrunk.weights[0, 17] < image[cell].mean()
    assert maps.shape == (1, 28, 28) and maps.dtype == np.float32
    np.testing.assert_array_equal(result.segments, segments)
    # the old attribution_map(), weights[segments], is the map times each segment's pixel count (16 on the grid)
    np.testing.assert_allclose(maps[0] * 16, result.weights[0][result.segments], rtol=1e-6)


def test_grid_segments_and_image_layouts():
    segments = grid_segments()
    assert segments.shape == (28, 28) and segments.max() == 48
    assert np.all(np.bincount(segments.ravel()) == 16)
    rng = np.random.default_rng(1)
    image = rng.random((28, 28)).astype(np.float32)
    w = rng.normal(size=(28, 28))

    def score(batch):
        return (batch.reshape(len(batch), 28, 28) * w).sum(axis=(1, 2))

    flat_map, flat = lime_image(score, image[None], 0, n_samples=300, return_surrogate=True)
    first_map, first = lime_image(
        score, image[None, None], 0, n_samples=300, return_surrogate=True
    )  # (1, 1, 28, 28): channels first
    last_map, last = lime_image(
        score, image[None, :, :, None], 0, n_samples=300, return_surrogate=True
    )  # (1, 28, 28, 1): channels last
    assert np.allclose(flat.weights, first.weights) and np.allclose(flat.weights, last.weights)
    assert first_map.shape == (1, 1, 28, 28) and last_map.shape == (1, 28, 28, 1)
    np.testing.assert_allclose(first_map[:, 0], flat_map, rtol=1e-6)
    np.testing.assert_allclose(last_map[..., 0], flat_map, rtol=1e-6)


def _unequal_segments(height=12, width=10):
    """Six segments of 10 to 40 pixels (stripes of 1 to 4 rows, then two halves of the last two rows), labelled 0..5."""
    rows = np.repeat([0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4][:height], width).reshape(height, width)
    rows[10:, width // 2 :] = 5
    return rows


@pytest.mark.parametrize("layout", ["hw", "chw", "hwc"])
def test_lime_image_spreads_each_segment_weight_over_its_pixels(layout):
    rng = np.random.default_rng(4)
    segments = _unequal_segments()
    assert np.bincount(segments.ravel()).tolist() == [10, 20, 30, 40, 10, 10]
    images = rng.random((3, 12, 10)).astype(np.float32)
    shape = {"hw": (3, 12, 10), "chw": (3, 3, 12, 10), "hwc": (3, 12, 10, 3)}[layout]
    x = {
        "hw": images,
        "chw": np.repeat(images[:, None], 3, axis=1),
        "hwc": np.repeat(images[..., None], 3, axis=-1),
    }[layout]
    w = rng.normal(size=x.shape[1:])

    def score(batch):
        return np.stack(
            [
                (batch * w).reshape(len(batch), -1).sum(1),
                np.tanh(batch.reshape(len(batch), -1).mean(1)),
            ],
            axis=1,
        )

    maps, result = lime_image(
        score, x, [0, 1, 0], n_samples=200, segments=segments, return_surrogate=True
    )
    assert maps.shape == shape and result.weights.shape == (3, 6)
    per_pixel = (
        maps if layout == "hw" else (maps.sum(axis=1) if layout == "chw" else maps.sum(axis=-1))
    )
    for k in range(6):
        np.testing.assert_allclose(
            per_pixel[:, segments == k].sum(axis=1), result.weights[:, k], rtol=1e-5, atol=1e-7
        )
    np.testing.assert_allclose(
        maps.reshape(3, -1).sum(axis=1), result.weights.sum(axis=1), rtol=1e-5, atol=1e-6
    )
    if layout != "hw":  # every channel of a pixel holds the same share
        channels = np.moveaxis(maps, 1 if layout == "chw" else -1, 0)
        assert all(np.array_equal(channels[0], c) for c in channels[1:])
    np.testing.assert_allclose(
        segment_map(result.weights, result.segments, x.shape[1:]), maps, rtol=1e-6
    )


def test_lime_image_bad_input():
    image = np.zeros((1, 28, 28), np.float32)

    def f(batch):
        return np.zeros((len(batch), 10))

    with pytest.raises(
        ValueError,
        match=r"lime_image takes a batch of images \(N, H, W\), \(N, C, H, W\) or \(N, H, W, C\); got shape \(28, 28\)\. For one image use image\[None\]\.",
    ):
        lime_image(f, image[0], 0)
    with pytest.raises(ValueError, match=r"spatial shape \(28, 28\)"):
        lime_image(f, image, 0, segments=np.zeros((14, 14), int))
    with pytest.raises(ValueError, match=r"returned shape \(3,\)"):
        lime_image(lambda b: np.zeros(3), image, 0, n_samples=20)
    with pytest.raises(
        ValueError,
        match=r"target 10 is outside the model's outputs: expected a class index in 0\.\.9",
    ):
        lime_image(f, image, 10, n_samples=20)
    with pytest.raises(ValueError, match=r"n_samples must be an int >= 2, got 1"):
        lime_image(f, image, 0, n_samples=1)
    with pytest.raises(ValueError, match=r"kernel_width must be > 0, got 0"):
        lime_image(f, image, 0, kernel_width=0)


# --- images: against the lime library on the course CNN ------------------------------------------


@pytest.fixture(scope="module")
def cnn_and_digits():
    pytest.importorskip("torch")
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model
    from course_utils.xai import wrap

    model = wrap(trained_model("cnn", verbose=False))
    _, (x_test, _) = load_mnist(verbose=False)

    def probabilities(batch):
        """Softmax of the CNN; takes (k, 28, 28), (k, 1, 28, 28) or lime's RGB copies (k, 28, 28, 3)."""
        batch = np.asarray(batch, dtype=np.float32)
        if batch.ndim == 4 and batch.shape[-1] == 3:
            batch = batch[..., 0]  # lime's gray2rgb copies: the three channels are equal
        batch = batch.reshape(len(batch), 1, 28, 28)
        z = model.predict(batch)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    return probabilities, scale_images(x_test[:12])


def _lime_library(probabilities, image, target, seed, num_samples=1000):
    lime_image_module = pytest.importorskip("lime.lime_image")
    segments = grid_segments()
    explainer = lime_image_module.LimeImageExplainer(kernel_width=0.25, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explanation = explainer.explain_instance(
            image, probabilities, labels=(target,), top_labels=None, hide_color=0, num_samples=num_samples,
            segmentation_fn=lambda rgb: segments, random_seed=0, batch_size=num_samples,
        )  # fmt: skip
    weights = np.zeros(segments.max() + 1)
    for index, weight in explanation.local_exp[target]:
        weights[index] = weight
    return weights, explanation.intercept[target], explanation.score


def _top_classes(probabilities, images):
    return probabilities(images).argmax(axis=1)


def test_lime_image_equals_lime_library_given_the_same_draws(cnn_and_digits):
    # the same seed draws the same on/off samples (RandomState(seed).randint), so the numbers must match;
    # each digit i is compared as row i of a batch of three, explained with seed i
    probabilities, digits = cnn_and_digits
    batch, targets = digits[:3], _top_classes(probabilities, digits[:3])
    for i in range(3):
        _, ours = lime_image(
            probabilities, batch, targets, n_samples=1000, seed=i, return_surrogate=True
        )
        assert ours.target[i] == targets[i]
        weights, intercept, score = _lime_library(probabilities, digits[i], int(targets[i]), seed=i)
        assert np.allclose(ours.weights[i], weights, atol=1e-8)
        assert np.isclose(ours.intercept[i], intercept) and np.isclose(ours.score[i], score)


def test_lime_image_explains_a_digit_alone_as_inside_a_batch(cnn_and_digits):
    probabilities, digits = cnn_and_digits
    batch = digits[:5]
    targets = _top_classes(probabilities, batch)
    assert len(set(targets.tolist())) >= 4  # different digits
    maps, result = lime_image(
        probabilities, batch, targets, n_samples=300, seed=3, return_surrogate=True
    )
    for i in range(5):
        alone, single = lime_image(
            probabilities,
            batch[i : i + 1],
            int(targets[i]),
            n_samples=300,
            seed=3,
            return_surrogate=True,
        )
        np.testing.assert_array_equal(alone[0], maps[i])
        np.testing.assert_array_equal(single.weights[0], result.weights[i])
        assert single.intercept[0] == result.intercept[i] and single.score[0] == result.score[i]
    assert not np.allclose(maps[0], maps[1])


def test_lime_image_ranks_top_segments_like_lime_with_independent_draws(cnn_and_digits):
    """Different random draws (ours seed i, lime's seed 1000 + i), same grid, 1,000 samples, kernel 0.25.

    Measured on these 12 test digits: the top segment agrees on 10 of 12 (83 %; 82.5 % on 40 digits)
    and 4.6 of the top five on average (92 % on 40 digits). The whole 49-weight vectors agree much
    less (Spearman about 0.6): the unimportant segments are sampling noise, which is LIME's instability.
    """
    probabilities, digits = cnn_and_digits
    top1, top5 = [], []
    targets = _top_classes(probabilities, digits)
    for i, image in enumerate(digits):
        _, ours = lime_image(
            probabilities,
            image[None],
            int(targets[i]),
            n_samples=1000,
            seed=i,
            return_surrogate=True,
        )
        theirs, _, _ = _lime_library(probabilities, image, int(targets[i]), seed=1000 + i)
        a, b = np.argsort(-ours.weights[0]), np.argsort(-theirs)
        top1.append(a[0] == b[0])
        top5.append(len(set(a[:5]) & set(b[:5])) / 5)
    print(f"top-1 agreement {np.mean(top1):.3f}, top-5 overlap {np.mean(top5):.3f}")
    assert np.mean(top1) >= 0.75, top1
    assert np.mean(top5) >= 0.8, top5


def test_lime_image_takes_a_pytorch_or_keras_model_directly():
    # documented: model is anything wrap() accepts; the network passed as it is, or as a NumPy
    # function of its outputs, gives the same explanation (and chunks of the samples change nothing)
    torch = pytest.importorskip("torch")
    from course_utils.frameworks.torch_models import build_mlp

    torch.manual_seed(3)
    net = build_mlp().eval()
    rng = np.random.default_rng(3)
    images = rng.random((2, 1, 28, 28)).astype(np.float32)

    def as_function(batch):
        with torch.no_grad():
            return net(torch.from_numpy(np.ascontiguousarray(batch))).numpy()

    direct = lime_image(net, images, [4, 7], n_samples=60, seed=1)
    via_function = lime_image(as_function, images, [4, 7], n_samples=60, seed=1, batch_size=7)
    assert direct.shape == images.shape
    np.testing.assert_allclose(direct, via_function, rtol=1e-4, atol=1e-6)
    assert np.abs(direct).max() > 0

    keras = pytest.importorskip("keras")
    from course_utils.frameworks.keras_models import build_mlp as build_keras_mlp

    keras.utils.set_random_seed(3)
    model = build_keras_mlp()
    digits = images[:, 0]  # Keras models take (N, 28, 28)
    np.testing.assert_allclose(
        lime_image(model, digits, 4, n_samples=40, seed=2),
        lime_image(lambda b: model(b, training=False).numpy(), digits, 4, n_samples=40, seed=2),
        rtol=1e-4,
        atol=1e-6,
    )
