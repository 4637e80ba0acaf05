"""A blocked NumPy step and a fused step allocate no array memory, seen by tracemalloc.

NumPy reports every array buffer it allocates to tracemalloc, so the peak of
traced memory during a step bounds what the step allocated.  After a warm-up
step (which creates the scratch buffers and the worker threads) a step may
create only small Python objects (views, tuples, a future): we require the
peak to stay under 1 % of the parameter's bytes.  TinyTorch's style, which
builds new arrays, is measured the same way to show the probe sees arrays.
"""
import tracemalloc

import numpy as np
import pytest

from tinytorch.profiling.reference_steps import adam_inplace, allocating_adam, sgd_inplace
from tinytorch.optim import _fused
from tinytorch.optim._blocking import BlockRunner

N = 1 << 20  # 4 MiB of float32 per array: four blocks, two threads on two cores
LIMIT = 0.01 * N * 4


def peak_bytes(step, times=3):
    """Peak traced memory (bytes) over `times` calls of step(), after one untraced call."""
    step()
    tracemalloc.start()
    try:
        for _ in range(times):
            step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def arrays(k):
    rng = np.random.default_rng(0)
    return [np.abs(rng.standard_normal(N, dtype=np.float32)) for _ in range(k)]


def test_the_probe_sees_numpy_arrays():
    p, g, m, v = arrays(4)
    state = {"step": 0, "m": m, "v": v}
    box = {"p": p}

    def step():
        box["p"] = allocating_adam(box["p"], g, state)

    assert peak_bytes(step) > N * 4  # TinyTorch's step makes whole new arrays


@pytest.mark.parametrize("threads", [1, 2])
def test_blocked_adam_step_allocates_no_arrays(threads):
    p, g, m, v = arrays(4)
    runner = BlockRunner(2, threads=threads)
    counter = iter(range(1, 100))
    assert peak_bytes(lambda: runner.run(adam_inplace, (p, g, m, v, None), step=next(counter))) < LIMIT


@pytest.mark.parametrize("threads", [1, 2])
def test_blocked_sgd_step_allocates_no_arrays(threads):
    p, g, b = arrays(3)
    runner = BlockRunner(2, threads=threads)
    assert peak_bytes(lambda: runner.run(sgd_inplace, (p, g, b), lr=0.01, momentum=0.9)) < LIMIT


@pytest.mark.skipif(not _fused.fused_available(), reason="numba is not installed")
def test_fused_steps_allocate_no_arrays():
    p, g, m, v = arrays(4)
    assert peak_bytes(lambda: _fused.adam_step_(p, g, m, v, step=1, lr=1e-3, beta1=0.9,
                                                beta2=0.999, eps=1e-8)) < LIMIT
    assert peak_bytes(lambda: _fused.sgd_step_(p, g, m, lr=1e-3, momentum=0.9)) < LIMIT
