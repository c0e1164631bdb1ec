"""Interactive controls of the course: each function builds an ipywidgets box; the maths lives elsewhere.

Each builder returns an ``ipywidgets.VBox`` of controls, a status line and an
image of a matplotlib figure that is redrawn whenever a control changes. What
the picture shows is computed by plain functions (:mod:`course_utils.foundations.neuron`,
:mod:`course_utils.foundations.gradient_descent`) and drawn by :mod:`course_utils.plotting`,
so the notebooks and the tests can call them directly, without a browser.

The returned box also carries, as attributes, what a test needs to look at:
``box.controls`` (name -> control widget), ``box.status`` (an HTML widget
with the numbers the picture shows), ``box.image`` (the PNG of the figure)
and ``box.state`` (a dict of the last computed values).
"""

from __future__ import annotations

import numpy as np

from course_utils._checks import check_learning_rate
from course_utils.data.toy import TOY_DATA, toy_data
from course_utils.foundations.gradient_descent import SURFACES, gd_regime, gd_trajectory, quadratic
from course_utils.foundations.neuron import ACTIVATIONS, affine_text, neuron_accuracy
from course_utils.plotting import figure_png, plot_gd, plot_neuron


def neuron_playground(
    data: str = "two blobs",
    w1: float = 1.0,
    w2: float = 1.0,
    b: float = 0.0,
    activation: str = "sigmoid",
):
    """Sliders for w1, w2 and the bias, and menus for the activation and the data set.

    Every change redraws :func:`plot_neuron` and rewrites the status line with
    the accuracy of the neuron's decision (class 1 where ``w.x + b > 0``) on the
    200 toy points. Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as W

    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if data not in TOY_DATA:
        raise ValueError(f"toy data set must be one of {TOY_DATA}, got {data!r}")
    style, layout = {"description_width": "initial"}, W.Layout(width="340px")

    def slider(description, value):
        return W.FloatSlider(
            value=value,
            min=-5.0,
            max=5.0,
            step=0.1,
            description=description,
            continuous_update=False,
            readout_format=".1f",
            style=style,
            layout=layout,
        )

    controls = {
        "w1": slider("weight w1", w1),
        "w2": slider("weight w2", w2),
        "b": slider("bias b", b),
        "activation": W.Dropdown(
            options=ACTIVATIONS, value=activation, description="activation", style=style
        ),
        "data": W.Dropdown(options=TOY_DATA, value=data, description="toy data", style=style),
    }
    status = W.HTML()
    image = W.Image(format="png")
    state: dict = {}
    points: dict = {}

    def redraw(_change=None):
        name = controls["data"].value
        if points.get("name") != name:
            points.update(name=name, xy=toy_data(name))
        x, y = points["xy"]
        w1_, w2_, b_ = (controls[k].value for k in ("w1", "w2", "b"))
        act = controls["activation"].value
        accuracy = neuron_accuracy(x, y, w1_, w2_, b_)
        state.update(w1=w1_, w2=w2_, b=b_, activation=act, data=name, accuracy=accuracy)
        status.value = (
            f"<b>accuracy on the {len(y)} {name} points: {accuracy:.1%}</b> · "
            f"output = {act}({affine_text(w1_, w2_, b_)}); boundary where {affine_text(w1_, w2_, b_)} = 0"
        )
        image.value = figure_png(plot_neuron(w1_, w2_, b_, act, x, y))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = W.VBox(
        [
            W.HBox(
                [
                    W.VBox([controls["w1"], controls["w2"], controls["b"]]),
                    W.VBox([controls["activation"], controls["data"]]),
                ]
            ),
            status,
            image,
        ]
    )
    box.controls, box.status, box.image, box.state = controls, status, image, state
    return box


def learning_rate_explorer(lr: float = 0.1, steps: int = 20, surface: str = "1-D bowl: L(w) = w²"):
    """A log-scale learning-rate slider, a step count and a choice of bowl; redraws :func:`plot_gd`.

    The status line says what the run does (converges, oscillates, diverges),
    the thresholds ``1/a`` and ``2/a`` of the steepest direction and the final loss.
    Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as W

    lr = check_learning_rate(lr)
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {tuple(SURFACES)}, got {surface!r}")
    style = {"description_width": "initial"}
    controls = {
        "lr": W.FloatLogSlider(
            value=lr,
            base=10,
            min=-2,
            max=np.log10(1.2),
            step=0.02,
            description="learning rate α",
            continuous_update=False,
            readout_format=".3f",
            style=style,
            layout=W.Layout(width="420px"),
        ),
        "steps": W.IntSlider(
            value=steps, min=1, max=60, description="steps", continuous_update=False, style=style
        ),
        "surface": W.Dropdown(
            options=tuple(SURFACES),
            value=surface,
            description="loss surface",
            style=style,
            layout=W.Layout(width="420px"),
        ),
    }
    status = W.HTML()
    image = W.Image(format="png")
    state: dict = {}

    def redraw(_change=None):
        lr_, steps_, surface_ = (
            controls["lr"].value,
            controls["steps"].value,
            controls["surface"].value,
        )
        curvatures, start = SURFACES[surface_]
        ws, losses = gd_trajectory(*quadratic(curvatures), np.array(start), lr_, steps_)
        a = max(curvatures)
        regime = gd_regime(lr_, a)
        state.update(
            lr=lr_,
            steps=steps_,
            surface=surface_,
            regime=regime,
            final_loss=float(losses[-1]),
            trajectory=ws,
        )
        status.value = (
            f"<b>α = {lr_:.3f}: {regime}</b> · steepest curvature a = {a:g}, so α &lt; {1 / a:.2f} converges smoothly, "
            f"α &lt; {2 / a:.2f} still converges · loss after {steps_} steps: {losses[-1]:.3g}"
        )
        image.value = figure_png(plot_gd(surface_, lr_, steps_))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = W.VBox([controls["lr"], W.HBox([controls["steps"], controls["surface"]]), status, image])
    box.controls, box.status, box.image, box.state = controls, status, image, state
    return box
