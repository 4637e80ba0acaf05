"""tinytorch.plotting_explorable: compact storage, deterministic HTML, the mime bundle."""

from __future__ import annotations

import base64
import json
import re
import zlib

import numpy as np
import pytest

pytest.importorskip("bokeh")
import matplotlib  # noqa: E402

matplotlib.use("Agg")

from tinytorch.plotting_explorable import (  # noqa: E402
    MARKER,
    Encoding,
    GridAxis,
    path_and_loss_explorable,
)


def make(name="test-explorable"):
    rng = np.random.default_rng(0)
    paths = rng.normal(size=(3, 2, 11, 2))
    losses = 10.0 ** rng.uniform(-20, 2, size=(3, 2, 11))
    return path_and_loss_explorable(
        name,
        axes=[GridAxis("a", "first", [0.1, 0.2, 0.3], start=1),
              GridAxis("b", "second", [0.0, 0.5])],
        paths=paths, losses=losses, lambdas=[0.2, 4.0], xlim=(-3, 3), ylim=(-3, 3),
        path_steps=5, alt="alt text", readouts={"r": ("rate", [str(i) for i in range(6)])},
    )


def test_encoding_round_trip_and_clipping():
    lin = Encoding(0.01)
    x = np.array([-1.234, 0.0, 2.5])
    assert np.allclose(lin.decode(lin.encode(x)), x, atol=0.005)
    assert lin.encode(np.array([1e9, np.nan]))[0] == np.iinfo("int16").max
    log = Encoding(0.2, -26, "uint8", log=True)
    y = np.array([1e-20, 3e-3, 10.0])
    assert np.allclose(np.log10(log.decode(log.encode(y))), np.log10(y), atol=0.1)
    assert log.encode(np.array([1e300]))[0] == 255 and log.encode(np.array([0.0]))[0] == 0


def test_html_is_deterministic_and_self_contained():
    first, second = make(), make()
    assert first.html_text == second.html_text          # ids renumbered, not counted
    html = first.html_text
    assert f'{MARKER}="test-explorable"' in html
    assert "cdn.bokeh.org" not in html and "<script src" not in html
    assert not re.search(r'"p\d+"', html)               # no process-wide bokeh ids
    data = re.search(r'id="test-explorable-data">(.*?)</script>', html, re.S)[1]
    config = json.loads(data.replace("<\\/", "</"))
    assert [a["n"] for a in config["axes"]] == [3, 2]
    assert config["frames"][1]["fixed"]["t"] == list(range(11))
    assert config["readouts"]["r"] == ["0", "1", "2", "3", "4", "5"]


def test_mime_bundle_has_html_png_and_text():
    bundle = make()._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert bundle["text/plain"].endswith("alt text")


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        path_and_loss_explorable(
            "bad", axes=[GridAxis("a", "a", [1, 2])], paths=np.zeros((3, 5, 2)),
            losses=np.ones((3, 5)), lambdas=[1, 1], xlim=(-1, 1), ylim=(-1, 1), alt="x")


def config_of(figure):
    data = re.search(rf'id="{figure.name}-data">(.*?)</script>', figure.html_text, re.S)[1]
    return json.loads(data.replace("<\\/", "</"))


def column_values(column):
    """What the page computes from a stored column: inflate, then decode."""
    spec = column["encoding"]
    q = np.frombuffer(zlib.decompress(base64.b64decode(column["data"])), dtype=spec["dtype"])
    encoding = Encoding(spec["scale"], spec["offset"], spec["dtype"], spec["log"],
                        gaps="gap" in spec)
    return encoding.decode(q)


def test_columns_are_compressed_and_decode_to_the_data():
    figure = make()
    rng = np.random.default_rng(0)
    rng.normal(size=(3, 2, 11, 2))                # make()'s paths, then its losses
    losses = 10.0 ** rng.uniform(-20, 2, size=(3, 2, 11))
    config = config_of(figure)
    loss = config["frames"][1]["columns"][0]
    # 0.2 decades a level: the page's loss is within 0.1 decade of the run's
    assert np.allclose(np.log10(column_values(loss)), np.log10(losses).ravel(), atol=0.1001)
    assert figure.data_bytes == sum(len(base64.b64decode(c["data"]))
                                    for f in config["frames"] for c in f["columns"])
    assert config["frames"][1]["axes"] == [0, 1]


