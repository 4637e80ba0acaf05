"""Record the cases the student-edition grader checks, from real PyTorch.

Run once (needs ``pip install torch==2.13.0``; the grader itself never imports it):

    python tools/make_grading_fixtures.py

Writes ``tinytorch/grading/data/cases.json``, shipped inside the package so that a
student notebook in Colab needs nothing else. For every task it stores, per case,
the inputs a student's function receives, PyTorch's answer, and the answer of each
known mistake (so the grader can name the mistake from numbers alone: no
implementation, right or wrong, is shipped).

The mistaken variants below are written here, in the instructor's tools, and only
their *outputs* are recorded. Everything is float64.
"""
from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import torch

assert torch.__version__.startswith("2.13"), torch.__version__

OUT = pathlib.Path(__file__).resolve().parents[1] / "tinytorch" / "grading" / "data" / "cases.json"
RNG = np.random.default_rng(2026)
torch.set_default_dtype(torch.float64)


def array(shape=(4,), scale=1.0):
    return RNG.normal(size=shape) * scale


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def plain(value):
    """JSON-ready: arrays to nested lists, tuples to lists."""
    if isinstance(value, torch.Tensor):
        value = value.detach().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def run_torch_optimizer(cls, kwargs, grads, param0):
    """PyTorch's parameter and state before and after every step."""
    p = torch.nn.Parameter(t(param0))
    opt = cls([p], **kwargs)
    history = []
    for g in grads:
        before = {k: (v.clone() if torch.is_tensor(v) else v) for k, v in opt.state[p].items()}
        param_before = p.detach().clone()
        p.grad = t(g)
        opt.step()
        after = {k: (v.clone() if torch.is_tensor(v) else v) for k, v in opt.state[p].items()}
        history.append((param_before, before, p.detach().clone(), after))
    return history


# ------------------------------------------------------------------ the tasks
def gd_cases():
    cases = []
    for lr, scale in [(0.1, 1.0), (0.01, 10.0), (1.5, 0.1)]:
        p0, g = array(), array(scale=scale)
        (pb, _, pa, _), = run_torch_optimizer(torch.optim.SGD, {"lr": lr}, [g], p0)
        cases.append(dict(
            inputs=dict(param=pb, grad=g, lr=lr), expected=dict(param=pa),
            mistakes={"plus": dict(param=p0 + lr * g),
                      "lr_squared": dict(param=p0 - lr * lr * g)}))
    return cases


def sgd_cases():
    cases = []
    settings = [dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False),
                dict(lr=0.05, momentum=0.9, dampening=0.0, weight_decay=0.01, nesterov=True),
                dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.0, nesterov=False)]
    for kw in settings:
        p0 = array()
        grads = [array() for _ in range(4)]
        for step, (pb, sb, pa, sa) in enumerate(run_torch_optimizer(torch.optim.SGD, kw, grads, p0), 1):
            if step not in (1, 2, 4):
                continue
            g = grads[step - 1]
            buf = sb.get("momentum_buffer")
            mu, tau, wd, lr = kw["momentum"], kw["dampening"], kw["weight_decay"], kw["lr"]
            d = g + wd * pb.numpy()
            # the exponential moving average (1 - mu) g instead of PyTorch's form
            ema = (1 - mu) * d if buf is None else mu * buf.numpy() + (1 - mu) * d
            ema_step = d + mu * ema if kw["nesterov"] else ema
            # dampening applied on the very first step too
            damp_first = (1 - tau) * d if buf is None else mu * buf.numpy() + (1 - tau) * d
            df_step = d + mu * damp_first if kw["nesterov"] else damp_first
            # Nesterov ignored
            plain_buf = d if buf is None else mu * buf.numpy() + (1 - tau) * d
            mistakes = {"ema_momentum": dict(param=pb.numpy() - lr * ema_step, buf=ema)}
            if tau != 0 and buf is None:
                mistakes["dampening_on_first_step"] = dict(param=pb.numpy() - lr * df_step, buf=damp_first)
            if kw["nesterov"]:
                mistakes["nesterov_ignored"] = dict(param=pb.numpy() - lr * plain_buf, buf=plain_buf)
            if wd:
                nd_buf = g if buf is None else mu * buf.numpy() + (1 - tau) * g
                nd = g + mu * nd_buf if kw["nesterov"] else nd_buf
                mistakes["weight_decay_ignored"] = dict(param=pb.numpy() - lr * nd, buf=nd_buf)
            cases.append(dict(
                inputs=dict(param=pb, grad=g, momentum_buffer=buf, **kw),
                expected=dict(param=pa, buf=sa["momentum_buffer"]), mistakes=mistakes))
    return cases


