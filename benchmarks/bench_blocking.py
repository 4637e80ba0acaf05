"""Which block size (and how many threads) makes the blocked NumPy step fastest?

Runs the in-place NumPy Adam and SGD-momentum steps of tinytorch/profiling/reference_steps.py
on float32 arrays, unblocked and through BlockRunner with block sizes from
16 Ki to 1 Mi elements, on one thread and on all cores.  The winner is
DEFAULT_BLOCK in tinytorch/optim/_blocking.py.

    python -m benchmarks.bench_blocking [--n 10000000] [--repeats 10]
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import machine, measure, now, save_json
from tinytorch.profiling.reference_steps import adam_inplace, sgd_inplace
from tinytorch.optim._blocking import BlockRunner, default_threads

BLOCKS = [1 << k for k in range(14, 21)]  # 16 Ki ... 1 Mi elements


def _arrays(n, rng):
    p, g, m = (rng.standard_normal(n, dtype=np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(n, dtype=np.float32))
    return p, g, m, v


def run(n=10**7, repeats=10, blocks=BLOCKS, thread_counts=None, log=print):
    rng = np.random.default_rng(0)
    p, g, m, v = _arrays(n, rng)
    steps = {
        "adam": (adam_inplace, (p, g, m, v, None), dict(step=10, lr=1e-3)),
        "sgd_momentum": (sgd_inplace, (p, g, m), dict(lr=1e-3, momentum=0.9)),
    }
    thread_counts = thread_counts or sorted({1, default_threads()})
    rows = []
    for name, (update, arrays, kw) in steps.items():
        scratch = (np.empty(n, np.float32), np.empty(n, np.float32))
        r = measure(lambda: update(*arrays, scratch=scratch, **kw), repeats)
        rows.append({"update": name, "block": None, "threads": 1, **r})
        log(f"{name:13s} unblocked          {r['median_ms']:8.2f} ms")
        for threads in thread_counts:
            for block in blocks:
                runner = BlockRunner(n_scratch=2, block=block, threads=threads)
                r = measure(lambda: runner.run(update, arrays, **kw), repeats)
                rows.append({"update": name, "block": block, "threads": threads, **r})
                log(f"{name:13s} block {block:8d} x{threads} {r['median_ms']:8.2f} ms")
    best = {}
    for name in steps:
        for threads in thread_counts:
            cand = [r for r in rows if r["update"] == name and r["threads"] == threads and r["block"]]
            best[f"{name}/threads={threads}"] = min(cand, key=lambda r: r["median_ms"])["block"]
    return {"date": now(), "machine": machine(), "n": n, "dtype": "float32",
            "rows": rows, "best_block": best}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10**7)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args(argv)
    result = run(args.n, args.repeats)
    print("best block:", result["best_block"])
    print("saved", save_json("blocking.tmp.json", result))


if __name__ == "__main__":
    main()
