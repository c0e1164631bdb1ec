"""Exercises and quiz of chapter 16 · Evaluating explanations."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    _call,
    _require_function,
    _short,
    exercise,
    function_problem,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.stats import bootstrap_ci, paired_difference_ci
from course_utils.xai.metrics import deletion_curve

__all__ = ["check_bootstrap_debugged", "check_rank_correlation", "check_mean_fill"]

#: How far (in bootstrap standard errors) an interval's ends may sit from stats.bootstrap_ci's.
BOOTSTRAP_TOLERANCE = 0.25
#: Deletion steps of section 2 (5% of the pixels per step); exercise 16.3 uses the same.
N_STEPS = 20
#: The two maps exercise 16.3 scores with the mean-digit fill, and the answers it accepts for the winner.
FILL_METHODS = ("Integrated Gradients", "IG, blurred baseline")
WINNERS = ("black baseline", "blurred baseline", "tie")


def buggy_bootstrap_interval(values, n_resamples=2000, level=0.95, seed=0):
    """The stub of exercise 16.1, bug included: it resamples without replacement."""
    rng = np.random.default_rng(seed)
    means = np.empty(n_resamples)
    for b in range(n_resamples):
        resample = rng.choice(values, size=len(values), replace=False)
        means[b] = resample.mean()
    alpha = (1 - level) / 2
    return np.quantile(means, alpha), np.quantile(means, 1 - alpha)


@exercise(
    "16.1",
    "Debug a bootstrap interval of width zero",
    "debug",
    hints=(
        "Print a few of the resampled means: how much do they differ from the mean of the data, and from each other?",
        "A bootstrap resample is as large as the data and drawn with replacement, so some digits appear twice and others not at all; a resample that holds every digit once has the same mean as the data.",
        "Draw j₁ … jₙ independently and uniformly from 1..n (with replacement), take θ* = (1/n) Σ s_{jᵢ}, repeat B times; the interval is the α/2 and 1 − α/2 quantiles of the B values.",
    ),
    points=2,
)
def check_bootstrap_debugged(bootstrap_interval) -> str | None:
    """bootstrap_interval(values, n_resamples=2000, level=0.95, seed=0) -> (low, high), the percentile interval of the mean.

    The untouched stub (the planted bug: resampling without replacement) is "not started".
    """
    problem = _require_function(bootstrap_interval, "bootstrap_interval")
    if problem:
        return problem
    rng = np.random.default_rng(16)
    samples = [rng.exponential(size=100), rng.normal(3.0, 2.0, size=30)]
    cases = ((samples[0], 0.95), (samples[1], 0.95), (samples[0], 0.8))
    for first, (values, confidence) in zip((True, False, False), cases, strict=True):
        kept = values.copy()
        got, problem = _call(
            bootstrap_interval, "bootstrap_interval", (values, 3000, confidence, 0)
        )
        if problem:
            return problem
        where = f"on {len(values)} values at level {confidence}"
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != 2:
            return f"bootstrap_interval should return two numbers (low, high), got {_short(got)}"
        if not np.array_equal(values, kept):
            return "bootstrap_interval changed the values it was given; resample indices or copies instead"
        low, high = (float(v) for v in got)
        if first and np.allclose(
            [low, high], buggy_bootstrap_interval(values, 3000, confidence, 0), rtol=1e-12, atol=0
        ):
            raise NotStarted(
                "bootstrap_interval still behaves exactly like the buggy version: find the one bug and fix it"
            )
        reference = bootstrap_ci(values, np.mean, confidence=confidence, seed=0)
        if not high > low:
            return f"{where} the interval [{low:.4f}, {high:.4f}] has no width: every resample gives the same mean"
        slack = BOOTSTRAP_TOLERANCE * float(reference.standard_error)
        for name, mine, theirs in (("low", low, reference.low), ("high", high, reference.high)):
            if abs(mine - theirs) > slack:
                return (
                    f"{where} the interval is [{low:.4f}, {high:.4f}], but a bootstrap of the mean gives about "
                    f"[{reference.low:.4f}, {reference.high:.4f}] (its {name} end is off by more than "
                    f"{BOOTSTRAP_TOLERANCE} standard errors)"
                )
    return None


def _spearman(a, b) -> float:
    ranks_a, ranks_b = (np.argsort(np.argsort(v)).astype(float) for v in (a, b))
    return float(np.corrcoef(ranks_a, ranks_b)[0, 1])


@exercise(
    "16.2",
    "Spearman's rank correlation",
    "implement",
    hints=(
        "Spearman's ρ is Pearson's correlation applied to the ranks of the values instead of the values themselves.",
        "The rank of a value is how many values are smaller than it (0 to n − 1); sorting twice gives every position its rank, then correlate the two rank vectors.",
        "With ranks r and s: ρ = Σ (rᵢ − r̄)(sᵢ − s̄) / √(Σ (rᵢ − r̄)² · Σ (sᵢ − s̄)²); without ties this equals 1 − 6 Σ (rᵢ − sᵢ)² / (n (n² − 1)).",
    ),
    hidden_test="assert np.isclose(rank_correlation(np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0])), -0.5)",
)
def check_rank_correlation(rank_correlation) -> str | None:
    """rank_correlation(a, b) -> Spearman's rho of two 1-D arrays without ties (a number); a and b unchanged."""
    rng = np.random.default_rng(16)
    a, b = rng.normal(size=50), rng.normal(size=50)
    cases = [
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0, 40.0])), 1.0),
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 3.0, 2.0, 1.0])), -1.0),
        ((np.array([0.1, 5.0, 2.0]), np.array([1.0, 100.0, 3.0])), 1.0),
        ((a, b), _spearman(a, b)),
        ((a, a**3 + b * 0.1), _spearman(a, a**3 + b * 0.1)),
    ]
    return function_problem(rank_correlation, cases, name="rank_correlation", keep_inputs=True)


