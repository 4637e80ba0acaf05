"""Properties every correct answer has, checked on random inputs.

They complement the recorded cases: any shape (not only the recorded ones), and
facts that need no reference at all (a zero learning rate changes nothing, a
gradient under the clipping limit is left alone). Each property is
``(description, make_arguments(rng, recorded), holds(arguments, outputs))``;
``recorded`` is the first recorded case's arguments, a template for the rest.
"""
from __future__ import annotations

import numpy as np

SHAPE = (3, 4)                    # a matrix: the recorded cases are vectors
NON_NEGATIVE = {"state_sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq"}
OPTIMIZER_TASKS = ("gd_step", "sgd_step", "adagrad_step", "rmsprop_step", "adam_step",
                   "adamw_step", "amsgrad_step")


def _matrix_arguments(rng, recorded, **overrides):
    args = dict(recorded)
    for name, value in recorded.items():
        if isinstance(value, np.ndarray):
            fresh = rng.normal(size=SHAPE)
            args[name] = np.abs(fresh) if name in NON_NEGATIVE else fresh
    if args.get("momentum_buffer", 0) is None:          # a later step: a buffer exists
        args["momentum_buffer"] = rng.normal(size=SHAPE)
    args.update(overrides)
    return args


def _keeps_shape(args, outputs):
    return all(isinstance(v, np.ndarray) and v.shape == SHAPE and v.dtype == np.float64
               for v in outputs.values())


def _param_unchanged(args, outputs):
    return np.allclose(outputs["param"], args["param"], rtol=0, atol=0)


def _optimizer_properties():
    return [
        ("returns float64 arrays of the parameter's shape (here a 3 × 4 matrix)",
         lambda rng, rec: _matrix_arguments(rng, rec), _keeps_shape),
        ("a learning rate of 0 leaves the parameter exactly as it was",
         lambda rng, rec: _matrix_arguments(rng, rec, lr=0.0), _param_unchanged),
    ]


def _schedule_bounds(task):
    def holds(args, outputs):
        return args["low"] - 1e-12 <= outputs["lr"] <= args["base_lr"] + 1e-12
    return holds


def _clip_under_limit(args, outputs):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in args["grads"])))
    return (all(np.array_equal(a, b) for a, b in zip(outputs["grads"], args["grads"]))
            and np.isclose(outputs["total_norm"], norm, rtol=1e-12, atol=0))


def _schedule_arguments(rng, rec, epoch_name, limit_name, low):
    args = dict(rec)
    args[epoch_name] = int(rng.integers(0, rec[limit_name] * 3 if limit_name != "T_max"
                                        else rec[limit_name] + 1))
    args["low"] = low(rec)
    return args


PROPERTIES = {task: _optimizer_properties() for task in OPTIMIZER_TASKS}
PROPERTIES.update({
    "step_lr": [("stays between 0 and base_lr",
                 lambda rng, rec: _schedule_arguments(rng, rec, "epoch", "step_size",
                                                      lambda r: 0.0),
                 _schedule_bounds("step_lr"))],
    "cosine_lr": [("stays between eta_min and base_lr",
                   lambda rng, rec: _schedule_arguments(rng, rec, "epoch", "T_max",
                                                        lambda r: r["eta_min"]),
                   _schedule_bounds("cosine_lr"))],
    "linear_warmup_lr": [("stays between start_factor · base_lr and base_lr",
                          lambda rng, rec: _schedule_arguments(
                              rng, rec, "step", "total_iters",
                              lambda r: r["start_factor"] * r["base_lr"]),
                          _schedule_bounds("linear_warmup_lr"))],
    "clip_grad_norm": [("gradients under the limit come back unchanged, with their "
                        "total norm",
                        lambda rng, rec: dict(grads=[rng.normal(size=SHAPE) for _ in range(3)],
                                              max_norm=1e6),
                        _clip_under_limit)],
    "accumulate_gradients": [("micro-batches that agree give their common gradient",
                              lambda rng, rec: dict(
                                  micro_grads=[np.full(SHAPE, 0.75)] * 3,
                                  micro_sizes=[int(n) for n in rng.integers(1, 9, 3)]),
                              lambda args, out: np.allclose(out["grad"], 0.75,
                                                            rtol=1e-12, atol=0))],
    "update_loss_scale": [("an overflow never raises the scale",
                           lambda rng, rec: dict(rec, found_inf=True,
                                                 growth_tracker=int(rng.integers(0, 5)),
                                                 growth_interval=int(rng.integers(1, 5))),
                           lambda args, out: out["scale"] < args["scale"])],
})
