"""Chapter quizzes: "check your understanding" questions with feedback for every wrong answer.

A chapter module registers its questions with :func:`register`. In JupyterLab,
``exercises.quiz("03")`` shows them as ipywidgets (choose or type, press Check, read why);
where no kernel runs (the website, a deck) the chapter's two markdown cells carry the same
questions and, collapsed, the answers: :func:`questions_markdown` and :func:`answers_markdown`
write their text, and a test keeps the notebook's cells equal to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Question:
    """A multiple-choice question (``options``, ``answer`` = the right option's index, one
    ``feedback`` per option saying why it is right or wrong) or a numeric one (``options`` empty,
    ``answer`` a number within ``tolerance``, ``feedback`` = (why the number is what it is,
    what a wrong number usually means))."""

    prompt: str
    answer: float | int
    feedback: tuple[str, ...]
    options: tuple[str, ...] = ()
    tolerance: float = 0.0

    def __post_init__(self):
        if self.options:
            if len(self.feedback) != len(self.options):
                raise ValueError(f"one feedback per option: {self.prompt!r}")
            if not (isinstance(self.answer, int) and 0 <= self.answer < len(self.options)):
                raise ValueError(f"answer must index the options: {self.prompt!r}")
        elif len(self.feedback) != 2:
            raise ValueError(
                f"a numeric question needs (explanation, wrong-answer feedback): {self.prompt!r}"
            )

    @property
    def numeric(self) -> bool:
        return not self.options


#: Every chapter's questions, by chapter number ("03").
QUIZZES: dict[str, tuple[Question, ...]] = {}


def register(chapter: str, questions: Sequence[Question]) -> tuple[Question, ...]:
    """Register a chapter's quiz (4 to 6 questions) and return it."""
    if not 4 <= len(questions) <= 6:
        raise ValueError(f"chapter {chapter}: a quiz has 4 to 6 questions, got {len(questions)}")
    QUIZZES[chapter] = tuple(questions)
    return QUIZZES[chapter]


def _question(chapter: str, number: int) -> Question:
    if chapter not in QUIZZES:
        raise ValueError(
            f"no quiz for chapter {chapter!r}; chapters with quizzes: {sorted(QUIZZES)}"
        )
    questions = QUIZZES[chapter]
    if not 1 <= number <= len(questions):
        raise ValueError(
            f"chapter {chapter}'s quiz has questions 1 to {len(questions)}, not {number}"
        )
    return questions[number - 1]


def feedback(chapter: str, number: int, answer) -> tuple[bool, str]:
    """Whether ``answer`` to question ``number`` (from 1) is right, and the feedback to show.

    Multiple choice: ``answer`` is the option's letter ("B") or index; numeric: a number.
    """
    q = _question(chapter, number)
    if answer is None or answer == "":
        return False, "Choose or type an answer first."
    if q.numeric:
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return False, f"Type a number (got {answer!r})."
        right = math.isclose(value, float(q.answer), rel_tol=0.0, abs_tol=q.tolerance or 1e-9)
        return right, ("Right. " + q.feedback[0]) if right else ("Not quite. " + q.feedback[1])
    index = LETTERS.index(answer.upper()) if isinstance(answer, str) else int(answer)
    if not 0 <= index < len(q.options):
        return False, f"Choose one of {', '.join(LETTERS[: len(q.options)])}."
    right = index == q.answer
    return right, ("Right. " if right else "Not quite. ") + q.feedback[index]


def questions_markdown(chapter: str) -> str:
    """The markdown of the chapter's quiz cell: the questions, their options lettered."""
    lines = ["## Check your understanding", ""]
    for number, q in enumerate(QUIZZES[chapter], 1):
        lines.append(f"**{number}.** {q.prompt}" + (" *(a number)*" if q.numeric else ""))
        lines.append("")
        lines += [f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(q.options)]
        if q.options:
            lines.append("")
    return "\n".join(lines).rstrip()


def answers_markdown(chapter: str) -> str:
    """The markdown of the collapsed answers cell, for pages and decks where no kernel runs."""
    lines = ["<details>", "<summary>Answers, and why</summary>", ""]
    for number, q in enumerate(QUIZZES[chapter], 1):
        if q.numeric:
            lines.append(f"**{number}.** {q.answer:g}. {q.feedback[0]}")
        else:
            lines.append(f"**{number}.** {LETTERS[q.answer]}. {q.feedback[q.answer]}")
            for i, why in enumerate(q.feedback):
                if i != q.answer:
                    lines.append(f"- Not {LETTERS[i]}: {why}")
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def quiz(chapter: str):
    """The chapter's quiz as ipywidgets: per question a choice (or a number box), Check, and feedback."""
    import ipywidgets as W

    boxes = []
    for number, q in enumerate(QUIZZES[chapter], 1):
        prompt = W.HTML(f"<b>{number}.</b> {q.prompt}")
        if q.numeric:
            answer = W.Text(placeholder="a number", layout=W.Layout(width="12em"))
        else:
            answer = W.RadioButtons(
                options=[(f"{LETTERS[i]}. {o}", LETTERS[i]) for i, o in enumerate(q.options)],
                value=None,
                layout=W.Layout(width="auto"),
            )
        button = W.Button(description="Check", button_style="primary")
        result = W.HTML()

        def on_check(_, number=number, answer=answer, result=result):
            right, text = feedback(chapter, number, answer.value)
            colour = "#1a7f37" if right else "#b35900"
            result.value = f'<span style="color:{colour}">{text}</span>'

        button.on_click(on_check)
        box = W.VBox([prompt, answer, W.HBox([button]), result])
        box.answer, box.button, box.result = answer, button, result
        boxes.append(box)
    panel = W.VBox(boxes)
    panel.questions = boxes
    return panel
