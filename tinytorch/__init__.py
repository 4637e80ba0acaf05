"""tinytorch: a small, readable, PyTorch-exact framework for learning optimizers.

Layers, bottom to top: core.tensor (with core.ops and core.engine) → core.autograd
→ nn → data / datasets → optim (optimizers, then optim.lr_scheduler) → amp, profiler.
A lower layer never imports a higher one; this package file, the top, imports them all
so that ``import tinytorch`` gives ``tinytorch.optim``, ``tinytorch.amp`` and friends.
"""
from .core.grad_mode import enable_grad, is_grad_enabled, no_grad
from .core.rng import manual_seed
from .core.tensor import Tensor, as_tensor
from . import nn, data, datasets
from . import optim, amp, profiler

__all__ = [
    "Tensor", "as_tensor", "no_grad", "enable_grad", "is_grad_enabled", "manual_seed",
    "nn", "data", "datasets", "optim", "amp", "profiler",
]
