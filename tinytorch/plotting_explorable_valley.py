"""An explorable figure of optimizer runs in quadratic valleys whose shape is a slider.

:func:`tinytorch.plotting_explorable.path_and_loss_explorable` draws one fixed
valley. Here the valley itself is on a slider too (for example its condition number
κ), so its contour lines change with the grid point: they are stored once per valley
in a :class:`~tinytorch.plotting_explorable.Frame` that depends only on the valley's
axes, as one column of NaN-separated curves (``Encoding(gaps=True)``). Chapter 1
uses it for gradient descent over learning rate η and condition number κ::

    from tinytorch.plotting_explorable_valley import valley_explorable
    figure = valley_explorable(
        "gd-playground",
        axes=[GridAxis("eta", "learning rate η", etas), GridAxis("kappa", "κ", kappas)],
        valley_axes=["kappa"], curvatures=lambdas,   # (len(kappas), 2)
        paths=paths, losses=losses, xlim=(-9, 9), ylim=(-3, 3), alt="...")

Like every explorable, the page only looks up the runs computed when the book was
built; the still (a PNG in the course's matplotlib style) shows the start grid point
wherever BokehJS is not loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tinytorch.plotting import OKABE_ITO, color_for
from tinytorch.plotting_explorable import (
    Encoding,
    Explorable,
    Frame,
    GridAxis,
    _bokeh_missing,
    _checked_frames,
    _still_only,
    explorable,
)

__all__ = ["valley_contours", "valley_explorable"]

_CONTOUR_GREY = "#999999"


def valley_contours(curvatures, xlim, ylim, levels: int = 10, points: int = 64):
    """Level sets of ``0.5 * (λ₁ θ₁² + λ₂ θ₂²)`` for each valley, as one curve each.

    ``curvatures`` has shape ``(..., 2)``: the two curvatures of every valley. The
    levels are log-spaced from a thousandth of the loss at the view's farthest
    corner up to that loss, so that every valley's lines fill the view. Returns
    ``(x, y)`` of shape ``(..., levels * (points + 1) - 1)``: the closed ellipses one
    after the other, separated by NaN (a line drawn through NaN breaks there).
    """
    lam = np.asarray(curvatures, dtype=float)
    corner = 0.5 * (lam[..., 0] * max(map(abs, xlim)) ** 2
                    + lam[..., 1] * max(map(abs, ylim)) ** 2)
    level = corner[..., None] * np.geomspace(1e-3, 1.0, levels)      # (..., levels)
    angle = np.linspace(0.0, 2 * np.pi, points)
    x = np.sqrt(2 * level / lam[..., :1])[..., None] * np.cos(angle)   # (..., levels, points)
    y = np.sqrt(2 * level / lam[..., 1:])[..., None] * np.sin(angle)
    gap = np.full(x.shape[:-1] + (1,), np.nan)
    x = np.concatenate([x, gap], axis=-1).reshape(*lam.shape[:-1], -1)[..., :-1]
    y = np.concatenate([y, gap], axis=-1).reshape(*lam.shape[:-1], -1)[..., :-1]
    return x, y


def _coordinate_encoding(lim: tuple[float, float]) -> Encoding:
    """Two bytes per contour coordinate: 1/1000 of the view per level (under a
    pixel at 700 px), so a curve may run far outside the view without clipping."""
    return Encoding((lim[1] - lim[0]) / 1000, 0.5 * (lim[0] + lim[1]), "int16", gaps=True)


def _path_encoding(lim: tuple[float, float], margin: float = 0.05) -> Encoding:
    """One byte per path coordinate: 256 levels across the view plus a margin, so a
    point that leaves the plot is stored just outside it (and is not drawn)."""
    span = lim[1] - lim[0]
    return Encoding((1 + 2 * margin) * span / 255, lim[0] - margin * span, "uint8")


def _loss_encoding(loss_range: tuple[float, float]) -> Encoding:
    """One byte per loss, log scale, 256 levels from two decades below the axis to
    two above it (about a pixel each): a loss that leaves the plot is stored just
    outside it (and is not drawn)."""
    lo, hi = np.log10(loss_range[0]) - 2, np.log10(loss_range[1]) + 2
    return Encoding((hi - lo) / 255, lo, "uint8", log=True)

def valley_explorable(
    name: str,
    *,
    axes: Sequence[GridAxis],
    valley_axes: Sequence[str],
    curvatures: np.ndarray,
    paths: np.ndarray,
    losses: np.ndarray,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    alt: str,
    label: str = "gradient descent",
    path_steps: int = 40,
    loss_range: tuple[float, float] = (1e-12, 1e4),
    guide: tuple[str, np.ndarray] | None = None,
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
    levels: int = 10,
) -> Explorable:
    """Paths on the contours of a valley that changes with the grid, and loss per step.

    The parameters not listed below are those of
    :func:`tinytorch.plotting_explorable.explorable`.

    Parameters
    ----------
    axes
        The grid's axes (sliders), in the order of the data's leading dimensions.
    valley_axes
        Keys of the axes the valley depends on (e.g. ``["kappa"]``).
    curvatures
        ``(*[len(axis) for axis in valley_axes], 2)``: the curvatures (λ₁, λ₂) of
        the valley ``0.5 * (λ₁ θ₁² + λ₂ θ₂²)`` at each of those grid values.
    paths, losses
        The precomputed runs: ``(*grid, steps + 1, 2)`` and ``(*grid, steps + 1)``.
    guide
        ``(label, losses)``: a reference loss per valley, shape
        ``(*[len(axis) for axis in valley_axes], steps + 1)``, drawn dashed (e.g. the
        run at the best learning rate of that valley).
    path_steps
        How many steps of each path are stored and drawn.
    loss_range
        The loss axis (log scale); losses are stored with one byte per step.
    levels
        Contour lines per valley.
    """
    import matplotlib.pyplot as plt

    keys = [a.key for a in axes]
    unknown = [k for k in valley_axes if k not in keys]
    if unknown:
        raise ValueError(f"no axis named {unknown[0]!r} (axes: {keys})")
    grid = tuple(len(a.values) for a in axes)
    valley_grid = tuple(grid[keys.index(k)] for k in valley_axes)
    curvatures = np.asarray(curvatures, dtype=float)
    if curvatures.shape != valley_grid + (2,):
        raise ValueError(f"curvatures: shape {curvatures.shape}, expected {valley_grid + (2,)}")
    if paths.shape[:-1] != losses.shape or paths.shape[-1] != 2 or losses.shape[:-1] != grid:
        raise ValueError(f"paths {paths.shape} and losses {losses.shape} do not fit "
                         f"the grid {grid}")
    steps = losses.shape[-1] - 1
    start = tuple(a.start for a in axes)
    valley_start = tuple(axes[keys.index(k)].start for k in valley_axes)
    color = color_for(label)
    contour_x, contour_y = valley_contours(curvatures, xlim, ylim, levels)
    shown = paths[..., : path_steps + 1, :]
    t = np.arange(steps + 1.0)
    origin = paths[start][0]
    frames = {
        f"{name}-contours": Frame({"x": (contour_x, _coordinate_encoding(xlim)),
                                   "y": (contour_y, _coordinate_encoding(ylim))},
                                  valley_axes),
        f"{name}-path": {"x": (shown[..., 0], _path_encoding(xlim)),
                         "y": (shown[..., 1], _path_encoding(ylim))},
        f"{name}-loss": {"loss": (losses, _loss_encoding(loss_range))},
    }
    if guide is not None:
        guide_label, guide_losses = guide
        guide_losses = np.asarray(guide_losses, dtype=float)
        frames[f"{name}-guide"] = Frame(
            {"loss": (guide_losses, _loss_encoding(loss_range))},
            valley_axes)
    _checked_frames(axes, frames, readouts)   # before drawing: the same errors without bokeh

    # -- the still: the start grid point, in the course's matplotlib style ------------
    still, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.4, 6.0), height_ratios=(1, 1.1))
    ax1.plot(contour_x[valley_start], contour_y[valley_start], color=_CONTOUR_GREY, lw=0.8)
    ax1.plot(shown[start][:, 0], shown[start][:, 1], color=color, marker="o", markersize=3,
             label=label)
    ax1.plot(*origin, marker="s", color=color, markersize=6)
    ax1.plot(0, 0, marker="*", color=OKABE_ITO["black"], markersize=14, linestyle="none")
    ax1.set_xlim(*xlim)
    ax1.set_ylim(*ylim)
    ax1.set_aspect("equal", adjustable="box")
    ax1.set_xlabel(r"$\theta_1$")
    ax1.set_ylabel(r"$\theta_2$")
    ax1.set_title(f"the first {path_steps} steps")
    if guide is not None:                 # dashed black, as on the page
        ax2.plot(t, np.asarray(guide[1])[valley_start], color=OKABE_ITO["black"],
                 linestyle="--", linewidth=1.2, label=guide[0])
    ax2.plot(t, losses[start], color=color, label=label)
    ax2.set_yscale("log")
    ax2.set_xlabel("step $t$")
    ax2.set_ylabel(r"loss $L(\theta_t)$")
    ax2.legend(loc="lower left", fontsize=9)
    ax2.set_ylim(*loss_range)
    ax2.set_xlim(0, steps)
    if _bokeh_missing():
        return _still_only(name, still, alt)

    # -- the interactive plot: contours, path, loss (and the guide) ------------------
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Range1d
    from bokeh.plotting import figure

    # 290 px tall for 700 wide: the plot's frame then has about equal units on both axes
    top = figure(x_range=Range1d(*xlim), y_range=Range1d(*ylim), width=700, height=290,
                 sizing_mode="scale_width", toolbar_location=None, tools="",
                 x_axis_label="θ₁", y_axis_label="θ₂")
    # empty until the page's script fills it: the contours are stored once, compressed
    contours = ColumnDataSource({"x": [], "y": []}, name=f"{name}-contours")
    top.line("x", "y", source=contours, line_color=_CONTOUR_GREY, line_width=0.8,
             line_alpha=0.8)
    path = ColumnDataSource({"x": shown[start][:, 0], "y": shown[start][:, 1]},
                            name=f"{name}-path")
    top.line("x", "y", source=path, line_color=color, line_width=2)
    top.scatter("x", "y", source=path, color=color, size=4)
    top.scatter([origin[0]], [origin[1]], marker="square", color=color, size=8)
    top.scatter([0.0], [0.0], marker="star", color=OKABE_ITO["black"], size=16)
    top.title.text = f"the first {path_steps} steps"

    bottom = figure(x_range=Range1d(0, steps), y_range=Range1d(*loss_range), width=700,
                    height=280, sizing_mode="scale_width", toolbar_location=None, tools="",
                    y_axis_type="log", x_axis_label="step t", y_axis_label="loss L(θₜ)")
    curve = ColumnDataSource({"t": t, "loss": losses[start]}, name=f"{name}-loss")
    if guide is not None:
        reference = ColumnDataSource({"t": t, "loss": guide_losses[valley_start]},
                                     name=f"{name}-guide")
        bottom.line("t", "loss", source=reference, line_color=OKABE_ITO["black"],
                    line_dash="dashed", line_width=1.2, legend_label=guide_label)
    bottom.line("t", "loss", source=curve, line_color=color, line_width=2, legend_label=label)
    bottom.yaxis.minor_tick_line_color = None      # a log axis: 8 minor ticks per decade
    # above the plot, in one row: curves cross every corner of it at some grid point
    legend = bottom.legend[0]
    legend.orientation = "horizontal"
    legend.location = "top_left"
    legend.border_line_alpha = 0
    legend.padding = legend.margin = 2
    legend.spacing = 16
    legend.items = legend.items[::-1]              # the run first, then its reference
    bottom.add_layout(legend, "above")
    for fig in (top, bottom):
        fig.background_fill_color = "white"
        fig.grid.grid_line_alpha = 0.35
        fig.min_border_left = 60
    layout = column(top, bottom, sizing_mode="stretch_width")
    return explorable(name, layout, axes, frames, still=still, alt=alt,
                      readouts=readouts, note=note)
