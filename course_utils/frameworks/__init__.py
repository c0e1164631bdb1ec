"""Part II: the course's models in PyTorch (:mod:`.torch_models`) and Keras (:mod:`.keras_models`).

:mod:`.recipes` (architectures and training recipes) and :mod:`.cache` (trained
copies on disk) import no framework; import a framework module only in a
notebook that teaches that framework.
"""
