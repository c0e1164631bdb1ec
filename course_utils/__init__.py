"""Companion package of the course "Opening the black box".

One idea per module; NumPy in, NumPy out. Importing this package loads
neither PyTorch nor TensorFlow: the framework modules (``torch_models``,
``keras_models``) are imported only by the notebooks that teach them.
"""

__version__ = "0.1.0"
