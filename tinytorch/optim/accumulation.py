"""Gradient accumulation: a big batch's update from several small backward passes.

For a loss that averages over its batch, the big batch B = B₁ ∪ ... ∪ Bₖ with
nᵢ the size of Bᵢ and N = Σ nᵢ has::

    ∇L_B = (1/N) Σ_{x∈B} ∇ℓ(x) = Σ_i (n_i / N) ∇L_{B_i}.

``backward()`` *adds* into ``.grad``, so k backward passes of suitably weighted
micro-batch losses leave exactly ∇L_B in ``.grad`` (up to floating-point
summation order), and one ``optimizer.step()`` then makes the big-batch update
with the memory of one micro-batch.

The pattern, equal micro-batches (weight 1/k each)::

    optimizer.zero_grad()
    for i, (x, y) in enumerate(micro_batches, start=1):
        loss = loss_fn(model(x), y)
        (loss / k).backward()
        if i % k == 0:
            optimizer.step()
            optimizer.zero_grad()

The same with :class:`GradientAccumulator`, which also handles unequal micro-batches
(pass ``batch_size``) and a partial last window (``flush()``)::

    acc = GradientAccumulator(optimizer, accumulation_steps=k)
    for x, y in micro_batches:
        acc.backward(loss_fn(model(x), y), batch_size=len(x))   # steps every k calls
    acc.flush()                                                 # a leftover partial window

It backpropagates n_i·L_i and divides the accumulated gradients by N = Σ n_i just
before the step, so N need not be known in advance. With ``batch_size=None`` every
micro-batch has weight 1 (the mean of the micro-batch means).

Note what accumulation does *not* reproduce: anything that looks at a single
micro-batch on its own (batch statistics, per-micro-batch clipping) sees the small batch.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["GradientAccumulator"]


class GradientAccumulator:
    """Accumulate ``accumulation_steps`` backward passes, then step the optimizer once.

    Args:
        optimizer: the optimizer to step (its ``zero_grad()`` is called after each step).
        accumulation_steps: micro-batches per optimizer step, a positive int.
        scaler: an optional enabled ``tinytorch.amp.GradScaler``; losses are then
            scaled before backward and the step goes through ``scaler.step`` /
            ``scaler.update`` (gradients are unscaled before the division by N).

    Attributes:
        micro_step: micro-batches accumulated in the current window (0 .. k−1).
        weight: Σ n_i of the current window.
        updates: number of completed windows (optimizer steps attempted).

    The accumulator assumes the gradients are zero (or None) when its first window
    starts; it does not clear them itself at construction.
    """

    def __init__(self, optimizer, accumulation_steps: int, scaler=None) -> None:
        if isinstance(accumulation_steps, bool) or not isinstance(accumulation_steps, numbers.Integral) \
                or accumulation_steps < 1:
            raise ValueError(
                f"accumulation_steps must be a positive integer, but got {accumulation_steps!r}"
            )
        if not hasattr(optimizer, "param_groups") or not hasattr(optimizer, "step"):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        self.accumulation_steps = int(accumulation_steps)
        self.scaler = scaler
        self.micro_step = 0
        self.weight = 0.0
        self.updates = 0

    def backward(self, loss, batch_size=None) -> bool:
        """Backpropagate ``batch_size · loss`` (or ``loss``) into the gradients.

        Returns True if this call completed a window and stepped the optimizer.
        """
        if batch_size is None:
            w = 1.0
        elif (isinstance(batch_size, bool)
              or not isinstance(batch_size, numbers.Real)
              or not batch_size > 0):
            raise ValueError("batch_size must be a positive number, "
                             f"but got {batch_size!r}")
        else:
            w = float(batch_size)
        weighted = loss * w if w != 1.0 else loss
        if self.scaler is not None:
            weighted = self.scaler.scale(weighted)
        weighted.backward()
        self.micro_step += 1
        self.weight += w
        if self.micro_step == self.accumulation_steps:
            self._step()
            return True
        return False

    def flush(self) -> bool:
        """Step on a partial window (e.g. the end of an epoch); False if there was none."""
        if self.micro_step == 0:
            return False
        self._step()
        return True

    def _step(self) -> None:
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        total = self.weight
        if total != 1.0:
            for group in self.optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        g = p.grad.numpy()
                        np.divide(g, np.asarray(total, dtype=g.dtype), out=g)
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.optimizer.zero_grad()
        self.micro_step = 0
        self.weight = 0.0
        self.updates += 1
