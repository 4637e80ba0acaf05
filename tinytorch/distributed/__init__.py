"""Data-parallel training over MPI: the engine that scales past one machine.

Data parallelism runs one copy of the model per process ("rank"). Every rank

1. starts from the same parameters (:func:`broadcast_parameters` copies rank 0's),
2. computes the gradient of its own shard of the data (:func:`shard_indices`),
3. replaces that gradient by the average over all ranks (:func:`allreduce_gradients`:
   an MPI ``Allreduce`` that sums, then a division), and
4. takes the same optimizer step.

Because every rank applies the same step to the same parameters, the copies never
drift apart, and the averaged gradient is the gradient of the whole batch: N ranks
together make exactly the step one process would make on all the data (up to the
rounding of a sum taken in a different order). This is what PyTorch's
``DistributedDataParallel`` does (Li et al., 2020), minus its overlap of
communication with the backward pass.

Communication uses `mpi4py <https://mpi4py.readthedocs.io>`_, imported only when a
communicator is needed, so ``import tinytorch.distributed`` always works. Install it
with the MPICH library (both are wheels, no system packages needed)::

    pip install 'optimizers-executably[mpi]'      # mpi4py + the mpich wheel

and launch any script with ``mpiexec -n 4 python train.py``. Without mpi4py, and not
started by ``mpiexec``, :func:`get_comm` returns a :class:`SingleProcessComm` (world
size 1) and every function here is a no-op, so the same script also runs alone.

Example (``python -m tinytorch.distributed.demo`` is a complete one)::

    from tinytorch import distributed as dist

    comm = dist.get_comm()
    model = make_model()
    dist.broadcast_parameters(model.parameters(), comm=comm)
    rows = dist.shard_indices(len(X), comm.Get_rank(), comm.Get_size())
    X_local, y_local = X[rows], y[rows]
    for step in range(steps):
        optimizer.zero_grad()
        loss_fn(model(X_local), y_local).backward()
        dist.allreduce_gradients(model.parameters(), comm=comm, weight=len(rows))
        optimizer.step()
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np

from tinytorch.core.tensor import Tensor, as_tensor

__all__ = [
    "INSTALL_HINT",
    "require_mpi",
    "SingleProcessComm",
    "get_comm",
    "get_rank",
    "get_world_size",
    "shard_indices",
    "shard",
    "broadcast_parameters",
    "allreduce_gradients",
    "find_mpiexec",
]

#: What to do when mpi4py is missing (the text of the ImportError).
INSTALL_HINT = (
    "tinytorch.distributed needs mpi4py and an MPI library for more than one process. "
    "Install both (wheels, no system packages) with:  pip install 'optimizers-executably[mpi]'  "
    "(or: pip install mpi4py mpich), then start N processes with:  mpiexec -n N python script.py"
)

# Environment variables by which MPI launchers tell a process how many ranks were started.
_LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


def require_mpi():
    """The ``mpi4py.MPI`` module; ImportError with :data:`INSTALL_HINT` if mpi4py is missing.

    Importing ``mpi4py.MPI`` initialises MPI (once per process), which is why this
    module imports it only here, on first use.
    """
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return MPI


class SingleProcessComm:
    """The world of one process: rank 0 of size 1, with the part of mpi4py's
    ``Comm`` interface this module uses (collectives on one rank change nothing).

    :func:`get_comm` returns it when mpi4py is not installed, so a data-parallel
    script still runs, as ordinary single-process training.
    """

    def Get_rank(self) -> int:
        return 0

    def Get_size(self) -> int:
        return 1

    def Barrier(self) -> None:
        pass

    def Bcast(self, buf, root: int = 0) -> None:
        _check_root(root, 1)

    def Allreduce(self, sendbuf, recvbuf, op=None) -> None:
        # With one rank the sum is the value itself; mpi4py's IN_PLACE marker is
        # not an array, so only an explicit send buffer needs copying.
        if isinstance(sendbuf, np.ndarray) and isinstance(recvbuf, np.ndarray):
            np.copyto(recvbuf, sendbuf)

    def bcast(self, obj, root: int = 0):
        _check_root(root, 1)
        return obj

    def allreduce(self, obj, op=None):
        return obj

    def __repr__(self) -> str:
        return "SingleProcessComm(rank=0, size=1)"


def _launched_with_several_ranks() -> bool:
    for name in _LAUNCHER_SIZE_VARIABLES:
        try:
            if int(os.environ.get(name, "1")) > 1:
                return True
        except ValueError:
            continue
    return False


def get_comm(comm=None):
    """The communicator to use: ``comm`` if given, else ``MPI.COMM_WORLD``.

    If mpi4py is not installed this returns a :class:`SingleProcessComm` -- unless
    the process was started by an MPI launcher with more than one rank (then N
    copies would each train alone, silently): that raises the ImportError of
    :func:`require_mpi`, which says how to install mpi4py.
    """
    if comm is not None:
        return comm
    try:
        return require_mpi().COMM_WORLD
    except ImportError:
        if _launched_with_several_ranks():
            raise
        return SingleProcessComm()


def get_rank(comm=None) -> int:
    """This process's rank, 0 ... world size − 1 (0 for a single process)."""
    return int(get_comm(comm).Get_rank())