def adagrad_cases():
    cases = []
    for kw in [dict(lr=0.1, lr_decay=0.0, eps=1e-10, weight_decay=0.0),
               dict(lr=0.5, lr_decay=0.01, eps=1e-10, weight_decay=0.1)]:
        p0 = array()
        grads = [array() for _ in range(3)]
        for step, (pb, sb, pa, sa) in enumerate(run_torch_optimizer(torch.optim.Adagrad, kw, grads, p0), 1):
            g = grads[step - 1] + kw["weight_decay"] * pb.numpy()
            s = sb["sum"].numpy() + g * g
            clr = kw["lr"] / (1 + (step - 1) * kw["lr_decay"])
            cases.append(dict(
                inputs=dict(param=pb, grad=grads[step - 1], state_sum=sb["sum"], step=step, **kw),
                expected=dict(param=pa, state_sum=sa["sum"]),
                mistakes={
                    "eps_inside_sqrt": dict(param=pb.numpy() - clr * g / np.sqrt(s + kw["eps"]), state_sum=s),
                    "sum_of_gradients_not_squares": dict(
                        param=pb.numpy() - clr * g / (np.sqrt(np.abs(sb["sum"].numpy() + g)) + kw["eps"]),
                        state_sum=sb["sum"].numpy() + g),
                }))
    return cases


def rmsprop_cases():
    cases = []
    for kw in [dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0),
               dict(lr=0.05, alpha=0.9, eps=1e-8, weight_decay=0.01)]:
        p0 = array()
        grads = [array() for _ in range(3)]
        for step, (pb, sb, pa, sa) in enumerate(run_torch_optimizer(torch.optim.RMSprop, kw, grads, p0), 1):
            g = grads[step - 1] + kw["weight_decay"] * pb.numpy()
            v0 = sb["square_avg"].numpy() if sb else np.zeros_like(g)
            v = kw["alpha"] * v0 + (1 - kw["alpha"]) * g * g
            swapped = (1 - kw["alpha"]) * v0 + kw["alpha"] * g * g
            cases.append(dict(
                inputs=dict(param=pb, grad=grads[step - 1], square_avg=v0, **kw),
                expected=dict(param=pa, square_avg=sa["square_avg"]),
                mistakes={
                    "eps_inside_sqrt": dict(param=pb.numpy() - kw["lr"] * g / np.sqrt(v + kw["eps"]), square_avg=v),
                    "alpha_swapped": dict(param=pb.numpy() - kw["lr"] * g / (np.sqrt(swapped) + kw["eps"]),
                                          square_avg=swapped),
                }))
    return cases


