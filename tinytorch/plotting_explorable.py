"""Explorable figures: sliders over precomputed results, on a static page.

A chapter computes an experiment for every point of a small grid of settings (for
example 25 learning rates x 25 momentum coefficients) with the real ``tinytorch``
when the book is built. This module stores those results compactly and turns them
into a BokehJS plot with one slider per grid axis. Moving a slider only *looks up*
the precomputed curves of that grid point; the page runs no optimizer and needs no
kernel or server, so it works on the static site and offline.

Typical use, in a cell tagged ``remove-cell`` (the result is placed on the page by
``{glue:figure}``)::

    from tinytorch.plotting_explorable import GridAxis, path_and_loss_explorable
    figure = path_and_loss_explorable(
        "mom-playground", axes=[GridAxis("eta", "η", etas, start=20), ...],
        paths=paths, losses=losses, loss2d=lambda a, b: ..., readouts={...},
        alt="...")
    glue("mom_playground", figure)

How a figure is shown
---------------------
The output is one display with three representations:

* ``text/html`` (the site, JupyterLab): an ``<img>`` still (PNG, the course's
  matplotlib style, with alt text), the plot's Bokeh document as JSON, the sliders
  (plain ``<input type="range">``) and a short script. When BokehJS is on the page,
  the script draws the plot, shows the sliders and removes the still; otherwise
  (a notebook without BokehJS, e.g. Colab) the still stays.
* ``image/png``: the same still, for renderers without HTML (LaTeX/PDF).
* ``text/plain``: the alt text.

Without bokeh (in the browser: JupyterLite's Pyodide cannot install it) a builder
checks its arguments just the same, draws the same still and returns an
:class:`Explorable` whose ``text/html`` is that still alone, with a one-line note
that the interactive version is on the course's site: no data, no script.
``image/png`` and ``text/plain`` are as above.

BokehJS itself is not in the output: the site serves one copy of it,
``_static/bokeh/`` (``tools/sphinx_ext/course_fixes.py`` copies it from the
installed ``bokeh`` and adds it to the pages that carry an explorable), never from
a CDN. Only the core bundle (:data:`BOKEHJS_COMPONENTS`) is needed: the sliders are
HTML inputs, not Bokeh widgets, which keeps the page about 0.4 MB lighter.

Deterministic output (strict nbval)
-----------------------------------
Bokeh numbers its models with a process-wide counter; the HTML renumbers them in
order of appearance, so the output of a cell does not depend on what ran before.
Data are quantized (:class:`Encoding`) to integers, which also makes the stored
output insensitive to the last bits of floating point. The still PNG inside the
HTML is replaced by nbval's sanitizer (``tests/book/nbval-sanitize.cfg``), just as
nbval skips ``image/png`` outputs.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tinytorch.plotting import OKABE_ITO, color_for, contour_with_trajectories, line_plot

__all__ = [
    "BOKEHJS_COMPONENTS",
    "MARKER",
    "GridAxis",
    "Encoding",
    "Explorable",
    "Frame",
    "explorable",
    "path_and_loss_explorable",
]

#: The BokehJS bundles an explorable needs (names of ``bokeh.resources`` components).
BOKEHJS_COMPONENTS: tuple[str, ...] = ("bokeh",)
#: The attribute that every explorable's HTML carries (the site adds BokehJS to such pages).
MARKER = "data-tinytorch-explorable"


@dataclass(frozen=True)
class GridAxis:
    """One slider: an axis of the precomputed grid.

    Parameters
    ----------
    key
        A short identifier (``"eta"``), also the slider's ``data-key``.
    label
        What the reader sees (``"learning rate η"``).
    values
        The grid values along this axis, in slider order.
    start
        Index of the value shown first.
    fmt
        Format spec of the value printed beside the slider.
    choices
        Names shown instead of numbers, one per value: the axis becomes a menu
        (``<select>``), e.g. the optimizer or "Nesterov: off / on".
    marks
        ``((value, text), ...)``: labelled ticks under the slider at those values
        (interpolated between grid values, on a log scale when the values are
        log-spaced), e.g. ``((2.0, "2/L"),)``.
    """

    key: str
    label: str
    values: Sequence[float]
    start: int = 0
    fmt: str = ".3g"
    choices: Sequence[str] | None = None
    marks: Sequence[tuple[float, str]] = ()

    def __post_init__(self):
        if self.choices is not None and len(self.choices) != len(self.values):
            raise ValueError(f"axis {self.key}: {len(self.choices)} choices, "
                             f"{len(self.values)} values")
        if not 0 <= self.start < len(self.values):
            raise ValueError(f"axis {self.key}: start {self.start} outside 0..{len(self.values) - 1}")

    def labels(self) -> list[str]:
        if self.choices is not None:
            return list(self.choices)
        return [format(float(v), self.fmt).replace("-", "\u2212") for v in self.values]

    def position(self, value: float) -> float:
        """Where ``value`` sits along the slider, from 0 (first) to 1 (last)."""
        v = np.asarray(self.values, dtype=float)
        log = bool(np.all(v > 0)) and len(v) > 2 and np.allclose(np.diff(np.log(v)),
                                                                 np.log(v[1] / v[0]))
        f = np.log if log else (lambda x: x)
        return float(np.interp(f(value), f(v), np.arange(len(v)))) / (len(v) - 1)


@dataclass(frozen=True)
class Encoding:
    """How one column is stored: ``value = offset + scale * q`` with integers ``q``.

    ``log=True`` stores ``log10(value)`` instead (for losses spanning 40 decades);
    the page then shows ``10 ** (offset + scale * q)``. Values outside what the
    integer type holds are clipped (e.g. a diverging run leaves the plot).
    ``gaps=True`` keeps NaN: the largest integer is reserved for it (a line drawn
    through a NaN breaks there, so several curves can share one column).
    """

    scale: float
    offset: float = 0.0
    dtype: str = "int16"
    log: bool = False
    gaps: bool = False

    def encode(self, values: np.ndarray) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        if self.log:
            with np.errstate(divide="ignore"):
                v = np.log10(np.abs(v))
        info = np.iinfo(self.dtype)
        top = info.max - 1 if self.gaps else info.max
        q = np.rint((v - self.offset) / self.scale)
        missing = np.isnan(q)
        q = np.clip(np.nan_to_num(q, nan=top, posinf=top, neginf=info.min), info.min, top)
        if self.gaps:
            q[missing] = info.max
        return q.astype(self.dtype)

    def decode(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q)
        v = self.offset + self.scale * q.astype(float)
        v = 10.0**v if self.log else v
        if self.gaps:
            v[q == np.iinfo(self.dtype).max] = np.nan
        return v

    def spec(self) -> dict:
        spec = {"scale": self.scale, "offset": self.offset, "dtype": self.dtype,
                "log": self.log}
        if self.gaps:
            spec["gap"] = int(np.iinfo(self.dtype).max)
        return spec


@dataclass(frozen=True)
class Frame:
    """Columns of one data source that depend on only some of the grid's axes.

    ``columns`` as in :func:`explorable`, but each array has shape
    ``(*[len(axis) for axis in axes], length)``: e.g. a valley's contour lines
    depend on the condition number, not on the learning rate, and are stored once
    per condition number.
    """

    columns: Mapping[str, tuple[np.ndarray, Encoding]]
    axes: Sequence[str]


@dataclass
class Explorable:
    """A slider-driven figure over precomputed data; displays itself (see module doc)."""

    name: str
    html_text: str
    still_png: bytes
    alt: str
    data_bytes: int = field(default=0)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html_text,
            "image/png": base64.b64encode(self.still_png).decode("ascii"),
            "text/plain": f"[explorable figure] {self.alt}",
        }


def _renumbered(item: dict, prefix: str) -> str:
    """The Bokeh JSON with the process-wide model ids renumbered from 1, in order."""
    text = json.dumps(item, separators=(",", ":"))  # key order kept: refs follow defs
    ids: dict[str, str] = {}
    for found in re.findall(r'"(p\d+)"', text):
        ids.setdefault(found, f"{prefix}-{len(ids) + 1}")
    return re.sub(r'"(p\d+)"', lambda m: f'"{ids[m[1]]}"', text)


def _png_bytes(fig, colors: int = 48) -> bytes:
    """The figure as a small palette PNG (a still needs no 24-bit colour)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="png", optimize=True)
    return out.getvalue()


