"""Timing and bookkeeping shared by the benchmarks.

Times come from time.perf_counter around the real call; we report the
median of repeated runs (robust to the odd slow run caused by other work on
the machine) together with the quartiles, so noise is visible.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

#: Where a run writes: a scratch folder git ignores (``--out DIR`` chooses another).
#: Nothing a benchmark run writes by default is tracked; the book's numbers change only
#: with ``python -m benchmarks --update-snapshot``.
RESULTS = Path(__file__).resolve().parent / "results" / "latest"
#: The committed, human-readable copy of the last snapshot (tables and figure).
COMMITTED = Path(__file__).resolve().parent / "results"


def set_results_dir(path) -> Path:
    """Send every result of this run to ``path`` (created if needed)."""
    global RESULTS
    RESULTS = Path(path).resolve()
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS


def measure(fn, repeats: int, warmup: int = 2) -> dict:
    """Run fn() `warmup` times untimed (JIT compiles, page faults, caches), then time it."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return summarize(times)


def summarize(times) -> dict:
    """Median and quartiles (ms) of step times in seconds; keeps the raw times."""
    ms = [1e3 * t for t in times]
    q1, _, q3 = statistics.quantiles(ms, n=4) if len(ms) > 1 else (ms[0],) * 3
    return {"median_ms": statistics.median(ms), "q1_ms": q1, "q3_ms": q3,
            "repeats": len(ms), "times_ms": ms}


def repeats_for(n: int, quick: bool = False) -> int:
    """More repeats for small (fast, noisy) sizes; at least 10 at 1e7."""
    base = 10 if n >= 10**7 else 30 if n >= 10**6 else 100
    return max(5, base // 3) if quick else base


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(module: str):
    try:
        return __import__(module).__version__
    except Exception:  # not installed, or broken: the benchmark skips it
        return None


def machine() -> dict:
    """What the numbers were measured on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    info = {"cpu": _cpu_model(), "cores": cores, "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": _version("numpy"), "numba": _version("numba"), "torch": _version("torch")}
    try:
        info["load_average_1_5_15"] = list(os.getloadavg())
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info


def now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def save_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name  # RESULTS is read at call time: set_results_dir() applies
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
