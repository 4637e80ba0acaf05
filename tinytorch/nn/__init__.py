"""tinytorch.nn: modules (layers, activations, losses) built on tinytorch tensors."""
import importlib

from . import functional
from .activations import Dropout, ReLU, Sigmoid, Softmax, Tanh
from .container import Sequential
from .linear import Dense, Linear
from .losses import BCELoss, BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from .module import Module, Parameter

__all__ = [
    "Module", "Parameter", "Linear", "Dense", "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout",
    "Sequential", "MSELoss", "CrossEntropyLoss", "BCELoss", "BinaryCrossEntropyLoss",
    "functional",
]


def __getattr__(name):
    # tinytorch.nn.utils (gradient clipping, ...) is imported on first use, so this
    # package never depends on it while it loads.
    if name == "utils":
        return importlib.import_module(f"{__name__}.utils")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
