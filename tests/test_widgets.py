"""course_utils.widgets: the two builders react to `.value` changes and refuse bad arguments.

The maths they draw is tested in tests/foundations (neuron, gradient descent), the figures in tests/test_plotting.py.
"""

import numpy as np
import pytest

from course_utils import widgets
from course_utils.data import toy_data
from course_utils.foundations.gradient_descent import SURFACES, gd_trajectory, quadratic
from course_utils.foundations.neuron import neuron_accuracy


def test_playground_refuses_unknown_data_and_activations():
    with pytest.raises(ValueError, match="toy data set"):
        widgets.neuron_playground(data="moons")
    with pytest.raises(ValueError, match="activation"):
        widgets.neuron_playground(activation="softmax")


def test_playground_sliders_have_descriptive_names():
    box = widgets.neuron_playground()
    descriptions = {name: control.description for name, control in box.controls.items()}
    assert "w1" in descriptions["w1"] and "w2" in descriptions["w2"] and "bias" in descriptions["b"]
    assert descriptions["activation"] == "activation"


def test_playground_redraws_when_a_slider_moves():
    box = widgets.neuron_playground(data="two blobs", w1=1.0, w2=1.0, b=0.0)
    x, y = toy_data("two blobs")
    assert box.state["accuracy"] == neuron_accuracy(x, y, 1.0, 1.0, 0.0)
    before_status, before_image = box.status.value, box.image.value
    assert before_image[:8] == b"\x89PNG\r\n\x1a\n"

    box.controls["w1"].value = -2.0
    assert box.state["w1"] == -2.0
    assert box.state["accuracy"] == neuron_accuracy(x, y, -2.0, 1.0, 0.0)
    assert f"{box.state['accuracy']:.1%}" in box.status.value
    assert box.status.value != before_status
    assert box.image.value != before_image

    # the activation changes the surface but not the boundary, so not the accuracy
    accuracy, image = box.state["accuracy"], box.image.value
    box.controls["activation"].value = "tanh"
    assert box.state["accuracy"] == accuracy and box.image.value != image
    assert "tanh(" in box.status.value

    box.controls["data"].value = "xor"
    xor_x, xor_y = toy_data("xor")
    assert box.state["accuracy"] == neuron_accuracy(xor_x, xor_y, -2.0, 1.0, 0.0)
    assert "xor points" in box.status.value


@pytest.mark.parametrize("lr", [0.0, -0.1, np.nan, np.inf])
def test_explorer_refuses_a_learning_rate_that_is_not_positive(lr):
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        widgets.learning_rate_explorer(lr=lr)


def test_explorer_refuses_an_unknown_surface():
    with pytest.raises(ValueError, match="surface must be one of"):
        widgets.learning_rate_explorer(surface="Rosenbrock")


def test_explorer_reacts_to_the_learning_rate_slider():
    surface = "1-D bowl: L(w) = w²"
    box = widgets.learning_rate_explorer(lr=0.1, steps=20, surface=surface)
    assert box.controls["lr"].description.startswith("learning rate")
    assert box.state["regime"] == "converges" and "converges" in box.status.value
    image = box.image.value

    box.controls["lr"].value = 0.8
    assert box.state["regime"] == "oscillates" and "oscillates" in box.status.value
    assert box.image.value != image
    curvatures, start = SURFACES[surface]
    ws, losses = gd_trajectory(
        *quadratic(curvatures), np.array(start), box.controls["lr"].value, 20
    )
    np.testing.assert_allclose(box.state["trajectory"], ws)
    assert box.state["final_loss"] == pytest.approx(losses[-1])

    box.controls["lr"].value = 1.1
    assert box.state["regime"] == "diverges" and box.state["final_loss"] > 1.0

    box.controls["surface"].value = "2-D bowl: L(w) = ½·w1² + 2.5·w2²"
    assert box.state["trajectory"].shape == (21, 2)
    box.controls["steps"].value = 5
    assert box.state["trajectory"].shape == (6, 2) and "after 5 steps" in box.status.value
