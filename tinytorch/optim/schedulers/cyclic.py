"""CyclicLR: the learning rate goes up and down between two bounds (Smith, 2017).

With ``s_up`` steps up and ``s_down`` steps down, a cycle has S = s_up + s_down
steps. At step e

    cycle = ⌊1 + e / S⌋,   x = 1 + e / S − cycle            (position in the cycle, 0..1)
    h     = x / r            if x ≤ r  (rising, r = s_up / S)
            (x − 1)/(r − 1)  otherwise (falling)
    lr_e  = base_lr + (max_lr − base_lr) · h · scale

``scale`` is 1 (``triangular``), 1 / 2^(cycle − 1) (``triangular2``: each cycle has
half the height) or γ^e (``exp_range``), or your ``scale_fn``. Momentum, when
cycled, moves the other way: max_momentum − (max_momentum − base_momentum) · h · scale.
It is stepped once per batch. Construction sets every group's lr to ``base_lr``.
"""
from __future__ import annotations

import math
import types

from tinytorch.optim.schedulers.base import LRScheduler, check_optimizer, per_group

__all__ = ["CyclicLR"]

MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """Cycle the lr between ``base_lr`` and ``max_lr`` (and momentum inversely).

    Args:
        optimizer: the optimizer to schedule.
        base_lr, max_lr: the bounds (a number, or one per group).
        step_size_up: steps of the rising half (default 2000).
        step_size_down: steps of the falling half (default: ``step_size_up``).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: γ of ``exp_range`` (default 1.0).
        scale_fn: a custom ``x -> scale`` (overrides ``mode``); ``scale_mode`` says
            whether x is the cycle number (``"cycle"``) or the step (``"iterations"``).
        cycle_momentum: cycle SGD's ``momentum`` / Adam's ``betas[0]`` (default True).
        base_momentum, max_momentum: its bounds (defaults 0.8, 0.9).
        last_epoch: default -1.
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum=0.8, max_momentum=0.9,
                 last_epoch: int = -1):
        check_optimizer(optimizer)
        # Every check first (PyTorch's messages), so a bad argument changes nothing.
        base_lrs = per_group("base_lr", optimizer, base_lr)
        max_lrs = per_group("max_lr", optimizer, max_lr)
        if mode not in MODES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` "
                    "option enabled"
                )
            base_momentums = per_group("base_momentum", optimizer, base_momentum)
            max_momentums = per_group("max_momentum", optimizer, max_momentum)

        self.optimizer = optimizer
        self.max_lrs = max_lrs
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        if cycle_momentum:
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums, self.max_momentums = base_momentums, max_momentums
            if last_epoch == -1:
                for top, bottom, group in zip(max_momentums, base_momentums,
                                              optimizer.param_groups):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref, self.scale_mode = self._triangular, "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref, self.scale_mode = self._triangular2, "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref, self.scale_mode = self._exp_range, "iterations"

    @staticmethod
    def _triangular(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2(x: float) -> float:
        return 1 / (2.0 ** (x - 1))

    def _exp_range(self, x: float) -> float:
        return self.gamma ** x

    def scale_fn(self, x) -> float:
        """The height factor at x (the cycle number or the step, see ``scale_mode``)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * height * scale
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups,
                                          self.base_momentums, self.max_momentums):
                self._set_momentum(group, top - (top - bottom) * height * scale)
        return lrs

    _not_saved = ("optimizer", "_scale_fn_ref", "_scale_fn_custom")

    def state_dict(self) -> dict:
        """As the base class; a custom ``scale_fn`` is saved as its ``__dict__`` when
        it is a callable object, as None when it is a function."""
        state = super().state_dict()
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = (
            None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__)
        )
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        attrs = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if attrs is not None:
            self._scale_fn_custom.__dict__.update(attrs)
        self._init_scale_fn()
