"""Autograd in TinyTorch's spelling: Variable, functional ops, no_grad.

The differentiation itself lives in Tensor (tensor.py) and the engine
(engine.py); this module gives the names TinyTorch (the MLSysBook / Harvard
CS249r course) uses:

    x = Variable(10.0)          # requires_grad defaults to True
    loss = multiply(x, x)
    loss.backward()             # x.grad is Tensor(20.)
"""
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .tensor import Tensor, apply_op, as_tensor
from . import ops

__all__ = [
    "Variable", "no_grad", "enable_grad", "is_grad_enabled",
    "add", "subtract", "multiply", "divide", "power", "matmul",
    "exp", "log", "sqrt", "relu", "sigmoid", "tanh",
]


class Variable(Tensor):
    """A Tensor that requires grad unless told otherwise: Variable(data, requires_grad=True, dtype=None)."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)


def _pair(a, b):
    """Both operands as Tensors, numbers taking the other operand's dtype."""
    if isinstance(a, Tensor):
        return a, a._operand(b)
    b = as_tensor(b) if not isinstance(b, Tensor) else b
    return b._operand(a), b


def add(a, b):
    """a + b"""
    return apply_op(ops.add, _pair(a, b))


def subtract(a, b):
    """a − b"""
    return apply_op(ops.subtract, _pair(a, b))


def multiply(a, b):
    """a · b (elementwise)"""
    return apply_op(ops.multiply, _pair(a, b))


def divide(a, b):
    """a / b (elementwise)"""
    return apply_op(ops.divide, _pair(a, b))


def power(a, b):
    """a ** b"""
    return as_tensor(a) ** b


def matmul(a, b):
    """a @ b"""
    return as_tensor(a) @ b


def exp(x):
    return as_tensor(x).exp()


def log(x):
    return as_tensor(x).log()


def sqrt(x):
    return as_tensor(x).sqrt()


def relu(x):
    return as_tensor(x).relu()


def sigmoid(x):
    return as_tensor(x).sigmoid()


def tanh(x):
    return as_tensor(x).tanh()