def adam_family_cases(decoupled, amsgrad=False):
    cases = []
    settings = ([dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
                 dict(lr=0.1, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.01)] if decoupled else
                [dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
                 dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)])
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    for kw in settings:
        torch_kw = dict(kw, amsgrad=amsgrad)
        p0 = array()
        # gradients that shrink: AMSGrad's maximum then differs from v
        grads = [array(scale=2.0 ** -i) for i in range(4)]
        for step, (pb, sb, pa, sa) in enumerate(run_torch_optimizer(cls, torch_kw, grads, p0), 1):
            if step not in (1, 2, 4):
                continue
            b1, b2 = kw["betas"]
            lr, eps, wd = kw["lr"], kw["eps"], kw["weight_decay"]
            p = pb.numpy()
            m0 = sb["exp_avg"].numpy() if sb else np.zeros_like(p)
            v0 = sb["exp_avg_sq"].numpy() if sb else np.zeros_like(p)
            vmax0 = (sb["max_exp_avg_sq"].numpy() if sb else np.zeros_like(p)) if amsgrad else None
            raw = grads[step - 1]

            def adam(p, g, *, bias=True, eps_inside=False, vmax_rule=True):
                m = b1 * m0 + (1 - b1) * g
                v = b2 * v0 + (1 - b2) * g * g
                vmax = np.maximum(vmax0, v) if amsgrad and vmax_rule else None
                vv = vmax if vmax is not None else v
                c1 = 1 - b1 ** step if bias else 1.0
                c2 = 1 - b2 ** step if bias else 1.0
                if eps_inside:
                    denom = np.sqrt(vv / c2 + eps)
                else:
                    denom = np.sqrt(vv) / math.sqrt(c2) + eps
                return p - lr / c1 * m / denom, m, v, vmax

            def pack(result):
                p_, m_, v_, vmax_ = result
                out = dict(param=p_, exp_avg=m_, exp_avg_sq=v_)
                if amsgrad:
                    out["max_exp_avg_sq"] = vmax_ if vmax_ is not None else v_
                return out

            if decoupled:
                right = lambda **k: adam(p * (1 - lr * wd), raw, **k)   # noqa: E731
                mistakes = {"no_bias_correction": pack(right(bias=False)),
                            "eps_inside_sqrt": pack(right(eps_inside=True)),
                            "decay_added_to_gradient": pack(adam(p, raw + wd * p))}
            else:
                g = raw + wd * p
                mistakes = {"no_bias_correction": pack(adam(p, g, bias=False)),
                            "eps_inside_sqrt": pack(adam(p, g, eps_inside=True))}
            if amsgrad:
                mistakes["maximum_not_used"] = pack(adam(p, raw + wd * p, vmax_rule=False))
            inputs = dict(param=pb, grad=raw, exp_avg=m0, exp_avg_sq=v0, step=step, **kw)
            if amsgrad:
                inputs["max_exp_avg_sq"] = vmax0
            expected = dict(param=pa, exp_avg=sa["exp_avg"], exp_avg_sq=sa["exp_avg_sq"])
            if amsgrad:
                expected["max_exp_avg_sq"] = sa["max_exp_avg_sq"]
            cases.append(dict(inputs=inputs, expected=expected, mistakes=mistakes))
    return cases


