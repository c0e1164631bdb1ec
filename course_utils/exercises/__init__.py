"""Exercises and quizzes, one module per chapter in course order; every ``check_*`` is importable from here.

    from course_utils import exercises
    exercises.check_gd_step(gd_step)   # "Not started", "Not yet ... Hint 1 of 3" or "Correct"; never raises
    exercises.hint("03.1")             # the next hint tier, from a nudge to the formula (never the code)
    exercises.quiz("03")               # the chapter's "check your understanding" quiz as widgets

:mod:`.core` holds the checker machinery (:func:`~.core.exercise`, :class:`~.core.Verdict`,
:func:`~.core.hint`), :mod:`.quizzes` the quiz machinery; ``ch00_welcome`` to ``ch19_outlook``
declare each chapter's exercises and quiz. Importing this package imports every chapter module, so
:data:`EXERCISES` and :data:`QUIZZES` hold the whole course, and every chapter's ``check_*``
function is an attribute of this package.
"""

from importlib import import_module

from course_utils.exercises.core import CHECKERS, EXERCISES, KINDS, Exercise, Verdict, hint
from course_utils.exercises.quizzes import QUIZZES, Question, feedback, quiz

#: The chapter modules, in course order.
CHAPTERS = (
    "ch00_welcome",
    "ch01_neuron",
    "ch02_losses",
    "ch03_gradient_descent",
    "ch04_backprop",
    "ch05_mlp",
    "ch06_keras",
    "ch07_pytorch",
    "ch08_cnns",
    "ch09_why",
    "ch10_saliency",
    "ch11_integrated_gradients",
    "ch12_deeplift",
    "ch13_captum",
    "ch14_lime",
    "ch15_shap",
    "ch16_evaluation",
    "ch17_adversarial",
    "ch18_fairness",
    "ch19_outlook",
)

__all__ = ["CHECKERS", "EXERCISES", "KINDS", "QUIZZES", "Exercise", "Question", "Verdict"]
__all__ += ["feedback", "hint", "quiz"]

for _chapter in CHAPTERS:
    _module = import_module(f"course_utils.exercises.{_chapter}")
    for _name in getattr(_module, "__all__", [n for n in vars(_module) if n.startswith("check_")]):
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
del _chapter, _module, _name