def mean_digit(x_train_raw) -> np.ndarray:
    """The mean training digit, (28, 28) in [0, 1]: the fill of exercise 16.3."""
    return (np.asarray(x_train_raw).mean(axis=0, dtype=np.float64) / 255.0).astype(np.float32)


def mean_fill_areas(model, x, target, fill_maps, x_train_raw) -> dict[str, np.ndarray]:
    """Deletion areas per digit of the two IG maps when deleted pixels take the mean digit's value."""
    fill = mean_digit(x_train_raw).reshape(x.shape[1:])
    return {
        name: deletion_curve(model, x, target, fill_maps[name], n_steps=N_STEPS, baseline=fill).area
        for name in FILL_METHODS
    }


@exercise(
    "16.3",
    "Deletion with the mean digit as the fill",
    "extend",
    hints=(
        "It is section 2's deletion curve again, same maps, same 20 steps; only the value a deleted pixel takes changes: the mean training digit instead of black.",
        "The fill is one example shaped like a digit in x, (1, 28, 28), passed as the curve's baseline; then compare the two methods digit by digit with a paired bootstrap, as the tables do.",
        "AUC_del(Φ) = ∫₀¹ pₜ(x with the top α of pixels set to the mean digit) dα; the winner is the lower mean area when the paired 95% interval of the difference excludes 0, else a tie.",
    ),
    points=3,
)
def check_mean_fill(model, x, target, fill_maps, x_train_raw, areas, winner) -> str | None:
    """fill_areas: {"Integrated Gradients": (N,), "IG, blurred baseline": (N,)} deletion areas with the mean-digit
    fill; fill_winner: "black baseline", "blurred baseline" or "tie" by the paired bootstrap (seed 0)."""
    if (areas is Ellipsis or areas is None) and (winner is Ellipsis or winner is None):
        raise NotStarted("fill_areas and fill_winner still hold the placeholder")
    if not isinstance(areas, dict) or set(areas) != set(FILL_METHODS):
        return f"fill_areas should be a dict with the keys {FILL_METHODS}, got {_short(areas)}"
    expected = mean_fill_areas(model, x, target, fill_maps, x_train_raw)
    for name in FILL_METHODS:
        problem = value_problem(
            areas[name], expected[name], name=f"fill_areas[{name!r}]", rtol=1e-4, atol=1e-5
        )
        if problem:
            return problem
    difference = paired_difference_ci(expected[FILL_METHODS[0]], expected[FILL_METHODS[1]], seed=0)
    if difference.low > 0:
        right = WINNERS[1]
    elif difference.high < 0:
        right = WINNERS[0]
    else:
        right = WINNERS[2]
    if winner not in WINNERS:
        return f"fill_winner should be one of {WINNERS}, got {_short(winner)}"
    if winner != right:
        return f"the areas are right, but the paired 95% interval of the difference is [{difference.low:.3f}, {difference.high:.3f}]: that does not make it {winner!r}"
    return None


