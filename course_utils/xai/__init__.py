"""Explainers of the course. NumPy in, NumPy out; one adapter (``wrap``) for PyTorch, Keras and NumPy models.

Importing this package loads no framework: ``wrap`` imports PyTorch or
TensorFlow only when it is handed a model of theirs.
"""

from course_utils.xai.adapter import WrappedModel, wrap
from course_utils.xai.gradients import gradient_x_input, saliency, smoothgrad
from course_utils.xai.integrated_gradients import completeness_gap, integrated_gradients, integration_rule