_SCRIPT = """(function () {
  var NAME = %(name)s;
  var root = document.getElementById(NAME);
  function inflate(b64) {
    // the columns are zlib streams: the browser inflates them (no library needed)
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer();
  }
  var TYPES = {int16: Int16Array, uint8: Uint8Array, int8: Int8Array,
               uint16: Uint16Array, float32: Float32Array};
  function start() {
    if (!(window.Bokeh && window.Bokeh.embed && window.DecompressionStream)) return;  // the still stays
    var cfg = JSON.parse(document.getElementById(NAME + "-data").textContent);
    var columns = [];
    cfg.frames.forEach(function (f) { f.columns.forEach(function (c) { columns.push(c); }); });
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-axis]"));
    Promise.all(columns.map(function (c) { return inflate(c.data); })).then(function (buffers) {
      columns.forEach(function (c, j) { c.q = new TYPES[c.encoding.dtype](buffers[j]); });
      return Bokeh.embed.embed_item(cfg.item, NAME + "-plot");
    }).then(function () {
      var doc = Bokeh.documents.filter(function (d) {
        return d.get_model_by_name(cfg.frames[0].source) !== null;
      }).pop();
      function update() {
        // the chosen grid point's index in each frame: a lookup, nothing is computed
        var chosen = controls.map(function (control, a) {
          var i = Number(control.value), out = root.querySelector("output[data-key=" + cfg.axes[a].key + "]");
          if (out) out.textContent = cfg.axes[a].labels[i];
          return i;
        });
        var k = chosen.reduce(function (acc, i, a) { return acc * cfg.axes[a].n + i; }, 0);
        cfg.frames.forEach(function (f) {
          var data = {}, L = f.length;
          var kf = f.axes.reduce(function (acc, a) { return acc * cfg.axes[a].n + chosen[a]; }, 0);
          Object.keys(f.fixed).forEach(function (c) { data[c] = f.fixed[c]; });
          f.columns.forEach(function (c) {
            var e = c.encoding, out = new Float64Array(L);
            for (var t = 0; t < L; t++) {
              var q = c.q[kf * L + t], v = e.offset + e.scale * q;
              out[t] = (e.gap !== undefined && q === e.gap) ? NaN : (e.log ? Math.pow(10, v) : v);
            }
            data[c.name] = out;
          });
          doc.get_model_by_name(f.source).data = data;
        });
        Object.keys(cfg.readouts).forEach(function (key) {
          root.querySelector("[data-readout=" + key + "]").textContent = cfg.readouts[key][k];
        });
        root.setAttribute("data-index", String(k));
      }
      controls.forEach(function (control) {
        control.addEventListener("input", update);
        control.addEventListener("change", update);
      });
      update();
      root.querySelector(".explorable-controls").hidden = false;
      var still = root.querySelector(".explorable-still");
      if (still) still.remove();
      root.classList.add("explorable-live");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();"""


