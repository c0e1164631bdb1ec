"""A tiny scalar autograd, in the spirit of Andrej Karpathy's micrograd.

Every :class:`Value` remembers the values it was computed from and how to
pass a gradient back to them. ``backward()`` visits the graph in reverse
topological order and applies the chain rule at each node:

    d out / d input = (d out / d node) * (d node / d input)   (the local gradient)

summing over every path, which is why gradients are accumulated with ``+=``.

>>> a, b = Value(2.0), Value(-3.0)
>>> c = a * b + a.exp()
>>> c.backward()
>>> round(a.grad, 4), b.grad   # dc/da = b + exp(a), dc/db = a
(4.3891, 2.0)
"""

from __future__ import annotations

import math


class Value:
    """A scalar that records how it was computed, so gradients can flow back to its inputs."""

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0  # d(final output) / d(self), filled by backward()
        self._backward = lambda: None  # passes self.grad on to the children
        self._prev = tuple(_children)
        self._op = _op  # the operation that produced this node, for drawing the graph
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _lift(other) -> Value:
        return other if isinstance(other, Value) else Value(other)

    # --- operations: each sets out._backward with its local gradients ---

    def __add__(self, other) -> Value:
        other = self._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = self._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, Value):
            raise ValueError(
                "Value ** supports a constant exponent (int or float); write exp(b * log(a)) for a Value exponent"
            )
        exponent = float(exponent)
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def _backward():  # d(a^k)/da = k a^(k-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():  # d exp(a)/da = exp(a)
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():  # d log(a)/da = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():  # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():  # d relu(a)/da = 1 if a > 0 else 0
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    # --- the rest is built from the operations above ---

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other) -> Value:
        return self + (-self._lift(other))

    def __truediv__(self, other) -> Value:
        return self * self._lift(other) ** -1

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return self._lift(other) - self

    def __rtruediv__(self, other) -> Value:
        return self._lift(other) / self

    # --- the backward pass ---

    def topological_order(self) -> list[Value]:
        """Every node this value depends on, each listed after all of its inputs (self last)."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative depth-first search, so deep graphs do not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if id(child) not in seen)
        return order

    def backward(self) -> None:
        """Fill ``.grad`` of every node with d(self)/d(node): seed 1, then the chain rule from the output back."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
