"""The course's one figure style: colour-blind-safe colours and a few plot helpers.

Every chapter draws its figures through this module so that the whole book looks the
same and the same optimizer always has the same colour. It and
:mod:`tinytorch.plotting_explorable` (sliders over precomputed results, drawn by
BokehJS) are the only parts of ``tinytorch`` that import matplotlib; the core package
never does.

Typical use at the top of a chapter::

    from tinytorch.plotting import use_style, line_plot, contour_with_trajectories, glue
    use_style()

It also provides :func:`glue`, which the chapters use to put computed numbers and
figures into their prose, and which still works where myst-nb is not installed.

Design choices (they matter for the executed notebooks):

* Colours are the Okabe–Ito palette, readable with every common form of colour-vision
  deficiency. Never rely on colour alone: :func:`line_plot` also varies line styles.
* Figures are PNG at 110 dpi. PNG outputs are skipped by ``nbval``'s comparison,
  whereas SVG is text that would be compared (and embeds ids and dates).
* The figure size is fixed, so a figure's text representation
  (``<Figure size 704x440 with 1 Axes>``) is stable; the test suite sanitizes it anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "LINESTYLES",
    "OPTIMIZER_COLORS",
    "STYLE",
    "use_style",
    "color_for",
    "line_plot",
    "contour_with_trajectories",
    "glue",
]

#: The eight Okabe–Ito colours, by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The colour cycle, most distinguishable first (yellow last, it is weak on white).
PALETTE: list[str] = [
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    )
]

#: Line styles paired with the colour cycle so that lines differ without colour too.
LINESTYLES: list[str] = ["-", "--", "-.", ":", "-", "--", "-.", ":"]

#: One fixed colour per optimizer, used by every chapter (keys are lower case).
OPTIMIZER_COLORS: dict[str, str] = {
    "gradientdescent": OKABE_ITO["blue"],
    "gd": OKABE_ITO["blue"],
    "sgd": OKABE_ITO["blue"],
    "momentum": OKABE_ITO["orange"],
    "nesterov": OKABE_ITO["reddish_purple"],
    "adagrad": OKABE_ITO["sky_blue"],
    "rmsprop": OKABE_ITO["bluish_green"],
    "adam": OKABE_ITO["vermillion"],
    "adamw": OKABE_ITO["black"],
}

#: The matplotlib settings applied by :func:`use_style`.
STYLE: dict[str, object] = {
    # size and resolution: 6.4 x 4 inches at 110 dpi is 704 x 440 px, sharp on the web
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": "figure",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,
    # type
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    # axes
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.grid": True,
    "grid.color": "#b0b0b0",
    "grid.alpha": 0.35,
    "grid.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.formatter.use_mathtext": True,
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
    "legend.frameon": False,
    "image.cmap": "viridis",
    # deterministic vector output if someone saves SVG
    "svg.hashsalt": "optimizers-executably",
    "svg.fonttype": "path",
}


def use_style() -> None:
    """Apply the course style to matplotlib (idempotent; call once per notebook)."""
    mpl.rcParams.update(STYLE)


def color_for(name: str) -> str:
    """The course colour of an optimizer, e.g. ``color_for("Adam")``.

    A label that contains an optimizer's name gets its colour too
    (``"momentum 0.9"`` is drawn like ``"momentum"``; the longest name wins).
    Other labels get a colour from :data:`PALETTE` chosen from the label, so the
    same label always gets the same colour; never the yellow, which is too faint on
    white for a colour nobody chose on purpose.
    """
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    if key in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[key]
    for known in sorted(OPTIMIZER_COLORS, key=len, reverse=True):
        if len(known) > 2 and known in key:
            return OPTIMIZER_COLORS[known]
    strong = [c for c in PALETTE if c != OKABE_ITO["yellow"]]
    return strong[sum(map(ord, key)) % len(strong)]


def _distinct_colors(labels: Sequence[str]) -> list[str]:
    """Course colours for ``labels``, made distinct: a repeated colour moves to the
    next unused palette colour (e.g. "SGD lr=0.1" and "SGD lr=0.5" in one plot)."""
    used: list[str] = []
    for label in labels:
        color = color_for(label)
        if color in used:
            color = next((c for c in PALETTE if c not in used), color)
        used.append(color)
    return used


def line_plot(
    series: Mapping[str, Sequence[float]],
    *,
    x: Sequence[float] | None = None,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
    logy: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Plot several named curves (e.g. loss per step for each optimizer) on one axes.

    Parameters
    ----------
    series
        ``{label: values}``. A label that names an optimizer gets its course colour
        (two labels that would share one get distinct colours).
    x
        Shared x values; defaults to ``0, 1, 2, ...``.
    xlabel, ylabel, title
        Axis labels (always label axes) and an optional title.
    logy
        Use a logarithmic y axis (losses that shrink geometrically).
    ax
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots()
    colors = _distinct_colors(list(series))
    for i, (label, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=float)
        xs = np.arange(len(values)) if x is None else np.asarray(x, dtype=float)
        ax.plot(
            xs,
            values,
            label=label,
            color=colors[i],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
        )
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return ax


def contour_with_trajectories(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    trajectories: Mapping[str, Sequence[Sequence[float]]],
    *,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    levels: int = 20,
    log_levels: bool = True,
    minimum: tuple[float, float] | None = None,
    resolution: int = 300,
    xlabel: str = r"$\theta_1$",
    ylabel: str = r"$\theta_2$",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the contours of a 2-D loss and the paths optimizers took across it.

    Parameters
    ----------
    f
        The loss, evaluated elementwise on grids: ``f(X, Y) -> Z`` (numpy arrays).
    trajectories
        ``{label: points}`` where ``points`` has shape ``(steps + 1, 2)``.
    xlim, ylim
        The region shown.
    levels
        Number of contour levels.
    log_levels
        Space the levels logarithmically (good for ill-conditioned valleys).
        Needs a positive loss; falls back to linear levels otherwise.
    minimum
        Where to mark the minimum with a star, if given.
    resolution
        Grid points per axis.
    xlabel, ylabel, title
        Labels.
    ax
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots()
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(f(X, Y), dtype=float)
    if log_levels and np.all(Z > 0):
        lv = np.geomspace(Z.min(), Z.max(), levels)
        ax.contour(X, Y, Z, levels=lv, norm=LogNorm(), cmap="Greys", linewidths=0.8, alpha=0.8)
    else:
        ax.contour(X, Y, Z, levels=levels, cmap="Greys", linewidths=0.8, alpha=0.8)
    colors = _distinct_colors(list(trajectories))
    for i, (label, points) in enumerate(trajectories.items()):
        pts = np.asarray(points, dtype=float)
        color = colors[i]
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=color,
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            marker="o",
            markersize=3,
            label=label,
        )
        ax.plot(pts[0, 0], pts[0, 1], marker="s", color=color, markersize=6)
    if minimum is not None:
        ax.plot(*minimum, marker="*", color=OKABE_ITO["black"], markersize=14, linestyle="none")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    if title:
        ax.set_title(title)
    if trajectories:
        ax.legend(loc="upper right")
    return ax


def glue(name: str, value: object, display: bool = True) -> None:
    """Store ``value`` under ``name`` for the page's prose (``{glue:text}`name```).

    This is ``myst_nb.glue`` when myst-nb is installed (the site build, Binder, a
    local setup). Where it is not (Colab, the browser), a number or text is printed
    with its name (``name: value``) and anything else (a figure) is displayed, so a
    notebook reader still sees every glued number, labelled, and every figure.

    Numbers: numpy scalars are turned into Python numbers first (their repr,
    ``np.float64(0.5)``, could not be formatted), so formats such as
    ``{glue:text}`name:.3f``` work; usually glue numbers with ``display=False``.

    Figures: ``glue("name", fig)`` (``display=True``) then ``plt.close(fig)``, in a
    cell tagged ``remove-cell``. The figure then shows inline in the notebook (Colab,
    Binder) and on the site where a ``{glue:figure}`` directive places it; closing it
    stops Jupyter from drawing it a second time. Its stored output is an ordinary
    PNG, which nbval does not compare, so no ``nbval-ignore-output`` tag is needed.
    (``display=False`` would store the image under a papermill mime type that nbval
    does compare.)
    """
    if isinstance(value, np.generic):
        value = value.item()  # numpy scalars print as "np.float64(...)": unformattable
    try:
        from myst_nb import glue as _glue
    except ImportError:
        from IPython.display import display as _display

        if isinstance(value, (str, int, float)):
            print(f"{name}: {value}")
        else:
            _display(value)
        return
    _glue(name, value, display=display)
