"""Every chapter's quiz: the right answer is accepted, every wrong one is refused with its own reason,
the widgets say the same as :func:`feedback`, and the markdown for static pages holds every answer."""

import pytest

from course_utils import exercises
from course_utils.exercises import quizzes

QUESTIONS = [
    (chapter, number)
    for chapter in sorted(exercises.QUIZZES)
    for number in range(1, len(exercises.QUIZZES[chapter]) + 1)
]


def _ids(item):
    return f"{item[0]}-q{item[1]}"


@pytest.mark.parametrize("item", QUESTIONS, ids=_ids)
def test_the_right_answer_is_accepted_and_every_wrong_one_refused_with_its_reason(item):
    chapter, number = item
    q = exercises.QUIZZES[chapter][number - 1]
    if q.numeric:
        right, text = quizzes.feedback(chapter, number, str(q.answer))
        assert right and q.feedback[0] in text
        off = q.answer + 10 * (q.tolerance or 1e-9) + 0.5 * max(abs(q.answer), 1)
        right, text = quizzes.feedback(chapter, number, off)
        assert not right and q.feedback[1] in text
        assert not quizzes.feedback(chapter, number, "seven")[0]
        return
    assert len(set(q.feedback)) == len(q.feedback), "each option needs its own feedback"
    for index, letter in enumerate(quizzes.LETTERS[: len(q.options)]):
        right, text = quizzes.feedback(chapter, number, letter)
        assert right == (index == q.answer)
        assert text.endswith(q.feedback[index])
        assert text.startswith("Right." if right else "Not quite.")


@pytest.mark.parametrize("chapter", sorted(exercises.QUIZZES))
def test_the_widgets_give_the_same_feedback(chapter):
    panel = exercises.quiz(chapter)
    assert len(panel.questions) == len(exercises.QUIZZES[chapter])
    for number, (box, q) in enumerate(
        zip(panel.questions, exercises.QUIZZES[chapter], strict=True), 1
    ):
        box.button.click()
        assert "first" in box.result.value  # nothing chosen yet
        box.answer.value = str(q.answer) if q.numeric else quizzes.LETTERS[q.answer]
        box.button.click()
        assert quizzes.feedback(chapter, number, box.answer.value)[1] in box.result.value
        assert "Right." in box.result.value


@pytest.mark.parametrize("chapter", sorted(exercises.QUIZZES))
def test_the_static_answers_hold_every_answer_and_reason(chapter):
    questions, answers = quizzes.questions_markdown(chapter), quizzes.answers_markdown(chapter)
    assert answers.startswith("<details>") and answers.endswith("</details>")
    for number, q in enumerate(exercises.QUIZZES[chapter], 1):
        assert f"**{number}.** {q.prompt}" in questions
        assert all(option in questions for option in q.options)
        assert "Right." not in questions and q.feedback[q.answer if q.options else 0] in answers


def test_bad_questions_and_lookups_are_refused_clearly():
    with pytest.raises(ValueError, match="one feedback per option"):
        quizzes.Question("?", answer=0, options=("a", "b"), feedback=("x",))
    with pytest.raises(ValueError, match="answer must index the options"):
        quizzes.Question("?", answer=2, options=("a", "b"), feedback=("x", "y"))
    with pytest.raises(ValueError, match="4 to 6 questions"):
        quizzes.register("99", [])
    with pytest.raises(ValueError, match="no quiz for chapter '99'"):
        quizzes.feedback("99", 1, "A")
    chapter = sorted(exercises.QUIZZES)[0]
    with pytest.raises(ValueError, match="questions 1 to"):
        quizzes.feedback(chapter, 99, "A")
