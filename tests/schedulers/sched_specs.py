"""Rebuild the scheduler configurations of tests/fixtures/sched_parity.json in tinytorch.

The fixture was written by tools/make_scheduler_fixtures.py from real PyTorch 2.13;
LAMBDAS repeats the named lambdas used there.
"""
import json
import pathlib

import numpy as np

import tinytorch.optim as optim
from tinytorch.core.tensor import Tensor
from tinytorch.optim import lr_scheduler

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"

LAMBDAS = {
    "inverse_time": lambda e: 1.0 / (1.0 + 0.05 * e),
    "warmup10_then_0.97": lambda e: min(1.0, (e + 1) / 10) * 0.97 ** max(0, e - 9),
    "square_wave": lambda e: 1.0 if (e // 7) % 2 == 0 else 0.2,
    "constant_0.95": lambda e: 0.95,
    "halve_every_10th": lambda e: 0.5 if e % 10 == 0 else 1.0,
}


def load_parity():
    return json.loads((FIXTURES / "sched_parity.json").read_text())


def make_optimizer(spec, dtype=np.float64):
    extra = {k: v for k, v in spec.items() if k not in ("type", "groups")}
    params, groups = [], []
    for g in spec["groups"]:
        p = Tensor(np.zeros(2, dtype=dtype), requires_grad=True)
        params.append(p)
        groups.append(dict(g, params=[p]))
    return getattr(optim, spec["type"])(groups, **extra), params


def make_scheduler(spec, opt):
    name = spec["cls"]
    cls = getattr(lr_scheduler, name)
    if name == "SequentialLR":
        children = [make_scheduler(c, opt) for c in spec["children"]]
        return cls(opt, children, milestones=spec["milestones"])
    if name == "ChainedScheduler":
        return cls([make_scheduler(c, opt) for c in spec["children"]])
    kwargs = dict(spec.get("kwargs", {}))
    if name in ("LambdaLR", "MultiplicativeLR"):
        names = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
    return cls(opt, **kwargs)


def momenta(opt):
    out = []
    for g in opt.param_groups:
        if "betas" in g:
            out.append(g["betas"][0])
        elif "momentum" in g:
            out.append(g["momentum"])
    return out


def give_zero_grads(params):
    for p in params:
        p.grad = Tensor(np.zeros_like(p.numpy()))


def step_all(cfg, opt, params, scheds, step):
    """One iteration of the fixture's loop: optimizer.step(), then every scheduler."""
    give_zero_grads(params)
    opt.step()
    for s in scheds:
        if "metrics" in cfg:
            s.step(cfg["metrics"][step])
        else:
            s.step()


def run(cfg, steps=None):
    """lrs and momenta after construction and after each step, like the fixture."""
    opt, params = make_optimizer(cfg["optimizer"])
    scheds = [make_scheduler(s, opt) for s in cfg["schedulers"]]
    lrs, moms, last = [[g["lr"] for g in opt.param_groups]], [momenta(opt)], []
    for step in range(len(cfg["lr"]) - 1 if steps is None else steps):
        step_all(cfg, opt, params, scheds, step)
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momenta(opt))
        last.append(scheds[-1].get_last_lr())
    return lrs, moms, last
