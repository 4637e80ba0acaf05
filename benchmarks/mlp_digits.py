"""One training epoch of an MLP 64-128-10 on sklearn digits: tinytorch vs PyTorch.

    python benchmarks/mlp_digits.py [--epochs 20] [--runs 3] [--quick] [--no-torch]

Both frameworks train the same recipe: Linear(64,128) → ReLU → Linear(128,10),
cross-entropy, Adam(lr=1e-3), batch 32 reshuffled every epoch, 1437 standardized
training images (tinytorch.datasets.load_digits). Each epoch (forward, backward,
optimizer step, data loading) is timed with time.perf_counter; we report the
median epoch time over all epochs of all runs, and the test accuracy after the
last epoch of each run. PyTorch is timed in the same process when importable,
with the same loader (a shuffled permutation, one index per batch: torch's
DataLoader would fetch and collate sample by sample); the two alternate epoch
by epoch, so background load on the machine hits both alike.
Results: mlp_digits.json in the run's output folder (benchmarks/results/latest/ by
default, --out DIR otherwise); the book's copy changes only with
``python -m benchmarks --update-snapshot``.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

import tinytorch  # noqa: E402
from tinytorch import nn  # noqa: E402
from tinytorch.data import DataLoader, TensorDataset
from tinytorch.optim import Adam

BATCH_SIZE, LEARNING_RATE = 32, 1e-3


def tinytorch_training(data, seed):
    """Train forever, yielding each epoch's seconds; `.send("accuracy")` returns the test accuracy."""
    tinytorch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = Adam(model.parameters(), lr=LEARNING_RATE)
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(data.X_train, data.y_train), batch_size=BATCH_SIZE, shuffle=True, seed=seed)

    def accuracy():
        with tinytorch.no_grad():
            predicted = model(data.X_test).argmax(axis=1).numpy()
        return float((predicted == data.y_test.numpy()).mean())

    while True:
        start = time.perf_counter()
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        request = yield time.perf_counter() - start
        if request == "accuracy":
            yield accuracy()


