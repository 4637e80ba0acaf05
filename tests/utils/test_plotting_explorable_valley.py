"""tinytorch.plotting_explorable_valley: contours per valley, the stored frames."""

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

from tinytorch.plotting_explorable import Encoding, GridAxis  # noqa: E402
from tinytorch.plotting_explorable_valley import valley_contours, valley_explorable  # noqa: E402

XLIM, YLIM = (-9.0, 9.0), (-3.0, 3.0)
CURVATURES = np.array([[1.0, 1.0], [0.1, 1.0], [0.01, 1.0]])      # kappa = 1, 10, 100


def make(name="test-valley", **overrides):
    """3 learning rates x 3 valleys, 10 steps each; the valley is the second axis."""
    rng = np.random.default_rng(0)
    kwargs = dict(
        axes=[GridAxis("eta", "learning rate", [0.5, 1.0, 2.5], start=1),
              GridAxis("kappa", "condition number", [1.0, 10.0, 100.0], start=2)],
        valley_axes=["kappa"], curvatures=CURVATURES,
        paths=rng.normal(size=(3, 3, 11, 2)), losses=10.0 ** rng.uniform(-20, 2, (3, 3, 11)),
        xlim=XLIM, ylim=YLIM, path_steps=5, alt="alt text",
        guide=("best", 10.0 ** rng.uniform(-20, 2, (3, 11))),
        readouts={"r": ("rate", [str(i) for i in range(9)])},
    )
    kwargs.update(overrides)
    return valley_explorable(name, **kwargs)


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


def test_contours_are_level_sets_separated_by_gaps():
    x, y = valley_contours(CURVATURES, XLIM, YLIM, levels=4, points=16)
    assert x.shape == y.shape == (3, 4 * 17 - 1)
    gaps = np.isnan(x)
    assert np.array_equal(gaps, np.isnan(y)) and gaps.sum(axis=1).tolist() == [3, 3, 3]
    for lam, xs, ys in zip(CURVATURES, x, y):
        loss = 0.5 * (lam[0] * xs**2 + lam[1] * ys**2)
        levels = loss[~np.isnan(loss)].reshape(4, 16)
        assert np.allclose(levels, levels[:, :1])                    # each curve: one level
        assert np.allclose(levels[:, 0] / levels[0, 0], [1, 10, 100, 1000])   # log-spaced
        corner = 0.5 * (lam[0] * 9.0**2 + lam[1] * 3.0**2)           # the view's corner
        assert np.isclose(levels[-1, 0], corner)
        assert np.allclose([xs[0], ys[0]], [xs[15], ys[15]])        # closed


def test_frames_depend_on_the_right_axes_and_decode_to_the_data():
    figure = make()
    config = config_of(figure)
    frames = {f["source"]: f for f in config["frames"]}
    assert set(frames) == {f"test-valley-{s}" for s in ("contours", "path", "loss", "guide")}
    assert frames["test-valley-contours"]["axes"] == [1]          # on kappa only
    assert frames["test-valley-guide"]["axes"] == [1]
    assert frames["test-valley-path"]["axes"] == [0, 1] == frames["test-valley-loss"]["axes"]
    assert frames["test-valley-path"]["length"] == 6               # path_steps + 1
    x, y = valley_contours(CURVATURES, XLIM, YLIM)
    stored_x, stored_y = (column_values(c) for c in frames["test-valley-contours"]["columns"])
    assert np.array_equal(np.isnan(stored_x), np.isnan(x.ravel()))   # the gaps survive
    assert np.nanmax(np.abs(stored_x - x.ravel())) <= 18 / 1000 / 2 + 1e-12
    assert np.nanmax(np.abs(stored_y - y.ravel())) <= 6 / 1000 / 2 + 1e-12
    # the loss within half a level (about 0.1 decade) inside the plotted range
    rng = np.random.default_rng(0)
    rng.normal(size=(3, 3, 11, 2))
    losses = 10.0 ** rng.uniform(-20, 2, (3, 3, 11))
    stored = column_values(frames["test-valley-loss"]["columns"][0])
    shown = (losses.ravel() > 1e-12)
    assert np.allclose(np.log10(stored[shown]), np.log10(losses.ravel()[shown]), atol=0.04)
    assert np.all(stored[~shown] < 1e-12)                          # below: stays off the plot
    assert figure.data_bytes == sum(len(base64.b64decode(c["data"]))
                                    for f in config["frames"] for c in f["columns"])


def test_html_is_deterministic_and_names_its_sources():
    first, second = make(), make()
    assert first.html_text == second.html_text
    item = config_of(first)["item"]
    text = json.dumps(item)
    assert "test-valley-contours" in text and "test-valley-guide" in text
    assert first._repr_mimebundle_()["text/plain"].endswith("alt text")


def test_without_a_guide_there_is_no_guide_frame():
    config = config_of(make(guide=None))
    assert [f["source"] for f in config["frames"]] == [
        "test-valley-contours", "test-valley-path", "test-valley-loss"]


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="no axis named 'beta'"):
        make(valley_axes=["beta"])
    with pytest.raises(ValueError, match=r"curvatures: shape \(2, 2\), expected \(3, 2\)"):
        make(curvatures=CURVATURES[:2])
    with pytest.raises(ValueError, match="do not fit the grid"):
        make(losses=np.ones((3, 3, 12)))


def test_without_bokeh_the_figure_is_its_still(still_only, without_bokeh):
    still_only(make)
    still_only(lambda: make(guide=None))
    with pytest.raises(ValueError, match="no axis named 'beta'"):
        without_bokeh(lambda: make(valley_axes=["beta"]))
    with pytest.raises(ValueError, match="do not fit the grid"):
        without_bokeh(lambda: make(losses=np.ones((3, 3, 12))))
    with pytest.raises(ValueError, match="readout r: 2 strings"):
        without_bokeh(lambda: make(readouts={"r": ("rate", ["0", "1"])}))
