"""Exercises and quiz of chapter 13 · A tour of Captum."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import exercise, function_problem, prediction_problem
from course_utils.exercises.quizzes import Question, register

__all__ = ["check_occlusion_cost", "check_grad_cam_first_layer", "check_ink_fraction"]

#: Section 2's occlusion: a 4 x 4 window (every channel) moved in steps of 2 over a 28 x 28 digit.
OCCLUSION_WINDOW, OCCLUSION_STRIDE = (1, 4, 4), (1, 2, 2)


def occlusion_images_per_digit(
    window=OCCLUSION_WINDOW, stride=OCCLUSION_STRIDE, shape=(1, 28, 28)
) -> int:
    """How many images Captum's ``Occlusion`` sends through a model to explain one input, counted with a forward hook."""
    import torch
    from captum.attr import Occlusion

    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(int(np.prod(shape)), 2)).eval()
    seen = {"images": 0}
    handle = model.register_forward_hook(
        lambda module, args, output: seen.__setitem__("images", seen["images"] + args[0].shape[0])
    )
    try:
        Occlusion(model).attribute(
            torch.zeros(1, *shape),
            target=0,
            sliding_window_shapes=window,
            strides=stride,
            baselines=0.0,
            perturbations_per_eval=64,
        )
    finally:
        handle.remove()
    return seen["images"]


@exercise(
    "13.1",
    "Predict what occlusion costs",
    "predict",
    hints=(
        "Count the positions of the 4 × 4 window along one side of the 28-pixel image first: where can its left edge be?",
        "The left edge sits at 0, 2, 4, ... as long as the window still fits; the same rows and columns in both directions give a square number of positions. Is anything else evaluated besides the occluded copies?",
        "positions per side = (28 − 4) / 2 + 1; occluded copies = that squared; plus one forward pass of the untouched digit, whose score every drop is measured from.",
    ),
)
def check_occlusion_cost(prediction) -> str | None:
    """prediction: the number of images Captum's Occlusion evaluates per digit with a (1, 4, 4) window and (1, 2, 2) strides."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(prediction, None, name="prediction")
    return prediction_problem(
        prediction, occlusion_images_per_digit(), name="predicted number of images"
    )


def _grad_cam_relu1(model, inputs, target):
    """Captum's LayerGradCam of ``model.relu1`` (rectified), as NumPy (N, 1, 28, 28)."""
    from captum.attr import LayerGradCam

    maps = LayerGradCam(model, model.relu1).attribute(inputs, target=target, relu_attributions=True)
    return maps.detach().numpy()


@exercise(
    "13.2",
    "Grad-CAM on the first convolution",
    "extend",
    hints=(
        "Start from grad_cam_parts in section 2: the same recipe, with the feature maps A taken one block earlier, at relu1's output (8 channels, 28 × 28, so no upsampling).",
        "Make A = relu(conv1(inputs)) a leaf that requires a gradient, run the rest of the network from it (pool1, conv2, relu2, pool2, flatten, head), and take the gradient of each digit's target score with respect to A.",
        "αₖ = mean over the 28 × 28 positions of ∂y_c/∂Aᵏ; map = ReLU(Σₖ αₖ Aᵏ), one channel per digit, shape (N, 1, 28, 28), as a NumPy array.",
    ),
    points=2,
    hidden_test=(
        "import torch\n"
        "from captum.attr import LayerGradCam\n"
        "from course_utils.frameworks.torch_models import build_cnn\n"
        "torch.manual_seed(7)\n"
        "_m, _x = build_cnn(), torch.rand(2, 1, 28, 28)\n"
        "assert np.allclose(grad_cam_relu1(_m, _x, torch.tensor([1, 4])), "
        "LayerGradCam(_m, _m.relu1).attribute(_x, target=torch.tensor([1, 4]), relu_attributions=True).detach().numpy(), atol=1e-6)"
    ),
)
def check_grad_cam_first_layer(grad_cam_relu1, model, inputs, target) -> str | None:
    """grad_cam_relu1(model, inputs, target) -> (N, 1, 28, 28) NumPy Grad-CAM maps of model.relu1, as Captum's LayerGradCam."""
    import torch

    from course_utils.frameworks.torch_models import build_cnn

    with torch.random.fork_rng():
        torch.manual_seed(13)
        other = build_cnn()
        other_inputs = torch.rand(3, 1, 28, 28)
    other_target = torch.tensor([0, 5, 9])
    cases = [
        ((model, inputs, target), _grad_cam_relu1(model, inputs, target)),
        ((other, other_inputs, other_target), _grad_cam_relu1(other, other_inputs, other_target)),
    ]
    return function_problem(grad_cam_relu1, cases, name="grad_cam_relu1", rtol=1e-4, atol=1e-7)


