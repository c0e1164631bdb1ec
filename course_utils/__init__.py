"""Companion package of the course "Opening the black box". NumPy in, NumPy out; one idea per module.

    paths, env       where data is cached; one seed for every library, a dependency check
    _checks          the one home of input validation (clear ValueErrors)
    data/            MNIST (mnist), 2-D toy sets (toy), a biased credit set (credit)
    foundations/     Part I in NumPy: activations, losses, layers, optim, gradcheck, train,
                     autograd, convolution, and the maths behind the widgets (neuron, gradient_descent)
    frameworks/      Part II: recipes, the cache of trained models, torch_models, keras_models
    xai/             Part III: the adapter (the only code that knows a framework), one explainer
                     per module with one signature ``method(model, x, target, ...)``, metrics
    robustness/      adversarial attacks, group fairness
    plotting, widgets  shared figures; interactive controls
    exercises/       the checker core, then one module per chapter

Importing this package (or any module above but ``frameworks.torch_models`` and
``frameworks.keras_models``) loads neither PyTorch nor TensorFlow.
"""

__version__ = "0.1.0"
