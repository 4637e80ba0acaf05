"""Helpers shared by the optimizer tests (no torch here: the fixtures hold torch's numbers)."""
import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.optim import (
    ASGD, SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, AdamWScheduleFree, Lion, NAdam,
    RAdam,
    RMSprop, Rprop,
)

class ScheduleFreeInTrainMode(AdamWScheduleFree):
    """AdamWScheduleFree switched to train mode at once, so that the tests every
    optimizer passes can step it like the others (its own tests cover the modes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.train()


OPTIMIZERS = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop, "Adagrad": Adagrad,
              "NAdam": NAdam, "RAdam": RAdam, "Adamax": Adamax, "Adadelta": Adadelta,
              "ASGD": ASGD, "Rprop": Rprop, "Adafactor": Adafactor, "Lion": Lion,
              "AdamWScheduleFree": ScheduleFreeInTrainMode}


def make_params(*shapes, dtype=np.float64, seed=0):
    """Leaf tensors requiring grad, with reproducible values."""
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True) for shape in shapes]


def set_grads(params, arrays):
    """p.grad = Tensor(a) (or None) for each parameter."""
    for p, a in zip(params, arrays):
        p.grad = None if a is None else Tensor(np.asarray(a, dtype=p.dtype))


def snapshot(optimizer):
    """Deep copies of every parameter value and every state entry, for 'nothing changed' checks."""
    values = [p.numpy().copy() for g in optimizer.param_groups for p in g["params"]]
    state = {id(p): {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
             for p, s in optimizer.state.items()}
    groups = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    return values, state, groups, optimizer._step_count


def assert_same_snapshot(a, b):
    values_a, state_a, groups_a, count_a = a
    values_b, state_b, groups_b, count_b = b
    assert len(values_a) == len(values_b)
    for x, y in zip(values_a, values_b):
        np.testing.assert_array_equal(x, y)
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        assert state_a[key].keys() == state_b[key].keys()
        for name in state_a[key]:
            np.testing.assert_array_equal(state_a[key][name], state_b[key][name])
    assert groups_a == groups_b
    assert count_a == count_b
