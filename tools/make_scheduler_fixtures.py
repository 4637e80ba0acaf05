"""Record what PyTorch 2.13 actually does, for tinytorch's parity tests.

Run once (needs ``pip install torch==2.13.0``; the tests themselves never import torch):

    python tools/make_scheduler_fixtures.py

Writes, under tests/fixtures/:
  sched_parity.json   -- learning rates (and momentum / beta1) of >= 12 scheduler
                         configurations, 100 steps each, every scheduler class
  utils_clip.json     -- clip_grad_norm_ (several norm types, incl. inf) and clip_grad_value_
  utils_scaler.json   -- torch.amp.GradScaler("cpu") scale / growth-tracker sequences
                         and unscaled gradients, with injected inf/nan gradients

The scheduler configurations are plain data (class name + keyword arguments), so
tests/schedulers/test_parity.py rebuilds the identical schedule in tinytorch. The
named lambdas in LAMBDAS are repeated in that test.
"""
from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import torch

assert torch.__version__.startswith("2.13"), torch.__version__

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
STEPS = 100

LAMBDAS = {
    "inverse_time": lambda e: 1.0 / (1.0 + 0.05 * e),
    "warmup10_then_0.97": lambda e: min(1.0, (e + 1) / 10) * 0.97 ** max(0, e - 9),
    "square_wave": lambda e: 1.0 if (e // 7) % 2 == 0 else 0.2,
    "constant_0.95": lambda e: 0.95,
    "halve_every_10th": lambda e: 0.5 if e % 10 == 0 else 1.0,
}


def plateau_metrics(seed: int, mode: str) -> list[float]:
    """A noisy loss curve that flattens out (mode 'min') or its mirror image ('max')."""
    rng = np.random.default_rng(seed)
    e = np.arange(STEPS)
    base = 1.0 / (1.0 + 0.15 * e) + 0.3
    noisy = base + 0.01 * rng.standard_normal(STEPS)
    # a few flat stretches so patience and cooldown matter
    noisy[40:55] = noisy[40]
    noisy[70:] = noisy[70] + 0.001 * rng.standard_normal(STEPS - 70)
    values = noisy if mode == "min" else 1.0 - noisy
    return [float(v) for v in values]


CONFIGS = [
    dict(name="step_sgd", optimizer=dict(type="SGD", groups=[dict(lr=0.1)]),
         schedulers=[dict(cls="StepLR", kwargs=dict(step_size=10, gamma=0.5))]),
    dict(name="multistep_two_groups_repeated_milestone",
         optimizer=dict(type="SGD", groups=[dict(lr=0.1), dict(lr=0.03)], momentum=0.9),
         schedulers=[dict(cls="MultiStepLR", kwargs=dict(milestones=[10, 30, 30, 70], gamma=0.3))]),
    dict(name="exponential_adam", optimizer=dict(type="Adam", groups=[dict(lr=1e-3)]),
         schedulers=[dict(cls="ExponentialLR", kwargs=dict(gamma=0.95))]),
    dict(name="cosine_past_T_max", optimizer=dict(type="SGD", groups=[dict(lr=0.2)]),
         schedulers=[dict(cls="CosineAnnealingLR", kwargs=dict(T_max=30, eta_min=0.001))]),
    dict(name="cosine_T_max_100_adamw", optimizer=dict(type="AdamW", groups=[dict(lr=3e-3)]),
         schedulers=[dict(cls="CosineAnnealingLR", kwargs=dict(T_max=100))]),
    dict(name="linear_warmup", optimizer=dict(type="SGD", groups=[dict(lr=0.5)]),
         schedulers=[dict(cls="LinearLR", kwargs=dict(start_factor=0.1, end_factor=1.0, total_iters=20))]),
    dict(name="linear_decay_rmsprop", optimizer=dict(type="RMSprop", groups=[dict(lr=0.01)]),
         schedulers=[dict(cls="LinearLR", kwargs=dict(start_factor=1.0, end_factor=0.05, total_iters=50))]),
    dict(name="constant_adagrad", optimizer=dict(type="Adagrad", groups=[dict(lr=0.1)]),
         schedulers=[dict(cls="ConstantLR", kwargs=dict(factor=0.25, total_iters=15))]),
    dict(name="lambda_inverse_time", optimizer=dict(type="SGD", groups=[dict(lr=0.4)]),
         schedulers=[dict(cls="LambdaLR", kwargs=dict(lr_lambda="inverse_time"))]),
    dict(name="lambda_per_group", optimizer=dict(type="SGD", groups=[dict(lr=0.4), dict(lr=0.05)]),
         schedulers=[dict(cls="LambdaLR", kwargs=dict(lr_lambda=["warmup10_then_0.97", "square_wave"]))]),
    dict(name="sequential_warmup_cosine", optimizer=dict(type="SGD", groups=[dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="SequentialLR", milestones=[10], children=[
             dict(cls="LinearLR", kwargs=dict(start_factor=0.1, total_iters=10)),
             dict(cls="CosineAnnealingLR", kwargs=dict(T_max=90, eta_min=1e-4))])]),
    dict(name="sequential_three_stages", optimizer=dict(type="Adam", groups=[dict(lr=1e-2), dict(lr=2e-3)]),
         schedulers=[dict(cls="SequentialLR", milestones=[5, 40], children=[
             dict(cls="ConstantLR", kwargs=dict(factor=0.5, total_iters=5)),
             dict(cls="ExponentialLR", kwargs=dict(gamma=0.97)),
             dict(cls="StepLR", kwargs=dict(step_size=15, gamma=0.5))])]),
    dict(name="warm_restarts_T_mult_2", optimizer=dict(type="SGD", groups=[dict(lr=0.05)]),
         schedulers=[dict(cls="CosineAnnealingWarmRestarts", kwargs=dict(T_0=10, T_mult=2, eta_min=1e-3))]),
    dict(name="warm_restarts_T_mult_1", optimizer=dict(type="Adam", groups=[dict(lr=1e-3)]),
         schedulers=[dict(cls="CosineAnnealingWarmRestarts", kwargs=dict(T_0=7))]),
    dict(name="onecycle_sgd_momentum", optimizer=dict(type="SGD", groups=[dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="OneCycleLR", kwargs=dict(max_lr=0.5, total_steps=STEPS))]),
    dict(name="onecycle_adam_beta1_linear", optimizer=dict(type="Adam", groups=[dict(lr=1e-3)]),
         schedulers=[dict(cls="OneCycleLR", kwargs=dict(
             max_lr=1e-2, total_steps=STEPS, pct_start=0.25, anneal_strategy="linear",
             base_momentum=0.8, max_momentum=0.9))]),
    dict(name="onecycle_three_phase_two_groups",
         optimizer=dict(type="SGD", groups=[dict(lr=0.1), dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="OneCycleLR", kwargs=dict(
             max_lr=[0.4, 0.04], epochs=10, steps_per_epoch=10, three_phase=True,
             div_factor=10.0, final_div_factor=100.0))]),
    dict(name="chained_step_and_exponential", optimizer=dict(type="SGD", groups=[dict(lr=0.1)]),
         schedulers=[dict(cls="StepLR", kwargs=dict(step_size=25, gamma=0.1)),
                     dict(cls="ExponentialLR", kwargs=dict(gamma=0.99))]),
    dict(name="multiplicative_two_groups", optimizer=dict(type="SGD", groups=[dict(lr=0.2), dict(lr=0.02)]),
         schedulers=[dict(cls="MultiplicativeLR", kwargs=dict(lr_lambda=["constant_0.95", "halve_every_10th"]))]),
    dict(name="polynomial_linear_two_groups", optimizer=dict(type="SGD", groups=[dict(lr=0.1), dict(lr=0.3)]),
         schedulers=[dict(cls="PolynomialLR", kwargs=dict(total_iters=40))]),
    dict(name="polynomial_power_2_adam", optimizer=dict(type="Adam", groups=[dict(lr=1e-2)]),
         schedulers=[dict(cls="PolynomialLR", kwargs=dict(total_iters=60, power=2.0))]),
    dict(name="chained_scheduler_constant_exponential",
         optimizer=dict(type="SGD", groups=[dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="ChainedScheduler", children=[
             dict(cls="ConstantLR", kwargs=dict(factor=0.1, total_iters=10)),
             dict(cls="ExponentialLR", kwargs=dict(gamma=0.97))])]),
    dict(name="chained_scheduler_warmup_step_adamw", optimizer=dict(type="AdamW", groups=[dict(lr=3e-3)]),
         schedulers=[dict(cls="ChainedScheduler", children=[
             dict(cls="LinearLR", kwargs=dict(start_factor=0.2, total_iters=8)),
             dict(cls="StepLR", kwargs=dict(step_size=30, gamma=0.3))])]),
    dict(name="warmup_stable_decay", optimizer=dict(type="AdamW", groups=[dict(lr=3e-3)]),
         schedulers=[dict(cls="SequentialLR", milestones=[10, 60], children=[
             dict(cls="LinearLR", kwargs=dict(start_factor=0.1, total_iters=10)),
             dict(cls="ConstantLR", kwargs=dict(factor=1.0, total_iters=50)),
             dict(cls="LinearLR", kwargs=dict(start_factor=1.0, end_factor=0.01, total_iters=30))])]),
    dict(name="cyclic_triangular_sgd_momentum", optimizer=dict(type="SGD", groups=[dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="CyclicLR", kwargs=dict(base_lr=0.01, max_lr=0.1, step_size_up=10))]),
    dict(name="cyclic_triangular2_adam_uneven", optimizer=dict(type="Adam", groups=[dict(lr=1e-3)]),
         schedulers=[dict(cls="CyclicLR", kwargs=dict(
             base_lr=1e-4, max_lr=1e-2, step_size_up=7, step_size_down=13, mode="triangular2"))]),
    dict(name="cyclic_exp_range_two_groups",
         optimizer=dict(type="SGD", groups=[dict(lr=0.1), dict(lr=0.1)], momentum=0.9),
         schedulers=[dict(cls="CyclicLR", kwargs=dict(
             base_lr=[0.01, 0.001], max_lr=[0.1, 0.01], step_size_up=8, mode="exp_range",
             gamma=0.98, base_momentum=0.85, max_momentum=0.95))]),
    dict(name="cyclic_no_momentum_rmsprop", optimizer=dict(type="RMSprop", groups=[dict(lr=0.01)]),
         schedulers=[dict(cls="CyclicLR", kwargs=dict(
             base_lr=0.001, max_lr=0.006, step_size_up=5, cycle_momentum=False))]),
    dict(name="plateau_min_rel_cooldown", optimizer=dict(type="SGD", groups=[dict(lr=0.1)]),
         metrics=plateau_metrics(0, "min"),
         schedulers=[dict(cls="ReduceLROnPlateau", kwargs=dict(
             mode="min", factor=0.5, patience=3, cooldown=2, threshold=1e-3))]),
    dict(name="plateau_max_abs_min_lr", optimizer=dict(type="Adam", groups=[dict(lr=1e-2), dict(lr=1e-3)]),
         metrics=plateau_metrics(1, "max"),
         schedulers=[dict(cls="ReduceLROnPlateau", kwargs=dict(
             mode="max", factor=0.3, patience=2, threshold=5e-3, threshold_mode="abs",
             min_lr=[1e-4, 5e-5]))]),
    dict(name="plateau_min_abs_eps", optimizer=dict(type="SGD", groups=[dict(lr=1e-3)]),
         metrics=plateau_metrics(2, "min"),
         schedulers=[dict(cls="ReduceLROnPlateau", kwargs=dict(
             mode="min", factor=0.5, patience=1, threshold=1e-2, threshold_mode="abs",
             cooldown=4, min_lr=1e-5, eps=2e-5))]),
]


def make_optimizer(spec):
    extra = {k: v for k, v in spec.items() if k not in ("type", "groups")}
    params = []
    groups = []
    for g in spec["groups"]:
        p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
        params.append(p)
        groups.append(dict(g, params=[p]))
    return getattr(torch.optim, spec["type"])(groups, **extra), params


def make_scheduler(spec, opt):
    sched = spec["cls"]
    cls = getattr(torch.optim.lr_scheduler, sched)
    if sched == "SequentialLR":
        children = [make_scheduler(c, opt) for c in spec["children"]]
        return cls(opt, children, milestones=spec["milestones"])
    if sched == "ChainedScheduler":
        return cls([make_scheduler(c, opt) for c in spec["children"]])
    kwargs = dict(spec.get("kwargs", {}))
    if sched in ("LambdaLR", "MultiplicativeLR"):
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


def record_scheduler(cfg):
    opt, params = make_optimizer(cfg["optimizer"])
    scheds = [make_scheduler(s, opt) for s in cfg["schedulers"]]
    lrs, moms, last = [[g["lr"] for g in opt.param_groups]], [momenta(opt)], []
    for step in range(STEPS):
        for p in params:
            p.grad = torch.zeros_like(p)
        opt.step()
        for s in scheds:
            if "metrics" in cfg:
                s.step(cfg["metrics"][step])
            else:
                s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momenta(opt))
        last.append([float(v) for v in scheds[-1].get_last_lr()])
    return dict(cfg, lr=lrs, momentum=moms, last_lr=last)


