"""tinytorch.optim: optimizers with PyTorch's exact semantics (``torch.optim``'s shape).

Ordered by complexity, each file one algorithm: SGD (momentum, Nesterov), ASGD,
Rprop, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax, NAdam, RAdam, Adafactor, LBFGS (closure-driven), Muon (2-D weights), and two from
beyond ``torch.optim``: Lion and schedule-free AdamW. The shared machinery (parameter groups, state, validation,
checkpoints) lives in :class:`Optimizer`; the arithmetic of each algorithm is a
plain function of NumPy arrays in :mod:`tinytorch.optim.functional`.

Learning-rate schedulers live one layer up, in ``tinytorch.optim.lr_scheduler``
(PyTorch's place for them). The optimizers never import them; the attribute
``tinytorch.optim.lr_scheduler`` is resolved lazily, on first use.
"""
from tinytorch.optim.optimizer import Optimizer
from tinytorch.optim.sgd import SGD
from tinytorch.optim.adagrad import Adagrad
from tinytorch.optim.rmsprop import RMSprop
from tinytorch.optim.adam import Adam
from tinytorch.optim.adamw import AdamW
from tinytorch.optim.asgd import ASGD
from tinytorch.optim.rprop import Rprop
from tinytorch.optim.adadelta import Adadelta
from tinytorch.optim.adamax import Adamax
from tinytorch.optim.nadam import NAdam
from tinytorch.optim.radam import RAdam
from tinytorch.optim.adafactor import Adafactor
from tinytorch.optim.lbfgs import LBFGS
from tinytorch.optim.muon import Muon
from tinytorch.optim.lion import Lion
from tinytorch.optim.schedule_free import AdamWScheduleFree
from tinytorch.optim.functional import gradient_descent_step
from tinytorch.optim import functional

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "ASGD", "Rprop",
           "Adadelta", "Adamax", "NAdam", "RAdam", "Adafactor", "LBFGS", "Muon", "Lion", "AdamWScheduleFree",
           "gradient_descent_step", "functional"]


def __getattr__(name):
    if name == "lr_scheduler":
        import importlib

        return importlib.import_module("tinytorch.optim.lr_scheduler")
    raise AttributeError(f"module 'tinytorch.optim' has no attribute {name!r}")
