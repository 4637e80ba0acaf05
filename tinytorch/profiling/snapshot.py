"""The saved benchmark that chapter 9 reads: shipped inside the package.

``python -m benchmarks --update-snapshot`` (a full run, with PyTorch) writes
``tinytorch/profiling/data/benchmarks.json`` and ``mlp_digits.json``; they install
with ``tinytorch``, so the chapter reads the same numbers in the site build, in
Binder and in a Colab notebook opened alone, with nothing downloaded. Each file
records its date, the command and the machine it was measured on.
"""
from __future__ import annotations

import json
from importlib import resources

__all__ = ["load_benchmark_snapshot", "SNAPSHOT_FILES"]

SNAPSHOT_FILES = ("benchmarks.json", "mlp_digits.json")


def load_benchmark_snapshot(name: str = "benchmarks.json") -> dict:
    """The saved benchmark ``name`` (one of :data:`SNAPSHOT_FILES`) as a dict."""
    if name not in SNAPSHOT_FILES:
        raise ValueError(f"no benchmark snapshot {name!r}; the snapshots are {SNAPSHOT_FILES}")
    return json.loads(resources.files("tinytorch.profiling").joinpath("data", name).read_text())
