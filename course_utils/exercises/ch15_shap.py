"""Checkers of chapter 15 · Shapley values and SHAP."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_shapley_by_orders(fn: Callable) -> Verdict:
    """Exercise 15: fn(value_fn, n_players) -> Shapley values as the mean marginal contribution over all n! orders.

    ``value_fn`` takes boolean coalition masks (k, n) and returns k values.
    """
    from course_utils.xai.shapley import shapley_exact

    def glove(masks):
        masks = np.asarray(masks, dtype=bool)
        return np.minimum(masks[:, :1].sum(1), masks[:, 1:].sum(1)).astype(float)

    def voting(masks):
        return (np.asarray(masks, dtype=float) @ np.array([50.0, 30.0, 20.0]) >= 51).astype(float)

    table = np.random.default_rng(15).normal(size=16)

    def random_game(masks):
        return table[np.asarray(masks, dtype=np.int64) @ (1 << np.arange(4))]

    cases = [
        ((game, n), shapley_exact(game, n).values)
        for game, n in ((glove, 3), (voting, 3), (random_game, 4))
    ]
    hint = (
        "for each order in itertools.permutations(range(n)), add the players one by one to an empty mask and credit "
        "each with value(after) - value(before); divide the totals by the number of orders (n!)"
    )
    return check_function(fn, cases, what="shapley_by_orders", hint=hint)
