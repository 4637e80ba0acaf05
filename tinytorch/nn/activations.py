"""Elementwise nonlinearities as layers (for Sequential)."""
from ..core.tensor import as_tensor
from .module import Module


class ReLU(Module):
    """max(x, 0)"""

    def forward(self, x):
        return as_tensor(x).relu()


class Sigmoid(Module):
    """1 / (1 + e⁻ˣ)"""

    def forward(self, x):
        return as_tensor(x).sigmoid()


class Tanh(Module):
    """tanh x"""

    def forward(self, x):
        return as_tensor(x).tanh()
