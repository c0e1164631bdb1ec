"""The checker core: run what the learner wrote on cases, print a short verdict, never raise.

A checker prints either

    Correct: <what was checked>

or

    Not yet: <the first failing case>. Hint: <a nudge>

and returns a :class:`Verdict`, which is truthy when the answer is right, so a
solution cell can ``assert`` it. Each chapter's checkers (one module per chapter,
``ch00_welcome`` ... ) are thin calls of :func:`check_function` or :func:`check_value`
with that chapter's cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of a checker: ``passed`` and the ``message`` that was printed."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        # the checker has already printed the message; show nothing twice
        pass


def _verdict(passed: bool, message: str) -> Verdict:
    text = ("Correct: " if passed else "Not yet: ") + message
    print(text)
    return Verdict(passed, text)


def _short(value: Any, limit: int = 120) -> str:
    text = (
        np.array2string(value, precision=4, threshold=8)
        if isinstance(value, np.ndarray)
        else repr(value)
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _compare(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``expected``; otherwise what is wrong, in words."""
    if isinstance(expected, (bool, str)) or expected is None:
        return None if got == expected else f"expected {expected!r}, got {_short(got)}"
    expected_arr = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(got).__name__} {_short(got)}"
    if got_arr.shape != expected_arr.shape:
        return f"expected shape {expected_arr.shape}, got shape {got_arr.shape}"
    if not np.all(np.isfinite(got_arr) == np.isfinite(expected_arr)):
        return f"expected {_short(expected_arr)}, got {_short(got_arr)} (check for overflow: inf or nan appeared)"
    if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
        worst = (
            np.unravel_index(np.nanargmax(np.abs(got_arr - expected_arr)), got_arr.shape)
            if got_arr.ndim
            else ()
        )
        where = f" (largest difference at index {tuple(int(i) for i in worst)})" if worst else ""
        return f"expected {_short(expected_arr)}, got {_short(got_arr)}{where}"
    return None


def check_function(
    fn: Any,
    cases: Sequence[tuple[tuple, Any]],
    *,
    what: str,
    hint: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    dtype: Any = None,
) -> Verdict:
    """Call ``fn(*args)`` for each ``(args, expected)`` case and compare with a tolerance.

    ``what`` names the task in the verdict ("sigmoid"); ``hint`` is shown
    with the first failing case. Anything the learner's code raises, returns
    or forgets becomes a "Not yet", never an exception. With ``dtype`` set,
    the result must also be an array of that dtype.
    """
    if not callable(fn):
        return _verdict(
            False, f"{what}: expected a function, got {type(fn).__name__}. Hint: {hint}"
        )
    for args, expected in cases:
        shown = ", ".join(_short(a, 60) for a in args)
        try:
            got = fn(*args)
        except NotImplementedError:
            return _verdict(
                False,
                f"{what} still raises NotImplementedError: replace the stub with your code. Hint: {hint}",
            )
        except Exception as err:  # the learner's code may raise anything
            return _verdict(
                False, f"{what}({shown}) raised {type(err).__name__}: {err}. Hint: {hint}"
            )
        if got is None and expected is not None:
            return _verdict(
                False, f"{what}({shown}) returned None: did you forget `return`? Hint: {hint}"
            )
        problem = _compare(got, expected, rtol, atol)
        if problem is None and dtype is not None and getattr(got, "dtype", None) != np.dtype(dtype):
            problem = f"the values are right but the dtype is {getattr(got, 'dtype', type(got).__name__)}, expected {np.dtype(dtype)}"
        if problem:
            return _verdict(False, f"{what}({shown}): {problem}. Hint: {hint}")
    return _verdict(True, f"{what} passes all {len(cases)} checks.")


def check_value(
    value: Any, expected: Any, *, what: str, hint: str, rtol: float = 1e-6, atol: float = 1e-8
) -> Verdict:
    """Compare a value the learner computed with the expected one."""
    if value is Ellipsis or value is None:
        return _verdict(
            False,
            f"{what}: nothing computed yet (the cell still holds the placeholder). Hint: {hint}",
        )
    problem = _compare(value, expected, rtol, atol)
    if problem:
        return _verdict(False, f"{what}: {problem}. Hint: {hint}")
    return _verdict(True, f"{what} is right.")


def check_parts(
    fn: Any,
    cases,
    names: Sequence[str],
    *,
    what: str,
    hint: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> Verdict:
    """Like :func:`check_function` for a function that returns several arrays, compared one by one."""
    if not callable(fn):
        return _verdict(
            False, f"{what}: expected a function, got {type(fn).__name__}. Hint: {hint}"
        )
    for args, expected in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            return _verdict(
                False,
                f"{what} still raises NotImplementedError: replace the stub with your code. Hint: {hint}",
            )
        except Exception as err:  # the learner's code may raise anything
            return _verdict(False, f"{what} raised {type(err).__name__}: {err}. Hint: {hint}")
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            return _verdict(
                False,
                f"{what} should return {len(names)} values ({', '.join(names)}), got {_short(got)}. Hint: {hint}",
            )
        for name, part, exp in zip(names, got, expected, strict=True):
            problem = _compare(part, exp, rtol, atol)
            if problem:
                return _verdict(False, f"{what}: {name}: {problem}. Hint: {hint}")
    return _verdict(True, f"{what} passes all {len(cases)} checks ({', '.join(names)}).")