def _label_before(marks: Sequence[tuple[float, str]], i: int) -> bool:
    """Whether mark ``i`` of the sorted ``(position, text)`` marks puts its label
    left of its tick: near the slider's right end, or crowded by the next mark."""
    position = marks[i][0]
    crowded = i + 1 < len(marks) and marks[i + 1][0] - position < 0.15
    return position > 0.8 or crowded


def _control(name: str, axis: GridAxis) -> str:
    """The HTML of one axis: a slider with its value (and marks), or a menu."""
    esc = html.escape
    if axis.choices is not None:
        options = "".join(f'<option value="{i}"{" selected" if i == axis.start else ""}>'
                          f"{esc(c)}</option>" for i, c in enumerate(axis.choices))
        return (f'<label class="explorable-slider">{esc(axis.label)} '
                f'<select data-axis data-key="{axis.key}" aria-label="{esc(axis.label)}">'
                f"{options}</select></label>")
    # a mark sits where the slider's thumb centre would be: 8 px in from each end
    # a label sits right of its tick, or left of it near the slider's end or when
    # the next mark is close (so that neighbouring labels do not overlap)
    where = sorted((axis.position(value), text) for value, text in axis.marks)
    marks = "".join(
        f'<span class="explorable-mark{" before" if _label_before(where, i) else ""}" '
        f'style="left: calc(8px + (100% - 16px) * {position:.4f})">{esc(text)}</span>'
        for i, (position, text) in enumerate(where))
    marked = " marked" if axis.marks else ""
    track = (f'<span class="explorable-track{marked}"><input type="range" min="0" '
             f'max="{len(axis.values) - 1}" step="1" value="{axis.start}" data-axis '
             f'data-key="{axis.key}" aria-label="{esc(axis.label)}">{marks}</span>')
    return (f'<label class="explorable-slider">{esc(axis.label)} = '
            f'<output data-key="{axis.key}">{esc(axis.labels()[axis.start])}</output>'
            f"{track}</label>")


