"""Part I in NumPy: everything chapters 01-05 and 08 derive by hand, written once.

activations, losses   the functions and their derivatives
layers, optim         Linear, ReLU, MLP with backward passes; SGD, momentum, Adam
gradcheck, train      finite-difference checks; the mini-batch training loop
autograd              a scalar reverse-mode autograd (``Value``)
convolution           conv2d and max-pooling, loops you can read
neuron, gradient_descent  the maths behind chapter 01's and 03's widgets
"""
