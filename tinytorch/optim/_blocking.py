"""Run an elementwise in-place update over cache-sized blocks, on all cores.

An optimizer step written as NumPy ufuncs (``np.multiply(m, b1, out=m)``,
...) makes one full pass over memory per ufunc.  On 10 million float32
parameters every array is 40 MB, far larger than any cache, so each pass
streams from DRAM, and an Adam step of ~14 ufuncs moves ~20 arrays' worth.

Cutting the arrays into blocks (256 Ki elements: 1 MiB of float32 per
array) and running ALL the ufuncs on one block before moving to the next
keeps the block in cache: DRAM then sees each array once per step, as in
a fused kernel, while the per-block arithmetic is still plain NumPy.  The math is untouched: every
element goes through the same ufuncs in the same order, so blocked and
unblocked results are identical to the bit.

NumPy releases the GIL inside a ufunc, so blocks can also be shared among
threads: each thread takes a contiguous run of blocks and has its own
scratch buffers.  Elementwise work has no cross-block dependence, so the
result does not depend on the thread count either.

Scratch buffers are allocated once per dtype and reused, so a step
allocates no array memory at all.

Usage::

    runner = BlockRunner(n_scratch=2)
    runner.run(adam_update, (param, grad, exp_avg, exp_avg_sq, None),
               step=3, lr=1e-3, ...)

calls ``adam_update(p_blk, g_blk, m_blk, v_blk, None, scratch=(s0, s1),
step=3, lr=1e-3, ...)`` once per block, where every ``*_blk`` and ``s*`` is
a 1-D view of the same length.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from tinytorch.core.runtime import CAN_START_THREADS

# Elements per block, measured with benchmarks/bench_blocking.py on the
# 2-core AMD EPYC (1 MiB L2 per core, 32 MiB L3) this project is built on.
# One Adam step on 1e7 float32 parameters, two threads: unblocked 29-31 ms;
# blocks of 16 Ki 27-28 ms, 64 Ki 13-15 ms, 256 Ki 11.2-11.3 ms, 1 Mi
# 15-16 ms (SGD-momentum: 8.7-10.5 ms unblocked, 4.3-5.9 ms at 256 Ki).
# Blocks small enough for L2 lose: every ufunc call costs ~1 us of Python
# and, with two threads, a GIL hand-off; at 256 Ki a block's six arrays
# (6 MiB per thread) still stay in L3.
DEFAULT_BLOCK = 1 << 18

# Each extra thread must get at least this many elements: below it the
# wake-up and GIL hand-offs cost more than the thread saves.
MIN_PARALLEL = 1 << 18

_LINE = 16  # thread shares start on a multiple of 16 elements (64 B and up: whole cache lines)


def default_threads() -> int:
    """Threads for blocked updates: TINYTORCH_NUM_THREADS, else the usable cores.

    One where no thread can start (Pyodide, in a browser tab).
    """
    if not CAN_START_THREADS:
        return 1
    env = os.environ.get("TINYTORCH_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_pool = None
_pool_size = 0
_pool_pid = None
_pool_lock = threading.Lock()


def _executor(workers: int) -> ThreadPoolExecutor:
    """One process-wide pool, grown on demand (it is shared by all runners).

    A forked child inherits the pool object but not its threads, so work
    submitted there would wait forever: a new process gets a new pool.
    """
    global _pool, _pool_size, _pool_pid
    with _pool_lock:
        if _pool_size < workers or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tinytorch-block")
            _pool_size, _pool_pid = workers, os.getpid()
        return _pool


class BlockRunner:
    """Applies ``update(*arrays, scratch=..., **kwargs)`` block by block.

    n_scratch:    how many scratch arrays ``update`` needs (passed as a tuple).
    block:        elements per block.
    threads:      threads to spread the blocks over (None: default_threads());
                  one where no thread can start (the result is the same to the bit).
    min_parallel: fewest elements worth giving to one more thread.
    """

    def __init__(self, n_scratch: int, block: int = DEFAULT_BLOCK, threads: int | None = None,
                 min_parallel: int = MIN_PARALLEL):
        if block < 1:
            raise ValueError(f"block must be positive, got {block}")
        self.n_scratch = n_scratch
        self.block = block
        self.threads = default_threads() if threads is None else max(1, threads)
        if not CAN_START_THREADS:
            self.threads = 1
        self.min_parallel = max(1, min_parallel)
        self._scratch = {}  # (dtype, thread) -> tuple of `block`-sized arrays

    def scratch(self, dtype, worker: int = 0):
        """The scratch buffers of one thread, allocated on first use."""
        key = (np.dtype(dtype), worker)
        bufs = self._scratch.get(key)
        if bufs is None:
            bufs = tuple(np.empty(self.block, dtype) for _ in range(self.n_scratch))
            self._scratch[key] = bufs
        return bufs

    def run(self, update, arrays, **kwargs) -> None:
        """Update `arrays` (first one = the parameter; None entries pass through)."""
        first = arrays[0]
        n = first.size
        if not all(a is None or (a.flags.c_contiguous and a.size == n) for a in arrays):
            # A strided view cannot be cut into flat blocks without copying,
            # and a copy would not be updated in place: run it whole, with
            # throw-away scratch (rare: parameters own contiguous memory).
            scratch = tuple(np.empty(first.shape, first.dtype) for _ in range(self.n_scratch))
            update(*arrays, scratch=scratch, **kwargs)
            return
        flat = [None if a is None else a.reshape(-1) for a in arrays]
        # Each thread takes one contiguous share of at least min_parallel
        # elements (a cache-line multiple, so no line is written by two
        # threads) and walks it block by block; the calling thread does the
        # last share itself rather than sit idle.
        workers = max(1, min(self.threads, n // self.min_parallel))
        share = -(-n // workers)
        share += -share % _LINE
        futures = [
            _executor(workers - 1).submit(self._run_range, update, flat, w * share,
                                          min(n, (w + 1) * share), w, kwargs)
            for w in range(workers - 1)
        ]
        try:
            self._run_range(update, flat, (workers - 1) * share, n, workers - 1, kwargs)
        finally:
            wait(futures)  # never return while a worker still writes into the arrays
        for f in futures:
            f.result()  # re-raises a worker's exception here

    def _run_range(self, update, flat, lo, hi, worker, kwargs):
        bufs = self.scratch(flat[0].dtype, worker)
        for start in range(lo, hi, self.block):
            stop = min(start + self.block, hi)
            views = [None if a is None else a[start:stop] for a in flat]
            scratch = tuple(s[: stop - start] for s in bufs)
            update(*views, scratch=scratch, **kwargs)
