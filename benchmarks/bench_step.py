"""Time ONE optimizer step (Adam, SGD with momentum 0.9) on n float32 parameters.

Variants, all on one parameter array of n elements with a fixed gradient:

    seed              TinyTorch's way: new arrays for every expression, a new Tensor per step
    numpy_unblocked   in-place NumPy ufuncs, each a full pass over memory (tinytorch/profiling/reference_steps.py)
    numpy_blocked     the same ufuncs run block by block on all cores (tinytorch.optim._blocking)
    tinytorch         tinytorch.optim.Adam / SGD, default settings
    tinytorch_fused   tinytorch.optim.Adam / SGD(fused=True); until the classes take
                      `fused`, the numba kernel itself on raw arrays (labelled so)
    torch_foreach     torch.optim.Adam / SGD(foreach=True)   \\ only when torch
    torch_fused       torch.optim.Adam / SGD(fused=True)     /  is importable

Each variant is warmed up (JIT compilation, first-step allocations, page
faults) and then timed step by step with perf_counter.  The variants take
turns in `rounds` rounds, so a burst of load from elsewhere hits all of them
alike; we report the median over all timed steps, and ratios to torch
computed from medians of this same run.

    python -m benchmarks.bench_step [--sizes 1e5,1e6,1e7] [--quick]
"""
from __future__ import annotations

import argparse
import inspect

import numpy as np

from benchmarks.common import machine, measure, now, repeats_for, save_json, summarize
from tinytorch.profiling.reference_steps import adam_inplace, allocating_adam, allocating_sgd, sgd_inplace

SIZES = [10**5, 10**6, 10**7]
OPTIMIZERS = ["adam", "sgd_momentum"]
LR, MOMENTUM = 1e-3, 0.9

try:
    import torch
except ImportError:  # the torch variants are skipped
    torch = None


# ---------------------------------------------------------------- variants
# Each builder takes (optimizer, p0, g0) and returns (label, step function),
# or None when the variant cannot run here.  Builders copy p0 and g0.

def _seed(opt, p0, g0):
    from tinytorch import Tensor
    box = {"param": Tensor(p0), "step": 0, "m": np.zeros_like(p0), "v": np.zeros_like(p0),
           "buf": np.zeros_like(p0)}
    grad = g0.copy()

    def step():
        if opt == "adam":
            box["param"] = allocating_adam(box["param"], grad, box, lr=LR, tensor=Tensor)
        else:
            box["param"] = allocating_sgd(box["param"], grad, box, lr=LR, momentum=MOMENTUM, tensor=Tensor)
    return "TinyTorch style: new arrays + new Tensor per step", step


def _raw_arrays(opt, p0, g0):
    p, g, a, b = p0.copy(), g0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    return p, g, a, b, {"step": 0}


def _numpy_unblocked(opt, p0, g0):
    p, g, a, b, state = _raw_arrays(opt, p0, g0)
    scratch = (np.empty_like(p), np.empty_like(p))

    def step():
        state["step"] += 1
        if opt == "adam":
            adam_inplace(p, g, a, b, scratch=scratch, step=state["step"], lr=LR)
        else:
            sgd_inplace(p, g, a, scratch=scratch, lr=LR, momentum=MOMENTUM,
                        init_buffer=state["step"] == 1)
    return "NumPy in place, unblocked (raw arrays)", step


def _numpy_blocked(opt, p0, g0):
    from tinytorch.optim._blocking import BlockRunner
    p, g, a, b, state = _raw_arrays(opt, p0, g0)
    runner = BlockRunner(n_scratch=2)

    def step():
        state["step"] += 1
        if opt == "adam":
            runner.run(adam_inplace, (p, g, a, b), step=state["step"], lr=LR)
        else:
            runner.run(sgd_inplace, (p, g, a), lr=LR, momentum=MOMENTUM,
                       init_buffer=state["step"] == 1)
    return f"NumPy in place, blocked x{runner.threads} threads (raw arrays)", step


def _tinytorch_optimizer(opt, p0, g0, **extra):
    from tinytorch import Tensor
    from tinytorch.optim import SGD, Adam
    param = Tensor(p0.copy(), requires_grad=True)
    param.grad = Tensor(g0.copy())
    if opt == "adam":
        return Adam([param], lr=LR, **extra).step
    return SGD([param], lr=LR, momentum=MOMENTUM, **extra).step


