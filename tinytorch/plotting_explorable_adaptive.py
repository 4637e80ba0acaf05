"""An explorable figure: several optimizers on quadratic valleys side by side.

Chapter 4 compares SGD, AdaGrad, RMSprop and Adam on the valley of chapter 3,
once aligned with the axes and once rotated by 45°. A menu picks the optimizer and
sliders pick hyperparameters; the page shows, for that grid point, the path on
each valley (one contour panel per valley, side by side) and both losses against
step (one panel, log scale). Everything shown was computed when the book was
built; the page only looks it up (see :mod:`tinytorch.plotting_explorable`).

Each optimizer keeps its course colour (:func:`tinytorch.plotting.color_for`): a
Bokeh line has one colour, so every choice of the menu gets its own columns,
which are empty (NaN, a gap in the line) unless that choice is selected. The
empty blocks cost almost nothing once compressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tinytorch.plotting import OKABE_ITO, color_for, contour_with_trajectories
from tinytorch.plotting_explorable import (
    Encoding,
    Explorable,
    GridAxis,
    _bokeh_missing,
    _checked_frames,
    _still_only,
    explorable,
)

__all__ = ["Valley", "valleys_explorable"]

#: How the valleys' curves differ on the loss panel (the colour is the optimizer's).
VALLEY_DASHES = ("solid", "dashed", "dotted", "dashdot")
_MPL_DASHES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}


@dataclass(frozen=True)
class Valley:
    """The quadratic ``L(θ) = Σ_i curvature_i u_i²`` with ``u = θ @ turn``.

    ``turn`` is an orthogonal 2 × 2 matrix: the identity for a valley aligned
    with the axes, a rotation for a turned one. The minimum is at the origin.
    ``title`` heads the valley's panel; ``legend`` (default: the title) names its
    line style on the loss panel, where a short word keeps the legend narrow.
    """

    title: str
    curvature: tuple[float, float]
    turn: tuple[tuple[float, float], tuple[float, float]] = ((1.0, 0.0), (0.0, 1.0))
    legend: str | None = None

    def loss(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The loss on coordinate grids (for contour plots)."""
        r = np.asarray(self.turn, dtype=float)
        u1, u2 = x * r[0, 0] + y * r[1, 0], x * r[0, 1] + y * r[1, 1]
        return self.curvature[0] * u1**2 + self.curvature[1] * u2**2

    def level_sets(self, levels: Sequence[float], n: int = 40):
        """Closed curves ``L = c`` for each ``c``, as float32 (a drawing needs no more)."""
        r = np.asarray(self.turn, dtype=float)
        t = np.linspace(0.0, 2 * np.pi, n)
        xs, ys = [], []
        for c in levels:
            u = np.stack([np.sqrt(c / self.curvature[0]) * np.cos(t),
                          np.sqrt(c / self.curvature[1]) * np.sin(t)], axis=-1)
            theta = u @ r.T                                   # back from u = θ R
            xs.append(theta[:, 0].astype(np.float32))
            ys.append(theta[:, 1].astype(np.float32))
        return xs, ys


def _screen_encoding(lim: tuple[float, float], margin: float = 0.05) -> Encoding:
    """One byte per coordinate, NaN kept (255): 255 levels across the shown range
    plus a margin, so a point that leaves the plot is stored just outside it."""
    span = lim[1] - lim[0]
    return Encoding((1 + 2 * margin) * span / 254, lim[0] - margin * span, "uint8", gaps=True)


def _only(values: np.ndarray, axis: int, index: int) -> np.ndarray:
    """``values`` where the grid axis ``axis`` equals ``index``, NaN elsewhere."""
    out = np.full(values.shape, np.nan)
    where = [slice(None)] * values.ndim
    where[axis] = index
    out[tuple(where)] = values[tuple(where)]
    return out