@exercise(
    "13.3",
    "How much attribution is on the ink?",
    "implement",
    hints=(
        "Positive and negative attributions both count as attention here, so work with their sizes. One number per row.",
        "Per row: sum the sizes on the pixels where the digit is brighter than the threshold, and divide by the sum of the sizes over all pixels; flatten each row first so that any shape (N, ...) works.",
        "share = Σᵢ |Aᵢ| · [xᵢ > threshold] / Σᵢ |Aᵢ|, computed per row of the batch.",
    ),
    hidden_test="assert np.allclose(ink_fraction(np.array([[2.0, -2.0], [1.0, 3.0]]), np.array([[0.9, 0.2], [0.1, 0.1]])), [0.5, 0.0])",
)
def check_ink_fraction(ink_fraction) -> str | None:
    """ink_fraction(attributions, x, threshold=0.5) -> per row, the share of sum |attribution| on pixels with x > threshold."""
    rng = np.random.default_rng(13)
    x = rng.random((3, 1, 4, 4))
    attr = rng.normal(size=(3, 1, 4, 4))

    def expected(a, images, threshold=0.5):
        size = np.abs(a).reshape(len(a), -1)
        return (size * (images.reshape(len(images), -1) > threshold)).sum(1) / size.sum(1)

    cases = [
        (
            (np.array([[1.0, -3.0, 0.0, 4.0]]), np.array([[0.9, 0.1, 0.7, 0.6]])),
            np.array([5.0 / 8.0]),
        ),
        ((attr, x), expected(attr, x)),
        ((attr, x, 0.8), expected(attr, x, 0.8)),
    ]
    return function_problem(ink_fraction, cases, name="ink_fraction", keep_inputs=True)


QUIZ = register(
    "13",
    [
        Question(
            "NoiseTunnel around IntegratedGradients with nt_samples = 5 and n_steps = 30: how many images go through the network per explained digit?",
            answer=150,
            tolerance=1e-9,
            feedback=(
                "Each of the 5 noisy copies gets a full IG run of 30 path points: 5 × 30 = 150, which is why a noise tunnel multiplies the cost.",
                "Multiply the noisy copies by IG's steps; adding them, or counting the copies only, undercounts the work.",
            ),
        ),
        Question(
            "In Grad-CAM, the weight αₖ of channel k is ...",
            options=(
                "the class score's gradient with respect to channel k's map, averaged over the map's positions",
                "the largest activation of channel k",
                "the weight of the head that reads channel k at the centre position",
            ),
            answer=0,
            feedback=(
                "One number per channel: the mean of ∂y_c/∂Aᵏ over i, j; the map is then ReLU(Σₖ αₖ Aᵏ).",
                "Activations enter the map through Aᵏ itself; the weight comes from the gradient, not from how strong the channel fires.",
                "The head's weights enter only through the gradient, averaged over all positions; no single position is picked.",
            ),
        ),
        Question(
            "Why are Grad-CAM's maps at relu2 empty, or nearly so, on the course CNN?",
            options=(
                "its linear head weighs every pooled position differently, so averaging the gradient over a map cancels most of it and the weighted sum is often negative",
                "relu2's activations are zero almost everywhere",
                "Captum's LayerGradCam has a bug on ReLU layers",
            ),
            answer=0,
            feedback=(
                "Grad-CAM's average suits a global-average-pool head; with position-by-position weights most αₖ came out negative, and the final ReLU zeroes negative sums.",
                "The maps are empty because the weighted sum Σₖ αₖ Aᵏ is negative, which comes from the mostly negative weights αₖ, not from missing activations.",
                "The from-scratch recipe gave exactly Captum's maps on both layers, so the method, not the library, is the reason.",
            ),
        ),
        Question(
            "What does return_convergence_delta=True add to IntegratedGradients' or DeepLift's result?",
            options=(
                "per input, the gap between the sum of its attributions and f(x) − f(baseline)",
                "the attributions' standard deviation over random seeds",
                "how far the baseline is from the input",
            ),
            answer=0,
            feedback=(
                "It measures completeness (summation-to-delta): near 0 for IG with enough steps, larger for DeepLift where its max-pool rule leaks (chapter 12).",
                "These two methods are deterministic; the delta is about completeness, not randomness.",
                "The distance from the baseline is not reported; the delta compares attributions with the output's change.",
            ),
        ),
        Question(
            "Which of these methods needs only the model's outputs, no gradients?",
            options=("Occlusion", "Saliency", "LayerGradCam", "GradientShap"),
            answer=0,
            feedback=(
                "Occlusion hides patches and reads the score's drop: forward passes only, so it works for any black box.",
                "Saliency is the gradient of the score with respect to the input.",
                "Grad-CAM weighs the layer's maps by the score's gradient there.",
                "GradientShap averages gradients × (input − baseline) at random points on the path.",
            ),
        ),
    ],
)
