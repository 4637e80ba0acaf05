"""TinyTorch's import path: ``from tinytorch.core.optimizers import SGD, Adam, StepLR``.

Nothing is implemented here. The optimizers live in :mod:`tinytorch.optim` and the
schedulers in :mod:`tinytorch.optim.lr_scheduler` (PyTorch's layout); this module
re-exports both so code written for TinyTorch (the optimizers module of the
MLSysBook / Harvard CS249r course) keeps working. TinyTorch's keyword spellings
(``learning_rate=``, ``beta1=``/``beta2=``, ``epsilon=``, ``parameters=``) are
accepted by the classes themselves.
"""
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop, gradient_descent_step
from tinytorch.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

__all__ = [
    "gradient_descent_step", "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
    "ConstantLR", "LambdaLR", "SequentialLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
    "ReduceLROnPlateau",
]
