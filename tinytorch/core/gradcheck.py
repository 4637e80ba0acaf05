"""Check backward() against central finite differences (for tests, in float64).

For f with inputs x₁..xₖ and a fixed random weighting w of f's output, the scalar
L(x) = Σ w ⊙ f(x) has ∂L/∂xⱼ = the vector-Jacobian product that backward(w)
computes. Central differences estimate each component:

    ∂L/∂xⱼ[i] ≈ (L(xⱼ[i] + ε) − L(xⱼ[i] − ε)) / 2ε      (error O(ε²) + round-off/ε)

With float64 and ε = 1e-6 both error terms are ~1e-10 for smooth functions.
"""
import numpy as np

from . import grad_mode
from .tensor import Tensor


def numerical_gradients(fn, inputs, weights, eps=1e-6):
    """Finite-difference ∂(Σ weights ⊙ fn(*inputs))/∂x for each input that requires grad (else None)."""
    def weighted_output():
        with grad_mode.no_grad():
            return float(np.sum(weights * fn(*inputs).numpy()))

    gradients = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            gradients.append(None)
            continue
        values = x.numpy()  # perturbed in place, then restored
        grad = np.zeros_like(values)
        for i in np.ndindex(values.shape):
            original = values[i]
            values[i] = original + eps
            upper = weighted_output()
            values[i] = original - eps
            lower = weighted_output()
            values[i] = original
            grad[i] = (upper - lower) / (2 * eps)
        gradients.append(grad)
    return gradients


def analytic_gradients(fn, inputs, weights):
    """∂(Σ weights ⊙ fn(*inputs))/∂x from backward(), for each input that requires grad (else None)."""
    for x in inputs:
        if isinstance(x, Tensor):
            x.grad = None
    output = fn(*inputs)
    output.backward(Tensor(np.asarray(weights, dtype=output.dtype)))
    return [
        None if not (isinstance(x, Tensor) and x.requires_grad)
        else (x.grad.numpy().copy() if x.grad is not None else np.zeros_like(x.numpy()))
        for x in inputs
    ]


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Assert that backward() through `fn(*inputs)` matches central differences; returns True.

    Every float input must be float64 (float32 round-off would swamp the
    differences). Raises AssertionError naming the input and the worst element.
    """
    for position, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            raise TypeError(f"gradcheck needs float64 inputs; input {position} is {x.dtype}")
    with grad_mode.no_grad():
        shape = fn(*inputs).shape
    weights = np.random.default_rng(seed).standard_normal(shape)
    analytic = analytic_gradients(fn, inputs, weights)
    numeric = numerical_gradients(fn, inputs, weights, eps)
    for position, (a, n) in enumerate(zip(analytic, numeric)):
        if a is None:
            continue
        if a.shape != n.shape or not np.allclose(a, n, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(a - n)), n.shape) if a.shape == n.shape else None
            raise AssertionError(
                f"gradient of input {position} differs from finite differences"
                + (f" at index {worst}: backward {a[worst]!r}, numeric {n[worst]!r}" if worst is not None
                   else f": backward shape {a.shape}, numeric shape {n.shape}")
            )
    return True