QUIZ = register(
    "16",
    [
        Question(
            "What is Spearman's rank correlation of a = (1, 2, 3, 4) and b = (10, 40, 30, 20)?",
            answer=0.2,
            tolerance=1e-9,
            feedback=(
                "The ranks are (0, 1, 2, 3) and (0, 3, 2, 1); Σ d² = 0 + 4 + 0 + 4 = 8, so ρ = 1 − 6 · 8 / (4 · 15) = 0.2.",
                "Rank each array first (0 for the smallest), then correlate the ranks, or use 1 − 6 Σ d² / (n (n² − 1)).",
            ),
        ),
        Question(
            "Two methods are scored on the same 100 digits. Why does a paired bootstrap of their difference give a narrower interval than their two separate intervals suggest?",
            options=(
                "it resamples the digits once for both, so what a digit does to both scores (easy or hard) cancels in the difference",
                "it uses more resamples",
                "it assumes the scores are normally distributed",
            ),
            answer=0,
            feedback=(
                "An easy digit is easy for every method; with the same indices for both, that shared part drops out of the difference.",
                "The number of resamples sets how precisely an interval is estimated, not how wide it is.",
                "The bootstrap makes no normality assumption; the pairing does the work.",
            ),
        ),
        Question(
            "After every layer of the CNN is re-initialised, gradient × input's map keeps a rank correlation close to 1 with the trained model's, over all pixels. Why?",
            options=(
                "both maps are 0 wherever x = 0, and those many tied zeros on the black background agree",
                "gradient × input does not depend on the model",
                "the randomisation test failed to change the weights",
            ),
            answer=0,
            feedback=(
                "The factor x makes the map vanish on the background whatever the weights; on the ink alone |ρ| is far lower.",
                "Its values do change with the model (on the ink they are nearly unrelated); only its support, the digit's shape, stays.",
                "Saliency in the same test turns into noise, so the weights did change.",
            ),
        ),
        Question(
            "With a black fill, deletion ranks IG with a black baseline above IG with a blurred baseline; with a blurred fill the order reverses. What does that show?",
            options=(
                "the fill is itself a baseline, and it favours the methods that share it",
                "the blurred fill is the correct one",
                "IG is unstable",
            ),
            answer=0,
            feedback=(
                "A map says nothing about pixels equal to its baseline, and deleting such a pixel with the same value changes nothing: the metric asks each method its own question.",
                "Neither fill is correct: each asks a different question; report which one you used (or use ROAR or ROAD).",
                "Each IG is run once with its own baseline; the ranking flips because the metric changed, not because IG's output did.",
            ),
        ),
        Question(
            "A stochastic method scores a low max-sensitivity when the same seed is used for x and for x + δ. What should you measure before believing it is robust?",
            options=(
                "its noise floor: the change with fresh seeds and no shift at all",
                "its deletion AUC",
                "its sensitivity with a larger radius only",
            ),
            answer=0,
            feedback=(
                "With the same seed the method's own noise cancels; with fresh seeds and δ = 0 you see how far the map moves by chance alone.",
                "Deletion measures faithfulness, not robustness; it cannot reveal that the noise was reused.",
                "A larger radius with the same seed still reuses the noise, so it hides the same thing.",
            ),
        ),
        Question(
            "Three methods: A beats B and C by paired intervals, B and C cannot be told apart, nothing beats A. What is C's rank?",
            answer=2,
            tolerance=0,
            feedback=(
                "A rank is 1 + the number of methods better than it: only A beats C, so C is 2=, tied with B.",
                "Count the methods whose paired interval says they beat C, then add 1; a tie does not count.",
            ),
        ),
    ],
)
