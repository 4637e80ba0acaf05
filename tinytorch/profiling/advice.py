"""Recommendations derived from a profiler's measurements -- never canned.

Each rule below looks at measured numbers and, only if they show something,
produces one sentence that cites them. With no runs there is nothing to say.

Rules (thresholds are module constants, so the chapter can quote them):

* a run that diverged                       -> where, and at which lr
* who reached the target loss first         -> in steps and in measured time
* lowest final loss                         -> the value, against the highest
* last-window mean loss > REBOUND × the best
  window mean (the loss came back up)        -> the run is unstable at its lr
* gradient-norm spikes                      -> their size, and the run's median norm
                                               before the first spike as a clipping level
* tiny gradients                            -> how many steps, and the loss at the first one
* optimizer state                           -> measured bytes and the ratio to the parameters
* a run that ended no lower than it started -> says so (it did not learn)
* lr sweeps and range tests                 -> the best measured lr; the rates that failed
                                               (diverged, came back up, or ended above their
                                               start), "and above" only when every larger rate
                                               failed too; the steepest-descent and min/10 points
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["advise", "REBOUND"]

REBOUND = 1.5  # last-window mean loss / best window mean above which a run counts as unstable


def _ms(x: float) -> str:
    return f"{x:.2f} ms"


def _speed(rows, records) -> list:
    out = []
    reached = [r for r in rows if r["steps_to_target"] is not None]
    missed = [r for r in rows if r["steps_to_target"] is None]
    target = rows[0]["target_loss"]
    if not reached:
        worst = min(rows, key=lambda r: r["best_loss"])
        return [f"No run reached the target loss {target:.4g}; the lowest loss measured was "
                f"{worst['best_loss']:.4g} ({worst['name']})."]
    by_steps = sorted(reached, key=lambda r: r["steps_to_target"])
    first = by_steps[0]
    others = "; ".join(f"{r['name']} at step {r['steps_to_target']}" for r in by_steps[1:])
    sentence = (f"{first['name']} reached the target loss {target:.4g} first, at step "
                f"{first['steps_to_target']}" + (f" ({others})" if others else "") + ".")
    if missed:
        sentence += " " + ", ".join(
            f"{r['name']} diverged (step {r['diverged_at']}) before reaching it" if r["diverged_at"] is not None
            else f"{r['name']} did not reach it in {r['steps']} steps" for r in missed) + "."
    out.append(sentence)
    by_time = min(reached, key=lambda r: r["time_to_target_ms"])
    if by_time["name"] != first["name"]:
        out.append(
            f"By measured time {by_time['name']} got there first: {_ms(by_time['time_to_target_ms'])} "
            f"against {_ms(first['time_to_target_ms'])} for {first['name']}, because its median "
            f"iteration took {_ms(by_time['median_iteration_ms'])} against "
            f"{_ms(first['median_iteration_ms'])}.")
    return out


def _final(rows, window) -> list:
    alive = [r for r in rows
             if r["diverged_at"] is None and math.isfinite(r["final_loss"])]
    if len(alive) < 2:
        return []
    best = min(alive, key=lambda r: r["final_loss"])
    worst = max(alive, key=lambda r: r["final_loss"])
    if best["final_loss"] == worst["final_loss"]:
        return []
    return [f"Lowest final loss (mean of the last {window} steps): "
            f"{best['name']} at {best['final_loss']:.4g}, against "
            f"{worst['final_loss']:.4g} for {worst['name']}."]


def _stability(rows, records, profiler) -> list:
    out = []
    for r in rows:
        if r["diverged_at"] is not None:
            rec = records[r["name"]]
            lr = rec.lrs[-1] if rec.lrs else rec.hyperparameters.get("lr", math.nan)
            out.append(f"{r['name']} diverged: its loss was not finite at step {r['diverged_at']} "
                       f"(lr {lr:.3g}, last gradient norm {rec.grad_norms[-1] if rec.grad_norms else math.nan:.3g}).")
            continue
        if r["rebound"] > REBOUND:
            rec = records[r["name"]]
            lr = rec.lrs[-1] if rec.lrs else math.nan
            sentence = (f"{r['name']} is unstable: the mean loss of its last {profiler.window} steps, "
                        f"{r['final_loss']:.4g}, is {r['rebound']:.1f}× its best {profiler.window}-step mean "
                        f"{r['best_window_loss']:.4g} at lr {lr:.3g}; a smaller step (a lower lr or a "
                        "decaying schedule) is indicated")
            test = profiler.range_tests.get(r["name"])
            if test is not None and test.suggested_lr is not None:
                sentence += f", e.g. the range test's steepest-descent lr {test.suggested_lr:.3g}"
            out.append(sentence + ".")
        elif not r["final_loss"] < r["initial_loss"]:
            rec = records[r["name"]]
            lr = rec.lrs[-1] if rec.lrs else math.nan
            out.append(f"{r['name']} did not learn: its final loss {r['final_loss']:.4g} is not below its "
                       f"initial loss {r['initial_loss']:.4g} (lr {lr:.3g}).")
    return out


def _gradients(rows, records, profiler) -> list:
    out = []
    for r in rows:
        rec = records[r["name"]]
        if r["grad_spikes"]:
            calm = float(np.median(rec.grad_norms[:r["first_spike"]]))
            out.append(f"{r['name']} had {r['grad_spikes']} gradient-norm spike(s), the first at step "
                       f"{r['first_spike']} (max {r['grad_norm_max']:.3g}; median before the first spike "
                       f"{calm:.3g}); clip_grad_norm_(params, {calm:.3g}) would cap every step at that "
                       "measured typical norm.")
        if r["tiny_grad_steps"]:
            first = next(i for i, g in enumerate(rec.grad_norms) if g < profiler.vanish_threshold)
            out.append(f"{r['name']}: the gradient norm was below {profiler.vanish_threshold:g} on "
                       f"{r['tiny_grad_steps']} of {len(rec.grad_norms)} steps, first at step {first} "
                       f"with the loss at {rec.losses[first]:.4g}.")
    return out


def _memory(rows) -> list:
    if not rows:
        return []
    parts = ", ".join(f"{r['name']} {r['state_bytes']:,} B ({r['state_ratio']:.2f}× its parameters)"
                      for r in rows)
    out = [f"Optimizer state measured after each run: {parts}."]
    alive = [r for r in rows if r["diverged_at"] is None]
    if len({r["state_bytes"] for r in alive}) > 1:
        small = min(alive, key=lambda r: (r["state_bytes"], r["final_loss"]))
        best = min(alive, key=lambda r: r["final_loss"])
        if small["name"] != best["name"]:
            out.append(f"Under a memory limit, {small['name']} reached a final loss of {small['final_loss']:.4g} "
                       f"with {small['state_bytes']:,} B of state; the lowest, {best['final_loss']:.4g} "
                       f"({best['name']}), cost {best['state_bytes'] - small['state_bytes']:,} B more.")
    return out


def _failure(row, window) -> str | None:
    """Why a run of a sweep failed (diverged, came back up, or ended above its start), or None."""
    if row["diverged_at"] is not None:
        return f"its loss was not finite at step {row['diverged_at']}"
    if row["rebound"] > REBOUND:
        return f"its final loss was {row['rebound']:.3g}× its best {window}-step mean"
    if not row["final_loss"] < row["initial_loss"]:
        return f"its final loss {row['final_loss']:.4g} was not below its initial loss {row['initial_loss']:.4g}"
    return None


def _sweeps(profiler, target_loss) -> list:
    out = []
    for name, runs in profiler.sweeps.items():
        rows = profiler.compare([r.name for r in runs], target_loss)
        lrs = [r.hyperparameters.get("lr", math.nan) for r in runs]
        failures = [_failure(row, profiler.window) for row in rows]
        alive = [(lr, row) for lr, row, why in zip(lrs, rows, failures) if why is None]
        dead = [(lr, why) for lr, why in zip(lrs, failures) if why is not None]
        if alive:
            lr, row = min(alive, key=lambda x: x[1]["final_loss"])
            out.append(f"Sweep {name!r}: the lowest final loss, {row['final_loss']:.4g}, came from lr {lr:g} "
                       f"(of {', '.join(f'{x:g}' for x in lrs)}).")
        if dead:
            lr, how = min(dead, key=lambda x: x[0])
            if all(x < lr for x, _ in alive):   # every rate from the first failure upwards failed
                which = f"lr {lr:g} and above failed"
            else:
                which = "lr " + ", ".join(f"{x:g}" for x, _ in sorted(dead)) + " failed"
            out.append(f"Sweep {name!r}: {which} (at lr {lr:g} {how})"
                       + (f"; the largest lr that did not fail was {max(x for x, _ in alive):g}." if alive else "."))
    for name, test in profiler.range_tests.items():
        if test.suggested_lr is None:
            out.append(f"Range test {name!r}: the smoothed loss never fell over {len(test.lrs)} steps "
                       f"from lr {test.start_lr:g}; it was lowest at lr {test.min_loss_lr:.3g}.")
            continue
        stop = (f"; it stopped at lr {test.lrs[-1]:.3g}, where the loss had grown past its limit"
                if test.stopped_at is not None else "")
        out.append(f"Range test {name!r}: the smoothed loss fell fastest at lr {test.suggested_lr:.3g} and was "
                   f"lowest at lr {test.min_loss_lr:.3g} (min/10 = {test.min_loss_lr_div10:.3g}){stop}.")
    return out


def advise(profiler, target_loss=None) -> list:
    """All sentences for the profiler's runs, sweeps and range tests (see the module docstring)."""
    swept = {r.name for runs in profiler.sweeps.values() for r in runs}
    names = [n for n in profiler.records if n not in swept]
    out = []
    if names:
        rows = profiler.compare(names, target_loss)
        records = profiler.records
        out += _stability(rows, records, profiler)
        if len(rows) > 1:
            out += _speed(rows, records)
            out += _final(rows, profiler.window)
        out += _gradients(rows, records, profiler)
        out += _memory(rows)
    out += _sweeps(profiler, target_loss)
    return out
