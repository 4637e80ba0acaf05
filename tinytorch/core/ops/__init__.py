"""The differentiable operations, written on plain NumPy arrays.

Each operation returns `(result, grad_fns)`: the forward value and, for every
input, a function from the upstream gradient g = ∂L/∂y to ∂L/∂input. Keeping
forward and backward in one short function lets each read like its formula.
Broadcast inputs are summed back to their shapes by the engine, not here.
`tinytorch.core.tensor` wraps these for Tensors; nothing here knows about Tensors.
"""
from .arithmetic import add, divide, maximum, multiply, negative, power, power_scalar, subtract
from .broadcast import sum_to_shape
from .matmul import matmul
from .reduction import max, mean, sum
from .shape import getitem, permute, reshape
from .softmax import log_softmax, softmax
from .unary import absolute, exp, log, relu, sigmoid, sqrt, tanh

__all__ = [
    "add", "divide", "maximum", "multiply", "negative", "power", "power_scalar", "subtract",
    "sum_to_shape", "matmul", "max", "mean", "sum", "getitem", "permute", "reshape",
    "log_softmax", "softmax", "absolute", "exp", "log", "relu", "sigmoid", "sqrt", "tanh",
]