def _checked_frames(
    axes: Sequence[GridAxis],
    frames: Mapping[str, Mapping[str, tuple[np.ndarray, Encoding]] | Frame],
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None,
) -> dict[str, Frame]:
    """``frames`` as :class:`Frame` objects, checked against the grid of ``axes``
    (as in :func:`explorable`), and the readouts' lengths too.

    It needs no bokeh: a builder checks its data before it draws anything, so bad
    data fail in the same way where the figure can only be a still.
    """
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise ValueError(f"axis keys repeat: {keys}")
    shape = tuple(len(a.values) for a in axes)
    checked = {}
    for source, frame in frames.items():
        if not isinstance(frame, Frame):
            frame = Frame(frame, keys)
        unknown = [k for k in frame.axes if k not in keys]
        if unknown:
            raise ValueError(f"{source}: no axis named {unknown[0]!r} (axes: {keys})")
        frame_shape = tuple(shape[keys.index(k)] for k in frame.axes)
        length = None
        for column, (values, _) in frame.columns.items():
            values_shape = np.shape(values)
            if values_shape[:-1] != frame_shape:
                raise ValueError(f"{source}.{column}: shape {values_shape}, grid {frame_shape}")
            if length is not None and values_shape[-1] != length:
                raise ValueError(f"{source}.{column}: length {values_shape[-1]}, "
                                 f"the source's other columns have {length}")
            length = values_shape[-1]
        checked[source] = frame
    for key, (_, strings) in (readouts or {}).items():
        if len(strings) != int(np.prod(shape)):
            raise ValueError(f"readout {key}: {len(strings)} strings, grid has {np.prod(shape)}")
    return checked


def _bokeh_missing() -> bool:
    """Whether bokeh cannot be imported. In the browser (JupyterLite, Pyodide) it
    cannot be installed: a builder then returns its still alone (:func:`_still_only`)."""
    try:
        import bokeh.embed  # noqa: F401
        import bokeh.layouts  # noqa: F401
        import bokeh.models  # noqa: F401
        import bokeh.plotting  # noqa: F401
    except ImportError:
        return True
    return False


