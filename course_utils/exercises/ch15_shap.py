"""Exercises and quiz of chapter 15 · Shapley values and SHAP."""

from __future__ import annotations

import itertools
import math

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.xai.shapley import kernel_shap, shapley_exact

__all__ = ["check_max_game_prediction", "check_shapley_by_orders", "check_kernel_shap_budget"]

#: The skills of the three players of the "best member" game of exercise 15.1: v(S) = max of the skills in S.
SKILLS = (1.0, 2.0, 4.0)
#: The coalition budgets of exercise 15.3 (the 9-patch game has 2^9 - 2 = 510 coalitions besides the two ends).
BUDGETS = (50, 200)


def best_member_game(skills=SKILLS):
    """The game v(S) = max of the players' skills in S, v(empty) = 0: a team is as good as its best member."""
    skills = np.asarray(skills, dtype=float)

    def value(masks):
        masks = np.asarray(masks, dtype=bool)
        return np.where(masks, skills, 0.0).max(axis=1)

    return value


@exercise(
    "15.1",
    "Predict the Shapley values of the best-member game",
    "predict",
    hints=(
        "List the 3! = 6 orders in which the players can join, and in each order write down what every player adds when it arrives.",
        "A player adds something only when its skill beats the best skill already in the coalition, and then it adds the difference. The values must sum to v(N) − v(∅) = 4.",
        "With the skills sorted, a₁ < a₂ < a₃ and a₀ = 0: φ of the k-th smallest = Σⱼ₌₁..ₖ (aⱼ − aⱼ₋₁) / (n − j + 1), here with n = 3.",
    ),
)
def check_max_game_prediction(prediction) -> str | None:
    """prediction: the three Shapley values (phi_0, phi_1, phi_2) of v(S) = max skill in S, skills (1, 2, 4)."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    if isinstance(prediction, (list, tuple, np.ndarray)) and any(
        p is Ellipsis or p is None for p in np.asarray(prediction, dtype=object).ravel()
    ):
        return prediction_problem(..., None, name="prediction")
    if np.shape(prediction) != (len(SKILLS),):
        return f"expected three numbers (one Shapley value per player), got {prediction!r}"
    actual = shapley_exact(best_member_game(), len(SKILLS)).values
    return prediction_problem(
        np.asarray(prediction, dtype=float), actual, name="prediction", atol=0.01
    )


class _Game:
    """A game for a checker: called on coalition masks (k, n), shown in a verdict by its description."""

    def __init__(self, description, value):
        self.description, self.value = description, value

    def __call__(self, masks):
        return self.value(np.asarray(masks, dtype=bool))

    def __repr__(self):
        return self.description


def _table_game(table):
    index = 1 << np.arange(int(np.log2(len(table))))
    return _Game(
        f"a random table game of {len(index)} players", lambda m: table[m.astype(np.int64) @ index]
    )


def buggy_shapley_by_orders(value_fn, n_players):
    """The stub of exercise 15.2, bug included: the empty coalition counts as 0 instead of v(empty)."""
    phi = np.zeros(n_players)
    for order in itertools.permutations(range(n_players)):
        coalition = np.zeros((1, n_players), dtype=bool)
        before = 0.0  # nobody has joined yet
        for player in order:
            coalition[0, player] = True
            after = value_fn(coalition)[0]
            phi[player] += after - before
            before = after
    return phi / math.factorial(n_players)


def _same_as_buggy(fn, cases) -> bool:
    """Whether ``fn`` returns what the planted bug returns on every case (the untouched stub)."""
    for args, _ in cases:
        try:
            got = np.asarray(fn(*args), dtype=float)
        except (
            Exception
        ):  # NotImplementedError and the learner's own errors: the checker reports them
            return False
        expected = buggy_shapley_by_orders(*args)
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-12, atol=0):
            return False
    return True


@exercise(
    "15.2",
    "Debug Shapley values by orders that miss the empty coalition",
    "debug",
    hints=(
        "Test efficiency on a game whose empty coalition is worth something, e.g. v(S) = 5 + |S|: do the values sum to v(N) − v(∅)?",
        "Every marginal contribution is a difference v(after) − v(before). Look at the first player of each order: what is 'before' for it, and what does the code use?",
        "φᵢ = (1/n!) Σ over orders [v(Pᵢ ∪ {i}) − v(Pᵢ)], where Pᵢ are the players before i; for the first player Pᵢ = ∅, so its term is v({i}) − v(∅), not v({i}).",
    ),
    points=2,
    hidden_test="assert np.allclose(shapley_by_orders(lambda m: m.sum(axis=1) + 5.0, 3), [1.0, 1.0, 1.0])",
)
def check_shapley_by_orders(shapley_by_orders) -> str | None:
    """shapley_by_orders(value_fn, n_players) -> (n_players,) Shapley values, the mean marginal contribution over all n! orders.

    The untouched stub (the planted bug: the empty coalition counts as 0) is "not started".
    """

    glove = _Game(
        "the glove game",
        lambda m: np.minimum(m[:, :1].sum(1), m[:, 1:].sum(1)).astype(float),
    )
    offset_sum = _Game("v(S) = 5 + (1, 2, 3) . S", lambda m: 5.0 + m @ np.array([1.0, 2.0, 3.0]))
    table = np.random.default_rng(15).normal(size=16)
    cases = [
        ((game, n), shapley_exact(game, n).values)
        for game, n in ((glove, 3), (offset_sum, 3), (_table_game(table), 4))
    ]
    if callable(shapley_by_orders) and _same_as_buggy(shapley_by_orders, cases):
        raise NotStarted(
            "shapley_by_orders still behaves exactly like the buggy version: find the one bug and fix it"
        )
    return function_problem(shapley_by_orders, cases, name="shapley_by_orders")


def kernel_shap_error(game, n_samples: int, n_players: int = 9, seed: int = 0) -> float:
    """Largest |KernelSHAP − exact Shapley value| over the players of ``game`` with a budget of ``n_samples`` coalitions."""
    exact = shapley_exact(game, n_players).values
    _, estimate = kernel_shap(
        game,
        np.ones((1, n_players)),
        0,
        background=np.zeros((1, n_players)),
        n_samples=n_samples,
        seed=seed,
        return_shapley=True,
    )
    return float(np.abs(estimate.values[0] - exact).max())


@exercise(
    "15.3",
    "How far is KernelSHAP from the exact values on a budget?",
    "experiment",
    hints=(
        "Call xai.kernel_shap on the 9-patch game exactly as section 3 does, with n_samples set to the budget and seed=0, and compare its values with the exact ones.",
        "The answer for each budget is one number: the largest absolute difference between the 9 estimated and the 9 exact Shapley values, in logits.",
        "error(n) = maxᵢ |φ̂ᵢ(n) − φᵢ|, with φ̂(n) from kernel_shap(..., n_samples=n, seed=0) and φ from shapley_exact.",
    ),
    points=2,
)
def check_kernel_shap_budget(game, error_at_50, error_at_200) -> str | None:
    """The largest |KernelSHAP - exact| on ``game`` (9 players) with 50 and with 200 coalitions, seed 0."""
    if error_at_50 is Ellipsis and error_at_200 is Ellipsis:
        raise NotStarted("error_at_50 and error_at_200 still hold the placeholder")
    for answer, budget in zip((error_at_50, error_at_200), BUDGETS, strict=True):
        expected = kernel_shap_error(game, budget)
        problem = value_problem(
            answer, expected, name=f"the error with {budget} coalitions", rtol=1e-3, atol=1e-6
        )
        if problem:
            return problem
    return None


QUIZ = register(
    "15",
    [
        Question(
            "In a 3-player game, v(S) = 1 when S contains both player 0 and player 1, and 0 otherwise. What is player 0's Shapley value?",
            answer=0.5,
            tolerance=1e-9,
            feedback=(
                "Player 2 never changes the value, so it gets 0 (dummy); players 0 and 1 are symmetric and share v(N) − v(∅) = 1 (efficiency): ½ each.",
                "Use three axioms: the dummy gets 0, symmetric players get the same, and the values add up to v(N) − v(∅) = 1.",
            ),
        ),
        Question(
            "How many coalitions does exact enumeration evaluate for a game of 10 players (the empty and the full one included)?",
            answer=1024,
            tolerance=0,
            feedback=(
                "Every player is in or out: 2¹⁰ = 1,024 coalitions, and each extra player doubles the count.",
                "Count the subsets of 10 players: each player is in or out of a coalition.",
            ),
        ),
        Question(
            "KernelSHAP's values sum exactly to f(x) − φ₀ even with a small sample of coalitions. What does that show?",
            options=(
                "nothing about the values: the efficiency constraint was built into the regression",
                "that the sample was large enough for exact Shapley values",
                "that the model is additive in its features",
            ),
            answer=0,
            feedback=(
                "The last value is eliminated as Δ minus the others, so the sum holds for any sample; only a comparison with exact values measures the error.",
                "The sum holds by construction whatever the sample; a small sample still gives values far from the exact ones.",
                "The constraint holds for any model; it says nothing about how the model combines its features.",
            ),
        ),
        Question(
            "With a budget of at least 2^M − 2 coalitions, what does KernelSHAP return for M players?",
            options=(
                "the exact Shapley values",
                "an estimate whose error still depends on the seed",
                "LIME's weights with the Shapley kernel",
            ),
            answer=0,
            feedback=(
                "It lists every coalition with its exact kernel weight, and the weighted least squares over all of them is solved by the Shapley values.",
                "With every coalition listed nothing is drawn at random, so the seed no longer matters.",
                "Same regression form, but with every coalition and the Shapley kernel its solution is the Shapley value, not a local surrogate of LIME's choice.",
            ),
        ),
        Question(
            "What does shap's DeepExplainer compute on the course CNN?",
            options=(
                "gradients times the input, averaged over the background",
                "DeepLIFT with each background image as the reference, averaged over the background",
                "KernelSHAP over the 784 pixels",
            ),
            answer=1,
            feedback=(
                "Gradient × input is what DeepLIFT becomes only on a linear model; on the CNN the ReLU and max-pool rules differ from the gradient.",
                "DeepLIFT-SHAP: one DeepLIFT per reference, then the mean; its values sum to f(x) − E[f(b)] (efficiency).",
                "DeepExplainer looks inside the network (backward passes); it does not sample coalitions, which would cost 2^784 evaluations to make exact.",
            ),
        ),
        Question(
            "Why does the chapter call shap.KernelExplainer with l1_reg=False?",
            options=(
                "its default first selects a few features and gives every other feature 0, which is not the Shapley value",
                "l1_reg=False makes it faster",
                "without it, efficiency would not hold",
            ),
            answer=0,
            feedback=(
                "The default, l1_reg='num_features(10)', keeps ten features chosen by a LARS path; with 49 patches the rest get 0.",
                "Speed is not the reason: the selection changes the values themselves.",
                "Efficiency is enforced either way; the selection changes which features share the total.",
            ),
        ),
    ],
)
