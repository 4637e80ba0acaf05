"""The measurements of profiling runs: per-run records, comparison rows, range tests.

Definitions of every derived number are in the docstring of :mod:`tinytorch.profiler`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["ConvergenceRecord", "LRRangeTest", "Comparison", "optimizer_state_bytes", "steepest_descent"]


def optimizer_state_bytes(optimizer) -> int:
    """Σ nbytes of the arrays (or Tensors) in ``optimizer.state``: measured.

    Lists and tuples are counted through (LBFGS keeps its history in lists);
    Python numbers count as nothing.
    """
    def nbytes(value):
        if isinstance(value, Tensor):
            value = value.numpy()
        if isinstance(value, np.ndarray):
            return value.nbytes
        if isinstance(value, (list, tuple)):
            return sum(nbytes(v) for v in value)
        return 0

    return sum(nbytes(value) for per_param in optimizer.state.values()
               for value in per_param.values())


def _rebound(final: float, best_window: float) -> float:
    """final / best_window. A best window of exactly 0 (a loss that saturates at 0, e.g.
    cross-entropy with huge logits) gives inf if the loss came back up and 1 if it did not;
    nan when undefined (no full window, or a negative best window, where a ratio means nothing)."""
    if not (math.isfinite(best_window) and best_window >= 0) or math.isnan(final):
        return math.nan
    if best_window > 0:
        return final / best_window
    return math.inf if final > 0 else 1.0


@dataclass
class ConvergenceRecord:
    """The measurements of one run (see the module docstring for each field's definition)."""

    name: str
    optimizer: str
    hyperparameters: dict
    losses: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    lrs: list = field(default_factory=list)
    step_times: list = field(default_factory=list)
    iteration_times: list = field(default_factory=list)
    state_bytes: int = 0
    param_bytes: int = 0
    param_count: int = 0
    diverged_at: int | None = None
    clip_max_norm: float | None = None
    scheduler: str | None = None

    def steps_to(self, target_loss: float) -> int | None:
        """Index of the first step whose loss ≤ ``target_loss`` (None if never)."""
        for i, loss in enumerate(self.losses):
            if loss <= target_loss:
                return i
        return None

    def summary(self, target_loss: float, window: int = 10, spike_factor: float = 10.0,
                vanish_threshold: float = 1e-7) -> dict:
        """One row of measured and derived numbers (keys as in :class:`Comparison`)."""
        with np.errstate(over="ignore", invalid="ignore"):  # runs that blew up are data too
            return self._summary(target_loss, window, spike_factor, vanish_threshold)

    def _summary(self, target_loss, window, spike_factor, vanish_threshold) -> dict:
        losses = np.array(self.losses, dtype=np.float64)
        finite = losses[np.isfinite(losses)]
        tail = finite[-window:]
        norms = np.array(self.grad_norms, dtype=np.float64)
        spikes = [
            i for i in range(1, len(norms))
            if np.isfinite(norms[i]) and norms[i] > spike_factor * np.median(norms[max(0, i - window):i])
        ]
        rolling = np.convolve(finite, np.ones(window) / window, mode="valid") if len(finite) >= window \
            else finite[:0]
        best_window = float(rolling.min()) if len(rolling) else math.nan
        steps = self.steps_to(target_loss)
        it_ms = 1e3 * float(np.median(self.iteration_times)) if self.iteration_times else math.nan
        return {
            "name": self.name,
            "optimizer": self.optimizer,
            "steps": len(self.losses),
            "initial_loss": float(losses[0]) if len(losses) else math.nan,
            "final_loss": float(tail.mean()) if len(tail) else math.nan,
            "best_loss": float(finite.min()) if len(finite) else math.nan,
            "target_loss": float(target_loss),
            "steps_to_target": steps,
            "time_to_target_ms": None if steps is None else steps * it_ms,
            "best_window_loss": best_window,
            "rebound": _rebound(float(tail.mean()) if len(tail) else math.nan, best_window),
            "increase_fraction": float(np.mean(np.diff(finite) > 0)) if len(finite) > 1 else 0.0,
            "tail_cv": float(tail.std() / abs(tail.mean())) if len(tail) > 1 and tail.mean() != 0 else 0.0,
            "grad_norm_initial": float(norms[0]) if len(norms) else math.nan,
            "grad_norm_median": float(np.median(norms)) if len(norms) else math.nan,
            "grad_norm_max": float(np.max(norms)) if len(norms) else math.nan,
            "grad_spikes": len(spikes),
            "first_spike": spikes[0] if spikes else None,
            "tiny_grad_steps": int(np.sum(norms < vanish_threshold)),
            "nonfinite_grad_steps": int(np.sum(~np.isfinite(norms))),
            "diverged_at": self.diverged_at,
            "median_step_ms": 1e3 * float(np.median(self.step_times)) if self.step_times else math.nan,
            "median_iteration_ms": it_ms,
            "state_bytes": self.state_bytes,
            "param_bytes": self.param_bytes,
            "state_ratio": self.state_bytes / self.param_bytes if self.param_bytes else math.nan,
        }


@dataclass
class LRRangeTest:
    """Result of :meth:`OptimizerConvergenceProfiler.lr_range_test`.

    ``suggested_lr`` is the steepest-descent point: the lr where the smoothed loss
    falls fastest per decade of lr (most negative d smoothed / d log10 lr), searched
    after the first 10 % of the ramp (where the smoothed average is still filling up
    with different batches) and before the smoothed minimum. ``min_loss_lr`` is where
    the smoothed loss was lowest (also after the first 10 %); ``min_loss_lr / 10`` is
    the other common rule of thumb, also reported.
    """

    name: str
    lrs: list
    losses: list
    smoothed: list
    suggested_lr: float | None
    min_loss_lr: float | None
    stopped_at: int | None
    start_lr: float
    end_lr: float

    @property
    def min_loss_lr_div10(self) -> float | None:
        return None if self.min_loss_lr is None else self.min_loss_lr / 10

    def plot(self, ax=None):
        """Loss and smoothed loss against lr (log axis); matplotlib is imported here only."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.lrs, self.losses, alpha=0.3, label="loss")
        ax.plot(self.lrs, self.smoothed, label="smoothed loss")
        if self.suggested_lr is not None:
            ax.axvline(self.suggested_lr, ls="--", color="k", label=f"steepest: {self.suggested_lr:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


class Comparison(list):
    """The rows of :meth:`OptimizerConvergenceProfiler.compare` (a list of dicts) that
    prints as a table."""

    COLUMNS = [("name", "run", "{}"), ("steps_to_target", "steps→target", "{}"),
               ("final_loss", "final loss", "{:.4g}"), ("increase_fraction", "rising", "{:.0%}"),
               ("tail_cv", "tail CV", "{:.3f}"), ("grad_norm_max", "max ‖g‖", "{:.3g}"),
               ("grad_spikes", "spikes", "{}"), ("median_step_ms", "step ms", "{:.3f}"),
               ("state_bytes", "state B", "{:,}"), ("state_ratio", "state/params", "{:.2f}")]

    def __str__(self) -> str:
        header = [title for _, title, _ in self.COLUMNS]
        body = []
        for row in self:
            cells = []
            for key, _, fmt in self.COLUMNS:
                value = row[key]
                cells.append("—" if value is None else fmt.format(value))
            if row["diverged_at"] is not None:
                cells[1] = f"diverged@{row['diverged_at']}"
            body.append(cells)
        widths = [max(len(str(c)) for c in col) for col in zip(header, *body)]
        lines = ["  ".join(str(c).rjust(w) for c, w in zip(r, widths)) for r in [header, *body]]
        target = f"target loss {self[0]['target_loss']:.4g}" if self else "no runs"
        return "\n".join(lines + [f"({target}; times are medians of measured steps)"])

    __repr__ = __str__



def steepest_descent(lrs, smoothed, skip: int = 0):
    """(steepest lr, lr at the minimum) of a range test's smoothed losses.

    The steepest lr has the most negative d smoothed / d log10 lr between
    index ``skip`` and the minimum after ``skip``; it is None when that
    stretch has fewer than 3 points.
    """
    if not smoothed:
        return None, None
    skip = min(skip, len(smoothed) - 1)
    lowest = skip + int(np.argmin(smoothed[skip:]))
    if lowest - skip < 2:
        return None, float(lrs[lowest])
    part = slice(skip, lowest + 1)
    slope = np.gradient(np.array(smoothed[part]), np.log10(np.array(lrs[part])))
    return float(lrs[skip + int(np.argmin(slope))]), float(lrs[lowest])