def get_world_size(comm=None) -> int:
    """The number of processes (1 for a single process)."""
    return int(get_comm(comm).Get_size())


def _check_root(root, size) -> None:
    if isinstance(root, bool) or not isinstance(root, (int, np.integer)) or not 0 <= root < size:
        raise ValueError(f"root must be a rank in 0..{size - 1}, but got {root!r}")


def _check_count(name, value, minimum) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, but got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- data
def shard_indices(n: int, rank: int, world_size: int, strategy: str = "contiguous",
                  seed: int | None = None) -> np.ndarray:
    """The indices of the examples ``0 .. n−1`` that rank ``rank`` of ``world_size`` owns.

    Every index belongs to exactly one rank, and the shard sizes differ by at most
    one (nothing is padded or dropped). Deterministic: every rank computes every
    shard identically, with no communication.

    Args:
        n: number of examples.
        rank, world_size: this process's rank and the number of processes.
        strategy: ``"contiguous"`` -- rank r gets one block of consecutive indices,
            the first ``n % world_size`` ranks one more than the rest (``np.array_split``'s
            blocks); ``"strided"`` -- rank r gets ``r, r + world_size, r + 2·world_size, ...``
            (PyTorch's ``DistributedSampler`` order, without its padding).
        seed: if given, the indices are first permuted with
            ``np.random.default_rng(seed)`` -- the same permutation on every rank --
            so each shard is a random sample; use a new seed each epoch to reshuffle.

    Returns:
        A 1-D int64 array of indices.
    """
    n = _check_count("n", n, 0)
    world_size = _check_count("world_size", world_size, 1)
    rank = _check_count("rank", rank, 0)
    if rank >= world_size:
        raise ValueError(f"rank must be < world_size ({world_size}), but got {rank}")
    if strategy == "contiguous":
        base, extra = divmod(n, world_size)
        start = rank * base + min(rank, extra)
        local = np.arange(start, start + base + (rank < extra), dtype=np.int64)
    elif strategy == "strided":
        local = np.arange(rank, n, world_size, dtype=np.int64)
    else:
        raise ValueError(f"strategy must be 'contiguous' or 'strided', but got {strategy!r}")
    if seed is None:
        return local
    return np.random.default_rng(seed).permutation(n)[local]


def shard(*arrays, comm=None, strategy: str = "contiguous", seed: int | None = None):
    """This rank's rows of each array (Tensors stay Tensors), all with the same indices.

    ``X_local, y_local = shard(X, y, comm=comm)``. See :func:`shard_indices`.
    """
    if not arrays:
        raise ValueError("shard needs at least one array")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"shard: the arrays must have the same length, but got lengths {sorted(lengths)}")
    comm = get_comm(comm)
    rows = shard_indices(lengths.pop(), comm.Get_rank(), comm.Get_size(), strategy, seed)
    out = tuple(as_tensor(a.numpy()[rows]) if isinstance(a, Tensor) else np.asarray(a)[rows]
                for a in arrays)
    return out if len(out) > 1 else out[0]


# --------------------------------------------------------------------------- parameters
def _as_parameter_list(parameters, what: str) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{what} must contain only Tensors, but one of them is {type(p).__name__}")
    return params


