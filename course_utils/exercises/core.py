"""The checker core: run what the learner wrote, say in one verdict how it stands, never raise.

Every exercise has an id (``"03.2"``: chapter 03, second exercise), a kind (one of
:data:`KINDS`) and hints in tiers, from a nudge to the idea to the formula (never the code).
A chapter module declares its checkers with :func:`exercise`; the decorated function looks
for a problem and returns ``None`` when there is none. The verdict it prints is one of

    Not started (03.2): ...                         the placeholder is still there; no hint
    Not yet (03.2): <the case: expected vs got>     what failed, then the first hint only
    Hint 1 of 3: ...  More: exercises.hint("03.2")
    Correct (03.2): ...

and :func:`hint` gives the next tier on request. A :class:`Verdict` is truthy only when the
answer is right, so a solution cell (and nbgrader's test cell) can ``assert`` it.

The helpers :func:`function_problem`, :func:`value_problem`, :func:`parts_problem` and
:func:`prediction_problem` run the usual comparisons: they raise :class:`NotStarted` for the
untouched stub and return the first problem in words.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The kinds of exercise the course mixes (DESIGN.md): predict then run, debug, experiment, extend, implement.
KINDS = ("predict", "debug", "experiment", "extend", "implement")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (``"NN.k"``), title, kind, hint tiers, nbgrader points and hidden test.

    ``hidden_test`` is Python code that nbgrader runs after the visible check, in the
    learner's namespace (``exercises`` and ``np`` imported); empty for most exercises.
    """

    id: str
    title: str
    kind: str
    hints: tuple[str, ...]
    points: int = 1
    hidden_test: str = ""

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]


#: Every exercise of the course by id, filled in by the chapter modules' :func:`exercise` decorators.
EXERCISES: dict[str, Exercise] = {}
#: The checker of each exercise, by id.
CHECKERS: dict[str, Callable[..., Verdict]] = {}
_hints_shown: dict[str, int] = {}


