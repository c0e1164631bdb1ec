"""Exercises and quiz of chapter 07 · MNIST in PyTorch.

The checkers import PyTorch only when they run (every notebook imports this package, and the
Keras chapters must not load a second framework). Those that draw random numbers do it inside
``torch.random.fork_rng``, so running a check never changes what the notebook computes after it.
"""

from __future__ import annotations

import copy

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    compare,
    exercise,
    function_problem,
    prediction_problem,
    unchanged_code,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register

__all__ = [
    "check_weight_shape_prediction",
    "check_train_step_debugged",
    "check_inverted_dropout",
    "check_dropout_flips",
]

#: The dropout rate of exercise 07.4, and the share of its count that the check accepts either way.
FLIP_P, FLIP_RTOL = 0.5, 0.25


@exercise(
    "07.1",
    "Predict the shapes of the weights",
    "predict",
    hints=(
        "Chapter 06's Dense kernel was (n_in, n_out) because Keras computes x W + b; PyTorch's Linear computes x Wᵀ + b.",
        "For x Wᵀ to turn a row of n_in numbers into n_out numbers, Wᵀ must be (n_in, n_out); what does that make W?",
        "nn.Linear(n_in, n_out) stores W ∈ ℝ^(n_out × n_in): one row per output unit.",
    ),
)
def check_weight_shape_prediction(fc1_weight_shape, fc2_weight_shape) -> str | None:
    """The shapes of Net's fc1.weight (Linear(784, 128)) and fc2.weight (Linear(128, 10)), as tuples."""
    from torch import nn

    for answer, (n_in, n_out), name in (
        (fc1_weight_shape, (28 * 28, 128), "prediction for fc1.weight"),
        (fc2_weight_shape, (128, 10), "prediction for fc2.weight"),
    ):
        actual = tuple(
            nn.Linear(n_in, n_out, device="meta").weight.shape
        )  # no random numbers drawn
        problem = prediction_problem(answer, actual, name=name)
        if problem:
            return problem
    return None


def buggy_train_step(model, optimizer, images, labels):
    # the task's stub, kept to recognise it untouched (F is torch.nn.functional in the notebook)
    loss = F.cross_entropy(model(images), labels)  # noqa: F821
    loss.backward()
    optimizer.step()
    return loss.item()


def _reference_step(model, optimizer, images, labels):
    import torch.nn.functional as F

    optimizer.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()


def _run_steps(train_step, optimizer_name: str, steps: int = 3):
    """A small Linear model trained for a few steps by ``train_step``: (losses, final weights)."""
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        model = nn.Linear(6, 4)
        batches = [(torch.randn(8, 6), torch.randint(0, 4, (8,))) for _ in range(steps)]
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = [train_step(model, optimizer, x, y) for x, y in batches]
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@exercise(
    "07.2",
    "Debug a training step that drifts",
    "debug",
    hints=(
        "Run the step a few times on the same small model and look at the gradients before each backward pass: are they what this batch alone gives?",
        "The backward pass does not overwrite p.grad, it adds to it; something must clear the previous batch's gradients first.",
        "Each step must follow ∇L(this batch) only: clear the gradients, forward, loss, backward, update, in that order.",
    ),
    points=2,
)
def check_train_step_debugged(train_step) -> str | None:
    """train_step(model, optimizer, images, labels) -> the batch's loss as a float, after one correct update."""
    if unchanged_code(train_step, buggy_train_step):
        raise NotStarted(
            "train_step is still the buggy version of the task: find the bug and fix it"
        )
    if train_step is Ellipsis or train_step is None:
        raise NotStarted("there is no train_step yet")
    for optimizer_name in ("sgd", "adam"):
        expected_losses, expected_weights = _run_steps(_reference_step, optimizer_name)
        try:
            losses, weights = _run_steps(train_step, optimizer_name)
        except NotImplementedError as err:
            raise NotStarted("train_step still raises NotImplementedError") from err
        for step, (got, expected) in enumerate(zip(losses, expected_losses, strict=True), start=1):
            if not isinstance(got, (float, int, np.floating)):
                return f"train_step returned a {type(got).__name__}; return the batch's loss as a Python float (loss.item())"
            problem = value_problem(
                got, expected, name=f"the loss returned at step {step}", rtol=1e-5
            )
            if problem:
                return f"with {optimizer_name.upper()}: {problem}"
        for name, got, expected in zip(("weight", "bias"), weights, expected_weights, strict=True):
            problem = value_problem(
                got, expected, name=f"the {name} after 3 steps", rtol=1e-5, atol=1e-7
            )
            if problem:
                return f"with {optimizer_name.upper()}: {problem}"
    return None


