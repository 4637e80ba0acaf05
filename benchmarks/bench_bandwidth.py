"""STREAM-style memory bandwidth, and what it implies for one optimizer step.

The four STREAM kernels on float32 arrays much larger than the caches, each
written as NumPy ufuncs with ``out=`` (no temporaries):

    copy   a = b            8 B per element (read b, write a)
    scale  a = s*b          8 B
    add    a = b + c       12 B
    triad  a = b + s*c     12 B  (two ufuncs: a = s*c ; a += b)

plus ``update``, a += b (12 B), the read-modify-write pattern of an
optimizer step.  Bandwidth counts the bytes a kernel must read and write,
the STREAM convention: a ufunc pair such as triad's moves more than that,
so its figure is a lower estimate.  Each kernel runs on one thread and on
all cores (each thread takes a contiguous share; NumPy releases the GIL
inside a ufunc).  When numba is installed the same five kernels also run
as single-pass parallel loops, which is what the hardware can do; NumPy
alone cannot show it (a thread's ufuncs run one after another).

Each row gives GB/s at the median time and at the fastest repetition
("peak": what the memory system did deliver at least once).  The best peak
bounds any step from below: an fp32 Adam step must read p,
g, m, v and write p, m, v, 28 B per parameter; SGD with momentum reads p, g,
buf and writes p, buf, 20 B.  At B bytes/s the step needs at least
bytes_per_param * n / B seconds.

    python -m benchmarks.bench_bandwidth [--n 50000000] [--repeats 10]
"""
from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from benchmarks.common import machine, measure, now, save_json

BYTES_PER_PARAM = {"adam": 28, "sgd_momentum": 20}

# name -> (bytes per element, function of (a, b, c) slices)
KERNELS = {
    "copy": (8, lambda a, b, c: np.copyto(a, b)),
    "scale": (8, lambda a, b, c: np.multiply(b, 3.0, out=a)),
    "add": (12, lambda a, b, c: np.add(b, c, out=a)),
    "triad": (12, lambda a, b, c: np.add(b, np.multiply(c, 3.0, out=a), out=a)),
    "update": (12, lambda a, b, c: np.add(a, b, out=a)),
}


def _numba_kernels():
    """The same kernels as parallel numba loops (one pass each), or {} without numba."""
    try:
        import numba
    except ImportError:
        return {}
    jit = numba.njit(parallel=True, cache=True)

    @jit
    def copy(a, b, c):
        for i in numba.prange(a.size):
            a[i] = b[i]

    @jit
    def scale(a, b, c):
        for i in numba.prange(a.size):
            a[i] = np.float32(3.0) * b[i]

    @jit
    def add(a, b, c):
        for i in numba.prange(a.size):
            a[i] = b[i] + c[i]

    @jit
    def triad(a, b, c):
        for i in numba.prange(a.size):
            a[i] = b[i] + np.float32(3.0) * c[i]

    @jit
    def update(a, b, c):
        for i in numba.prange(a.size):
            a[i] += b[i]

    return {"copy": copy, "scale": scale, "add": add, "triad": triad, "update": update}


def _threaded(kernel, arrays, threads, pool):
    """kernel on `threads` contiguous shares of the arrays at once."""
    n = arrays[0].size
    cuts = [n * t // threads for t in range(threads + 1)]
    shares = [[x[lo:hi] for x in arrays] for lo, hi in zip(cuts, cuts[1:])]

    def run():
        futures = [pool.submit(kernel, *s) for s in shares[1:]]
        kernel(*shares[0])
        for f in futures:
            f.result()
    return run


def _row(kernel, impl, threads, nbytes, n, r, log):
    """One measurement as GB/s at the median and at the fastest repetition."""
    gbs = nbytes * n / (r["median_ms"] * 1e-3) / 1e9
    peak = nbytes * n / (min(r["times_ms"]) * 1e-3) / 1e9
    log(f"{impl} {kernel:7s} x{threads}: {gbs:6.1f} GB/s median, {peak:6.1f} peak")
    return {"kernel": kernel, "impl": impl, "threads": threads, "bytes_per_element": nbytes,
            "gb_per_s": gbs, "peak_gb_per_s": peak, **r}


def run(n=5 * 10**7, repeats=10, threads=None, log=print):
    """GB/s per kernel and thread count (10^9 bytes per second)."""
    from tinytorch.optim._blocking import default_threads
    threads = threads or default_threads()
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(n, dtype=np.float32) for _ in range(3))
    rows = []
    with ThreadPoolExecutor(max(1, threads - 1)) as pool:
        for t in sorted({1, threads}):
            for name, (nbytes, kernel) in KERNELS.items():
                r = measure(_threaded(kernel, (a, b, c), t, pool), repeats)
                rows.append(_row(name, "numpy", t, nbytes, n, r, log))
    for name, kernel in _numba_kernels().items():
        nbytes = KERNELS[name][0]
        r = measure(lambda: kernel(a, b, c), repeats)
        rows.append(_row(name, "numba", threads, nbytes, n, r, log))
    best = max(rows, key=lambda r: r["peak_gb_per_s"])
    bound = {opt: {"bytes_per_param": b_, "ms_at_1e7": b_ * 1e7 / (best["peak_gb_per_s"] * 1e9) * 1e3}
             for opt, b_ in BYTES_PER_PARAM.items()}
    log(f"best peak: {best['peak_gb_per_s']:.1f} GB/s ({best['impl']} {best['kernel']} x{best['threads']}); "
        f"Adam step at 1e7 params needs >= {bound['adam']['ms_at_1e7']:.2f} ms")
    return {"date": now(), "machine": machine(), "n": n, "dtype": "float32", "rows": rows,
            "best_gb_per_s": best["peak_gb_per_s"], "best_kernel": f"{best['impl']} {best['kernel']} x{best['threads']}",
            "step_lower_bound": bound}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5 * 10**7, help="elements per array (float32)")
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args(argv)
    print("saved", save_json("bandwidth.tmp.json", run(args.n, args.repeats)))


if __name__ == "__main__":
    main()
