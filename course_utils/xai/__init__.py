"""Explainers of the course. NumPy in, NumPy out; one adapter (``wrap``) for PyTorch, Keras and NumPy models.

Importing this package loads no framework: ``wrap`` imports PyTorch or
TensorFlow only when it is handed a model of theirs.
"""
