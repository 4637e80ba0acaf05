"""The scheduler implementations, one concept per module; import them from
:mod:`tinytorch.optim.lr_scheduler`."""
from tinytorch.optim.schedulers.base import LRScheduler
from tinytorch.optim.schedulers.cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from tinytorch.optim.schedulers.cyclic import CyclicLR
from tinytorch.optim.schedulers.decay import ExponentialLR, MultiStepLR, StepLR
from tinytorch.optim.schedulers.lambda_lr import LambdaLR, MultiplicativeLR
from tinytorch.optim.schedulers.one_cycle import OneCycleLR
from tinytorch.optim.schedulers.plateau import ReduceLROnPlateau
from tinytorch.optim.schedulers.polynomial import PolynomialLR
from tinytorch.optim.schedulers.sequential import ChainedScheduler, SequentialLR
from tinytorch.optim.schedulers.warmup import ConstantLR, LinearLR

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "LinearLR", "ConstantLR", "LambdaLR", "SequentialLR",
    "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau",
    "MultiplicativeLR", "PolynomialLR", "ChainedScheduler", "CyclicLR",
]
