"""Dynamic loss scaling for float16 training: ``GradScaler`` (PyTorch's ``torch.amp``).

Why: float16 represents magnitudes from about 6e-8 (subnormal) to 65504. Small
gradients underflow to 0 long before the weights stop needing them. Multiplying
the loss by a scale S multiplies every gradient by S (the chain rule is linear),
lifting them into float16's range; dividing by S afterwards -- in float32, where
nothing underflows -- restores the true gradient. If S was too large, some
gradient overflowed to inf (or became nan): that step is skipped and S shrinks.

The dynamic rule, applied by ``update()`` once per iteration::

    any inf/nan found since the last update:   S ← S · backoff_factor,   tracker ← 0
    else:  tracker ← tracker + 1;  if tracker = growth_interval:
                                       S ← S · growth_factor (if finite),  tracker ← 0

S is stored as a float32 number and each product is rounded to float32, exactly as
torch's ``_amp_update_scale_`` does; with the default factors S stays a power of 2.

The loop (float16 forward/backward, float32 master weights)::

    scaler = GradScaler()
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)              # computed partly in float16
        scaler.scale(loss).backward()            # gradients are S·∇loss
        scaler.unscale_(optimizer)               # optional: to clip true gradients
        clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)                   # skipped if any gradient is inf/nan
        scaler.update()                          # adjust S

What is supported: any floating gradient dtype. ``unscale_`` multiplies by
1/S (a float32 number) in at least float32 precision and writes the result in the
**parameter's** dtype -- so float16 gradients on float32 (master) parameters become
float32 gradients, and all-float16 parameters keep float16 gradients (PyTorch
refuses float16 gradients here unless told otherwise; tinytorch accepts them).
The inf/nan check looks at the gradients before unscaling, as torch's does.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["GradScaler"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


def _fresh_state() -> dict:
    return {"stage": _READY, "found_inf": None}


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class GradScaler:
    """Scale the loss, unscale the gradients, skip steps that overflowed, adapt the scale.

    Args:
        init_scale: the first scale S (default 2**16).
        growth_factor: S is multiplied by this after ``growth_interval`` clean steps (> 1).
        backoff_factor: S is multiplied by this after a step with inf/nan gradients (in (0, 1)).
        growth_interval: number of consecutive clean steps before growing S (a positive int).
        enabled: if False every method is a pass-through (``step`` just calls
            ``optimizer.step()``), so one script can run with and without scaling.

    Attributes:
        skipped_steps: how many ``step()`` calls skipped the optimizer step (inf/nan seen).
        last_step_skipped: whether the most recent ``step()`` was skipped.
    """

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        if isinstance(init_scale, str):
            raise TypeError(
                f"init_scale must be a number, but got the string {init_scale!r}: tinytorch runs on "
                "the CPU only, so GradScaler takes no device argument (write GradScaler(), not "
                "GradScaler('cpu'))"
            )
        self._enabled = bool(enabled)
        if self._enabled:
            if not _is_number(init_scale) or not (0 < init_scale < math.inf):
                raise ValueError(f"init_scale must be a positive finite number, but got {init_scale!r}")
            if not _is_number(growth_factor) or growth_factor <= 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if not _is_number(backoff_factor) or backoff_factor >= 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
            if backoff_factor <= 0.0:
                raise ValueError("The backoff factor must be > 0.0.")
            if isinstance(growth_interval, bool) or not isinstance(growth_interval, numbers.Integral) \
                    or growth_interval < 1:
                raise ValueError(f"growth_interval must be a positive integer, but got {growth_interval!r}")
            with np.errstate(over="ignore"):
                representable = np.isfinite(np.float32(init_scale))
            if not representable:
                raise ValueError(f"init_scale {init_scale!r} overflows float32")
        self._scale = np.float32(init_scale) if self._enabled else np.float32(1.0)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer_states: dict[int, dict] = {}
        self.skipped_steps = 0
        self.last_step_skipped = False

    # ------------------------------------------------------------------ scaling
    def scale(self, outputs):
        """``outputs · S``: a Tensor, or a (nested) list/tuple of Tensors.

        A float16 output is first cast to float32 (differentiably), so that S itself
        -- 65536 by default, above float16's maximum 65504 -- is not rounded to inf;
        the backward pass casts the gradient back to float16 where the graph was float16.
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if outputs.dtype == np.float16:
                outputs = outputs.astype(np.float32)
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer) -> dict:
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_state())

    def unscale_(self, optimizer) -> None:
        """Divide every gradient of ``optimizer``'s parameters by S, in place, and record
        whether any of them held inf or nan. At most once per optimizer per ``update()``.
        """
        if not self._enabled:
            return
        state = self._per_optimizer_states.get(id(optimizer), _fresh_state())
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        inv_scale = np.float32(1.0 / float(self._scale))  # reciprocal in float64, rounded to float32
        found_inf = None
        if params:
            found_inf = False
            with np.errstate(over="ignore", invalid="ignore"):
                for p in params:
                    found_inf = _unscale_one(p, inv_scale) or found_inf
        self._per_optimizer_states[id(optimizer)] = {"stage": _UNSCALED, "found_inf": found_inf}

    # ------------------------------------------------------------------ stepping
    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless an inf/nan gradient was found; then skip it.

        Unscales first if ``unscale_`` was not called. Returns the optimizer's return
        value, or None when the step was skipped (parameters and optimizer state are
        then untouched, and ``skipped_steps`` grows by one).
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs or args:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._per_optimizer_states.get(id(optimizer), _fresh_state())
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
            state = self._per_optimizer_states[id(optimizer)]
        if state["found_inf"] is None:
            raise RuntimeError(
                "No inf checks were recorded for this optimizer: none of its parameters has a "
                "gradient (call backward() on scaler.scale(loss) first)."
            )
        retval = None
        if state["found_inf"]:
            self.skipped_steps += 1
            self.last_step_skipped = True
        else:
            retval = optimizer.step()
            self.last_step_skipped = False
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Adjust S after the iteration (see the module docstring), or set it to ``new_scale``."""
        if not self._enabled:
            return
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.size != 1:
                    raise ValueError("new_scale should be a float or a 1-element Tensor.")
                new_scale = new_scale.item()
            if not _is_number(new_scale) or not (0 < new_scale < math.inf):
                raise ValueError(f"new_scale must be a positive finite number, but got {new_scale!r}")
            self._scale = np.float32(new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values() if s["found_inf"] is not None]
            if not found:
                raise RuntimeError(
                    "No inf checks were recorded prior to update(): call scaler.step(optimizer) "
                    "(or scaler.unscale_(optimizer)) first."
                )
            self._scale, self._growth_tracker = _next_scale(
                self._scale, self._growth_tracker, any(found), self._growth_factor,
                self._backoff_factor, self._growth_interval)
        self._per_optimizer_states = {}

    # ------------------------------------------------------------------ inspection
    def get_scale(self) -> float:
        """The current scale S as a Python float (1.0 when disabled)."""
        return float(self._scale) if self._enabled else 1.0

    def is_enabled(self) -> bool:
        return self._enabled

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def _get_growth_tracker(self) -> int:
        return self._growth_tracker if self._enabled else 0

    # ------------------------------------------------------------------ checkpoints
    _KEYS = ("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker")

    def state_dict(self) -> dict:
        """PyTorch's layout: scale, growth_factor, backoff_factor, growth_interval,
        _growth_tracker ({} when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()``; everything is checked before anything changes."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        missing = [k for k in self._KEYS if k not in state_dict]
        if missing:
            raise KeyError(f"GradScaler state dict is missing {missing}")
        scale = state_dict["scale"]
        if not _is_number(scale) or not (0 < scale < math.inf):
            raise ValueError(f"state dict 'scale' must be a positive finite number, but got {scale!r}")
        self._scale = np.float32(scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])

    def __getstate__(self) -> dict:
        if self._enabled and self._per_optimizer_states:
            raise RuntimeError(
                "A GradScaler instance may only be pickled at the beginning of an iteration, "
                "or at the end after scaler.update()."
            )
        return self.__dict__.copy()


def _unscale_one(param: Tensor, inv_scale: np.float32) -> bool:
    """grad ← grad · inv_scale in the parameter's dtype (≥ float32 arithmetic).

    Returns whether the gradient held inf or nan before unscaling.
    """
    g = param.grad.numpy()
    found = not bool(np.isfinite(g).all())
    compute = np.promote_types(g.dtype, np.float32)
    target = param.numpy().dtype
    if g.dtype == target:
        np.multiply(g, inv_scale.astype(compute), out=g, dtype=compute,
                    casting="unsafe")
    else:
        work = np.multiply(g.astype(compute), inv_scale.astype(compute))
        param.grad = Tensor(work.astype(target))
    return found


def _next_scale(scale, tracker, found_inf, growth_factor, backoff_factor,
                interval):
    """One application of the dynamic-scale rule.

    Products are computed in float64 and rounded to float32. A growth that
    would overflow float32 is not applied.
    """
    if found_inf:
        return np.float32(float(scale) * backoff_factor), 0
    tracker += 1
    if tracker < interval:
        return scale, tracker
    with np.errstate(over="ignore"):
        grown = np.float32(float(scale) * growth_factor)
    return (grown if np.isfinite(grown) else scale), 0
