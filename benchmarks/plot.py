"""The step-time figure: time per optimizer step against parameter count, log-log.

One panel per optimizer, one line per variant, and the memory-bandwidth
lower bound (bytes that must move per parameter / best measured bandwidth)
as a grey dashed line.  Colours are the Okabe-Ito palette (distinguishable
with the common colour-vision deficiencies) and every line also has its own
marker, so the figure reads in greyscale too.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

PLAIN = FuncFormatter(lambda value, _: f"{value:g}")  # 0.1, 1, 10 rather than 10^-1

# variant -> (legend text, colour, marker, line style)
STYLE = {
    "seed": ("TinyTorch's style (allocate per step)", "#D55E00", "v", "-"),
    "numpy_unblocked": ("NumPy in place, unblocked", "#CC79A7", "s", ":"),
    "numpy_blocked": ("NumPy in place, blocked + threads", "#56B4E9", "D", ":"),
    "tinytorch": ("tinytorch default", "#0072B2", "o", "-"),
    "tinytorch_fused": ("tinytorch fused (numba)", "#009E73", "^", "-"),
    "torch_foreach": ("torch foreach=True", "#E69F00", "P", "--"),
    "torch_fused": ("torch fused=True", "#000000", "X", "--"),
}
TITLES = {"adam": "Adam", "sgd_momentum": "SGD, momentum 0.9"}


def plot_steps(step: dict, bandwidth: dict | None, path: Path) -> Path:
    rows = step["rows"]
    optimizers = [o for o in TITLES if any(r["optimizer"] == o for r in rows)]
    fig, axes = plt.subplots(1, len(optimizers), figsize=(6.2 * len(optimizers), 4.8), squeeze=False)
    for ax, opt in zip(axes[0], optimizers):
        mine = [r for r in rows if r["optimizer"] == opt]
        sizes = sorted({r["n"] for r in mine})
        for variant, (label, colour, marker, style) in STYLE.items():
            pts = sorted((r["n"], r["median_ms"]) for r in mine if r["variant"] == variant)
            if pts:
                ax.plot(*zip(*pts), color=colour, marker=marker, linestyle=style, label=label)
        if bandwidth:
            gbs = bandwidth["best_gb_per_s"]
            per_param = bandwidth["step_lower_bound"][opt]["bytes_per_param"]
            ax.plot(sizes, [per_param * n / (gbs * 1e9) * 1e3 for n in sizes], color="0.5",
                    linestyle="--", linewidth=2,
                    label=f"DRAM bound: {per_param} B/param at {gbs:.0f} GB/s\n"
                          "(applies once the arrays outgrow the caches)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PLAIN)  # x keeps matplotlib's 10^5, 10^6, 10^7
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
        ax.set_xlabel("parameters (float32)")
        ax.set_ylabel("time per step (ms, median)")
        ax.set_title(f"One {TITLES[opt]} step")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    machine = step.get("machine", {})
    fig.suptitle(f"{machine.get('cpu', '')}, {machine.get('cores', '?')} cores; {step.get('date', '')}",
                 fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