def _takes_fused(cls) -> bool:
    return "fused" in inspect.signature(cls.__init__).parameters


def _tinytorch(opt, p0, g0):
    return "tinytorch.optim, default", _tinytorch_optimizer(opt, p0, g0)


def _tinytorch_fused(opt, p0, g0):
    from tinytorch.optim import SGD, Adam
    from tinytorch.optim import _fused
    if not _fused.fused_available():
        return None
    if _takes_fused(Adam if opt == "adam" else SGD):
        return "tinytorch.optim, fused=True", _tinytorch_optimizer(opt, p0, g0, fused=True)
    p, g, a, b, state = _raw_arrays(opt, p0, g0)

    def step():
        state["step"] += 1
        if opt == "adam":
            _fused.adam_step_(p, g, a, b, step=state["step"], lr=LR, beta1=0.9,
                              beta2=0.999, eps=1e-8)
        else:
            _fused.sgd_step_(p, g, a, lr=LR, momentum=MOMENTUM, init_buffer=state["step"] == 1)
    return "numba fused kernel (raw arrays: classes have no fused= yet)", step


def _torch(opt, p0, g0, flag):
    if torch is None:
        return None
    param = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    param.grad = torch.from_numpy(g0.copy())
    if opt == "adam":
        o = torch.optim.Adam([param], lr=LR, **{flag: True})
    else:
        o = torch.optim.SGD([param], lr=LR, momentum=MOMENTUM, **{flag: True})
    return f"torch {torch.__version__} {flag}=True", o.step


VARIANTS = {
    "seed": _seed,
    "numpy_unblocked": _numpy_unblocked,
    "numpy_blocked": _numpy_blocked,
    "tinytorch": _tinytorch,
    "tinytorch_fused": _tinytorch_fused,
    "torch_foreach": lambda o, p, g: _torch(o, p, g, "foreach"),
    "torch_fused": lambda o, p, g: _torch(o, p, g, "fused"),
}


# ---------------------------------------------------------------- driver
def _merge(parts):
    """One measurement from several rounds: statistics over all their steps."""
    return summarize([t / 1e3 for m in parts for t in m["times_ms"]])


def run(sizes=SIZES, optimizers=OPTIMIZERS, variants=None, quick=False, rounds=3, log=print):
    variants = variants or list(VARIANTS)
    if torch is not None:
        torch.manual_seed(0)
    rows = []
    for n in sizes:
        rng = np.random.default_rng(0)
        p0 = rng.standard_normal(n, dtype=np.float32)
        g0 = rng.standard_normal(n, dtype=np.float32)
        per_round = max(2, -(-repeats_for(n, quick) // rounds))
        for opt in optimizers:
            built = {}
            for name in variants:
                made = VARIANTS[name](opt, p0, g0)
                if made is None:
                    log(f"  skip {name} ({opt}, n={n}): not available here")
                    continue
                built[name] = made
            parts = {name: [] for name in built}
            for r in range(rounds):
                for name, (label, step) in built.items():
                    parts[name].append(measure(step, per_round, warmup=2 if r == 0 else 1))
            results = {}
            for name, (label, _) in built.items():
                m = _merge(parts[name])
                results[name] = {"optimizer": opt, "n": n, "variant": name, "label": label, **m}
            for ref in ("torch_foreach", "torch_fused"):
                if ref in results:
                    for row in results.values():
                        row[f"ratio_vs_{ref}"] = row["median_ms"] / results[ref]["median_ms"]
            for row in results.values():
                rows.append(row)
                ratios = "  ".join(f"{k[9:]}={v:.2f}x" for k, v in row.items() if k.startswith("ratio_vs_"))
                log(f"{opt:12s} n={n:<9d} {row['variant']:16s} {row['median_ms']:9.3f} ms  {ratios}")
            del built, parts
    return {"date": now(), "machine": machine(), "dtype": "float32", "lr": LR,
            "momentum": MOMENTUM, "rounds": rounds, "rows": rows}


def parse_sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=parse_sizes, default=SIZES, help="comma-separated, e.g. 1e5,1e6")
    ap.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
    result = run(args.sizes, args.optimizers.split(","), args.variants.split(","), args.quick)
    print("saved", save_json("step.tmp.json", result))


if __name__ == "__main__":
    main()
