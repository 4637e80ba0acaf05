"""BlockRunner: block by block, on any number of threads, gives the unblocked result exactly."""
import multiprocessing
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.profiling.reference_steps import adam_inplace, sgd_inplace
from systems_helpers import DTYPES, adam_arrays, adam_settings, copies, sgd_arrays, sgd_settings, shapes
from tinytorch.optim import _blocking
from tinytorch.optim._blocking import BlockRunner
from tinytorch.optim.adam import adam_update
from tinytorch.optim.sgd import sgd_update


def make_runner(n_scratch, block, threads):
    """A BlockRunner that lets even tiny test arrays use threads (the default
    threshold is 256 Ki elements per thread)."""
    return BlockRunner(n_scratch, block=block, threads=threads, min_parallel=4)


def _unblocked(update, arrays, **kw):
    update(*arrays, scratch=(np.empty_like(arrays[0]), np.empty_like(arrays[0])), **kw)


@settings(max_examples=150, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=adam_settings(), seed=st.integers(0, 2**16),
       block=st.sampled_from([1, 7, 64, 1000]), threads=st.integers(1, 3))
def test_blocked_adam_equals_unblocked_bit_for_bit(shape, dtype, hp, seed, block, threads):
    expected = adam_arrays(shape, dtype, seed)
    actual = copies(expected)
    _unblocked(adam_inplace, expected, **hp)
    make_runner(2, block, threads).run(adam_inplace, actual, **hp)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


@settings(max_examples=150, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=sgd_settings(), seed=st.integers(0, 2**16),
       block=st.sampled_from([1, 7, 64, 1000]), threads=st.integers(1, 3))
def test_blocked_sgd_equals_unblocked_bit_for_bit(shape, dtype, hp, seed, block, threads):
    expected = sgd_arrays(shape, dtype, seed)
    actual = copies(expected)
    _unblocked(sgd_inplace, expected, **hp)
    make_runner(2, block, threads).run(sgd_inplace, actual, **hp)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, hp=adam_settings(), seed=st.integers(0, 2**16), block=st.sampled_from([5, 64]))
def test_tinytorch_update_functions_run_blocked_unchanged(shape, hp, seed, block):
    # The optimizers' own update functions take (arrays..., scratch=(a, b)): the
    # runner can drive them as they are, and the result is unchanged to the bit.
    expected = adam_arrays(shape, np.float64, seed)
    actual = copies(expected)
    _unblocked(adam_update, expected, **hp)
    make_runner(2, block, 2).run(adam_update, actual, **hp)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)

    p, g, b = sgd_arrays(shape, np.float32, seed)
    q, h, c = p.copy(), g.copy(), b.copy()
    kw = dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.01, nesterov=True,
              maximize=False, init_buffer=False)
    _unblocked(sgd_update, (p, g, b), **kw)
    make_runner(2, block, 2).run(sgd_update, (q, h, c), **kw)
    np.testing.assert_array_equal(q, p)
    np.testing.assert_array_equal(c, b)


def test_every_element_is_visited_exactly_once():
    n = 1000
    counts = np.zeros(n, dtype=np.int64)

    def bump(x, scratch):
        assert scratch[0].shape == x.shape  # scratch views match the block
        x += 1

    make_runner(1, 37, 3).run(bump, (counts,))
    np.testing.assert_array_equal(counts, 1)


def test_each_thread_has_its_own_scratch():
    runner = make_runner(2, 16, 3)
    seen = set()

    def record(x, scratch):
        seen.add(tuple(s.base.__array_interface__["data"][0] for s in scratch))

    runner.run(record, (np.zeros(16 * 9),))
    assert len(seen) == 3
    assert all(len(set(pair)) == 2 for pair in seen)


def test_none_entries_pass_through():
    p, g, m, v, _ = adam_arrays((100,), np.float32, 3)
    hp = dict(step=2, lr=0.01, amsgrad=False)
    expected = [p.copy(), g.copy(), m.copy(), v.copy()]
    _unblocked(adam_inplace, expected + [None], **hp)
    BlockRunner(2, block=9, threads=1).run(adam_inplace, (p, g, m, v, None), **hp)
    for a, e in zip((p, g, m, v), expected):
        np.testing.assert_array_equal(a, e)


def test_strided_arrays_are_updated_in_place_unblocked():
    base = np.arange(40, dtype=np.float64).reshape(5, 8)
    view = base[:, ::2]  # not contiguous: cannot be cut into flat blocks
    grad = np.ones_like(view)
    BlockRunner(2, block=3).run(sgd_inplace, (view, grad), lr=0.5)
    np.testing.assert_array_equal(base[:, ::2], np.arange(40.0).reshape(5, 8)[:, ::2] - 0.5)
    np.testing.assert_array_equal(base[:, 1::2], np.arange(40.0).reshape(5, 8)[:, 1::2])


def test_an_error_in_a_worker_thread_reaches_the_caller():
    def fail_in_second_half(x, scratch):
        if x[0] >= 50:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        make_runner(1, 10, 2).run(fail_in_second_half, (np.arange(100.0)[::-1].copy(),))


def test_bad_block_size_is_refused():
    with pytest.raises(ValueError, match="block must be positive"):
        BlockRunner(2, block=0)


def test_thread_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TINYTORCH_NUM_THREADS", "3")
    assert _blocking.default_threads() == 3
    assert BlockRunner(2).threads == 3
    monkeypatch.delenv("TINYTORCH_NUM_THREADS")
    assert _blocking.default_threads() >= 1


def _double_in_threads():
    x = np.arange(64.0)
    make_runner(1, 8, 2).run(lambda a, scratch: np.multiply(a, 2, out=a), (x,))
    assert np.array_equal(x, 2 * np.arange(64.0))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_working_threads():
    # The parent's pool threads do not exist in a forked child: without a
    # fresh pool the child's step would wait forever.
    _double_in_threads()  # the parent now has a pool
    child = multiprocessing.get_context("fork").Process(target=_double_in_threads)
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the inherited thread pool")
    assert child.exitcode == 0


def test_where_no_thread_can_start_one_thread_does_all_the_work(monkeypatch):
    # Pyodide (the browser): starting a thread raises RuntimeError, so the runner must
    # never try, even when asked for several; the result is the same to the bit.
    monkeypatch.setattr(_blocking, "CAN_START_THREADS", False)
    monkeypatch.setenv("TINYTORCH_NUM_THREADS", "4")
    assert _blocking.default_threads() == 1
    runner = BlockRunner(n_scratch=1, block=8, threads=4, min_parallel=8)
    assert runner.threads == 1

    def refuse(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_blocking, "_executor", refuse)
    x, y = np.arange(100.0), np.arange(100.0)
    runner.run(_scale_by_two, (x,))
    np.multiply(y, 2.0, out=y)
    assert np.array_equal(x, y)


def _scale_by_two(p, scratch):
    np.multiply(p, 2.0, out=p)
