"""tinytorch.distributed: single-process behaviour here, real MPI ranks via mpiexec.

The multi-process checks live in mpi_worker.py and run under ``mpiexec -n 2``
(skipped, with the reason, when mpi4py or mpiexec is missing). This process never
imports mpi4py itself, so the suite does not initialise MPI.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor
from tinytorch import distributed as dist
from tinytorch import nn
from tinytorch.optim import SGD

HERE = Path(__file__).resolve().parent
WORKER = HERE / "mpi_worker.py"
MPIEXEC = dist.find_mpiexec()
HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None
needs_mpi = pytest.mark.skipif(
    not (HAVE_MPI4PY and MPIEXEC),
    reason="needs mpi4py and an mpiexec: pip install 'optimizers-executably[mpi]'",
)


def mpi_env() -> dict:
    """The current environment, one BLAS/tinytorch thread per rank (no oversubscription)."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", TINYTORCH_NUM_THREADS="1")
    return env


@pytest.fixture
def no_mpi4py(monkeypatch):
    """Make `from mpi4py import MPI` fail, as on a machine without mpi4py."""
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"):
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------------------- imports
def test_import_never_needs_mpi4py(no_mpi4py):
    import importlib

    module = importlib.reload(dist)
    assert module.get_world_size() == 1


def test_require_mpi_says_how_to_install(no_mpi4py):
    with pytest.raises(ImportError) as info:
        dist.require_mpi()
    message = str(info.value)
    assert "pip install 'optimizers-executably[mpi]'" in message
    assert "mpiexec -n" in message
    assert isinstance(info.value.__cause__, ImportError)


def test_get_comm_falls_back_to_one_process(no_mpi4py):
    comm = dist.get_comm()
    assert isinstance(comm, dist.SingleProcessComm)
    assert (dist.get_rank(), dist.get_world_size()) == (0, 1)


@pytest.mark.parametrize("variable", ["PMI_SIZE", "OMPI_COMM_WORLD_SIZE"])
def test_several_ranks_without_mpi4py_is_an_error(no_mpi4py, monkeypatch, variable):
    # Started by mpiexec -n 4 but unable to talk: 4 lonely copies would be silently wrong.
    monkeypatch.setenv(variable, "4")
    with pytest.raises(ImportError, match="optimizers-executably"):
        dist.get_comm()
    monkeypatch.setenv(variable, "1")
    assert isinstance(dist.get_comm(), dist.SingleProcessComm)


def test_an_explicit_comm_is_used_as_is():
    comm = dist.SingleProcessComm()
    assert dist.get_comm(comm) is comm


# ----------------------------------------------------------------------------- world size 1
def make_params():
    tinytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.Tanh(), nn.Linear(4, 2))
    params = list(model.parameters())
    rng = np.random.default_rng(1)
    for p in params:
        p.grad = Tensor(rng.standard_normal(p.shape).astype(p.dtype))
    return params


@pytest.mark.parametrize("weight", [None, 7, 0.25])
@pytest.mark.parametrize("bucket", [True, False])
def test_single_process_allreduce_leaves_gradients_alone(weight, bucket):
    params = make_params()
    before = [p.grad.numpy().copy() for p in params]
    grad_arrays = [p.grad.numpy() for p in params]
    dist.allreduce_gradients(params, comm=dist.SingleProcessComm(), weight=weight, bucket=bucket)
    for p, b, array in zip(params, before, grad_arrays):
        assert p.grad.numpy() is array                 # in place: the same arrays
        assert np.array_equal(array, b)                # the average over one rank


def test_single_process_broadcast_is_a_no_op():
    params = make_params()
    before = [p.numpy().copy() for p in params]
    dist.broadcast_parameters(params, comm=dist.SingleProcessComm())
    assert all(np.array_equal(p.numpy(), b) for p, b in zip(params, before))


def test_single_process_comm_interface():
    comm = dist.SingleProcessComm()
    a, b = np.arange(3.0), np.zeros(3)
    comm.Allreduce(a, b)
    assert np.array_equal(a, b)
    comm.Bcast(a, root=0)
    comm.Barrier()
    assert comm.bcast("x") == "x" and comm.allreduce(2.5) == 2.5
    with pytest.raises(ValueError, match="root"):
        comm.Bcast(a, root=1)
    assert "size=1" in repr(comm)


def test_training_with_the_fallback_is_ordinary_training():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 3)), rng.integers(0, 2, 30)

    def run(use_dist):
        tinytorch.manual_seed(2)
        model = nn.Sequential(nn.Linear(3, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64))
        params = list(model.parameters())
        optimizer = SGD(params, lr=0.3, momentum=0.9)
        for _ in range(10):
            optimizer.zero_grad()
            nn.CrossEntropyLoss()(model(Tensor(X)), Tensor(y)).backward()
            if use_dist:
                dist.allreduce_gradients(params, comm=dist.SingleProcessComm(), weight=len(X))
            optimizer.step()
        return [p.numpy() for p in params]

    assert all(np.array_equal(a, b) for a, b in zip(run(True), run(False)))


# ----------------------------------------------------------------------------- validation
def test_allreduce_rejects_missing_gradients_and_bad_weights():
    params = make_params()
    params[1].grad = None
    with pytest.raises(ValueError, match="parameter 1 has no gradient"):
        dist.allreduce_gradients(params, comm=dist.SingleProcessComm())
    params = make_params()
    for bad in (0, -1.0, float("inf"), float("nan"), True, "2"):
        with pytest.raises(ValueError, match="weight"):
            dist.allreduce_gradients(params, comm=dist.SingleProcessComm(), weight=bad)