class NotStarted(Exception):
    """The answer still holds the placeholder (``...``, ``None`` or a stub that raises NotImplementedError)."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of a checker: ``status`` ("correct", "wrong" or "not started") and the ``message`` printed."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        # the checker has already printed the message; show nothing twice
        pass


def _report(ex: Exercise, status: str, text: str) -> Verdict:
    if status == "correct":
        message = f"Correct ({ex.id}): {text}"
    elif status == "not started":
        message = f"Not started ({ex.id}): {text}. Write your answer in its cell, run it, then this check."
    else:
        _hints_shown[ex.id] = max(_hints_shown.get(ex.id, 0), 1)
        message = (
            f"Not yet ({ex.id}): {text}\n"
            f"Hint 1 of {len(ex.hints)}: {ex.hints[0]}  More: exercises.hint({ex.id!r})"
        )
    print(message)
    return Verdict(status, message)


def exercise(
    id: str, title: str, kind: str, hints: Sequence[str], *, points: int = 1, hidden_test: str = ""
) -> Callable:
    """Declare a checker: ``@exercise("03.1", "One step", "implement", hints=(...))`` above a function
    that takes the learner's answer and returns ``None`` when it is right, else the problem in words.

    The decorated checker prints and returns a :class:`Verdict`; whatever the answer raises or
    returns, it never raises into the notebook.
    """
    if kind not in KINDS:
        raise ValueError(f"exercise {id}: kind must be one of {KINDS}, got {kind!r}")
    if not 2 <= len(hints) <= 4:
        raise ValueError(f"exercise {id}: give 2 to 4 hint tiers, got {len(hints)}")
    ex = Exercise(id, title, kind, tuple(hints), points, hidden_test)

    def decorate(find_problem: Callable[..., str | None]) -> Callable[..., Verdict]:
        @functools.wraps(find_problem)
        def check(*answer: Any, **options: Any) -> Verdict:
            try:
                problem = find_problem(*answer, **options)
            except NotStarted as reason:
                return _report(ex, "not started", str(reason))
            except Exception as err:  # the learner's answer may break the check in any way
                problem = f"checking your answer raised {type(err).__name__}: {err}"
            if problem is None:
                return _report(ex, "correct", f"{ex.title}: every check passes.")
            return _report(ex, "wrong", problem)

        check.exercise = ex
        EXERCISES[id] = ex
        CHECKERS[id] = check
        return check

    return decorate


def hint(exercise_id: str, tier: int | None = None) -> str:
    """Print the next hint tier of an exercise (or tier ``tier``, counted from 1) and return it."""
    ex = EXERCISES.get(str(exercise_id))
    if ex is None:
        chapter = str(exercise_id).split(".")[0]
        known = sorted(i for i in EXERCISES if i.startswith(chapter + ".")) or sorted(EXERCISES)
        text = f"There is no exercise {exercise_id!r}; the ids look like {', '.join(known[:6])}."
        print(text)
        return text
    n = len(ex.hints)
    if tier is None:
        tier = min(_hints_shown.get(ex.id, 0) + 1, n)
    if not 1 <= tier <= n:
        text = f"Exercise {ex.id} has hint tiers 1 to {n}, not {tier}."
        print(text)
        return text
    _hints_shown[ex.id] = max(_hints_shown.get(ex.id, 0), tier)
    last = " (that is the last hint)" if tier == n else f"  More: exercises.hint({ex.id!r})"
    text = f"Hint {tier} of {n} ({ex.id}): {ex.hints[tier - 1]}{last}"
    print(text)
    return text


def _short(value: Any, limit: int = 100) -> str:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    text = (
        np.array2string(value, precision=4, threshold=8)
        if isinstance(value, np.ndarray)
        else repr(value)
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_placeholder(value: Any) -> bool:
    return value is Ellipsis or value is None


def compare(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """None when ``got`` matches ``expected`` (numbers and arrays within a tolerance, else equality)."""
    if isinstance(expected, tuple) and all(isinstance(e, (int, np.integer)) for e in expected):
        got = tuple(got) if isinstance(got, (list, tuple)) else got  # a shape
        return None if got == expected else f"expected the shape {expected}, got {_short(got)}"
    if isinstance(expected, (bool, str)):
        return None if got == expected else f"expected {expected!r}, got {_short(got)}"
    expected_arr = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(got).__name__} {_short(got)}"
    if got_arr.shape != expected_arr.shape:
        return f"expected shape {expected_arr.shape}, got shape {got_arr.shape}"
    if not np.all(np.isfinite(got_arr) == np.isfinite(expected_arr)):
        return f"expected {_short(expected_arr)}, got {_short(got_arr)} (inf or nan appeared: overflow?)"
    if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
        if got_arr.ndim:
            worst = np.unravel_index(np.nanargmax(np.abs(got_arr - expected_arr)), got_arr.shape)
            where = f" (largest difference at index {tuple(int(i) for i in worst)})"
        else:
            where = ""
        return f"expected {_short(expected_arr)}, got {_short(got_arr)}{where}"
    return None


def _call(fn: Any, name: str, args: tuple, shown: str | None = None) -> tuple[Any, str | None]:
    """Call the learner's function: (result, None), or (None, the problem); NotStarted for the stub."""
    if shown is None:
        shown = ", ".join(_short(a, 50) for a in args)
    try:
        return fn(*args), None
    except NotImplementedError as err:
        raise NotStarted(f"{name} still raises NotImplementedError") from err
    except Exception as err:  # the learner's code may raise anything
        return None, f"{name}({shown}) raised {type(err).__name__}: {err}"


def _require_function(fn: Any, name: str) -> str | None:
    if _is_placeholder(fn):
        raise NotStarted(f"there is no {name} yet")
    return None if callable(fn) else f"expected a function {name}, got {type(fn).__name__}"


def function_problem(
    fn: Any,
    cases: Sequence[tuple[tuple, Any]],
    *,
    name: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    dtype: Any = None,
    keep_inputs: bool = False,
) -> str | None:
    """Call ``fn(*args)`` for each ``(args, expected)`` case; the first mismatch in words, or None.

    A case may carry a third item, how to show its arguments in a verdict (``"model, x[:4], 3"``),
    when they include something too large to print, such as a network. ``dtype``: the result must
    be an array of that dtype. ``keep_inputs``: the task says not to change the arguments, so a
    function that writes into them fails even if it returns the right values.
    """
    problem = _require_function(fn, name)
    if problem:
        return problem
    for case in cases:
        args, expected = case[0], case[1]
        before = (
            [np.copy(a) if isinstance(a, np.ndarray) else a for a in args] if keep_inputs else None
        )
        shown = case[2] if len(case) > 2 else ", ".join(_short(a, 50) for a in args)
        got, problem = _call(fn, name, args, shown)
        if problem:
            return problem
        if got is None and expected is not None:
            return f"{name}({shown}) returned None: is a `return` missing?"
        problem = compare(got, expected, rtol, atol)
        if problem is None and dtype is not None and getattr(got, "dtype", None) != np.dtype(dtype):
            problem = f"the values are right but the dtype is {getattr(got, 'dtype', type(got).__name__)}, expected {np.dtype(dtype)}"
        if problem is None and keep_inputs:
            for position, (old, new) in enumerate(zip(before, args, strict=True)):
                if isinstance(old, np.ndarray) and not np.array_equal(old, new):
                    problem = f"argument {position + 1} was changed in place; the task asks to leave the inputs as they are and return a new array"
                    break
        if problem:
            return f"{name}({shown}): {problem}"
    return None