# --------------------------------------------------------------------- clipping
def record_clip():
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (5,), (2, 3, 2)]
    cases = []
    for dtype in ("float32", "float64", "float16"):
        for norm_type in (2.0, 1.0, math.inf, 0.5, 3.0):
            for max_norm in (0.5, 1e3):
                grads = [(rng.standard_normal(s) * 2.0).astype(dtype) for s in shapes]
                params = [torch.nn.Parameter(torch.zeros(s, dtype=getattr(torch, dtype))) for s in shapes]
                for p, g in zip(params, grads):
                    p.grad = torch.from_numpy(g.copy())
                total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
                cases.append(dict(
                    dtype=dtype, norm_type="inf" if norm_type == math.inf else norm_type,
                    max_norm=max_norm, grads=[g.tolist() for g in grads],
                    total_norm=float(total), total_dtype=str(total.dtype).replace("torch.", ""),
                    clipped=[p.grad.numpy().tolist() for p in params]))
    value_cases = []
    for clip_value in (0.1, 1.5):
        grads = [(rng.standard_normal(s)).astype("float32") for s in shapes]
        params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        torch.nn.utils.clip_grad_value_(params, clip_value)
        value_cases.append(dict(clip_value=clip_value, grads=[g.tolist() for g in grads],
                                clipped=[p.grad.numpy().tolist() for p in params]))
    return dict(norm_cases=cases, value_cases=value_cases)