def test_gaps_survive_the_round_trip():
    gap = Encoding(0.1, 0.0, "uint8", gaps=True)
    q = gap.encode(np.array([0.5, np.nan, 1e9]))
    assert list(q) == [5, 255, 254]              # NaN reserved, overflow clipped below it
    assert np.isnan(gap.decode(q)[1]) and np.isclose(gap.decode(q)[2], 25.4)
    assert gap.spec()["gap"] == 255 and "gap" not in Encoding(0.1).spec()


def two_axis_figure(**frame_kwargs):
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure as bokeh_figure
    import matplotlib.pyplot as plt

    from tinytorch.plotting_explorable import Frame, explorable

    plot = bokeh_figure()
    plot.line("x", "y", source=ColumnDataSource({"x": [0.0] * 4, "y": [0.0] * 4}, name="curve"))
    plot.line("x", "y", source=ColumnDataSource({"x": [0.0] * 3, "y": [0.0] * 3}, name="shape"))
    axes = [GridAxis("opt", "optimizer", [0, 1, 2], choices=["SGD", "Adam", "Lion"], start=1),
            GridAxis("lr", "learning rate", np.geomspace(0.01, 10, 4),
                     marks=((2.0, "2/L"),))]
    frames = {"curve": {"y": (np.arange(48.0).reshape(3, 4, 4), Encoding(1.0))},
              "shape": Frame({"y": (np.arange(12.0).reshape(4, 3), Encoding(1.0))},
                             **frame_kwargs)}
    return explorable("two-axes", plot, axes, frames, still=plt.figure(), alt="alt")


def test_a_frame_can_depend_on_some_axes_only():
    config = config_of(two_axis_figure(axes=["lr"]))
    shape = config["frames"][1]
    assert shape["axes"] == [1] and shape["length"] == 3
    assert list(column_values(shape["columns"][0])) == list(range(12))
    with pytest.raises(ValueError, match="no axis named 'beta'"):
        two_axis_figure(axes=["beta"])
    with pytest.raises(ValueError, match=r"shape \(4, 3\), grid \(3,\)"):
        two_axis_figure(axes=["opt"])


def test_choices_make_a_menu_and_marks_sit_at_their_value():
    html = two_axis_figure(axes=["lr"]).html_text
    assert '<select data-axis data-key="opt"' in html
    assert '<option value="1" selected>Adam</option>' in html
    # 2.0 on a log axis 0.01 .. 10 (3 decades): log10(200) / 3 of the way along
    position = np.log10(200) / 3
    assert ('class="explorable-mark" style="left: calc(8px + (100% - 16px) * '
            f'{position:.4f})">2/L</span>') in html
    assert GridAxis("a", "a", [0.0, 1.0, 2.0]).position(0.5) == 0.25   # linear axis
    with pytest.raises(ValueError, match="2 choices, 3 values"):
        GridAxis("a", "a", [0, 1, 2], choices=["x", "y"])
    with pytest.raises(ValueError, match="start 3 outside 0..2"):
        GridAxis("a", "a", [0, 1, 2], start=3)


def test_mark_labels_avoid_the_end_and_each_other():
    from tinytorch.plotting_explorable import _label_before

    marks = [(0.10, "alone"), (0.60, "Adam"), (0.68, "momentum"), (0.95, "end")]
    assert [_label_before(marks, i) for i in range(4)] == [False, True, False, True]


def test_without_bokeh_the_figure_is_its_still(still_only, without_bokeh):
    import matplotlib.pyplot as plt

    from tinytorch.plotting_explorable import _bokeh_missing

    assert not _bokeh_missing() and without_bokeh(_bokeh_missing)
    figure = still_only(make)
    assert figure.html_text.endswith("</p>\n</div>") and figure.name == "test-explorable"
    # bad data fail as with bokeh, and before a figure is drawn (none is left open)
    open_figures = plt.get_fignums()
    with pytest.raises(ValueError, match=r"shape \(3, 5\), grid \(2,\)"):
        without_bokeh(lambda: path_and_loss_explorable(
            "bad", axes=[GridAxis("a", "a", [1, 2])], paths=np.zeros((3, 5, 2)),
            losses=np.ones((3, 5)), lambdas=[1, 1], xlim=(-1, 1), ylim=(-1, 1), alt="x"))
    assert plt.get_fignums() == open_figures
    with pytest.raises(ValueError, match="readout r: 2 strings"):
        without_bokeh(lambda: path_and_loss_explorable(
            "bad", axes=[GridAxis("a", "a", [1, 2, 3])], paths=np.zeros((3, 5, 2)),
            losses=np.ones((3, 5)), lambdas=[1, 1], xlim=(-1, 1), ylim=(-1, 1), alt="x",
            readouts={"r": ("rate", ["0", "1"])}))