def _mpi_buffer(array: np.ndarray, what: str) -> np.ndarray:
    if array.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{what} has dtype {array.dtype}; MPI reductions here support float32 and float64 "
            "(keep float32 master gradients in mixed-precision training)"
        )
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError(f"{what} must be a writeable C-contiguous array to be communicated in place")
    return array


def broadcast_parameters(parameters, root: int = 0, comm=None) -> None:
    """Overwrite every rank's parameters with rank ``root``'s, in place (MPI ``Bcast``).

    Call it once after building the model (each rank may have initialised it
    differently) and before creating the optimizer.
    """
    comm = get_comm(comm)
    _check_root(root, comm.Get_size())
    params = _as_parameter_list(parameters, "parameters")
    if comm.Get_size() == 1:
        return
    for i, p in enumerate(params):
        comm.Bcast(_mpi_buffer(p.numpy(), f"parameter {i}"), root=root)


def _gradient_arrays(params) -> list:
    """The ``.grad`` arrays of ``params``, checked to be communicable in place."""
    grads = []
    for i, p in enumerate(params):
        if p.grad is None:
            raise ValueError(
                f"parameter {i} has no gradient: call backward() first (every rank must "
                "produce a gradient for every parameter, or the ranks' messages would not match)"
            )
        grads.append(_mpi_buffer(p.grad.numpy(), f"the gradient of parameter {i}"))
    return grads


def _checked_weight(weight) -> float | None:
    if weight is None:
        return None
    if isinstance(weight, bool) or not isinstance(weight, (int, float, np.integer, np.floating)) \
            or not 0 < float(weight) < np.inf:
        raise ValueError(f"weight must be a positive finite number, but got {weight!r}")
    return float(weight)


def allreduce_gradients(parameters, comm=None, weight=None, bucket=True):
    """Replace every gradient by its average over the ranks, in place.

    Without ``weight``, with R ranks:  g = (g_0 + ... + g_{R-1}) / R.
    With ``weight`` w_r (say, the number of examples in the shard):

        g = (w_0 g_0 + ... + w_{R-1} g_{R-1}) / (w_0 + ... + w_{R-1})

    For a loss that averages over each shard, this is the gradient of
    the mean loss over all shards, also when their sizes differ (the
    plain average is that only when all shards have the same size).

    Args:
        parameters: Tensors whose ``.grad`` (float32 or float64) is
            averaged; the same ones, in the same order, on every rank.
        comm: the communicator (default: :func:`get_comm`).
        weight: this rank's weight w_r > 0, or None for equal weights.
        bucket: True (default) copies the gradients of each dtype into
            one flat buffer and all-reduces it with one call, like the
            gradient buckets of DistributedDataParallel; False makes
            one call per ``.grad`` array. Same arithmetic, same results.
    """
    comm = get_comm(comm)
    grads = _gradient_arrays(_as_parameter_list(parameters, "parameters"))
    weight = _checked_weight(weight)
    if comm.Get_size() == 1 or not grads:
        return                        # the average over one rank: unchanged
    MPI = require_mpi()
    if weight is None:
        total = float(comm.Get_size())
    else:
        total = comm.allreduce(weight, op=MPI.SUM)     # w_0 + ... + w_{R-1}
    if bucket:
        for dtype in dict.fromkeys(g.dtype for g in grads):
            members = [g for g in grads if g.dtype == dtype]
            flat = np.concatenate([g.ravel() for g in members])  # a copy
            if weight is not None:
                flat *= weight
            comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)  # sum over ranks
            flat /= total                                   # the average
            offset = 0
            for g in members:                    # back into each .grad
                g[...] = flat[offset:offset + g.size].reshape(g.shape)
                offset += g.size
    else:
        for g in grads:
            if weight is not None:
                g *= weight
            comm.Allreduce(MPI.IN_PLACE, g, op=MPI.SUM)
            g /= total


# --------------------------------------------------------------------------- launching
def find_mpiexec() -> str | None:
    """The ``mpiexec`` to launch with: the one next to this Python (the ``mpich``
    wheel installs it into the environment's ``bin``), else the first on ``PATH``,
    else None."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("mpiexec")
