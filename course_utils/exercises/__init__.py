"""Exercise checkers, one module per chapter in course order; every ``check_*`` is importable from here.

    from course_utils import exercises
    exercises.check_sigmoid(my_sigmoid)      # prints "Correct: ..." or "Not yet: ... Hint: ..."; never raises

:mod:`.core` holds the machinery (:class:`~.core.Verdict`, :func:`~.core.check_function`,
:func:`~.core.check_value`); ``ch00_welcome`` to ``ch19_outlook`` hold each chapter's cases.
"""

from course_utils.exercises.ch00_welcome import check_scale_pixels
from course_utils.exercises.ch01_neuron import check_relu, check_sigmoid, check_sigmoid_grad
from course_utils.exercises.ch02_losses import check_cross_entropy, check_stable_softmax
from course_utils.exercises.ch03_gradient_descent import check_adam_bias_correction, check_gd_step
from course_utils.exercises.ch04_backprop import check_linear_backward, check_sigmoid_backward
from course_utils.exercises.ch05_mlp import check_precision_recall
from course_utils.exercises.ch06_keras import check_confusion_matrix
from course_utils.exercises.ch07_pytorch import check_inverted_dropout
from course_utils.exercises.ch08_cnns import check_conv_output_size
from course_utils.exercises.ch09_why import check_linear_contributions
from course_utils.exercises.ch10_saliency import check_smoothgrad
from course_utils.exercises.ch11_integrated_gradients import check_ig_midpoint
from course_utils.exercises.ch12_deeplift import check_rescale_multiplier
from course_utils.exercises.ch13_captum import check_ink_fraction
from course_utils.exercises.ch14_lime import check_lime_proximity
from course_utils.exercises.ch15_shap import check_shapley_by_orders
from course_utils.exercises.ch16_evaluation import check_rank_correlation
from course_utils.exercises.ch17_adversarial import check_fgsm_step, check_linf_projection
from course_utils.exercises.ch18_fairness import (
    check_demographic_parity_difference,
    check_equal_opportunity_difference,
)
from course_utils.exercises.ch19_outlook import check_magnitude_prune
from course_utils.exercises.core import Verdict, check_function, check_value

__all__ = [
    "Verdict",
    "check_function",
    "check_value",
    "check_scale_pixels",
    "check_sigmoid",
    "check_sigmoid_grad",
    "check_relu",
    "check_stable_softmax",
    "check_cross_entropy",
    "check_gd_step",
    "check_adam_bias_correction",
    "check_linear_backward",
    "check_sigmoid_backward",
    "check_precision_recall",
    "check_confusion_matrix",
    "check_inverted_dropout",
    "check_conv_output_size",
    "check_linear_contributions",
    "check_smoothgrad",
    "check_ig_midpoint",
    "check_rescale_multiplier",
    "check_ink_fraction",
    "check_lime_proximity",
    "check_shapley_by_orders",
    "check_rank_correlation",
    "check_fgsm_step",
    "check_linf_projection",
    "check_demographic_parity_difference",
    "check_equal_opportunity_difference",
    "check_magnitude_prune",
]
