"""Checks of tinytorch.distributed that need several real MPI processes.

Run by tests/distributed/test_distributed.py as

    mpiexec -n 2 python tests/distributed/mpi_worker.py

(any number of ranks works). Every rank runs every check; rank 0 prints one
``PASS <name>`` line per check and finally ``ALL PASSED <world size>``. A failing
check prints its traceback and aborts every rank (so nothing hangs in a collective),
which makes mpiexec exit non-zero.
"""
from __future__ import annotations

import sys
import traceback

import numpy as np

import tinytorch
from tinytorch import Tensor
from tinytorch import distributed as dist
from tinytorch import nn
from tinytorch.optim import SGD

MPI = dist.require_mpi()
COMM = MPI.COMM_WORLD
RANK, SIZE = COMM.Get_rank(), COMM.Get_size()


def report(name: str) -> None:
    COMM.Barrier()
    if RANK == 0:
        print(f"PASS {name}", flush=True)


def params_with_grads(values_per_rank):
    """Parameters whose gradients on rank r are values_per_rank(r, i) (float64 and float32)."""
    shapes, dtypes = [(3, 4), (5,), (2, 2, 2)], [np.float64, np.float32, np.float64]
    params = []
    for i, (shape, dtype) in enumerate(zip(shapes, dtypes)):
        p = Tensor(np.zeros(shape, dtype=dtype), requires_grad=True)
        p.grad = Tensor(np.asarray(values_per_rank(RANK, i, shape), dtype=dtype))
        params.append(p)
    return params


def check_allreduce_average_is_exact():
    # Rank r holds 2r + i: every sum is a small integer and so is the average (the mean
    # of an arithmetic progression of integers), all exact: equal to the bit.
    for bucket in (True, False):
        params = params_with_grads(lambda r, i, shape: np.full(shape, float(2 * r + i)))
        dist.allreduce_gradients(params, comm=COMM, bucket=bucket)
        for i, p in enumerate(params):
            expected = np.mean([2 * r + i for r in range(SIZE)])
            assert p.grad.dtype == p.dtype
            assert np.array_equal(p.grad.numpy(), np.full(p.shape, expected, dtype=p.dtype)), (bucket, i)
    report("allreduce average exact (bucketed and per tensor)")


def check_weighted_average():
    rng = np.random.default_rng(7)
    all_values = [[rng.standard_normal(s) for s in [(3, 4), (5,), (2, 2, 2)]] for _ in range(SIZE)]
    weights = [3 + 2 * r for r in range(SIZE)]
    results = []
    for bucket in (True, False):
        params = params_with_grads(lambda r, i, shape: all_values[r][i])
        dist.allreduce_gradients(params, comm=COMM, weight=weights[RANK], bucket=bucket)
        results.append([p.grad.numpy().copy() for p in params])
        for i, p in enumerate(params):
            expected = sum(w * v[i].astype(p.dtype) for w, v in zip(weights, all_values)) / sum(weights)
            assert np.allclose(p.grad.numpy(), expected, rtol=1e-6 if p.dtype == np.float32 else 1e-14)
    # bucketed and per-tensor reductions do the same arithmetic: identical results
    assert all(np.array_equal(a, b) for a, b in zip(*results))
    report("weighted allreduce = weighted mean; bucket == per tensor")


def check_ranks_agree_bitwise():
    rng = np.random.default_rng(100 + RANK)               # different gradients on every rank
    params = params_with_grads(lambda r, i, shape: rng.standard_normal(shape))
    dist.allreduce_gradients(params, comm=COMM)
    flat = np.concatenate([p.grad.numpy().astype(np.float64).ravel() for p in params])
    gathered = COMM.allgather(flat)
    assert all(np.array_equal(gathered[0], g) for g in gathered)
    report("every rank holds the same averaged gradient")


def check_shards_cover_every_index_once():
    for n in (0, 1, SIZE - 1, SIZE, 10, 1437):
        for strategy in ("contiguous", "strided"):
            for seed in (None, 3):
                mine = dist.shard_indices(n, RANK, SIZE, strategy=strategy, seed=seed)
                everything = np.concatenate(COMM.allgather(mine))
                assert np.array_equal(np.sort(everything), np.arange(n)), (n, strategy, seed)
                sizes = COMM.allgather(len(mine))
                assert max(sizes) - min(sizes) <= 1
    # shard() hands out the matching rows of several arrays
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    X_local, y_local = dist.shard(Tensor(X), y, comm=COMM)
    assert isinstance(X_local, Tensor) and np.array_equal(X_local.numpy()[:, 0] // 2, y_local)
    report("shards cover every index exactly once")


def check_broadcast_makes_parameters_equal():
    tinytorch.manual_seed(10 + RANK)                      # a different model on every rank
    model = nn.Sequential(nn.Linear(4, 6, dtype=np.float64), nn.Tanh(), nn.Linear(6, 2))
    params = list(model.parameters())
    before = np.concatenate([p.numpy().astype(np.float64).ravel() for p in params])
    root_before = COMM.bcast(before, root=0)
    if RANK != 0:
        assert not np.array_equal(before, root_before)
    dist.broadcast_parameters(params, root=0, comm=COMM)
    after = np.concatenate([p.numpy().astype(np.float64).ravel() for p in params])
    assert np.array_equal(after, root_before)
    report("broadcast makes every rank's parameters equal to rank 0's")


def check_data_parallel_equals_full_batch():
    rng = np.random.default_rng(0)
    n = 101                                              # not divisible by 2 or 3: unequal shards
    X = rng.standard_normal((n, 5))
    y = rng.integers(0, 3, n)

    def make():
        tinytorch.manual_seed(1)
        return nn.Sequential(nn.Linear(5, 8, dtype=np.float64), nn.Tanh(), nn.Linear(8, 3, dtype=np.float64))

    def train(model, rows, comm):
        params = list(model.parameters())
        optimizer = SGD(params, lr=0.5, momentum=0.9)
        inputs, targets = Tensor(X[rows]), Tensor(y[rows])
        for _ in range(25):
            optimizer.zero_grad()
            nn.CrossEntropyLoss()(model(inputs), targets).backward()
            dist.allreduce_gradients(params, comm=comm, weight=len(rows))
            optimizer.step()
        return np.concatenate([p.numpy().ravel() for p in params])

    full = train(make(), np.arange(n), dist.SingleProcessComm())
    for strategy in ("contiguous", "strided"):
        parallel = train(make(), dist.shard_indices(n, RANK, SIZE, strategy), COMM)
        error = np.abs(parallel - full).max()
        assert error <= 1e-12, (strategy, error)
        if RANK == 0:
            print(f"data-parallel vs full batch ({strategy}): max |difference| = {error:.1e}", flush=True)
    report("data-parallel SGD == full-batch SGD to 1e-12")


def main() -> None:
    try:
        check_allreduce_average_is_exact()
        check_weighted_average()
        check_ranks_agree_bitwise()
        check_shards_cover_every_index_once()
        check_broadcast_makes_parameters_equal()
        check_data_parallel_equals_full_batch()
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        COMM.Abort(1)
    if RANK == 0:
        print(f"ALL PASSED {SIZE}", flush=True)


if __name__ == "__main__":
    main()