#: Under the still where bokeh is missing: the reader may look for sliders.
_STILL_NOTE = "The interactive version of this figure is on the course's site; this is its still."


def _opening(name: str) -> str:
    """The explorable's outer ``<div>`` (the site looks for :data:`MARKER`)."""
    return f'<div class="explorable" id="{name}" {MARKER}="{name}">\n'


def _still_tag(png: bytes, alt: str) -> str:
    """The still as an ``<img>`` with its alt text, the PNG inline."""
    return (f'<img class="explorable-still" alt="{html.escape(alt)}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">\n')


def _still_only(name: str, still, alt: str) -> Explorable:
    """The figure as its still and a one-line note: no data, no script, no bokeh.

    What a builder returns where bokeh cannot be imported; ``still`` (a matplotlib
    figure) is closed here, as in :func:`explorable`.
    """
    import matplotlib.pyplot as plt

    png = _png_bytes(still)
    plt.close(still)
    html_text = (f"{_opening(name)}{_still_tag(png, alt)}"
                 f'<p class="explorable-note">{_STILL_NOTE}</p>\n'
                 f"</div>")
    return Explorable(name=name, html_text=html_text, still_png=png, alt=alt)


def explorable(
    name: str,
    layout,
    axes: Sequence[GridAxis],
    frames: Mapping[str, Mapping[str, tuple[np.ndarray, Encoding]] | Frame],
    *,
    still,
    alt: str,
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
) -> Explorable:
    """Make an :class:`Explorable` from a Bokeh layout and precomputed data.

    The columns are stored as zlib streams (base64) that the browser inflates with
    its built-in ``DecompressionStream``; the explorable's ``data_bytes`` counts the
    compressed bytes.

    Parameters
    ----------
    name
        A CSS-safe id, unique on the page (``"mom-playground"``).
    layout
        The Bokeh model to show. Its ``ColumnDataSource`` named ``source`` (for each
        key of ``frames``) is what the controls refill.
    axes
        The grid's axes, one control each, in the order of the data's leading dims.
    frames
        ``{source name: {column: (array, encoding)}}``; every array has shape
        ``(*grid shape, length)``: one curve per grid point. A :class:`Frame`
        instead stores columns that depend on some of the axes only.
    still
        A matplotlib figure: the still shown where BokehJS is missing (closed here).
    alt
        Alt text of the still (what the figure shows).
    readouts
        ``{key: (label, strings)}``: text beside the controls, one string per grid
        point (``strings`` flattened in the grid's C order).
    note
        Fixed text after the readouts (e.g. the predicted value they compare with).
    """
    import matplotlib.pyplot as plt
    from bokeh.embed import json_item

    keys = [a.key for a in axes]
    shape = tuple(len(a.values) for a in axes)
    readouts = dict(readouts or {})
    config_frames = []
    data_bytes = 0
    for source, frame in _checked_frames(axes, frames, readouts).items():
        depends = [keys.index(k) for k in frame.axes]
        entries = []
        length = None
        for column, (values, encoding) in frame.columns.items():
            values = np.asarray(values)
            length = values.shape[-1]
            q = encoding.encode(values).astype(np.dtype(encoding.dtype).newbyteorder("<"))
            packed = zlib.compress(q.tobytes(), 9)
            data_bytes += len(packed)
            entries.append({
                "name": column,
                "encoding": encoding.spec(),
                "data": base64.b64encode(packed).decode("ascii"),
            })
        # the source's other columns (e.g. the step numbers) never change: stored once
        model = layout.select_one({"name": source})
        if model is None:
            raise ValueError(f"the layout has no ColumnDataSource named {source!r}")
        fixed = {c: np.asarray(v, dtype=float).tolist()
                 for c, v in model.data.items() if c not in frame.columns}
        config_frames.append({"source": source, "length": length, "axes": depends,
                              "columns": entries, "fixed": fixed})
    config = {
        "axes": [{"key": a.key, "n": len(a.values), "labels": a.labels()} for a in axes],
        "frames": config_frames,
        "readouts": {k: list(s) for k, (_, s) in readouts.items()},
    }
    item = _renumbered(json_item(layout), name)
    payload = json.dumps(config, separators=(",", ":"), ensure_ascii=False)
    payload = payload[:-1] + ',"item":' + item + "}"
    payload = payload.replace("</", "<\\/")          # safe inside <script>

    png = _png_bytes(still)
    plt.close(still)
    esc = html.escape
    controls = "".join(_control(name, a) for a in axes)
    start = int(np.ravel_multi_index([a.start for a in axes], shape))
    text = "".join(
        f'<span class="explorable-readout">{esc(label)}: '
        f'<span data-readout="{key}">{esc(strings[start])}</span></span>'
        for key, (label, strings) in readouts.items()
    )
    html_text = (
        f"{_opening(name)}"
        f'<div class="explorable-controls" hidden>{controls}'
        f'<p class="explorable-readouts">{text}{esc(note)}</p></div>\n'
        f'<div class="explorable-plot" id="{name}-plot"></div>\n'
        f"{_still_tag(png, alt)}"
        f'<script type="application/json" id="{name}-data">{payload}</script>\n'
        f"<script>{_SCRIPT % {'name': json.dumps(name)}}</script>\n"
        f"</div>"
    )
    return Explorable(name=name, html_text=html_text, still_png=png, alt=alt, data_bytes=data_bytes)


