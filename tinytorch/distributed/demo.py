"""Data-parallel SGD over MPI on the digits data, with every number saved for checking.

Run it on 2 processes of this machine (any N works; N = 1 is ordinary training)::

    mpiexec -n 2 python -m tinytorch.distributed.demo --out result.npz

and on a cluster the same way, with more ranks spread over hosts (the same Python
environment must exist on every host, e.g. on a shared file system)::

    mpiexec -n 16 -hosts node1,node2 python -m tinytorch.distributed.demo --out result.npz

Inside a Slurm allocation, MPICH's ``mpiexec`` finds the allocated nodes by itself.

What it does, on every rank:

1. builds a float64 MLP 64 → hidden → 10, deliberately initialised with a different
   seed on each rank, then copies rank 0's parameters to all ranks
   (``broadcast_parameters``);
2. takes its shard of the data (``shard_indices``; by default the 1437 digits
   training images: with 2 ranks 719 and 718 rows, so the gradients are averaged
   weighted by shard size);
3. repeats: forward and backward on its whole shard (mean cross-entropy),
   ``allreduce_gradients``, an SGD-with-momentum step.

Rank 0 then writes ``--out`` (an ``.npz``): the initial and final parameters, the
loss of every step, the shard sizes, the largest difference between any two ranks'
final parameters (0 when the copies stayed identical), and wall-clock times: of
every step on every rank (``step_times``, ranks × steps), of the all-reduce inside
it (``comm_times``, which includes waiting for the slowest rank), and of bare
all-reduces of a gradient-sized buffer with the ranks in step (``transfer_times``).
The book's chapter trains the same model in one process on all the data at once
and compares.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import tinytorch
from tinytorch import distributed as dist
from tinytorch import nn
from tinytorch.optim import SGD

#: The defaults the chapter uses; its single-process reference uses the same.
DEFAULTS = {"steps": 40, "hidden": 64, "lr": 0.1, "momentum": 0.9, "seed": 0}


def make_model(hidden: int, seed: int) -> nn.Sequential:
    """The float64 MLP 64 → hidden → 10 (tanh), initialised from ``seed``."""
    tinytorch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(64, hidden, dtype=np.float64), nn.Tanh(), nn.Linear(hidden, 10, dtype=np.float64)
    )


def load_data(path=None):
    """Features (float64) and classes (int64): the arrays ``X`` and ``y`` of the
    ``.npz`` file ``path``, or by default the digits training split."""
    if path is not None:
        with np.load(path) as saved:
            return saved["X"].astype(np.float64), saved["y"].astype(np.int64)
    from tinytorch.datasets import load_digits      # imports scikit-learn: only when needed

    data = load_digits()
    return data.X_train.numpy().astype(np.float64), data.y_train.numpy()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"])
    parser.add_argument("--hidden", type=int, default=DEFAULTS["hidden"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--momentum", type=float, default=DEFAULTS["momentum"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="rank 0's initialisation seed")
    parser.add_argument("--strategy", choices=("contiguous", "strided"), default="contiguous")
    parser.add_argument("--data", help="an .npz with arrays X (features) and y (classes); default: digits")
    parser.add_argument("--out", help="where rank 0 saves the results (.npz)")
    args = parser.parse_args(argv)

    comm = dist.get_comm()
    rank, size = comm.Get_rank(), comm.Get_size()

    # 1. A different initialisation on every rank ... then everyone takes rank 0's.
    model = make_model(args.hidden, args.seed + rank)
    params = list(model.parameters())
    dist.broadcast_parameters(params, root=0, comm=comm)
    initial = [p.numpy().copy() for p in params]

    # 2. This rank's rows of the data.
    X, y = load_data(args.data)
    rows = dist.shard_indices(len(X), rank, size, strategy=args.strategy)
    X_local, y_local = tinytorch.Tensor(X[rows]), tinytorch.Tensor(y[rows])
    shard_sizes = comm.allgather(len(rows)) if size > 1 else [len(rows)]

    # 3. Train: the local gradient, averaged over the ranks, the same step everywhere.
    optimizer = SGD(params, lr=args.lr, momentum=args.momentum)
    loss_fn = nn.CrossEntropyLoss()
    losses, step_times, comm_times = [], [], []
    comm.Barrier()
    for _ in range(args.steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(X_local), y_local)
        loss.backward()
        before_comm = time.perf_counter()
        dist.allreduce_gradients(params, comm=comm, weight=len(rows))
        after_comm = time.perf_counter()
        optimizer.step()
        step_times.append(time.perf_counter() - start)
        comm_times.append(after_comm - before_comm)
        # the loss over all the data, for the record (outside the timed step)
        losses.append(comm.allreduce(loss.item() * len(rows)) / len(X) if size > 1 else loss.item())

    # Did the copies stay identical? The largest difference between rank 0 and any rank.
    final = [p.numpy().copy() for p in params]
    mine = np.concatenate([f.ravel() for f in final])
    # Every rank's timings, for rank 0 to save: (ranks, steps) arrays.
    step_times = comm.gather(step_times, root=0) if size > 1 else [step_times]
    comm_times = comm.gather(comm_times, root=0) if size > 1 else [comm_times]
    if size > 1:
        MPI = dist.require_mpi()
        root_copy = comm.bcast(mine if rank == 0 else None, root=0)
        divergence = comm.allreduce(float(np.abs(mine - root_copy).max()), op=MPI.MAX)
        # Communication alone: all-reduce a buffer the size of all gradients, ranks in step.
        buffer = np.zeros_like(mine)
        transfer_times = []
        for _ in range(50):
            comm.Barrier()
            start = time.perf_counter()
            comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
            transfer_times.append(time.perf_counter() - start)
    else:
        divergence, transfer_times = 0.0, [0.0]

    if rank == 0:
        compute = np.median(np.subtract(step_times, comm_times), axis=1)
        print(f"world size {size}: shards {shard_sizes}, final loss {losses[-1]:.6f}, "
              f"median step {1e3 * np.median(step_times[0]):.3f} ms, "
              f"computing {', '.join(f'{1e3 * c:.3f}' for c in compute)} ms (by rank), "
              f"bare all-reduce {1e3 * np.median(transfer_times):.3f} ms, "
              f"ranks differ by {divergence:.1e}")
        if args.out:
            np.savez(
                args.out, world_size=size, shard_sizes=np.array(shard_sizes), losses=np.array(losses),
                step_times=np.array(step_times), comm_times=np.array(comm_times),
                transfer_times=np.array(transfer_times), rank_divergence=divergence,
                gradient_bytes=mine.nbytes, n_params=len(params),
                **{f"initial_{i}": a for i, a in enumerate(initial)},
                **{f"final_{i}": a for i, a in enumerate(final)},
            )


if __name__ == "__main__":
    main()
