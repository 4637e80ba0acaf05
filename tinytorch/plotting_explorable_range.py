"""An explorable learning-rate range test: the test's curve against brute force.

A learning-rate range test trains one network while the rate climbs and reads a
suggested rate off its loss curve. This figure sets that curve beside what it
stands for: a fresh network trained at each rate of a grid, at a constant rate,
with its loss recorded after ``k`` steps. Two sliders choose the rate and ``k``:

* one panel per optimizer: loss against learning rate (log–log), the range tests'
  smoothed curves with their suggestions (fixed), the fixed-rate losses after
  ``k`` steps over the whole grid, and the chosen rate;
* below: the chosen rate's runs against step, one curve per optimizer, with the
  loss after each ``k`` marked and the chosen ``k`` drawn as a band.

Everything is precomputed by the chapter (see :func:`lr_range_explorable`); the
page only looks the runs up (:mod:`tinytorch.plotting_explorable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tinytorch.plotting import LINESTYLES, OKABE_ITO, color_for
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
from tinytorch.prose import number

__all__ = ["RangeCurve", "TypesetAxis", "lr_range_explorable"]

#: matplotlib's line styles as Bokeh spells them.
_DASH = {"-": "solid", "--": "dashed", "-.": "dashdot", ":": "dotted"}
#: A marker per optimizer, so that the curves differ without colour too.
_MARKERS = (("o", "circle"), ("s", "square"), ("^", "triangle"), ("D", "diamond"))
#: The range tests' curves: dark grey, one line style each (solid, dashed, ...).
_TEST_COLOR = "#555555"
_TEST_DASHES = ("-", "--", ":", "-.")
#: The chosen rate and k: a translucent band, unlike the tests' thin suggestion lines.
_BAND_WIDTH, _BAND_ALPHA = 7, 0.15


class RangeCurve(Protocol):
    """What the figure reads from a range test (the profiler's ``LRRangeTest``)."""

    lrs: Sequence[float]
    smoothed: Sequence[float]
    suggested_lr: float | None


@dataclass(frozen=True)
class TypesetAxis(GridAxis):
    """A slider whose values read as in the prose: ``1.8 × 10⁻⁵``, not ``1.8e−05``."""

    def labels(self) -> list[str]:
        if self.choices is not None:
            return list(self.choices)
        return [number(float(v), self.fmt) for v in self.values]


def _key(index: int) -> str:
    """The column of the index-th optimizer (names may hold spaces or '+')."""
    return f"o{index}"


def _loss_encoding(loss_range: tuple[float, float]) -> Encoding:
    """One byte per loss, log scale, across the plotted range and a little beyond;
    the largest code is kept for NaN (a line breaks there)."""
    lo, hi = np.log10(loss_range[0]) - 0.1, np.log10(loss_range[1]) + 0.1
    return Encoding((hi - lo) / 253, lo, "uint8", log=True, gaps=True)


def _on_scale(values: np.ndarray, loss_range: tuple[float, float]) -> np.ndarray:
    """Losses above the plot (a run that blew up, inf) drawn on its upper edge,
    below it on its lower edge; NaN (no value) stays NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(values), np.nan, np.clip(values, *loss_range))


def lr_range_explorable(
    name: str,
    *,
    rates: Sequence[float],
    checkpoints: Sequence[int],
    after: Mapping[str, np.ndarray],
    per_step: Mapping[str, np.ndarray],
    range_tests: Mapping[str, Mapping[str, RangeCurve]],
    alt: str,
    start: tuple[int, int] = (0, -1),
    loss_range: tuple[float, float] = (1e-4, 1e1),
    curve_label: str = "fixed rate, after k steps",
    rate_marks: Sequence[tuple[float, str]] = (),
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
) -> Explorable:
    """The range test beside fixed-rate training, for a slider over rates and k.

    Parameters
    ----------
    rates
        The learning rates of the grid (log-spaced): the first slider.
    checkpoints
        The numbers of steps ``k`` after which a loss was recorded: the second slider.
    after
        ``{optimizer: array (len(checkpoints), len(rates))}``: the loss after
        ``k`` steps of training at each constant rate (inf for a run that blew up):
        the curve over the rates (legend ``curve_label``), and the open markers
        of the bottom panel.
    per_step
        ``{optimizer: array (len(rates), steps)}``: each run's loss at every step
        (NaN where there is none, e.g. after it blew up): the bottom panel's lines.
    range_tests
        ``{optimizer: {label: test}}``: range tests with ``lrs``, ``smoothed`` and
        ``suggested_lr`` (the profiler's ``LRRangeTest``), drawn in every state.
    start
        ``(rate index, checkpoint index)`` shown first (and in the still).
    loss_range
        The loss axis (log scale) of every panel; losses beyond it are drawn on
        its edge.
    curve_label
        The legend of the curves over the rates.
    rate_marks
        Labelled ticks under the rate slider (e.g. the suggested rates).
    readouts, note
        As in :func:`~tinytorch.plotting_explorable.explorable`: ``readouts``
        strings are flattened in (rate, checkpoint) C order.
    """
    import matplotlib.pyplot as plt

    rates = np.asarray(rates, dtype=float)
    checkpoints = [int(k) for k in checkpoints]
    names = list(after)
    if list(per_step) != names or list(range_tests) != names:
        raise ValueError(f"after, per_step and range_tests must name the same optimizers "
                         f"in the same order: {names}, {list(per_step)}, {list(range_tests)}")
    for o in names:
        if np.shape(after[o]) != (len(checkpoints), len(rates)):
            raise ValueError(f"after[{o!r}]: shape {np.shape(after[o])}, "
                             f"expected {(len(checkpoints), len(rates))}")
        if np.ndim(per_step[o]) != 2 or len(per_step[o]) != len(rates):
            raise ValueError(f"per_step[{o!r}]: shape {np.shape(per_step[o])}, "
                             f"expected ({len(rates)}, steps)")
    i0, k0 = start[0] % len(rates), start[1] % len(checkpoints)
    steps = int(np.shape(per_step[names[0]])[1])
    after = {o: _on_scale(after[o], loss_range) for o in names}
    per_step = {o: _on_scale(per_step[o], loss_range) for o in names}
    colors = {o: color_for(o) for o in names}
    styles = {o: (LINESTYLES[j % len(LINESTYLES)], _MARKERS[j % len(_MARKERS)])
              for j, o in enumerate(names)}
    all_lrs = np.concatenate([rates] + [np.asarray(t.lrs, float) for tests in range_tests.values()
                                        for t in tests.values()])
    rate_lim = (all_lrs.min() / 1.5, all_lrs.max() * 1.5)
    edge = list(loss_range)                      # a vertical line spans the loss axis
    encoding = _loss_encoding(loss_range)
    x_encoding = Encoding(1e-3, 0.0, "int16", log=True)   # a rate, to 0.001 decade
    t = np.arange(float(steps))
    step_lim = (0, 1.02 * max(steps, checkpoints[-1]))    # the last k stays visible
    shape = (len(rates), len(checkpoints))
    rate_axis = TypesetAxis("rate", "learning rate η", rates, start=i0, fmt=".2g",
                            marks=tuple(rate_marks))
    k_axis = GridAxis("k", "steps trained k", checkpoints, start=k0, fmt=".0f")
    grid_axes = [rate_axis, k_axis]
    frames = {
        f"{name}-rate": Frame({"x": (np.repeat(rates[:, None], 2, axis=1), x_encoding)},
                              ["rate"]),
        f"{name}-after": Frame({_key(j): (after[o], encoding) for j, o in enumerate(names)},
                               ["k"]),
        f"{name}-chosen": {"rate": (np.broadcast_to(rates[:, None, None], shape + (1,)),
                                    x_encoding),
                           **{_key(j): (after[o].T[:, :, None], encoding)
                              for j, o in enumerate(names)}},
        f"{name}-steps": Frame({_key(j): (per_step[o], encoding) for j, o in enumerate(names)},
                               ["rate"]),
        f"{name}-marks": Frame({_key(j): (after[o].T, encoding) for j, o in enumerate(names)},
                               ["rate"]),
        f"{name}-k": Frame({"x": (np.repeat(np.asarray(checkpoints, float)[:, None], 2, axis=1),
                                  Encoding(1.0, 0.0, "int16"))}, ["k"]),
    }
    _checked_frames(grid_axes, frames, readouts)  # before drawing: same errors without bokeh

    # -- the still: the starting state in the course's matplotlib style ----------
    still, axes = plt.subplots(len(names) + 1, 1, figsize=(6.4, 2.4 * len(names) + 2.6),
                               height_ratios=[1] * len(names) + [1.1])
    for ax, o in zip(axes, names):
        color, (dash, (marker, _)) = colors[o], styles[o]
        for t_index, (label, test) in enumerate(range_tests[o].items()):
            test_dash = _TEST_DASHES[t_index % len(_TEST_DASHES)]
            ax.plot(test.lrs, test.smoothed, color=_TEST_COLOR, lw=1.3, ls=test_dash,
                    label=f"range test, {label}")
            if test.suggested_lr is not None:
                ax.axvline(test.suggested_lr, color=_TEST_COLOR, lw=1, ls=test_dash)
        ax.axvline(rates[i0], color=OKABE_ITO["black"], lw=_BAND_WIDTH * 0.75, alpha=_BAND_ALPHA)
        ax.plot(rates, after[o][k0], color=color, ls=dash, marker=marker, ms=4,
                label=curve_label)
        ax.plot(rates[i0], after[o][k0, i0], marker=marker, ms=10, mfc="white", mec=color,
                mew=2.2, ls="none")
        ax.set(xscale="log", yscale="log", xlim=rate_lim, ylim=loss_range,
               ylabel="loss", title=o)
        ax.legend(fontsize=7.5, loc="lower left")
    axes[len(names) - 1].set_xlabel("learning rate η")
    ax = axes[-1]
    ax.axvline(checkpoints[k0], color=OKABE_ITO["black"], lw=_BAND_WIDTH * 0.75, alpha=_BAND_ALPHA)
    for o in names:
        color, (dash, (marker, _)) = colors[o], styles[o]
        ax.plot(t, per_step[o][i0], color=color, ls=dash, lw=1.2, marker=marker, ms=8,
                mfc="white", mec=color, mew=1.8, markevery=[], label=o)   # the legend's glyphs
        ax.plot(checkpoints, after[o][:, i0], marker=marker, ms=8, mfc="white", mec=color,
                mew=1.8, ls="none")
    ax.set(yscale="log", xlim=step_lim, ylim=loss_range,
           xlabel="step", ylabel="loss",
           title=f"η = {rates[i0]:.3g}, step by step (k = {checkpoints[k0]})")
    ax.legend(fontsize=7.5, loc="lower left")
    if _bokeh_missing():
        return _still_only(name, still, alt)

    # -- the interactive plot: one panel per optimizer, then the runs per step ----
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Label, Legend, LegendItem, Range1d, Span
    from bokeh.plotting import figure

    def common(fig):
        fig.legend.location = "bottom_left"
        fig.legend.background_fill_alpha = 0.7
        fig.legend.label_text_font_size = "8pt"
        fig.legend.spacing = 0
        fig.legend.padding = 4
        fig.background_fill_color = "white"
        fig.grid.grid_line_alpha = 0.35
        fig.min_border_left = 60
        fig.xaxis.minor_tick_line_color = None
        fig.yaxis.minor_tick_line_color = None   # log axes: 8 minor ticks per decade

    chosen_rate = ColumnDataSource({"x": [rates[i0]] * 2, "y": edge}, name=f"{name}-rate")
    curves = ColumnDataSource({"rate": rates, **{_key(j): after[o][k0] for j, o in enumerate(names)}},
                              name=f"{name}-after")
    chosen = ColumnDataSource({"rate": [rates[i0]],
                               **{_key(j): [after[o][k0, i0]] for j, o in enumerate(names)}},
                              name=f"{name}-chosen")
    # Panels stretch to the page's width at a fixed height: on a phone they keep
    # room for their legends (scaling the whole panel would shrink it to a strip).
    panels = []
    for j, o in enumerate(names):
        color, (dash, (_, marker)) = colors[o], styles[o]
        fig = figure(x_axis_type="log", y_axis_type="log", x_range=Range1d(*rate_lim),
                     y_range=Range1d(*loss_range), width=700, height=250,
                     sizing_mode="stretch_width", toolbar_location=None, tools="",
                     x_axis_label="learning rate η", y_axis_label="loss")
        fig.title.text = o
        for t_index, (label, test) in enumerate(range_tests[o].items()):
            test_dash = _DASH[_TEST_DASHES[t_index % len(_TEST_DASHES)]]
            fig.line(np.asarray(test.lrs, np.float32), np.asarray(test.smoothed, np.float32),
                     line_color=_TEST_COLOR, line_width=1.3, line_dash=test_dash,
                     legend_label=f"range test, {label}")
            if test.suggested_lr is not None:
                fig.add_layout(Span(location=test.suggested_lr, dimension="height",
                                    line_color=_TEST_COLOR, line_dash=test_dash, line_width=1))
                fig.add_layout(Label(x=test.suggested_lr, y=4 + 44 * t_index, y_units="screen",
                                     text=number(test.suggested_lr, ".2g"), text_font_size="8pt",
                                     text_color=_TEST_COLOR, x_offset=3))
        fig.line("x", "y", source=chosen_rate, line_color=OKABE_ITO["black"],
                 line_width=_BAND_WIDTH, line_alpha=_BAND_ALPHA)
        fig.line("rate", _key(j), source=curves, line_color=color, line_width=2,
                 line_dash=_DASH[dash], legend_label=curve_label)
        fig.scatter("rate", _key(j), source=curves, marker=marker, color=color, size=5)
        fig.scatter("rate", _key(j), source=chosen, marker=marker, size=12,
                    fill_color="white", line_color=color, line_width=2.5)
        common(fig)
        panels.append(fig)

    runs = ColumnDataSource({"t": t, **{_key(j): per_step[o][i0] for j, o in enumerate(names)}},
                            name=f"{name}-steps")
    marks = ColumnDataSource({"k": np.asarray(checkpoints, float),
                              **{_key(j): after[o][:, i0] for j, o in enumerate(names)}},
                             name=f"{name}-marks")
    chosen_k = ColumnDataSource({"x": [float(checkpoints[k0])] * 2, "y": edge}, name=f"{name}-k")
    bottom = figure(x_range=Range1d(*step_lim), y_axis_type="log",
                    y_range=Range1d(*loss_range), width=700, height=250,
                    sizing_mode="stretch_width", toolbar_location=None, tools="",
                    x_axis_label="step", y_axis_label="loss")
    bottom.title.text = "the chosen rate, step by step"
    bottom.line("x", "y", source=chosen_k, line_color=OKABE_ITO["black"],
                line_width=_BAND_WIDTH, line_alpha=_BAND_ALPHA)
    items = []
    for j, o in enumerate(names):
        color, (dash, (_, marker)) = colors[o], styles[o]
        line = bottom.line("t", _key(j), source=runs, line_color=color, line_width=1.2,
                           line_dash=_DASH[dash])
        dots = bottom.scatter("k", _key(j), source=marks, marker=marker, size=9,
                              fill_color="white", line_color=color, line_width=2)
        items.append(LegendItem(label=o, renderers=[line, dots]))   # one entry: both glyphs
    bottom.add_layout(Legend(items=items))
    common(bottom)
    layout = column(*panels, bottom, sizing_mode="stretch_width")
    return explorable(name, layout, grid_axes, frames, still=still, alt=alt,
                      readouts=readouts, note=note)