def test_allreduce_rejects_float16_gradients():
    p = Tensor(np.zeros(3, dtype=np.float16), requires_grad=True)
    p.grad = Tensor(np.ones(3, dtype=np.float16))
    with pytest.raises(TypeError, match="float32 and float64"):
        dist.allreduce_gradients([p], comm=dist.SingleProcessComm())


def test_non_tensors_are_rejected():
    with pytest.raises(TypeError, match="only Tensors"):
        dist.allreduce_gradients([np.zeros(3)], comm=dist.SingleProcessComm())
    with pytest.raises(ValueError, match="root"):
        dist.broadcast_parameters(make_params(), root=2, comm=dist.SingleProcessComm())


# ----------------------------------------------------------------------------- sharding
@pytest.mark.parametrize("strategy", ["contiguous", "strided"])
@pytest.mark.parametrize("n", [0, 1, 5, 12, 1437])
@pytest.mark.parametrize("world_size", [1, 2, 3, 7])
@pytest.mark.parametrize("seed", [None, 4])
def test_shards_partition_the_indices(strategy, n, world_size, seed):
    shards = [dist.shard_indices(n, r, world_size, strategy, seed) for r in range(world_size)]
    assert np.array_equal(np.sort(np.concatenate(shards)), np.arange(n))
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1
    assert all(s.dtype == np.int64 for s in shards)
    # deterministic: computed again, the same
    assert all(np.array_equal(s, dist.shard_indices(n, r, world_size, strategy, seed))
               for r, s in enumerate(shards))


def test_shard_layouts():
    assert [dist.shard_indices(10, r, 3).tolist() for r in range(3)] == [
        [0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert [dist.shard_indices(10, r, 3, "strided").tolist() for r in range(3)] == [
        [0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    permutation = np.random.default_rng(4).permutation(10)
    assert dist.shard_indices(10, 1, 3, seed=4).tolist() == permutation[4:7].tolist()


def test_shard_validation():
    with pytest.raises(ValueError, match="rank must be < world_size"):
        dist.shard_indices(10, 3, 3)
    with pytest.raises(ValueError, match="strategy"):
        dist.shard_indices(10, 0, 3, strategy="random")
    with pytest.raises(ValueError, match="world_size"):
        dist.shard_indices(10, 0, 0)
    with pytest.raises(ValueError, match="same length"):
        dist.shard(np.zeros(3), np.zeros(4), comm=dist.SingleProcessComm())


def test_shard_on_one_process_returns_everything():
    X = Tensor(np.arange(12.0).reshape(6, 2))
    X_local, y_local = dist.shard(X, np.arange(6), comm=dist.SingleProcessComm())
    assert isinstance(X_local, Tensor) and np.array_equal(X_local.numpy(), X.numpy())
    assert np.array_equal(y_local, np.arange(6))


def test_find_mpiexec_prefers_the_one_beside_python():
    found = dist.find_mpiexec()
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.is_file():
        assert found == str(beside)


# ----------------------------------------------------------------------------- real MPI
def run(args, timeout=60):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=mpi_env())


@needs_mpi
def test_under_mpiexec_with_two_ranks():
    result = run([MPIEXEC, "-n", "2", sys.executable, str(WORKER)])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for check in ("allreduce average exact", "weighted allreduce", "same averaged gradient",
                  "shards cover every index exactly once", "broadcast makes every rank",
                  "data-parallel SGD == full-batch SGD"):
        assert any(line.startswith("PASS") and check in line for line in lines), result.stdout
    assert lines[-1] == "ALL PASSED 2"


@needs_mpi
def test_demo_script_two_ranks_equals_one_process(tmp_path):
    X, y = np.random.default_rng(3).standard_normal((41, 64)), np.arange(41) % 10
    np.savez(tmp_path / "data.npz", X=X, y=y)
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"result{n}.npz"
        result = run([MPIEXEC, "-n", str(n), sys.executable, "-m", "tinytorch.distributed.demo",
                      "--steps", "5", "--hidden", "8", "--data", str(tmp_path / "data.npz"),
                      "--out", str(out)])
        assert result.returncode == 0, result.stdout + result.stderr
        outs[n] = np.load(out)
    assert outs[2]["shard_sizes"].tolist() == [21, 20]
    assert float(outs[2]["rank_divergence"]) == 0.0
    for i in range(int(outs[1]["n_params"])):
        assert np.array_equal(outs[1][f"initial_{i}"], outs[2][f"initial_{i}"])
        assert np.abs(outs[1][f"final_{i}"] - outs[2][f"final_{i}"]).max() <= 1e-12


@needs_mpi
def test_demo_script_runs_alone_without_mpiexec(tmp_path):
    # MPI singleton: a world of one, the same script unchanged
    X, y = np.random.default_rng(3).standard_normal((12, 64)), np.arange(12) % 10
    np.savez(tmp_path / "data.npz", X=X, y=y)
    result = run([sys.executable, "-m", "tinytorch.distributed.demo", "--steps", "2", "--hidden", "4",
                  "--data", str(tmp_path / "data.npz")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("world size 1: shards [12]")