def parts_problem(
    fn: Any,
    cases: Sequence[tuple[tuple, Sequence[Any]]],
    names: Sequence[str],
    *,
    name: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> str | None:
    """Like :func:`function_problem` for a function that returns several values, compared one by one."""
    problem = _require_function(fn, name)
    if problem:
        return problem
    for args, expected in cases:
        got, problem = _call(fn, name, args)
        if problem:
            return problem
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            return (
                f"{name} should return {len(names)} values ({', '.join(names)}), got {_short(got)}"
            )
        for part_name, part, exp in zip(names, got, expected, strict=True):
            problem = compare(part, exp, rtol, atol)
            if problem:
                return f"{name}: {part_name}: {problem}"
    return None


def value_problem(
    value: Any, expected: Any, *, name: str, rtol: float = 1e-6, atol: float = 1e-8
) -> str | None:
    """Compare a value the learner computed with the expected one (``...`` or ``None``: not started)."""
    if _is_placeholder(value):
        raise NotStarted(f"{name} still holds the placeholder")
    problem = compare(value, expected, rtol, atol)
    return f"{name}: {problem}" if problem else None


def prediction_problem(
    prediction: Any, actual: Any, *, name: str, rtol: float = 0.0, atol: float = 0.0
) -> str | None:
    """A prediction committed before the answer is shown: right or wrong, without giving the value away."""
    if _is_placeholder(prediction):
        raise NotStarted(f"{name} still holds the placeholder: commit to a prediction first")
    if compare(prediction, actual, rtol, atol) is None:
        return None
    return (
        f"your {name} ({_short(prediction, 60)}) is not what the course computes; run the next "
        "cells to see it, then find the step where your reasoning went another way"
    )


def _outcome(fn: Callable, args: tuple):
    try:
        return "value", fn(*copy.deepcopy(args))
    except NotImplementedError:
        raise
    except Exception as err:  # the planted bug (or the learner's code) may raise
        return "raised", type(err)


def still_buggy(fn: Any, buggy: Callable, inputs: Sequence[tuple], name: str) -> None:
    """Raise NotStarted when ``fn`` behaves exactly like the planted ``buggy`` version on every input.

    A debug exercise's stub holds the buggy code, so the untouched stub says "Not started" (the
    committed notebook's verdict), while any real change is judged by the checker's own cases.
    Same behaviour means the same values (to 1e-12), dtype and shape, or the same exception type.
    """
    if not callable(fn):
        return
    for args in inputs:
        try:
            got = _outcome(fn, args)
        except NotImplementedError as err:
            raise NotStarted(f"{name} still raises NotImplementedError") from err
        expected = _outcome(buggy, args)
        if got[0] != expected[0]:
            return
        if got[0] == "raised":
            if got[1] is not expected[1]:
                return
            continue
        try:
            a, b = np.asarray(got[1], dtype=float), np.asarray(expected[1], dtype=float)
            same = a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)
            same = same and getattr(got[1], "dtype", None) == getattr(expected[1], "dtype", None)
        except (TypeError, ValueError):
            return
        if not same:
            return
    raise NotStarted(
        f"{name} still behaves exactly like the buggy version: find the one bug and fix it"
    )


def _source_tree(fn) -> str | None:
    """The function's syntax tree as text, without its name, comments, layout or line numbers."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    if not tree.body or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    tree.body[0].name = "_"
    return ast.dump(tree.body[0])


def unchanged_code(fn: Any, buggy: Callable) -> bool:
    """Whether ``fn`` is still the task's buggy function: the same code, whatever its layout and comments.

    Works for functions defined in notebook cells (IPython keeps their source); False when the
    source cannot be read.
    """
    if not callable(fn):
        return False
    mine = _source_tree(fn)
    return mine is not None and mine == _source_tree(buggy)
