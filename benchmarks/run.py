"""Run every benchmark with ONE command and save the results.

    python -m benchmarks                 # everything, full repeats (~5 min)
    python -m benchmarks --quick         # fewer repeats, smaller bandwidth arrays
    python -m benchmarks --sizes 1e5,1e6 --skip mlp,blocking
    python -m benchmarks --out /tmp/run1 # results in a folder of your choice
    python -m benchmarks --update-snapshot   # a full run that becomes the book's numbers

A run writes benchmarks.json (date, machine, every measurement, the goals with
pass/fail), mlp_digits.json, benchmarks.md (the tables) and step_time.png (the
figure) into benchmarks/results/latest/, which git ignores, or into --out DIR.
Nothing tracked changes, so a smoke run cannot break the book.

--update-snapshot (a full run, PyTorch installed) then copies the two JSON files
into tinytorch/profiling/data/, the snapshot chapter 9 reads from the installed
package, and the tables and figure into benchmarks/results/: review the diff and
commit it with the re-made chapter (tools/sync_notebooks.py book/09_systems.md).
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks import bench_bandwidth, bench_blocking, bench_step
from benchmarks import common
from benchmarks.common import machine, now, save_json
from benchmarks.plot import plot_steps

PARTS = ["bandwidth", "blocking", "step", "mlp"]


def _mlp(quick: bool, log=print):
    """The MLP-on-digits epoch benchmark (benchmarks/mlp_digits.py), when present.

    It is imported and its run() called when it has one, else run as a script
    whose last line of output is JSON.
    """
    if importlib.util.find_spec("benchmarks.mlp_digits") is None:
        log("mlp: benchmarks/mlp_digits.py not present, skipped")
        return None
    module = importlib.import_module("benchmarks.mlp_digits")
    run = getattr(module, "run", None)
    if callable(run):
        kwargs = {"quick": quick} if "quick" in inspect.signature(run).parameters else {}
        return run(**kwargs)
    out = subprocess.run([sys.executable, "-m", "benchmarks.mlp_digits"] + (["--quick"] if quick else []),
                         capture_output=True, text=True, check=True).stdout
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"output": out}


def _row(step, opt, n, variant):
    for r in step["rows"]:
        if (r["optimizer"], r["n"], r["variant"]) == (opt, n, variant):
            return r
    return None


def goals(step: dict | None, mlp: dict | None) -> list[dict]:
    """The issue's targets, judged on this run's numbers (None = not measured)."""
    out = []
    if step:
        n = max(r["n"] for r in step["rows"])
        for opt in ("adam", "sgd_momentum"):
            for mine, ref, limit in (("tinytorch", "torch_foreach", 1.0),
                                     ("tinytorch_fused", "torch_fused", 1.2)):
                a, b = _row(step, opt, n, mine), _row(step, opt, n, ref)
                ratio = a["median_ms"] / b["median_ms"] if a and b else None
                out.append({"goal": f"{opt} {mine} <= {limit}x {ref} at n={n:.0e}",
                            "value": ratio, "met": None if ratio is None else ratio <= limit,
                            "via": a["label"] if a else None})
    if mlp and isinstance(mlp, dict):
        ratio = mlp.get("ratio_vs_torch")
        acc = mlp.get("test_accuracy")
        out.append({"goal": "MLP digits epoch <= 0.5x PyTorch", "value": ratio,
                    "met": None if ratio is None else ratio <= 0.5})
        out.append({"goal": "MLP digits test accuracy >= 97 %", "value": acc,
                    "met": None if acc is None else acc >= 0.97})
    return out


def markdown(result: dict) -> str:
    lines = [f"# Benchmark results, {result['date']}", "",
             f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores; "
             f"numpy {result['machine']['numpy']}, numba {result['machine']['numba']}, "
             f"torch {result['machine']['torch']}; load average before the run "
             f"{result['machine'].get('load_average_1_5_15')}.", "",
             f"Command: `{result['command']}`", ""]
    step = result.get("step")
    if step:
        lines += ["## One optimizer step (float32, median ms; ratio = this / torch, same run)", "",
                  "| optimizer | n | variant | ms | vs torch foreach | vs torch fused |",
                  "|---|---|---|---|---|---|"]
        for r in step["rows"]:
            f = lambda k: f"{r[k]:.2f}x" if k in r else "–"  # noqa: E731
            lines.append(f"| {r['optimizer']} | {r['n']:.0e} | {r['label']} | {r['median_ms']:.3f} "
                         f"| {f('ratio_vs_torch_foreach')} | {f('ratio_vs_torch_fused')} |")
        lines.append("")
    bw = result.get("bandwidth")
    if bw:
        lines += ["## Memory bandwidth (STREAM-style, float32)", "",
                  "| kernel | implementation | threads | GB/s (median) | GB/s (peak) |", "|---|---|---|---|---|"]
        lines += [f"| {r['kernel']} | {r['impl']} | {r['threads']} | {r['gb_per_s']:.1f} | {r['peak_gb_per_s']:.1f} |"
                  for r in bw["rows"]]
        b = bw["step_lower_bound"]
        lines += ["", f"Measured before and after the step timings: best peaks "
                  f"{result['bandwidth_best_gb_per_s_before_after']} GB/s; the table is the better run.",
                  "", f"Best peak {bw['best_gb_per_s']:.1f} GB/s ({bw['best_kernel']}): an Adam step on 1e7 "
                  f"parameters needs >= {b['adam']['ms_at_1e7']:.2f} ms (28 B/param), SGD-momentum "
                  f">= {b['sgd_momentum']['ms_at_1e7']:.2f} ms (20 B/param).", ""]
    blk = result.get("blocking")
    if blk:
        lines += [f"## Block size (in-place NumPy step, n = {blk['n']:.0e})", "",
                  "| update | block | threads | ms |", "|---|---|---|---|"]
        lines += [f"| {r['update']} | {r['block'] or 'unblocked'} | {r['threads']} | {r['median_ms']:.2f} |"
                  for r in blk["rows"]]
        lines += ["", f"Best: {blk['best_block']}", ""]
    mlp = result.get("mlp")
    if mlp:
        lines += ["## MLP on digits, one epoch (median ms)", "", "| framework | ms/epoch | test accuracy |",
                  "|---|---|---|"]
        for name in ("tinytorch", "torch", "torch_1_thread"):
            if isinstance(mlp.get(name), dict):
                r = mlp[name]
                acc = ", ".join(f"{a:.1%}" for a in r.get("test_accuracy_per_run", []))
                lines.append(f"| {name} | {r['median_epoch_ms']:.2f} | {acc} |")
        lines += ["", f"tinytorch / torch: {mlp.get('ratio_vs_torch')}; "
                      f"vs torch on one thread: {mlp.get('ratio_vs_torch_1_thread')}", ""]
    lines += ["## Goals", "", "| goal | value | met |", "|---|---|---|"]
    for g in result["goals"]:
        v = g["value"]
        lines.append(f"| {g['goal']} | {v:.3f} | {g['met']} |" if isinstance(v, float)
                     else f"| {g['goal']} | {v} | {g['met']} |")
    return "\n".join(lines) + "\n"


#: The book's snapshot: shipped inside the package, read by chapter 9 (also in Colab).
SNAPSHOT = Path(__file__).resolve().parents[1] / "tinytorch" / "profiling" / "data"


def update_snapshot(results: Path) -> None:
    """Make this run the book's numbers (the explicit, documented way to change them)."""
    for name in ("benchmarks.json", "mlp_digits.json"):
        if (results / name).exists():
            shutil.copyfile(results / name, SNAPSHOT / name)
            print("snapshot", SNAPSHOT / name)
    for name in ("benchmarks.md", "step_time.png"):
        if (results / name).exists():
            shutil.copyfile(results / name, common.COMMITTED / name)
            print("snapshot", common.COMMITTED / name)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run all tinytorch benchmarks")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller arrays")
    ap.add_argument("--sizes", type=bench_step.parse_sizes, default=bench_step.SIZES,
                    help="parameter counts for the step benchmark, e.g. 1e5,1e6,1e7")
    ap.add_argument("--skip", default="", help=f"comma-separated parts to skip, of {PARTS}")
    ap.add_argument("--out", help="folder for the results (default benchmarks/results/latest)")
    ap.add_argument("--update-snapshot", action="store_true",
                    help="full run that replaces the book's snapshot (needs PyTorch)")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if skip - set(PARTS):
        ap.error(f"unknown parts {sorted(skip - set(PARTS))}; choose from {PARTS}")
    if args.update_snapshot:
        if args.quick or skip or args.sizes != bench_step.SIZES:
            ap.error("--update-snapshot needs a full run: no --quick, --skip or --sizes")
        if importlib.util.find_spec("torch") is None:
            ap.error("--update-snapshot needs PyTorch for the comparison: "
                     "pip install torch==2.13.0")
    if args.out:
        common.set_results_dir(args.out)
    results = common.RESULTS

    result = {"date": now(), "machine": machine(),
              "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])}
    def bandwidth():
        return bench_bandwidth.run(n=2 * 10**7 if args.quick else 5 * 10**7, repeats=5 if args.quick else 10)

    # The memory bandwidth of a shared machine drifts from minute to minute, so
    # it is measured before and after the step timings; the bound uses the
    # better of the two (it is a bound: the hardware did deliver that much).
    bandwidths = [bandwidth()] if "bandwidth" not in skip else []
    if "blocking" not in skip:
        result["blocking"] = bench_blocking.run(n=max(args.sizes), repeats=3 if args.quick else 10)
    if "step" not in skip:
        result["step"] = bench_step.run(sizes=args.sizes, quick=args.quick)
    if bandwidths:
        bandwidths.append(bandwidth())
        result["bandwidth"] = max(bandwidths, key=lambda b: b["best_gb_per_s"])
        result["bandwidth_best_gb_per_s_before_after"] = [b["best_gb_per_s"] for b in bandwidths]
    if "mlp" not in skip:
        result["mlp"] = _mlp(args.quick)
    result["goals"] = goals(result.get("step"), result.get("mlp"))
    print("saved", save_json("benchmarks.json", result))
    (results / "benchmarks.md").write_text(markdown(result))
    print("saved", results / "benchmarks.md")
    if result.get("step"):
        print("saved", plot_steps(result["step"], result.get("bandwidth"), results / "step_time.png"))
    if args.update_snapshot:
        update_snapshot(results)
    for g in result["goals"]:
        print(f"goal: {g['goal']}: {g['value']} -> {'MET' if g['met'] else 'not met' if g['met'] is False else '?'}")


if __name__ == "__main__":
    main()
