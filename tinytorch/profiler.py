"""OptimizerConvergenceProfiler: measure how optimizers train, then say only what was measured.

Every number this module reports is a measurement of a real run:

* loss        -- the value ``loss_fn`` returned at each step, before that step's update;
* grad norm   -- the total L2 norm of all gradients after ``backward()``, before any
                 clipping (``tinytorch.nn.utils.get_total_norm``);
* lr          -- ``param_groups[0]["lr"]`` as used by that step;
* step time   -- ``time.perf_counter()`` around ``optimizer.step()`` alone, and around the
                 whole iteration (forward + backward + step);
* state bytes -- Σ ``.nbytes`` of every array in ``optimizer.state`` after the run (scalars
                 such as ``step`` are Python floats and count 0), next to Σ ``.nbytes`` of
                 the parameters.

Derived quantities, all defined here and nowhere else:

* steps to target  -- first step whose loss ≤ the target (default: 10 % of the initial loss);
* final loss       -- mean loss over the last ``window`` steps;
* increase fraction-- share of steps whose loss rose above the previous step's;
* tail CV          -- std / mean of the last ``window`` losses (oscillation at the end);
* grad spikes      -- steps whose grad norm exceeded ``spike_factor`` × the median of the
                      preceding ``window`` norms;
* tiny-grad steps  -- steps whose grad norm was below ``vanish_threshold`` (absolute);
* diverged at      -- first step with a non-finite loss (the run stops there);
* rebound          -- final loss / the lowest mean over any ``window`` consecutive steps
                      (> 1.5 means the loss came back up: the advice calls the run unstable;
                      a lowest mean of exactly 0 gives inf if the loss came back up, else 1).

Usage::

    prof = OptimizerConvergenceProfiler()
    prof.profile("SGD", lambda ps: SGD(ps, lr=0.1, momentum=0.9), model, loss_fn, steps=200)
    prof.profile("Adam", lambda ps: Adam(ps, lr=1e-3), model, loss_fn, steps=200)
    print(prof.compare())                   # a table, one row per run
    prof.lr_range_test("Adam", lambda ps: Adam(ps), model, loss_fn)
    print("\\n".join(prof.recommendations()))

``model`` is a Module or a list of parameters; ``loss_fn(step)`` returns the scalar
loss Tensor for that step (a zero-argument callable works too). Each run starts from
the parameters' values at call time and, by default, restores them afterwards, so
successive runs start from the same point. Everything is deterministic given the
seeds of ``loss_fn``'s data, except the times.
"""
from __future__ import annotations

import inspect
import math
import time

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.nn.utils import clip_grad_norm_, get_total_norm
from tinytorch.optim.lr_scheduler import ReduceLROnPlateau
from tinytorch.profiling.advice import advise
from tinytorch.profiling.records import (
    Comparison,
    ConvergenceRecord,
    LRRangeTest,
    optimizer_state_bytes,
    steepest_descent,
)

__all__ = ["OptimizerConvergenceProfiler", "ConvergenceRecord", "LRRangeTest", "Comparison",
           "optimizer_state_bytes"]


def _params_of(model_or_params) -> list:
    params = model_or_params.parameters() if callable(getattr(model_or_params, "parameters", None)) \
        else model_or_params
    params = [params] if isinstance(params, Tensor) else list(params)
    if not params or not all(isinstance(p, Tensor) for p in params):
        raise TypeError("model_or_params must be a Module or a non-empty iterable of Tensors")
    return params


def _step_aware(loss_fn):
    """``loss_fn`` as a function of the step index (zero-argument callables allowed)."""
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, but got {type(loss_fn).__name__}")
    try:
        takes_step = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
                         for p in inspect.signature(loss_fn).parameters.values())
    except (TypeError, ValueError):
        takes_step = True
    return loss_fn if takes_step else (lambda step: loss_fn())


def _loss_value(loss) -> float:
    if not isinstance(loss, Tensor) or loss.size != 1:
        raise TypeError("loss_fn must return a one-element Tensor (the loss)")
    return float(loss.item())


class _Restore:
    """Snapshot parameter values; put them back (and clear gradients) on exit."""

    def __init__(self, params, enabled=True):
        self.params, self.enabled = params, enabled
        self.saved = [p.numpy().copy() for p in params] if enabled else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled:
            for p, saved in zip(self.params, self.saved):
                p.numpy()[...] = saved
                p.grad = None
        return False


