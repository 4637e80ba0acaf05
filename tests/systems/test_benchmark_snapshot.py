"""The book's benchmark snapshot ships in the package, and a benchmark run never
changes a tracked file: only ``--update-snapshot`` does, explicitly."""
import hashlib
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from tinytorch.profiling.snapshot import SNAPSHOT_FILES, load_benchmark_snapshot

ROOT = Path(__file__).resolve().parents[2]
TRACKED = [ROOT / "tinytorch" / "profiling" / "data" / n for n in SNAPSHOT_FILES] + [
    ROOT / "benchmarks" / "results" / n for n in ("benchmarks.md", "step_time.png")]


def digests():
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in TRACKED}


def test_the_snapshot_is_package_data_with_its_date_and_machine():
    for name in SNAPSHOT_FILES:
        assert resources.files("tinytorch.profiling").joinpath("data", name).is_file()
    saved = load_benchmark_snapshot()
    assert saved["date"] and saved["machine"]["cpu"] and saved["command"].startswith("python -m benchmarks")
    assert {"step", "bandwidth", "mlp"} <= set(saved)
    # the book compares with PyTorch: the committed snapshot was taken with it
    assert any(r["variant"].startswith("torch") for r in saved["step"]["rows"])
    assert "torch" in load_benchmark_snapshot("mlp_digits.json")
    with pytest.raises(ValueError, match="no benchmark snapshot 'other.json'"):
        load_benchmark_snapshot("other.json")


def run_benchmarks(*args):
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_a_quick_run_writes_only_where_it_is_told(tmp_path):
    before = digests()
    result = run_benchmarks("--quick", "--sizes", "1e4", "--skip", "mlp,blocking,bandwidth",
                            "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"benchmarks.json", "benchmarks.md", "step_time.png"} <= {p.name for p in tmp_path.iterdir()}
    assert digests() == before


def test_updating_the_snapshot_needs_a_full_run():
    result = run_benchmarks("--quick", "--update-snapshot")
    assert result.returncode == 2
    assert "--update-snapshot needs a full run" in result.stderr