def torch_training(torch, data, seed, threads):
    """The same recipe in PyTorch, with the same whole-batch indexing loader, on `threads` threads."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    criterion = torch.nn.CrossEntropyLoss()
    X_train, y_train = torch.from_numpy(data.X_train.numpy()), torch.from_numpy(data.y_train.numpy())
    generator = torch.Generator().manual_seed(seed)

    def loader():
        # Whole-batch indexing, as tinytorch's DataLoader does: one fancy index per
        # batch. (torch's DataLoader would call __getitem__ per sample and collate,
        # which would time the loader, not the training step.)
        order = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            yield X_train[batch], y_train[batch]

    def accuracy():
        with torch.no_grad():
            predicted = model(torch.from_numpy(data.X_test.numpy())).argmax(dim=1).numpy()
        return float((predicted == data.y_test.numpy()).mean())

    while True:
        torch.set_num_threads(threads)  # global in PyTorch: set again for each epoch
        start = time.perf_counter()
        for inputs, targets in loader():
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
        request = yield time.perf_counter() - start
        if request == "accuracy":
            yield accuracy()


def run_interleaved(trainings, epochs):
    """Alternate epochs between the frameworks, so both see the same machine load."""
    seconds = {name: [] for name in trainings}
    for name, training in trainings.items():
        seconds[name].append(next(training))
    for _ in range(epochs - 1):
        for name, training in trainings.items():
            seconds[name].append(training.send(None))
    return {name: (seconds[name], training.send("accuracy")) for name, training in trainings.items()}


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_average_before": os.getloadavg()}


def summarize(runs):
    """Median epoch time (ms) over all epochs of all runs, with quartiles, and the accuracies."""
    ms = [1e3 * s for seconds, _ in runs for s in seconds]
    q1, median, q3 = statistics.quantiles(ms, n=4)
    return {
        "median_epoch_ms": median, "q1_epoch_ms": q1, "q3_epoch_ms": q3,
        "test_accuracy_per_run": [accuracy for _, accuracy in runs],
        "epoch_ms_per_run": [[1e3 * s for s in seconds] for seconds, _ in runs],
    }


def run(epochs=20, runs=3, use_torch=True, quick=False, log=print):
    """Time both frameworks, save benchmarks/results/mlp_digits.json and return the result dict.

    Top-level `ratio_vs_torch` (median tinytorch epoch / median PyTorch epoch) and
    `test_accuracy` (tinytorch, the worst of its runs) are what benchmarks/run.py checks.
    `quick` trains once instead of `runs` times.
    """
    if quick:
        runs = 1
    data = tinytorch.datasets.load_digits()
    result = {
        "benchmark": "MLP 64-128-10 on digits, batch 32, Adam lr 1e-3: one epoch (45 batches)",
        "command": "python benchmarks/mlp_digits.py" + (" --quick" if quick else ""),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "numpy": np.__version__,
        "epochs": epochs,
        "runs": runs,
    }
    torch = None
    if use_torch:
        try:
            import torch
        except ImportError:
            log("torch not importable: PyTorch timing skipped (pip install torch==2.13.0)")
    outcomes = {"tinytorch": [], "torch": [], "torch_1_thread": []}
    default_threads = torch.get_num_threads() if torch is not None else None
    for seed in range(runs):
        trainings = {"tinytorch": tinytorch_training(data, seed)}
        if torch is not None:
            # PyTorch's default (one thread per core), and one thread, often faster for tiny models.
            trainings["torch"] = torch_training(torch, data, seed, default_threads)
            trainings["torch_1_thread"] = torch_training(torch, data, seed, 1)
        for name, outcome in run_interleaved(trainings, epochs).items():
            outcomes[name].append(outcome)
    result["tinytorch"] = summarize(outcomes["tinytorch"])
    result["test_accuracy"] = min(result["tinytorch"]["test_accuracy_per_run"])
    result["ratio_vs_torch"] = None
    if torch is not None:
        torch.set_num_threads(default_threads)
        result["torch_version"] = torch.__version__
        result["torch_threads"] = default_threads
        result["torch"] = summarize(outcomes["torch"])
        result["torch_1_thread"] = summarize(outcomes["torch_1_thread"])
        mine = result["tinytorch"]["median_epoch_ms"]
        result["ratio_vs_torch"] = mine / result["torch"]["median_epoch_ms"]
        result["ratio_vs_torch_1_thread"] = mine / result["torch_1_thread"]["median_epoch_ms"]

    for name in ("tinytorch", "torch", "torch_1_thread"):
        if name in result:
            r = result[name]
            accuracies = ", ".join(f"{a:.1%}" for a in r["test_accuracy_per_run"])
            log(f"{name:14s}: {r['median_epoch_ms']:6.2f} ms/epoch (quartiles {r['q1_epoch_ms']:.2f}–"
                f"{r['q3_epoch_ms']:.2f}), test accuracy after {epochs} epochs: {accuracies}")
    if result["ratio_vs_torch"] is not None:
        log(f"ratio tinytorch / torch: {result['ratio_vs_torch']:.3f} (goal ≤ 0.5); "
            f"against torch on 1 thread: {result['ratio_vs_torch_1_thread']:.3f}")
    log(f"saved {common.save_json('mlp_digits.json', result)}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="independent trainings (seeds 0, 1, ...)")
    parser.add_argument("--quick", action="store_true", help="one training run instead of --runs")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    parser.add_argument("--out", help="folder for the result (default benchmarks/results/latest)")
    args = parser.parse_args()
    if args.out:
        common.set_results_dir(args.out)
    run(epochs=args.epochs, runs=args.runs, use_torch=not args.no_torch, quick=args.quick)


if __name__ == "__main__":
    main()