# --------------------------------------------------------------------------- profiler
class OptimizerConvergenceProfiler:
    """Run optimizers on a problem, record measurements, compare them, recommend.

    Args:
        window: steps in the "last window" (final loss, tail CV) and in the spike baseline.
        spike_factor: a grad norm above spike_factor × the median of the preceding
            window counts as a spike.
        vanish_threshold: a grad norm below this (absolute) counts as a tiny-gradient step.
        target_fraction: default target loss = target_fraction × the initial loss.

    The methods, in the order a study uses them (each is documented below)::

        profile(name, make_optimizer, model_or_params, loss_fn, steps, *, make_scheduler=None,
                clip_grad_norm=None, restore=True) -> ConvergenceRecord
        lr_sweep(name, make_optimizer, model_or_params, loss_fn, lrs, steps, **kw)
                -> list[ConvergenceRecord]    (make_optimizer(params, lr))
        compare(names=None, target_loss=None) -> Comparison (list of dict rows)
        lr_range_test(name, make_optimizer, model_or_params, loss_fn, *, start_lr=1e-7,
                      end_lr=10.0, steps=100, smoothing=0.98, diverge_factor=4.0,
                      restore=True) -> LRRangeTest
        recommendations(target_loss=None) -> list[str], each citing its measurement
        plot(metric="losses", names=None, ax=None)   (matplotlib imported lazily)

    Attributes:
        records: {name: ConvergenceRecord}, in profiling order.
        sweeps: {name: [ConvergenceRecord, ...]} from ``lr_sweep``.
        range_tests: {name: LRRangeTest}.
    """

    def __init__(self, window: int = 10, spike_factor: float = 10.0, vanish_threshold: float = 1e-7,
                 target_fraction: float = 0.1) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"window must be a positive integer, but got {window!r}")
        if not spike_factor > 1:
            raise ValueError(f"spike_factor must be > 1, but got {spike_factor!r}")
        if not 0 < target_fraction < 1:
            raise ValueError(f"target_fraction must be in (0, 1), but got {target_fraction!r}")
        self.window = window
        self.spike_factor = float(spike_factor)
        self.vanish_threshold = float(vanish_threshold)
        self.target_fraction = float(target_fraction)
        self.records: dict[str, ConvergenceRecord] = {}
        self.sweeps: dict[str, list] = {}
        self.range_tests: dict[str, LRRangeTest] = {}

    # ------------------------------------------------------------------ one run
    def profile(self, name: str, make_optimizer, model_or_params, loss_fn,
                steps: int, *, make_scheduler=None,
                clip_grad_norm: float | None = None,
                restore: bool = True) -> ConvergenceRecord:
        """Train ``steps`` steps with ``make_optimizer(params)``; record each.

        Each step: zero_grad → loss = loss_fn(step) → backward → measure ‖g‖
        → optional ``clip_grad_norm_`` → optimizer.step() (timed) →
        scheduler.step() (``make_scheduler(optimizer)``, if given;
        ReduceLROnPlateau receives the step's loss). A non-finite loss stops
        the run (``diverged_at``). With ``restore`` the parameters get their
        starting values back afterwards.
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(
                f"steps must be a positive integer, but got {steps!r}")
        params = _params_of(model_or_params)
        loss_at = _step_aware(loss_fn)
        quiet = np.errstate(over="ignore", invalid="ignore")
        with _Restore(params, restore), quiet:
            optimizer = make_optimizer(params)
            first_group = optimizer.param_groups[0]
            hyperparameters = {k: v for k, v in first_group.items()
                               if k != "params"}
            scheduler = (make_scheduler(optimizer)
                         if make_scheduler is not None else None)
            record = ConvergenceRecord(
                name=name, optimizer=type(optimizer).__name__,
                hyperparameters=hyperparameters,
                scheduler=(None if scheduler is None
                           else type(scheduler).__name__),
                param_bytes=sum(p.numpy().nbytes for p in params),
                param_count=sum(p.size for p in params),
                clip_max_norm=clip_grad_norm)
            for step in range(steps):
                start = time.perf_counter()
                optimizer.zero_grad()
                loss = loss_at(step)
                value = _loss_value(loss)
                record.losses.append(value)
                if not math.isfinite(value):
                    record.diverged_at = step
                    break
                loss.backward()
                grads = [p.grad for p in params if p.grad is not None]
                record.grad_norms.append(float(get_total_norm(grads).item()))
                if clip_grad_norm is not None:
                    clip_grad_norm_(params, clip_grad_norm)
                record.lrs.append(float(optimizer.param_groups[0]["lr"]))
                before = time.perf_counter()
                optimizer.step()
                after = time.perf_counter()
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(value)
                elif scheduler is not None:
                    scheduler.step()
                record.step_times.append(after - before)
                record.iteration_times.append(time.perf_counter() - start)
            record.state_bytes = optimizer_state_bytes(optimizer)
        self.records[name] = record
        return record

    def lr_sweep(self, name: str, make_optimizer, model_or_params, loss_fn, lrs, steps: int,
                 **profile_kwargs) -> list:
        """``profile`` once per learning rate, with ``make_optimizer(params, lr)``.

        Runs are stored in ``records`` as ``"{name} lr={lr:g}"`` and the list in ``sweeps[name]``.
        """
        runs = [
            self.profile(f"{name} lr={lr:g}", lambda ps, lr=lr: make_optimizer(ps, lr),
                         model_or_params, loss_fn, steps, **profile_kwargs)
            for lr in lrs
        ]
        self.sweeps[name] = runs
        return runs

    # ------------------------------------------------------------------ comparison
    def _target(self, records, target_loss):
        if target_loss is not None:
            return float(target_loss)
        initial = [r.losses[0] for r in records if r.losses and math.isfinite(r.losses[0])]
        return self.target_fraction * float(np.mean(initial)) if initial else math.nan

    def _selected(self, names):
        if names is None:
            return list(self.records.values())
        missing = [n for n in names if n not in self.records]
        if missing:
            raise KeyError(f"no profiled run named {missing[0]!r}; have {list(self.records)}")
        return [self.records[n] for n in names]

    def compare(self, names=None, target_loss: float | None = None) -> Comparison:
        """One row of measurements per run (all runs, or ``names``), same target for all.

        The default target is ``target_fraction`` × the mean initial loss of the runs.
        """
        records = self._selected(names)
        target = self._target(records, target_loss)
        return Comparison(
            r.summary(target, self.window, self.spike_factor, self.vanish_threshold) for r in records
        )

    # ------------------------------------------------------------------ LR range test
    def lr_range_test(self, name: str, make_optimizer, model_or_params, loss_fn, *,
                      start_lr: float = 1e-7, end_lr: float = 10.0, steps: int = 100,
                      smoothing: float = 0.98, diverge_factor: float = 4.0,
                      restore: bool = True) -> LRRangeTest:
        """fastai's lr_find form of Smith's (2017) learning-rate range test.

        Step i uses lr_i = start_lr · (end_lr / start_lr)^(i / (steps − 1)) in every
        group. The loss is smoothed with a bias-corrected EMA
        (s_i = EMA_i / (1 − smoothing^(i+1))); the test stops once s_i exceeds
        ``diverge_factor`` × the lowest s so far, or the loss is not finite.
        """
        if not 0 < start_lr < end_lr:
            raise ValueError(f"need 0 < start_lr < end_lr, but got {start_lr!r} and {end_lr!r}")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2, but got {steps!r}")
        if not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1), but got {smoothing!r}")
        params = _params_of(model_or_params)
        loss_at = _step_aware(loss_fn)
        ramp = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
        lrs, losses, smoothed, stopped = [], [], [], None
        ema, best = 0.0, math.inf
        with _Restore(params, restore), np.errstate(over="ignore", invalid="ignore"):
            optimizer = make_optimizer(params)
            for i, lr in enumerate(ramp):
                for group in optimizer.param_groups:
                    group["lr"] = float(lr)
                optimizer.zero_grad()
                loss = loss_at(i)
                value = _loss_value(loss)
                if not math.isfinite(value):
                    stopped = i
                    break
                ema = smoothing * ema + (1 - smoothing) * value
                s = ema / (1 - smoothing ** (i + 1))
                lrs.append(float(lr))
                losses.append(value)
                smoothed.append(s)
                best = min(best, s)
                if i > 0 and s > diverge_factor * best:
                    stopped = i
                    break
                loss.backward()
                optimizer.step()
        suggested, at_min = steepest_descent(lrs, smoothed, skip=steps // 10)
        result = LRRangeTest(name, lrs, losses, smoothed, suggested, at_min, stopped,
                             float(start_lr), float(end_lr))
        self.range_tests[name] = result
        return result

    # ------------------------------------------------------------------ advice
    def recommendations(self, target_loss: float | None = None) -> list:
        """Sentences derived from the measurements; each cites the numbers behind it."""
        return advise(self, target_loss)

    def plot(self, metric: str = "losses", names=None, ax=None):
        """Plot a per-step series (losses, grad_norms, lrs, step_times) of each run."""
        import matplotlib.pyplot as plt

        if metric not in ("losses", "grad_norms", "lrs", "step_times", "iteration_times"):
            raise ValueError(f"unknown metric {metric!r}")
        ax = ax or plt.gca()
        for record in self._selected(names):
            ax.plot(getattr(record, metric), label=record.name)
        ax.set_xlabel("step")
        ax.set_ylabel(metric.replace("_", " "))
        if metric in ("losses", "grad_norms"):
            ax.set_yscale("log")
        ax.legend()
        return ax