@exercise(
    "07.3",
    "Inverted dropout",
    "implement",
    hints=(
        "Two things happen to each entry: it is kept or zeroed (the mask says which), and the survivors are scaled up.",
        "Choose the scale so that the mean is unchanged: a unit survives with probability 1 − p.",
        "out = x · keep / (1 − p), entry by entry; with p = 0 nothing changes.",
    ),
    hidden_test="assert np.allclose(inverted_dropout(np.array([2.0, 4.0]), np.array([0.0, 1.0]), 0.75), [0.0, 16.0])",
)
def check_inverted_dropout(inverted_dropout) -> str | None:
    """inverted_dropout(x, keep, p) = x * keep / (1 - p), a new array; x and keep unchanged."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6))
    keep = (rng.random((4, 6)) > 0.3).astype(float)
    cases = [
        (
            (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0]), 0.5),
            np.array([2.0, 0.0, 6.0, 0.0]),
        ),
        ((np.array([1.0, -1.0]), np.array([1.0, 1.0]), 0.2), np.array([1.25, -1.25])),
        (
            (np.array([3.0, -2.0]), np.array([1.0, 1.0]), 0.0),
            np.array([3.0, -2.0]),
        ),  # p = 0: no dropout
        ((x, keep, 0.3), x * keep / 0.7),
    ]
    return function_problem(inverted_dropout, cases, name="inverted_dropout", keep_inputs=True)


def dropout_flips(model, images, p: float = FLIP_P, seed: int = 0) -> int:
    """Predictions that change between two train-mode calls of a copy of ``model`` with every Dropout at ``p``.

    The copy is seeded with ``torch.manual_seed(seed)`` right before the two calls; the
    notebook's random numbers and ``model`` itself are left as they were.
    """
    import torch
    from torch import nn

    trial = copy.deepcopy(model)
    for layer in trial.modules():
        if isinstance(layer, nn.Dropout):
            layer.p = p
    trial.train()
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        first, second = trial(images).argmax(1), trial(images).argmax(1)
    return int((first != second).sum())


@exercise(
    "07.4",
    "How often does Dropout change the answer?",
    "experiment",
    hints=(
        "Work on a copy of the model (copy.deepcopy), change the p of its Dropout layer, and repeat the two calls of the cell above.",
        "Set the rate on the layer itself (the course MLP names it dropout), switch the copy to train mode, seed PyTorch with 0, then call it twice on the test images and count the positions where the two argmaxes differ.",
        "count = Σₙ 𝟙[argmax z⁽¹⁾ₙ ≠ argmax z⁽²⁾ₙ], where z⁽¹⁾ and z⁽²⁾ are two train-mode calls with independent dropout masks at p = 0.5.",
    ),
    points=2,
)
def check_dropout_flips(changed_at_05, model, images) -> str | None:
    """The number of test predictions that change between two train-mode calls at p = 0.5 (seed 0)."""
    if changed_at_05 is Ellipsis or changed_at_05 is None:
        raise NotStarted("changed_at_05 still holds the placeholder")
    expected = dropout_flips(model, images)
    if compare(changed_at_05, expected, rtol=FLIP_RTOL) is None:
        return None
    return (
        f"your count ({str(changed_at_05)[:40]}) is not within {FLIP_RTOL:.0%} of the number of changed "
        f"predictions the check measures at p = {FLIP_P} (seed 0) on the same {len(images)} images"
    )


QUIZ = register(
    "07",
    [
        Question(
            "Why does a PyTorch training loop call `optimizer.zero_grad()` at every step?",
            options=(
                "loss.backward() adds to each .grad, so without it a step would use the sum of all earlier gradients",
                "it resets the weights to zero before the update",
                "it frees the computation graph of the previous forward pass",
            ),
            answer=0,
            feedback=(
                "Gradients accumulate by design (useful for splitting a batch in pieces), so each step must clear them first.",
                "The weights are untouched; only the gradients stored in .grad are cleared (set to None by default).",
                "backward() frees the graph itself; zero_grad only deals with the stored gradients.",
            ),
        ),
        Question(
            "Inverted dropout with p = 0.25 keeps an activation of 3.0. What value does it pass on in training mode?",
            answer=4.0,
            tolerance=1e-9,
            feedback=(
                "A survivor is divided by the keep probability 1 − p = 0.75: 3 / 0.75 = 4, so the expected output stays 3.",
                "Divide by the probability of surviving, 1 − p, not by p (12) and not by nothing (3).",
            ),
        ),
        Question(
            "What should the model give `nn.CrossEntropyLoss`?",
            options=(
                "the raw logits: the loss applies the log-softmax itself",
                "the probabilities of a softmax layer",
                "the predicted classes, the argmax of the logits",
            ),
            answer=0,
            feedback=(
                "CrossEntropyLoss(z, y) = log Σₖ e^{zₖ} − z_y, computed stably from the logits.",
                "A softmax before it gets applied twice: the loss still trains, but on squashed inputs, with weak gradients.",
                "The argmax has no gradient and forgets how sure the model was; the loss needs a score for every class.",
            ),
        ),
        Question(
            "What is the shape of `nn.Linear(784, 128).weight`?",
            options=("(128, 784)", "(784, 128)", "(100352,)"),
            answer=0,
            feedback=(
                "PyTorch stores (out, in) and computes x Wᵀ + b: one row of 784 weights per output unit.",
                "That is the layout of a Keras Dense kernel and of Part I's Linear, the transpose of PyTorch's.",
                "The weights are a matrix; only the parameter count is 784 · 128 = 100,352.",
            ),
        ),
        Question(
            "What does `torch.load(path, weights_only=True)` protect against?",
            options=(
                "a file that runs code while it is loaded: only tensors and plain containers are accepted",
                "loading the weights into a model of another shape",
                "loading the optimizer's state along with the weights",
            ),
            answer=0,
            feedback=(
                "A .pt file is a pickle, and unpickling an arbitrary object can execute code; weights_only refuses such objects.",
                "Shapes are checked later, by load_state_dict, whatever weights_only says.",
                "A state_dict of tensors loads either way; weights_only is about which Python objects may be rebuilt.",
            ),
        ),
        Question(
            "Before measuring test accuracy, which is needed to make Dropout stop dropping?",
            options=(
                "model.eval()",
                "with torch.no_grad():",
                "optimizer.zero_grad()",
            ),
            answer=0,
            feedback=(
                "eval() switches Dropout (and BatchNorm) to inference behaviour; no_grad is then a saving, not the switch.",
                "no_grad only stops recording the graph; a model left in train mode still draws fresh dropout masks.",
                "zero_grad clears stored gradients and has no effect on the forward pass.",
            ),
        ),
    ],
)