def valleys_explorable(
    name: str,
    *,
    axes: Sequence[GridAxis],
    series: str,
    valleys: Sequence[Valley],
    paths: np.ndarray,
    losses: np.ndarray,
    box: tuple[float, float],
    alt: str,
    path_steps: int = 40,
    threshold: float | None = None,
    reference: tuple[str, np.ndarray] | None = None,
    loss_range: tuple[float, float] = (1e-10, 1e3),
    decades_per_level: float = 0.1,
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
) -> Explorable:
    """Paths on each valley (contour panels in a row) and all losses against step.

    Parameters
    ----------
    axes
        The grid's axes (see :class:`~tinytorch.plotting_explorable.GridAxis`).
    series
        The key of the axis whose ``choices`` name the optimizers: each choice is
        drawn in its course colour.
    valleys
        The valleys, one contour panel each (at most four).
    paths
        Shape ``(*grid, len(valleys), steps + 1, 2)``: every grid point's path on
        every valley, all from the same start on a valley (marked by a square).
        The first ``path_steps`` steps are shown.
    losses
        Shape ``(*grid, len(valleys), steps + 1)``: the loss at every step.
    box
        The range of both coordinates in the contour panels.
    threshold
        A loss level drawn as a dotted line (e.g. the one the readouts count to).
    reference
        ``(label, loss per step)``: a fixed grey curve for comparison.
    loss_range
        The loss panel's range; losses are stored with one byte per step, in levels
        of ``decades_per_level`` decades (a loss below the range is not drawn).
    readouts, note
        As for :func:`~tinytorch.plotting_explorable.explorable`.
    """
    import matplotlib.pyplot as plt

    keys = [a.key for a in axes]
    if series not in keys or axes[keys.index(series)].choices is None:
        raise ValueError(f"series: {series!r} is not an axis with choices (axes: {keys})")
    if not 1 <= len(valleys) <= len(VALLEY_DASHES):
        raise ValueError(f"{len(valleys)} valleys: one to {len(VALLEY_DASHES)}")
    grid = tuple(len(a.values) for a in axes)
    n_valleys = len(valleys)
    if paths.shape[:-2] != (*grid, n_valleys) or paths.shape[-1] != 2:
        raise ValueError(f"paths: shape {paths.shape}, expected {(*grid, n_valleys, '·', 2)}")
    if losses.shape[:-1] != (*grid, n_valleys):
        raise ValueError(f"losses: shape {losses.shape}, expected {(*grid, n_valleys, '·')}")
    axis = keys.index(series)
    names = list(axes[axis].choices)
    start = tuple(a.start for a in axes)
    steps = losses.shape[-1] - 1
    shown = paths[..., : path_steps + 1, :]

    # -- the data: one column per choice and valley, NaN where another choice is shown
    path_columns, loss_columns = {}, {}
    # the step numbers too: stored once per grid point, they compress to nothing
    steps_axis = np.broadcast_to(np.arange(steps + 1.0), (*grid, steps + 1))
    loss_columns["t"] = (steps_axis, Encoding(1.0, 0.0, "uint16"))
    lo = np.log10(loss_range[0]) - 2
    loss_encoding = Encoding(decades_per_level, lo, "uint8", log=True, gaps=True)
    screen = _screen_encoding(box)
    for c in range(len(names)):
        for v in range(n_valleys):
            for k, coord in enumerate("xy"):
                path_columns[f"{coord}{v}_{c}"] = (_only(shown[..., v, :, k], axis, c), screen)
            loss_columns[f"loss{v}_{c}"] = (_only(losses[..., v, :], axis, c), loss_encoding)
    frames = {f"{name}-path": path_columns, f"{name}-loss": loss_columns}
    _checked_frames(axes, frames, readouts)   # before drawing: the same errors without bokeh

    # -- the still: the grid point the page opens at ---------------------------
    label = names[start[axis]]
    still = plt.figure(figsize=(6.4, 6.2))
    top_row, loss_row = still.subfigures(2, 1, height_ratios=(1.15, 1))
    for ax, valley, path in zip(top_row.subplots(1, n_valleys), valleys, shown[start]):
        contour_with_trajectories(valley.loss, {label: path}, xlim=box, ylim=box,
                                  minimum=(0, 0), levels=14, ax=ax, title=valley.title)
        ax.get_legend().remove()
    ax = loss_row.subplots()
    t = np.arange(steps + 1)
    if reference is not None:
        ax.plot(np.arange(len(reference[1])), reference[1], color="#888888", linewidth=1.2,
                label=reference[0])
    if threshold is not None:
        ax.axhline(threshold, color=OKABE_ITO["black"], linestyle=":", linewidth=1)
    for v, valley in enumerate(valleys):
        ax.plot(t, losses[start][v], color=color_for(label),
                linestyle=_MPL_DASHES[VALLEY_DASHES[v]],
                label=f"{label}, {valley.legend or valley.title}")
    ax.set_yscale("log")
    ax.set_ylim(*loss_range)
    ax.set_xlim(0, steps)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"loss $L(\theta_t)$")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=9)
    if _bokeh_missing():
        return _still_only(name, still, alt)

    # -- the interactive plot --------------------------------------------------
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, GlyphRenderer, Legend, LegendItem, Range1d
    from bokeh.plotting import figure

    # The sources start empty: the page fills them before it shows the plot (and
    # without BokehJS the still is shown instead), so no data is stored twice.
    path_names = [f"{coord}{v}_{c}" for c in range(len(names))
                  for v in range(n_valleys) for coord in "xy"]
    loss_names = ["t"] + [f"loss{v}_{c}" for c in range(len(names)) for v in range(n_valleys)]
    path_source = ColumnDataSource({c: [] for c in path_names}, name=f"{name}-path")
    loss_source = ColumnDataSource({c: [] for c in loss_names}, name=f"{name}-loss")

    panels = []
    corners = np.array([box[0], box[0], box[1], box[1]]), np.array([box[0], box[1]] * 2)
    for v, valley in enumerate(valleys):
        corner = float(valley.loss(*corners).max())          # the highest contour drawn
        fig = figure(x_range=Range1d(*box), y_range=Range1d(*box), width=350, height=350,
                     sizing_mode="scale_width", toolbar_location=None, tools="",
                     x_axis_label="θ₁", y_axis_label="θ₂" if v == 0 else "",
                     title=valley.title)
        xs, ys = valley.level_sets(np.geomspace(corner * 1e-3, corner, 7))
        fig.multi_line(xs, ys, line_color="#999999", line_width=0.8, line_alpha=0.8)
        for c, label in enumerate(names):
            color = color_for(label)
            fig.line(f"x{v}_{c}", f"y{v}_{c}", source=path_source, line_color=color, line_width=2)
            fig.scatter(f"x{v}_{c}", f"y{v}_{c}", source=path_source, color=color, size=4)
        first = paths[(0,) * len(grid)][v, 0]                 # every run starts here
        fig.scatter([first[0]], [first[1]], marker="square", color=OKABE_ITO["black"], size=8)
        fig.scatter([0.0], [0.0], marker="star", color=OKABE_ITO["black"], size=16)
        panels.append(fig)

    bottom = figure(x_range=Range1d(0, steps), y_range=Range1d(*loss_range), width=700,
                    height=260, sizing_mode="scale_width", toolbar_location=None, tools="",
                    y_axis_type="log", x_axis_label="step t", y_axis_label="loss L(θₜ)")
    items = []                                    # the legend, above the plot
    if reference is not None:
        line = bottom.line(np.arange(len(reference[1])), np.asarray(reference[1], np.float32),
                           line_color="#888888", line_width=1.2)
        items.append(LegendItem(label=reference[0], renderers=[line]))
    if threshold is not None:
        bottom.line([0, steps], [threshold, threshold], line_color=OKABE_ITO["black"],
                    line_dash="dotted", line_width=1)
    for c, label in enumerate(names):
        for v in range(n_valleys):
            bottom.line("t", f"loss{v}_{c}", source=loss_source, line_color=color_for(label),
                        line_dash=VALLEY_DASHES[v], line_width=2)
    for v, valley in enumerate(valleys):
        # the legend names the line styles: a black sample, its line left of the plot
        # (Bokeh draws no legend sample for a line without data)
        line = bottom.line([-2.0, -1.0], [1.0, 1.0], line_color=OKABE_ITO["black"],
                           line_dash=VALLEY_DASHES[v], line_width=2)
        items.append(LegendItem(label=valley.legend or valley.title, renderers=[line]))
    # small type and samples: the legend's width does not shrink with a phone's screen
    bottom.add_layout(Legend(items=items, orientation="horizontal", location="center",
                             border_line_alpha=0, margin=0, padding=2, spacing=10,
                             glyph_width=18, label_standoff=4,
                             label_text_font_size="11px"), "above")
    bottom.yaxis.minor_tick_line_color = None     # a log axis: 8 minor ticks per decade
    for fig in (*panels, bottom):
        fig.background_fill_color = "white"
        fig.grid.grid_line_alpha = 0.35
        fig.min_border_left = 50
    layout = column(row(*panels, sizing_mode="stretch_width"), bottom,
                    sizing_mode="stretch_width")
    for renderer in layout.select({"type": GlyphRenderer}):
        # nothing can be selected or muted here: dropping those glyph copies
        # shortens the stored document by about 0.7 kB per line
        renderer.nonselection_glyph = None
        renderer.muted_glyph = None
    return explorable(name, layout, axes, frames, still=still, alt=alt, readouts=readouts,
                      note=note)
