"""A schedule builder: a learning-rate schedule and the training it produced.

The explorable figure of chapter 5: controls choose a schedule (a menu for its
shape, sliders for its warmup and peak rate, or any other grid axes); the plot
shows the learning rate in force at each step (top) and the training loss of
the run trained with it (bottom, log scale). Every curve was computed by
``tinytorch`` when the book was built, for every point of the grid; the page
only looks them up (see :mod:`tinytorch.plotting_explorable`).

Typical use, in a cell tagged ``remove-cell``::

    from tinytorch.plotting_explorable import GridAxis
    from tinytorch.plotting_explorable_schedule import schedule_explorable
    figure = schedule_explorable(
        "sched-builder",
        axes=[GridAxis("shape", "shape", [0, 1], choices=["constant", "cosine"]),
              GridAxis("peak", "peak learning rate", peaks)],
        lrs=lrs, losses=losses, loss_steps=centres, lr_max=1.0,
        start_loss=2.3, alt="...")
    glue("sched_builder", figure)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tinytorch.plotting import OKABE_ITO
from tinytorch.plotting_explorable import (
    Encoding,
    Explorable,
    GridAxis,
    _bokeh_missing,
    _checked_frames,
    _still_only,
    explorable,
)

__all__ = ["schedule_explorable"]

#: The curves' colours (Okabe–Ito): the rate, the loss, the fixed guide line.
LR_COLOR = OKABE_ITO["blue"]
LOSS_COLOR = OKABE_ITO["vermillion"]
GUIDE_COLOR = OKABE_ITO["black"]


def _loss_encoding(loss_range: tuple[float, float]) -> Encoding:
    """One byte per loss, log-spaced over the plotted range plus half a decade
    each side: a loss that leaves the plot (a diverged run, NaN, or an exact
    zero) is stored just outside it and not drawn inside."""
    lo, hi = np.log10(loss_range[0]) - 0.5, np.log10(loss_range[1]) + 0.5
    return Encoding((hi - lo) / 255, lo, "uint8", log=True)


def _lr_encoding(lr_max: float) -> Encoding:
    """One byte per rate, 256 levels from 0 to ``lr_max`` (the plot's height):
    a level is 0.4 % of the plot, below a pixel at its 300 px height."""
    return Encoding(lr_max / 255, 0.0, "uint8")


def schedule_explorable(
    name: str,
    *,
    axes: Sequence[GridAxis],
    lrs: np.ndarray,
    losses: np.ndarray,
    loss_steps: Sequence[float],
    lr_max: float,
    alt: str,
    loss_range: tuple[float, float] = (1e-4, 1e2),
    start_loss: float | None = None,
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
    lr_label: str = "learning rate η",
    loss_label: str = "training loss",
    loss_legend: str | None = None,
    start_label: str = "at the start",
    step_label: str = "step",
) -> Explorable:
    """The learning rate against step and the training loss it produced.

    The figure opens at the axes' ``start`` values; the still (shown where
    BokehJS is missing) draws the same grid point in the course's matplotlib style.

    Parameters
    ----------
    name
        A CSS-safe id, unique on the page.
    axes
        The grid's axes (a :class:`~tinytorch.plotting_explorable.GridAxis` with ``choices`` becomes a menu).
    lrs
        Shape ``(*grid, steps)``: the rate in force at each optimizer step.
    losses
        Shape ``(*grid, len(loss_steps))``: the training loss of each run.
    loss_steps
        The steps at which ``losses`` were measured (e.g. the centres of the
        windows that a running mean averaged).
    lr_max
        Top of the rate's (linear) axis; rates are stored with 256 levels up to it.
    loss_range
        The loss axis (log scale); losses outside it are stored just outside it.
    start_loss, start_label
        A dashed line at ``start_loss`` and its legend entry: a run that ends
        above it lost ground.
    readouts, note
        As in :func:`tinytorch.plotting_explorable.explorable`.
    lr_label, loss_label, step_label
        Axis labels (the step axis is shared).
    loss_legend
        The loss curve's legend entry (default: ``loss_label``). The legend sits
        below the plot, where no curve can pass under it.
    """
    import matplotlib.pyplot as plt

    grid = tuple(len(a.values) for a in axes)
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    loss_steps = np.asarray(loss_steps, dtype=float)
    if lrs.shape[:-1] != grid:
        raise ValueError(f"lrs: shape {lrs.shape}, grid {grid}")
    if losses.shape != (*grid, len(loss_steps)):
        raise ValueError(f"losses: shape {losses.shape}, expected {(*grid, len(loss_steps))} "
                         f"(grid, then one value per loss step)")
    steps = lrs.shape[-1]
    start = tuple(a.start for a in axes)
    loss_legend = loss_label if loss_legend is None else loss_legend
    loss_encoding = _loss_encoding(loss_range)
    frames = {f"{name}-lr": {"lr": (lrs, _lr_encoding(lr_max))},
              f"{name}-loss": {"loss": (losses, loss_encoding)}}
    _checked_frames(axes, frames, readouts)   # before drawing: the same errors without bokeh

    # -- the still: the opening grid point, in the course's matplotlib style --
    still, (ax_lr, ax_loss) = plt.subplots(2, 1, figsize=(6.4, 5.8), sharex=True,
                                           height_ratios=(1, 1.7))
    ax_lr.plot(np.arange(steps), lrs[start], color=LR_COLOR)
    ax_lr.set_ylim(0, lr_max)
    ax_lr.set_ylabel(lr_label)
    if start_loss is not None:
        ax_loss.axhline(start_loss, color=GUIDE_COLOR, linestyle="--", linewidth=1.2,
                        label=start_label)
    # what the page draws: the stored (quantized) values, off the plot when outside it
    shown = loss_encoding.decode(loss_encoding.encode(losses[start]))
    ax_loss.plot(loss_steps, shown, color=LOSS_COLOR, label=loss_legend)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(*loss_range)
    ax_loss.set_xlim(0, steps)
    ax_loss.set_xlabel(step_label)
    ax_loss.set_ylabel(loss_label)
    handles, labels = ax_loss.get_legend_handles_labels()
    ax_loss.legend(handles[::-1], labels[::-1], loc="upper center", ncol=2, fontsize=9,
                   bbox_to_anchor=(0.5, -0.2))     # below the axes, as on the page
    title = ", ".join(f"{a.label} = {a.labels()[a.start]}" for a in axes)
    ax_lr.set_title(title, fontsize=10, fontweight="normal")
    if _bokeh_missing():
        return _still_only(name, still, alt)

    # -- the interactive plot: one source per curve, refilled by the controls --
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Legend, LegendItem, Range1d
    from bokeh.plotting import figure

    common = dict(width=700, sizing_mode="scale_width", toolbar_location=None, tools="")
    x_range = Range1d(0, steps)
    top = figure(x_range=x_range, y_range=Range1d(0, lr_max), height=200,
                 y_axis_label=lr_label, **common)
    rate = ColumnDataSource({"t": np.arange(steps, dtype=float), "lr": lrs[start]},
                            name=f"{name}-lr")
    top.line("t", "lr", source=rate, line_color=LR_COLOR, line_width=2)

    bottom = figure(x_range=x_range, y_range=Range1d(*loss_range), height=360,
                    y_axis_type="log", x_axis_label=step_label, y_axis_label=loss_label,
                    **common)
    curve = ColumnDataSource({"t": loss_steps, "loss": losses[start]}, name=f"{name}-loss")
    guide = None
    if start_loss is not None:                     # drawn first: under the curve
        guide = bottom.line([0, steps], [start_loss, start_loss], line_color=GUIDE_COLOR,
                            line_dash="dashed", line_width=1.2)
    items = [LegendItem(label=loss_legend, renderers=[bottom.line(
        "t", "loss", source=curve, line_color=LOSS_COLOR, line_width=2)])]
    if guide is not None:
        items.append(LegendItem(label=start_label, renderers=[guide]))
    # below the plot, not on it: any run's curve may pass anywhere, and on a
    # phone the plot is too small to spare a corner
    bottom.add_layout(Legend(items=items, orientation="horizontal", location="center",
                             border_line_alpha=0, padding=0, spacing=16,
                             label_text_font_size="10pt"), "below")
    bottom.yaxis.minor_tick_line_color = None      # a log axis: 8 minor ticks per decade
    for fig in (top, bottom):
        fig.background_fill_color = "white"
        fig.grid.grid_line_alpha = 0.35
        fig.min_border_left = 70
    layout = column(top, bottom, sizing_mode="stretch_width")
    return explorable(name, layout, axes, frames, still=still, alt=alt, readouts=readouts,
                      note=note)