def _ellipse_levels(lambdas, levels, n=64):
    """Level sets 0.5 * sum(lambda_i x_i^2) = c of a 2-D quadratic, as closed curves
    (float32: plenty for a drawing, half the bytes)."""
    t = np.linspace(0.0, 2 * np.pi, n)
    xs = [(np.sqrt(2 * c / lambdas[0]) * np.cos(t)).astype(np.float32) for c in levels]
    ys = [(np.sqrt(2 * c / lambdas[1]) * np.sin(t)).astype(np.float32) for c in levels]
    return xs, ys


def _screen_encoding(lim: tuple[float, float], margin: float = 0.05) -> Encoding:
    """One byte per coordinate: 256 levels across the shown range plus a margin, so
    a point that leaves the plot is stored just outside it (and is not drawn)."""
    span = lim[1] - lim[0]
    lo = lim[0] - margin * span
    return Encoding((1 + 2 * margin) * span / 255, lo, "uint8")


def path_and_loss_explorable(
    name: str,
    *,
    axes: Sequence[GridAxis],
    paths: np.ndarray,
    losses: np.ndarray,
    lambdas: Sequence[float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    alt: str,
    label: str = "momentum",
    path_steps: int = 30,
    loss_range: tuple[float, float] = (1e-24, 1e4),
    guide: tuple[str, np.ndarray] | None = None,
    readouts: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    note: str = "",
    decades_per_level: float = 0.2,
) -> Explorable:
    """Optimizer paths on the contours of a 2-D quadratic, and loss against step.

    ``paths`` has shape ``(*grid, steps + 1, 2)`` and ``losses`` ``(*grid, steps + 1)``:
    the precomputed runs for every grid point. The quadratic is
    ``0.5 * (lambdas[0] * x**2 + lambdas[1] * y**2)`` (minimum at the origin). The
    paths are stored for ``path_steps`` steps with one byte per coordinate (256
    levels across the plot: about a pixel at its 700 px width); the losses with one
    byte per step, in levels of ``decades_per_level`` decades. ``guide``: a fixed
    reference curve ``(label, loss per step)`` drawn dashed on the loss plot.
    """
    import matplotlib.pyplot as plt

    color = color_for(label)
    grid = tuple(len(a.values) for a in axes)
    start = tuple(a.start for a in axes)
    steps = losses.shape[-1] - 1
    lambdas = np.asarray(lambdas, dtype=float)
    first = paths[start][: path_steps + 1]
    lo = np.log10(loss_range[0]) - 2
    frames = {
        f"{name}-path": {"x": (paths[..., : path_steps + 1, 0], _screen_encoding(xlim)),
                         "y": (paths[..., : path_steps + 1, 1], _screen_encoding(ylim))},
        f"{name}-loss": {"loss": (losses, Encoding(decades_per_level, lo, "uint8", log=True))},
    }
    _checked_frames(axes, frames, readouts)   # before drawing: the same errors without bokeh

    # -- the still: the first grid point shown, in the course's matplotlib style --
    still, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.4, 6.0), height_ratios=(1, 1.1))
    contour_with_trajectories(
        lambda a, b: 0.5 * (lambdas[0] * a**2 + lambdas[1] * b**2),
        {label: first}, xlim=xlim, ylim=ylim, minimum=(0, 0), ax=ax1)
    ax1.set_title(f"the first {path_steps} steps")
    series = {label: losses[start]}
    if guide is not None:
        series = {guide[0]: guide[1], **series}
    line_plot(series, xlabel="step $t$", ylabel=r"loss $L(\theta_t)$", logy=True, ax=ax2)
    ax2.set_ylim(*loss_range)
    ax2.set_xlim(0, steps)
    if _bokeh_missing():
        return _still_only(name, still, alt)

    # -- the interactive plot --------------------------------------------------
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Range1d
    from bokeh.plotting import figure

    top = figure(x_range=Range1d(*xlim), y_range=Range1d(*ylim), width=700, height=300,
                 sizing_mode="scale_width", toolbar_location=None, tools="",
                 x_axis_label="θ₁", y_axis_label="θ₂", match_aspect=True)
    corner = 0.5 * (lambdas[0] * max(map(abs, xlim)) ** 2 + lambdas[1] * max(map(abs, ylim)) ** 2)
    xs, ys = _ellipse_levels(lambdas, np.geomspace(corner * 1e-3, corner, 10))
    top.multi_line(xs, ys, line_color="#999999", line_width=0.8, line_alpha=0.8)
    path = ColumnDataSource({"x": first[:, 0], "y": first[:, 1]}, name=f"{name}-path")
    top.line("x", "y", source=path, line_color=color, line_width=2)
    top.scatter("x", "y", source=path, color=color, size=4)
    origin = paths[(0,) * len(grid)][0]
    top.scatter([origin[0]], [origin[1]], marker="square", color=color, size=8)
    top.scatter([0.0], [0.0], marker="star", color=OKABE_ITO["black"], size=16)
    top.title.text = f"the first {path_steps} steps"

    bottom = figure(x_range=Range1d(0, steps), y_range=Range1d(*loss_range), width=700,
                    height=260, sizing_mode="scale_width", toolbar_location=None, tools="",
                    y_axis_type="log", x_axis_label="step t", y_axis_label="loss L(θₜ)")
    curve = ColumnDataSource({"t": np.arange(steps + 1.0), "loss": losses[start]},
                             name=f"{name}-loss")
    if guide is not None:
        bottom.line(np.arange(len(guide[1])), guide[1], line_color=OKABE_ITO["black"],
                    line_dash="dashed", line_width=1.2, legend_label=guide[0])
    bottom.line("t", "loss", source=curve, line_color=color, line_width=2, legend_label=label)
    bottom.yaxis.minor_tick_line_color = None      # a log axis: 8 minor ticks per decade
    bottom.legend.location = "bottom_left"
    bottom.legend.background_fill_alpha = 0.7
    for fig in (top, bottom):
        fig.background_fill_color = "white"
        fig.grid.grid_line_alpha = 0.35
        fig.min_border_left = 60
    layout = column(top, bottom, sizing_mode="stretch_width")
    return explorable(name, layout, axes, frames, still=still, alt=alt, readouts=readouts,
                      note=note)
