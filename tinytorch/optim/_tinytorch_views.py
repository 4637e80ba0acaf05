"""The attributes TinyTorch's optimizers had, as views of PyTorch-style state.

TinyTorch (the optimizers module of the MLSysBook / Harvard CS249r course) stored an
optimizer's settings and buffers as plain attributes: ``sgd.momentum_buffers``,
``adam.first_moment``, ``adam.beta1``, ``optimizer.learning_rate``... PyTorch keeps
the settings in ``param_groups`` and the buffers in ``state``. Here there is one
copy, PyTorch's, and these attributes are views of it:

* a setting (``learning_rate``/``lr``, ``momentum``, ``beta1``, ``beta2``,
  ``epsilon``) reads the value all parameter groups share (ValueError if they
  differ) and writes it into every group, after checking it;
* a buffer list (``momentum_buffers``, ``first_moment``/``m_buffers``,
  ``second_moment``/``v_buffers``) has one entry per parameter: the live array
  in ``state`` (changing it in place changes the optimizer), or None before the
  parameter's first step;
* ``params``/``parameters`` list every parameter, ``step_count`` the steps taken.

An optimizer without such a setting has no such attribute (AttributeError), so
``hasattr(optimizer, "momentum")`` answers the question.
"""
from __future__ import annotations

__all__ = ["TinyTorchViews"]

#: TinyTorch's buffer names -> PyTorch's state keys.
BUFFERS = {
    "momentum_buffers": "momentum_buffer",
    "first_moment": "exp_avg", "m_buffers": "exp_avg",
    "second_moment": "exp_avg_sq", "v_buffers": "exp_avg_sq",
}


DESCRIPTIONS = {"lr": "learning rates", "momentum": "momentum values", "betas": "betas",
                "eps": "eps values"}


def _shared_setting(key, index=None, doc=""):
    """A read/write property for group[key] (or group[key][index], for betas)."""
    description = DESCRIPTIONS[key]

    def read(self):
        if key not in self.defaults:
            raise AttributeError(f"{type(self).__name__} has no {key!r} setting")
        value = self._shared(key, description)
        return value if index is None else value[index]

    def write(self, value):
        if key not in self.defaults:
            raise AttributeError(f"{type(self).__name__} has no {key!r} setting")
        self._shared(key, description)
        updated = []
        for group in self.param_groups:
            new = value
            if index is not None:
                pair = list(group[key])
                pair[index] = value
                new = tuple(pair)
            candidate = {**group, key: new}
            self._check_group(candidate)       # check every group before changing one
            updated.append(new)
        for group, new in zip(self.param_groups, updated):
            group[key] = new

    return property(read, write, doc=doc)


def _buffers(name):
    def read(self):
        key = BUFFERS[name]
        return [self.state.get(p, {}).get(key) for p in self.params]

    return property(read, doc=f"Each parameter's live ``state[{BUFFERS[name]!r}]`` array, "
                              "or None before its first step.")


class TinyTorchViews:
    """Mixed into :class:`~tinytorch.optim.Optimizer`: TinyTorch's attribute names."""

    def _shared(self, key: str, description: str):
        values = [group[key] for group in self.param_groups]
        if any(v != values[0] for v in values[1:]):
            raise ValueError(
                f"the optimizer's {len(values)} parameter groups have different {description} "
                f"{values}; use optimizer.param_groups[i][{key!r}] instead"
            )
        return values[0]

    learning_rate = _shared_setting("lr", doc="The learning rate all groups share.")
    lr = _shared_setting("lr", doc="Alias of ``learning_rate``.")
    momentum = _shared_setting("momentum", doc="The momentum all groups share.")
    beta1 = _shared_setting("betas", 0, doc="β₁ of ``betas``, shared by all groups.")
    beta2 = _shared_setting("betas", 1, doc="β₂ of ``betas``, shared by all groups.")
    epsilon = _shared_setting("eps", doc="``eps``, shared by all groups.")

    momentum_buffers = _buffers("momentum_buffers")
    first_moment = _buffers("first_moment")
    m_buffers = _buffers("m_buffers")
    second_moment = _buffers("second_moment")
    v_buffers = _buffers("v_buffers")

    @property
    def params(self) -> list:
        """Every parameter, in group order."""
        return [p for group in self.param_groups for p in group["params"]]

    @property
    def parameters(self) -> list:
        """Alias of ``params`` (TinyTorch's attribute)."""
        return self.params

    @property
    def step_count(self) -> int:
        """Number of completed ``step()`` calls."""
        return self._step_count
