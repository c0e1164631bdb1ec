"""Part III: explainers, NumPy in and out, on top of one adapter (``wrap``) for PyTorch, Keras and NumPy models.

Every attribution method has the same signature and returns an array of ``x``'s shape::

    xai.<method>(model, x, target, ...)    # x a batch; target one class index or one per row

with the same names for the shared options (``baseline``, ``n_samples``, ``seed``, ``batch_size``).
Extra results come through a documented ``return_...`` flag. The metrics take
``(model, x, target, explanation_or_method, ...)``. Importing this package loads no
framework: ``wrap`` imports PyTorch or TensorFlow only when it is handed a model of theirs.
"""

from course_utils.xai.adapter import WrappedModel, wrap
from course_utils.xai.deeplift import deeplift, deeplift_layers
from course_utils.xai.gradients import gradient_x_input, saliency, smoothgrad
from course_utils.xai.integrated_gradients import (
    completeness_gap,
    integrated_gradients,
    integration_rule,
)
from course_utils.xai.lime_surrogate import (
    LimeResult,
    grid_segments,
    lime_image,
    lime_tabular,
    segment_map,
)
from course_utils.xai.metrics import (
    CurveResult,
    RandomizationResult,
    deletion_curve,
    infidelity,
    insertion_curve,
    randomization_test,
    rank_correlation,
    sensitivity_max,
)
from course_utils.xai.occlusion import occlusion
from course_utils.xai.shapley import ShapleyResult, kernel_shap, shapley_exact

__all__ = [
    "wrap",
    "WrappedModel",
    "saliency",
    "gradient_x_input",
    "smoothgrad",
    "integrated_gradients",
    "integration_rule",
    "completeness_gap",
    "deeplift",
    "deeplift_layers",
    "occlusion",
    "lime_image",
    "lime_tabular",
    "grid_segments",
    "segment_map",
    "LimeResult",
    "shapley_exact",
    "kernel_shap",
    "ShapleyResult",
    "deletion_curve",
    "insertion_curve",
    "CurveResult",
    "randomization_test",
    "RandomizationResult",
    "rank_correlation",
    "infidelity",
    "sensitivity_max",
]