def scheduler_values(make, epochs):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def step_lr_cases():
    cases = []
    for base, size, gamma in [(0.1, 3, 0.5), (1.0, 5, 0.1)]:
        lrs = scheduler_values(lambda o: torch.optim.lr_scheduler.StepLR(o, size, gamma), 16)
        for epoch in (0, size - 1, size, 2 * size + 1, 15):
            cases.append(dict(
                inputs=dict(epoch=epoch, base_lr=base, step_size=size, gamma=gamma),
                expected=dict(lr=base * lrs[epoch]),
                mistakes={"one_epoch_late": dict(lr=base * gamma ** max(0, (epoch - 1) // size)),
                          "decays_every_epoch": dict(lr=base * gamma ** epoch)}))
    return cases


def cosine_cases():
    cases = []
    for base, t_max, eta_min in [(0.1, 10, 0.0), (1.0, 20, 0.01)]:
        lrs = scheduler_values(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min / base), t_max + 1)
        for epoch in (0, 1, t_max // 2, t_max - 1, t_max):
            cases.append(dict(
                inputs=dict(epoch=epoch, base_lr=base, T_max=t_max, eta_min=eta_min),
                expected=dict(lr=base * lrs[epoch]),
                mistakes={"no_half": dict(lr=eta_min + (base - eta_min) * math.cos(math.pi * epoch / t_max)),
                          "eta_min_ignored": dict(lr=base * (1 + math.cos(math.pi * epoch / t_max)) / 2)}))
    return cases


def warmup_cases():
    cases = []
    for base, start, total in [(0.1, 0.1, 5), (1.0, 0.01, 10)]:
        lrs = scheduler_values(lambda o: torch.optim.lr_scheduler.LinearLR(o, start, 1.0, total), total + 3)
        for step in (0, 1, total // 2, total, total + 2):
            cases.append(dict(
                inputs=dict(step=step, base_lr=base, start_factor=start, total_iters=total),
                expected=dict(lr=base * lrs[step]),
                mistakes={"starts_at_zero": dict(lr=base * min(step, total) / total),
                          "keeps_growing": dict(lr=base * (start + (1 - start) * step / total))}))
    return cases


def clip_cases():
    cases = []
    for max_norm, scales in [(1.0, [1.0, 3.0]), (5.0, [0.1, 0.2, 0.1]), (0.5, [2.0, 0.01])]:
        grads = [array((3,), s) for s in scales]
        params = [torch.nn.Parameter(torch.zeros(3)) for _ in grads]
        for p, g in zip(params, grads):
            p.grad = t(g)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        per_tensor = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
        no_eps = [g * min(1.0, max_norm / float(total)) for g in grads]
        cases.append(dict(
            inputs=dict(grads=grads, max_norm=max_norm),
            expected=dict(grads=[p.grad for p in params], total_norm=float(total)),
            mistakes={"per_tensor_norm": dict(grads=per_tensor, total_norm=float(total)),
                      "always_rescaled": dict(
                          grads=[g * max_norm / (float(total) + 1e-6) for g in grads], total_norm=float(total)),
                      "no_epsilon": dict(grads=no_eps, total_norm=float(total))}))
    return cases


def accumulation_cases():
    cases = []
    for sizes in [(8, 8, 8, 8), (10, 6, 16), (5, 20, 1, 6)]:
        n_features = 3
        X = RNG.normal(size=(sum(sizes), n_features))
        y = RNG.normal(size=sum(sizes))
        w = torch.zeros(n_features, requires_grad=True)
        loss = ((t(X) @ w - t(y)) ** 2).mean()
        loss.backward()
        micro = []
        start = 0
        for n in sizes:
            wi = torch.zeros(n_features, requires_grad=True)
            ((t(X[start:start + n]) @ wi - t(y[start:start + n])) ** 2).mean().backward()
            micro.append(wi.grad.numpy().copy())
            start += n
        sizes_arr = np.array(sizes, dtype=float)
        cases.append(dict(
            inputs=dict(micro_grads=micro, micro_sizes=list(sizes)),
            expected=dict(grad=w.grad),
            mistakes={"not_divided": dict(grad=sum(micro)),
                      "plain_mean_of_means": dict(grad=sum(micro) / len(micro)),
                      "weighted_not_divided": dict(grad=sum(n * g for n, g in zip(sizes_arr, micro)))}))
    return cases


def loss_scale_cases():
    cases = []
    for scale, tracker, found_inf, interval in [(65536.0, 0, False, 3), (65536.0, 2, False, 3),
                                                (1024.0, 2, True, 3), (2.0 ** 20, 1999, False, 2000),
                                                (8.0, 5, True, 2000)]:
        s = torch.full((1,), scale, dtype=torch.float32)
        tr = torch.full((1,), tracker, dtype=torch.int32)
        fi = torch.full((1,), float(found_inf), dtype=torch.float32)
        torch._amp_update_scale_(s, tr, fi, 2.0, 0.5, interval)
        grows = tracker + 1 >= interval
        if grows:           # what the no-overflow rule gives, overflow or not
            ignore_overflow = dict(scale=scale * 2.0, growth_tracker=0)
            not_reset = dict(scale=scale * 2.0, growth_tracker=tracker + 1)
        else:
            ignore_overflow = dict(scale=scale, growth_tracker=tracker + 1)
            not_reset = None
        mistakes = {}
        if found_inf:
            mistakes["grows_after_overflow"] = ignore_overflow
            mistakes["tracker_not_reset"] = dict(scale=scale * 0.5, growth_tracker=tracker)
        elif not_reset is not None:
            mistakes["tracker_not_reset"] = not_reset
        cases.append(dict(
            inputs=dict(scale=scale, growth_tracker=tracker, found_inf=found_inf, growth_factor=2.0,
                        backoff_factor=0.5, growth_interval=interval),
            expected=dict(scale=float(s.item()), growth_tracker=int(tr.item())),
            mistakes=mistakes))
    return cases


TASKS = {
    "gd_step": gd_cases,
    "sgd_step": sgd_cases,
    "adagrad_step": adagrad_cases,
    "rmsprop_step": rmsprop_cases,
    "adam_step": lambda: adam_family_cases(decoupled=False),
    "adamw_step": lambda: adam_family_cases(decoupled=True),
    "amsgrad_step": lambda: adam_family_cases(decoupled=False, amsgrad=True),
    "step_lr": step_lr_cases,
    "cosine_lr": cosine_cases,
    "linear_warmup_lr": warmup_cases,
    "clip_grad_norm": clip_cases,
    "accumulate_gradients": accumulation_cases,
    "update_loss_scale": loss_scale_cases,
}


def main():
    data = {"generated_by": "tools/make_grading_fixtures.py", "torch": torch.__version__,
            "tasks": {name: plain(make()) for name, make in TASKS.items()}}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
