"""Backward-pass semantics: accumulation, shared nodes, no_grad, detach, deep graphs, Variable."""
import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor
from tinytorch.core.autograd import Variable, add, multiply, no_grad, subtract


def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2 + 3, -4 + 3])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0])


def test_the_same_graph_can_be_backpropagated_twice():
    x = Tensor(3.0, requires_grad=True)
    y = x**2
    y.backward()
    y.backward()
    assert x.grad.item() == 12.0


def test_a_node_used_twice_gets_both_contributions():
    x = Tensor(2.0, requires_grad=True)
    h = x * 3
    (h * h + h).backward()  # d/dx (9x² + 3x) = 18x + 3
    assert x.grad.item() == 39.0


@pytest.mark.parametrize("order", ["direct_first", "derived_first"])
def test_an_interior_node_is_finished_before_it_passes_its_gradient_on(order):
    """y = h + exp(h) with h = 2x: h must collect both shares before passing them to x."""
    x = Tensor(np.array(0.5), requires_grad=True)
    h = x * 2
    y = h + h.exp() if order == "direct_first" else h.exp() + h
    y.backward()
    assert x.grad.item() == pytest.approx(2 * (1 + np.exp(1.0)), rel=1e-15)


def test_gradient_through_a_diamond_of_shared_interior_nodes():
    x = Tensor(np.array([0.3, -0.7]), requires_grad=True)
    a = x * 3
    b = a.tanh()
    c = a * b
    (c + b * a.exp() + a).sum().backward()
    u = 3 * x.numpy()
    t = np.tanh(u)
    dt = 1 - t**2
    expected = 3 * (t + u * dt + dt * np.exp(u) + t * np.exp(u) + 1)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-14)


def test_leaf_gradients_are_private_copies():
    """`a + b` sends the same array to both leaves; changing one .grad must not change the other."""
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    (a + b).backward(Tensor([1.0, 1.0]))
    a.grad.numpy()[:] = 0.0
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_backward_with_explicit_gradient_on_non_scalar():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(Tensor([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, -6.0])


def test_broadcast_gradient_is_reduced_to_each_operand_shape():
    w = Tensor(np.ones((3, 1)), requires_grad=True)
    b = Tensor(np.ones(4), requires_grad=True)
    s = Tensor(2.0, requires_grad=True)
    (w * b * s).sum().backward()
    assert w.grad.shape == (3, 1) and b.grad.shape == (4,) and s.grad.shape == ()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 1), 8.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(4, 6.0))
    assert s.grad.item() == 12.0


def test_only_leaves_keep_gradients():
    x = Tensor(1.0, requires_grad=True)
    h = x * 2
    (h * h).backward()
    assert h.grad is None and x.grad.item() == 8.0


def test_no_grad_records_nothing_and_restores_the_mode():
    x = Tensor(1.0, requires_grad=True)
    with no_grad():
        y = x * 2
        assert not tinytorch.is_grad_enabled()
        with tinytorch.enable_grad():
            assert (x * 2).requires_grad
    assert tinytorch.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert tinytorch.no_grad is no_grad


def test_no_grad_as_decorator():
    @tinytorch.no_grad()
    def double(t):
        return t * 2

    assert not double(Tensor(1.0, requires_grad=True)).requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert tinytorch.is_grad_enabled()


def test_detach_stops_the_gradient():
    x = Tensor(2.0, requires_grad=True)
    (x * x.detach()).backward()
    assert x.grad.item() == 2.0


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**5000, rel=1e-4)


def test_in_place_updates_through_numpy_are_seen_by_the_next_forward():
    """The optimizers' contract: p.numpy() is updated in place, p stays the same leaf."""
    p = Tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.numpy()[...] -= 0.25 * p.grad.numpy()
    np.testing.assert_allclose(p.numpy(), [0.5, 1.0])
    assert p.is_leaf and p.requires_grad


def test_variable_requires_grad_by_default_and_is_a_tensor():
    v = Variable(3.0)
    assert isinstance(v, Tensor) and v.requires_grad and v.dtype == np.float32
    assert not Variable(3.0, requires_grad=False).requires_grad


def test_functional_ops():
    w, x, b = Variable(2.0), Variable(3.0, requires_grad=False), Variable(1.0)
    loss = multiply(subtract(add(multiply(w, x), b), 10.0), 2.0)  # 2(wx + b − 10)
    loss.backward()
    assert loss.item() == -6.0 and w.grad.item() == 6.0 and b.grad.item() == 2.0 and x.grad is None
    assert add(1.0, w).item() == 3.0 and subtract(5, w).item() == 3.0
