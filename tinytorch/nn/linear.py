"""The fully connected layer y = x Wᵀ + b."""
import math

import numpy as np

from ..core import rng
from .functional import linear
from .module import Module, Parameter


class Linear(Module):
    """Linear(in_features, out_features, bias=True, dtype=np.float32).

    weight has shape (out_features, in_features) and, like bias, starts
    uniform in ±1/√in_features — PyTorch's default — drawn from the package
    generator (`tinytorch.manual_seed`), weight first.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1 / math.sqrt(in_features)
        generator = rng.generator()
        self.weight = Parameter(generator.uniform(-bound, bound, (out_features, in_features)), dtype=dtype)
        self.bias = Parameter(generator.uniform(-bound, bound, out_features), dtype=dtype) if bias else None

    def forward(self, x):
        return linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


# TinyTorch (the MLSysBook / Harvard CS249r course) calls the same layer Dense.
Dense = Linear