# ------------------------------------------------------------------ GradScaler
SCALER_CONFIGS = [
    dict(name="defaults_small_interval", kwargs=dict(init_scale=2.0 ** 10, growth_interval=3),
         bad={4: "inf", 5: "nan", 11: "-inf", 12: "inf", 13: "inf"}, iters=30),
    dict(name="odd_factors", kwargs=dict(init_scale=1000.0, growth_factor=1.7,
                                         backoff_factor=0.3, growth_interval=2),
         bad={3: "inf", 9: "nan", 10: "inf"}, iters=25),
    dict(name="growth_overflows_float32", kwargs=dict(init_scale=2.0 ** 125, growth_factor=4.0,
                                                      growth_interval=1),
         bad={5: "inf"}, iters=10),
]


def record_scaler(cfg):
    rng = np.random.default_rng(3)
    shapes = [(4,), (2, 3)]
    params = [torch.nn.Parameter(torch.from_numpy(rng.standard_normal(s).astype("float32")))
              for s in shapes]
    init = [p.detach().numpy().tolist() for p in params]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu", **cfg["kwargs"])
    iters = []
    for i in range(cfg["iters"]):
        scale = float(scaler.scale(torch.ones((), dtype=torch.float32)))
        assert scale == scaler.get_scale()
        true = [rng.standard_normal(s).astype("float32") for s in shapes]
        # the gradient a backward pass of scale·loss produces, computed in float32
        with np.errstate(over="ignore"):
            scaled = [(g * np.float32(scale)).astype("float32") for g in true]
        if i in cfg["bad"]:
            scaled[1].reshape(-1)[2] = float(cfg["bad"][i])
        for p, g in zip(params, scaled):
            p.grad = torch.from_numpy(g.copy())
        before = [p.detach().numpy().copy() for p in params]
        scaler.unscale_(opt)
        unscaled = [p.grad.numpy().copy() for p in params]
        scaler.step(opt)
        stepped = any(not np.array_equal(b, p.detach().numpy()) for b, p in zip(before, params))
        scaler.update()
        iters.append(dict(
            scale_before=scale, scaled_grads=[g.tolist() for g in scaled],
            unscaled_grads=[g.tolist() for g in unscaled], stepped=stepped,
            scale_after=scaler.get_scale(), growth_tracker=scaler._get_growth_tracker(),
            params=[p.detach().numpy().tolist() for p in params]))
    return dict(name=cfg["name"], kwargs=cfg["kwargs"], init_params=init, iters=iters,
                state_dict=scaler.state_dict())


def write(name, payload):
    path = OUT / name
    path.write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
    size = path.stat().st_size
    assert size < 1_000_000, (name, size)
    print(f"wrote {path} ({size / 1024:.0f} KiB)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    write("sched_parity.json", dict(torch_version=torch.__version__, steps=STEPS,
                                    configs=[record_scheduler(c) for c in CONFIGS]))
    write("utils_clip.json", dict(torch_version=torch.__version__, **record_clip()))
    write("utils_scaler.json", dict(torch_version=torch.__version__,
                                    configs=[record_scaler(c) for c in SCALER_CONFIGS]))


if __name__ == "__main__":
    main()
