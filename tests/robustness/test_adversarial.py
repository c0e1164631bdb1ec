"""course_utils.robustness.adversarial: FGSM and PGD against references: torch autograd, TensorFlow's GradientTape, an analytic linear model.

The exact-math tests use small seeded models (fast, no cache); the monotonicity
test uses the course's trained CNN and MLP on 300 offline test digits.
"""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.frameworks.torch_models import build_cnn, build_mlp
from course_utils.robustness import adversarial as adv
from course_utils.xai.adapter import wrap


def _random_digits(n=16, seed=0):
    """Digit-like images: mostly exact 0 (background), some strokes near 1, so the [0, 1] clipping is exercised."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1, 28, 28)).astype(np.float32)
    x[x < 0.6] = 0.0
    x[x > 0.9] = 1.0
    return x, rng.integers(0, 10, n)


def _model(kind="cnn", seed=0):
    torch.manual_seed(seed)
    return (build_cnn() if kind == "cnn" else build_mlp()).eval()


def _torch_loss_gradient(model, x, y):
    xt = torch.tensor(x, requires_grad=True)
    loss = nn.functional.cross_entropy(model(xt), torch.as_tensor(y), reduction="sum")
    (grad,) = torch.autograd.grad(loss, xt)
    return grad.numpy()


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_loss_gradient_matches_torch_autograd(kind):
    model = _model(kind)
    x, y = _random_digits()
    ours = adv.loss_gradient(model, x, y)
    reference = _torch_loss_gradient(model, x, y)
    assert ours.shape == x.shape
    assert np.allclose(ours, reference, rtol=1e-4, atol=1e-7)


def test_chain_rule_through_wrap_matches_one_backward_pass():
    """The fallback (sum_k (p_k - [k = y]) dz_k/dx over wrap.gradient calls) equals the one-pass VJP."""
    model = _model("cnn", seed=1)
    torch_wrapped = wrap(model)
    numpy_wrapped = wrap(torch_wrapped.predict, gradient=lambda x, t: torch_wrapped.gradient(x, t))
    assert numpy_wrapped.framework == "numpy"
    x, y = _random_digits(8, seed=1)
    assert np.allclose(
        adv.loss_gradient(numpy_wrapped, x, y), adv.loss_gradient(model, x, y), rtol=1e-4, atol=1e-7
    )


def test_loss_gradient_of_a_linear_model_is_analytic():
    """z = x W + b  ->  dL/dx = (softmax(z) - onehot(y)) W^T, exactly."""
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=(5, 3)), rng.normal(size=3)
    x, y = rng.random((7, 5)), rng.integers(0, 3, 7)
    linear = wrap(lambda v: v @ w + b, gradient=lambda v, t: np.broadcast_to(w[:, t].T, v.shape))
    z = x @ w + b
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    expected = (p - np.eye(3)[y]) @ w.T
    assert np.allclose(adv.loss_gradient(linear, x, y), expected, rtol=1e-10, atol=1e-12)


def test_probability_outputs_give_the_same_loss_gradient():
    """-log softmax(z)_y is one function: asking via probabilities or via logits must agree."""
    logits_model = _model("mlp", seed=3)
    prob_model = nn.Sequential(logits_model, nn.Softmax(dim=1)).eval()
    x, y = _random_digits(8, seed=3)
    a = adv.loss_gradient(logits_model, x, y)
    b = adv.loss_gradient(prob_model, x, y, outputs="probabilities")
    assert np.allclose(a, b, rtol=1e-3, atol=1e-6)


def test_keras_model_matches_gradient_tape():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    x, y = _random_digits(6, seed=4)
    x = x[:, 0]
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(
            keras.losses.sparse_categorical_crossentropy(y, model(xt), from_logits=True)
        )
    reference = tape.gradient(loss, xt).numpy()
    assert np.allclose(adv.loss_gradient(model, x, y), reference, rtol=1e-4, atol=1e-7)
    x_adv = adv.pgd(model, x, y, eps=0.1, alpha=0.05, steps=3)
    assert np.abs(x_adv.astype(np.float64) - x).max() <= 0.1


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_fgsm_perturbation_has_the_sign_of_the_loss_gradient(kind):
    model = _model(kind, seed=5)
    x, y = _random_digits(16, seed=5)
    eps = 0.1
    x_adv = adv.fgsm(model, x, y, eps)
    delta = x_adv.astype(np.float64) - x
    reference = _torch_loss_gradient(model, x, y)
    moved = delta != 0
    assert moved.mean() > 0.3
    assert np.array_equal(np.sign(delta[moved]), np.sign(reference[moved]))
    # every pixel with a clear gradient moves by eps, unless the [0, 1] box stops it
    clear = np.abs(reference) > 1e-6 * np.abs(reference).max()
    free = clear & ~((x == 0) & (reference < 0)) & ~((x == 1) & (reference > 0))
    assert np.allclose(
        np.abs(delta[free]),
        np.maximum(0, np.minimum(eps, np.where(reference[free] > 0, 1 - x[free], x[free]))),
        atol=1e-6,
    )
    assert np.all(delta[clear & (x == 0) & (reference < 0)] == 0)


def test_pgd_respects_the_bound_and_the_pixel_range_exactly():
    model = _model("cnn", seed=6)
    x, y = _random_digits(32, seed=6)
    x = np.clip(x + np.float32(0.0137), 0, 1)  # values that are not round in float32
    for eps in (0.03, 0.1, 0.3):
        x_adv = adv.pgd(model, x, y, eps=eps, alpha=eps / 3, steps=5, random_start=True, seed=1)
        distance = np.abs(x_adv.astype(np.float64) - x.astype(np.float64))
        assert x_adv.dtype == x.dtype and x_adv.shape == x.shape
        assert distance.max() <= eps  # exact, no tolerance
        assert distance.max() > eps - 1e-6  # the bound is reached: the projection is active
        assert x_adv.min() >= 0.0 and x_adv.max() <= 1.0
        assert np.any(x_adv == 0.0) and np.any(x_adv == 1.0)  # clipped at both ends


def test_project_never_rounds_outside_the_ball():
    rng = np.random.default_rng(7)
    x = rng.random(100_000).astype(np.float32)
    for eps in (0.1, 1 / 3, 0.007):
        out = adv.project(x.astype(np.float64) + rng.choice([-1.0, 1.0], x.shape), x, eps)
        assert np.abs(out.astype(np.float64) - x).max() <= eps
        assert 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("alpha_factor", [1.0, 3.0])
def test_pgd_one_step_without_random_start_is_fgsm(alpha_factor):
    model = _model("cnn", seed=8)
    x, y = _random_digits(16, seed=8)
    eps = 0.08
    one_step = adv.pgd(model, x, y, eps=eps, alpha=alpha_factor * eps, steps=1, random_start=False)
    assert np.array_equal(one_step, adv.fgsm(model, x, y, eps))


def test_pgd_random_start_is_seeded():
    model = _model("mlp", seed=9)
    x, y = _random_digits(8, seed=9)
    a, b = (adv.pgd(model, x, y, 0.1, 0.02, 3, seed=4) for _ in range(2))
    c = adv.pgd(model, x, y, 0.1, 0.02, 3, seed=5)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def _pgd_reference(model, x, y, eps, alpha, steps, start):
    """PGD as documented, step by step, from a given random draw ``start`` (same shape as x)."""
    x_adv = adv.project(x.astype(np.float64) + start, x, eps)
    for _ in range(steps):
        x_adv = adv.project(
            x_adv.astype(np.float64) + alpha * np.sign(adv.loss_gradient(model, x_adv, y)), x, eps
        )
    return x_adv


def _torch_outcome(model, x, y):
    """(misclassified, cross-entropy loss) per image, from torch directly."""
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).double()
        loss = nn.functional.cross_entropy(logits, torch.as_tensor(y), reduction="none")
    return (logits.argmax(1).numpy() != y), loss.numpy()


def test_pgd_with_one_restart_is_the_single_documented_run():
    model = _model("cnn", seed=10)
    x, y = _random_digits(12, seed=10)
    eps, alpha, steps, seed = 0.1, 0.03, 4, 3
    start = np.random.default_rng(seed).uniform(-eps, eps, size=x.shape)
    expected = _pgd_reference(model, x, y, eps, alpha, steps, start)
    assert np.array_equal(adv.pgd(model, x, y, eps, alpha, steps, seed=seed, restarts=1), expected)
    assert np.array_equal(adv.pgd(model, x, y, eps, alpha, steps, seed=seed), expected)


def test_pgd_restarts_keep_each_images_worst_case():
    """Per image: a misclassifying restart beats any other, then the higher loss wins."""
    model = _model("cnn", seed=11)
    x, _ = _random_digits(64, seed=11)
    with torch.no_grad():  # labels the model gets right, so that some restarts fool it and some not
        y = model(torch.from_numpy(x)).argmax(1).numpy()
    eps, alpha, steps, seed, restarts = 0.02, 0.01, 2, 7, 4
    rng = np.random.default_rng(seed)
    runs = [
        _pgd_reference(model, x, y, eps, alpha, steps, rng.uniform(-eps, eps, size=x.shape))
        for _ in range(restarts)
    ]
    outcomes = [_torch_outcome(model, run, y) for run in runs]
    wrong = np.stack([w for w, _ in outcomes])  # (restarts, N)
    loss = np.stack([loss for _, loss in outcomes])
    # the reference choice: among misclassifying restarts if any, the highest loss
    choice = np.argmax(np.where(wrong.any(0), np.where(wrong, loss, -np.inf), loss), axis=0)
    expected = np.stack([runs[r][n] for n, r in enumerate(choice)])
    ours = adv.pgd(model, x, y, eps, alpha, steps, seed=seed, restarts=restarts)
    assert np.array_equal(ours, expected)
    # the case worth testing occurs: restarts disagree on some images
    assert len(np.unique(choice)) > 1 and np.any(wrong.any(0) & ~wrong.all(0))


def test_more_restarts_never_raise_accuracy():
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model

    model = trained_model("cnn", verbose=False)
    _, (x_test, y_test) = load_mnist(verbose=False)
    x, y = scale_images(x_test[:200])[:, None], y_test[:200]
    accuracy = [
        adv.accuracy_under_attack(
            model, x, y, [0.08], attack="pgd", steps=3, seed=1, restarts=restarts
        )[0]
        for restarts in (1, 2, 4, 8)
    ]
    assert np.all(np.diff(accuracy) <= 0), accuracy
    assert accuracy[-1] < accuracy[0], accuracy  # a weak attack gains from restarts here


def test_restarts_need_a_random_start():
    model = _model("mlp")
    x, y = _random_digits(4)
    with pytest.raises(ValueError, match="needs random_start=True"):
        adv.pgd(model, x, y, 0.1, 0.01, 2, random_start=False, restarts=2)
    with pytest.raises(ValueError, match="restarts must be an int >= 1"):
        adv.pgd(model, x, y, 0.1, 0.01, 2, restarts=0)
    # one restart without a random start is the plain deterministic run
    assert np.array_equal(
        adv.pgd(model, x, y, 0.1, 0.01, 2, random_start=False, restarts=1),
        adv.pgd(model, x, y, 0.1, 0.01, 2, random_start=False),
    )


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_accuracy_under_attack_falls_monotonically_with_eps(name):
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model

    model = trained_model(name, verbose=False)
    _, (x_test, y_test) = load_mnist(verbose=False)
    x, y = scale_images(x_test[:300])[:, None], y_test[:300]
    epsilons = [0.0, 0.05, 0.1, 0.2, 0.3]
    for attack, kwargs in (("fgsm", {}), ("pgd", {"steps": 5})):
        accuracy = adv.accuracy_under_attack(model, x, y, epsilons, attack=attack, **kwargs)
        assert np.all(np.diff(accuracy) <= 0), (attack, accuracy)
        assert accuracy[0] > 0.85 and accuracy[-1] < 0.2, (attack, accuracy)
    pgd_acc = adv.accuracy_under_attack(model, x, y, [0.1], attack="pgd", steps=5)
    fgsm_acc = adv.accuracy_under_attack(model, x, y, [0.1])
    assert (
        pgd_acc[0] <= fgsm_acc[0]
    )  # many small projected steps find at least as many adversarial digits here


def test_bad_input_gives_clear_errors():
    model = _model("mlp")
    x, y = _random_digits(4)
    with pytest.raises(ValueError, match="eps must be >= 0"):
        adv.fgsm(model, x, y, -0.1)
    with pytest.raises(ValueError, match="finite number"):
        adv.fgsm(model, x, y, float("nan"))
    with pytest.raises(ValueError, match=r"class indices 0\.\.9"):
        adv.fgsm(model, x, np.array([0, 1, 2, 10]), 0.1)
    with pytest.raises(ValueError, match=r"class indices 0\.\.9"):
        adv.pgd(model, x, np.array([-1, 1, 2, 3]), 0.1, 0.01, 2)
    with pytest.raises(ValueError, match="one label per image"):
        adv.fgsm(model, x, y[:3], 0.1)
    with pytest.raises(ValueError, match="integer class labels"):
        adv.fgsm(model, x, y.astype(float), 0.1)
    with pytest.raises(ValueError, match=r"scaled to \[0, 1\]"):
        adv.fgsm(model, x * 255, y, 0.1)
    with pytest.raises(ValueError, match=r"scaled to \[0, 1\]"):
        adv.pgd(model, x - 0.5, y, 0.1, 0.01, 2)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        adv.pgd(model, x, y, 0.1, 0.0, 2)
    with pytest.raises(ValueError, match="steps must be an int"):
        adv.pgd(model, x, y, 0.1, 0.01, 0)
    with pytest.raises(ValueError, match="outputs must be one of"):
        adv.fgsm(model, x, y, 0.1, outputs="softmax")
    with pytest.raises(ValueError, match="attack must be"):
        adv.accuracy_under_attack(model, x, y, [0.1], attack="cw")
    with pytest.raises(ValueError, match="could not run on a batch of shape"):
        adv.fgsm(_model("cnn"), x[:, 0, :, :20], y, 0.1)  # 28 x 20 images do not fit the CNN's head


def test_fgsm_leaves_pixels_with_a_zero_gradient_where_they_are():
    # a linear model that reads only the left half of each image: the right half has gradient 0
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)).eval()
    with torch.no_grad():
        linear[1].weight.view(10, 28, 28)[:, :, 14:] = 0.0
    x = np.full((4, 1, 28, 28), 0.5, dtype=np.float32)  # mid-grey: the box never stops a step
    x_adv = adv.fgsm(linear, x, np.array([0, 3, 5, 9]), eps=0.1)
    delta = x_adv.astype(np.float64) - x
    assert np.all(delta[..., 14:] == 0), "pixels the model ignores must not move"
    reference = _torch_loss_gradient(linear, x, np.array([0, 3, 5, 9]))[..., :14]
    np.testing.assert_allclose(delta[..., :14], 0.1 * np.sign(reference), atol=1e-6)
