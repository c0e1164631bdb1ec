"""course_utils.foundations.autograd.Value against torch autograd, on hand-picked and random expressions."""

import math
import random

import numpy as np
import pytest

from course_utils.foundations.autograd import Value

torch = pytest.importorskip("torch")


def test_every_operation_matches_torch():
    a, b = Value(1.7), Value(-0.6)
    out = (
        (a * b + a / b - b**3 + (a - 2.0).exp() + a.log() + (a * b).tanh() + b.relu() + a.relu())
        / 3
        - 1 / a
        + 2 * b
    )
    out.backward()

    ta = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-0.6, dtype=torch.float64, requires_grad=True)
    tout = (
        (
            ta * tb
            + ta / tb
            - tb**3
            + (ta - 2.0).exp()
            + ta.log()
            + (ta * tb).tanh()
            + tb.relu()
            + ta.relu()
        )
        / 3
        - 1 / ta
        + 2 * tb
    )
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-12)
    assert math.isclose(a.grad, ta.grad.item(), rel_tol=1e-12)
    assert math.isclose(b.grad, tb.grad.item(), rel_tol=1e-12)


def test_micrograd_sanity_example():
    # the example from micrograd's README, with the gradients torch computes
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert math.isclose(g.data, 24.70408163265306, rel_tol=1e-12)
    assert math.isclose(a.grad, 138.83381924198252, rel_tol=1e-12)
    assert math.isclose(b.grad, 645.5772594752186, rel_tol=1e-12)


UNARY = ["exp", "tanh", "relu", "log", "square", "neg", "inv"]
BINARY = ["+", "-", "*", "/"]


def _random_expression(rng: random.Random, leaves, depth):
    """A random expression tree as a function of a 'namespace' (Value or torch), built identically for both."""
    if depth == 0 or rng.random() < 0.2:
        i = rng.randrange(len(leaves))
        return lambda env: env[i]
    if rng.random() < 0.4:
        op = rng.choice(UNARY)
        inner = _random_expression(rng, leaves, depth - 1)

        def unary(env):
            v = inner(env)
            if op == "exp":
                return (v * 0.3).exp()
            if op == "tanh":
                return v.tanh()
            if op == "relu":
                return v.relu()
            if op == "log":
                return (v * v + 0.5).log()  # keep the argument positive
            if op == "square":
                return v**2
            if op == "neg":
                return -v
            return 1 / (v * v + 1.0)  # "inv", never divides by zero

        return unary
    op = rng.choice(BINARY)
    left, right = (
        _random_expression(rng, leaves, depth - 1),
        _random_expression(rng, leaves, depth - 1),
    )

    def binary(env):
        x, y = left(env), right(env)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        return x / (y * y + 1.0)

    return binary


@pytest.mark.parametrize("seed", range(25))
def test_random_expressions_match_torch(seed):
    rng = random.Random(seed)
    values = [rng.uniform(-2, 2) for _ in range(4)]
    expr = _random_expression(rng, values, depth=5)

    leaves = [Value(v) for v in values]
    out = expr(leaves) + 0 * sum(
        leaves, Value(0.0)
    )  # every leaf in the graph, so every grad is defined
    out.backward()

    tleaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    tout = expr(tleaves) + 0 * sum(tleaves)
    tout.backward()

    assert math.isclose(out.data, tout.item(), rel_tol=1e-10, abs_tol=1e-12)
    ours = np.array([leaf.grad for leaf in leaves])
    theirs = np.array([t.grad.item() for t in tleaves])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_reused_node_accumulates_gradient():
    x = Value(3.0)
    y = x * x + x  # x feeds three edges: dy/dx = 2x + 1
    y.backward()
    assert y.data == 12.0 and x.grad == 7.0


def test_backward_twice_gives_the_same_gradients():
    x = Value(0.5)
    y = (x * 2).tanh()
    y.backward()
    first = x.grad
    y.backward()
    assert x.grad == first


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y + x * 0.001
    y.backward()
    assert math.isclose(x.grad, 1 + 5000 * 0.001)


def test_topological_order_lists_inputs_before_outputs():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    assert order[-1] is d
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="constant exponent"):
        Value(2.0) ** Value(3.0)


def test_draw_computation_graph_shows_every_node_with_value_and_gradient():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_utils.plotting import draw_computation_graph

    x, w = Value(1.5, label="x"), Value(-0.8, label="w")
    loss = (w * x).tanh() ** 2
    loss.backward()
    fig = draw_computation_graph(loss)
    texts = [t.get_text() for t in fig.axes[0].texts]
    nodes = loss.topological_order()
    assert len([t for t in texts if t.startswith("grad ")]) == len(nodes) == 5
    assert "x\n1.5" in texts and f"grad {w.grad:.4g}" in texts
    plt.close(fig)
