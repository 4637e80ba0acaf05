"""Nonlinearities and dropout as layers (for Sequential)."""
import numpy as np

from ..core.rng import generator
from ..core.tensor import Tensor, as_tensor
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


class Softmax(Module):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (default the last axis), as ``torch.nn.Softmax``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return as_tensor(x).softmax(self.dim)


class Dropout(Module):
    """During training, zero each element with probability p and scale the rest by
    1/(1 − p), so the expected value is unchanged; in ``eval()`` mode, the identity.

    The mask is drawn from the package generator (``tinytorch.manual_seed``).
    """

    def __init__(self, p=0.5):
        super().__init__()
        if isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * Tensor(np.zeros(x.shape, dtype=x.dtype))
        keep = generator().random(x.shape) >= self.p
        return x * Tensor((keep / (1.0 - self.p)).astype(x.dtype))
