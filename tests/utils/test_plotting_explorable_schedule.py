"""tinytorch.plotting_explorable_schedule: the schedule builder's figure and data."""

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

from tinytorch.plotting_explorable import MARKER, Encoding, GridAxis  # noqa: E402
from tinytorch.plotting_explorable_schedule import schedule_explorable  # noqa: E402

STEPS, POINTS = 12, 4


def data():
    """A 2 x 3 grid (shape x peak): rates and losses of made-up runs."""
    peaks = np.array([0.1, 0.3, 0.9])
    unit = np.stack([np.ones(STEPS), np.linspace(1.0, 0.0, STEPS)])   # constant, linear
    lrs = unit[:, None, :] * peaks[None, :, None]
    losses = 2.3 * 10.0 ** -np.linspace(0, 3, POINTS) * np.ones((2, 3, 1))
    losses[0, 2] = [2.3, 50.0, np.inf, np.nan]      # a diverged run
    losses[1, 0, -1] = 0.0                           # an exact zero
    return peaks, lrs, losses


def make(**kwargs):
    peaks, lrs, losses = data()
    options = dict(
        axes=[GridAxis("shape", "shape", [0, 1], choices=["constant", "linear"]),
              GridAxis("peak", "peak learning rate", peaks, start=1)],
        lrs=lrs, losses=losses, loss_steps=np.arange(POINTS) * 3 + 1.0, lr_max=1.0,
        start_loss=2.3, alt="alt text", loss_legend="mean of 3 batches",
        readouts={"acc": ("test accuracy", [f"{i} %" for i in range(6)])})
    options.update(kwargs)
    return schedule_explorable("sched-test", **options)


def config_of(figure):
    text = re.search(rf'id="{figure.name}-data">(.*?)</script>', figure.html_text, re.S)[1]
    return json.loads(text.replace("<\\/", "</"))


def decoded(column):
    """What the page draws from a stored column: inflate, then decode."""
    spec = column["encoding"]
    q = np.frombuffer(zlib.decompress(base64.b64decode(column["data"])), dtype=spec["dtype"])
    return Encoding(spec["scale"], spec["offset"], spec["dtype"], spec["log"]).decode(q)


def test_menu_sliders_and_readouts():
    html = make().html_text
    assert f'{MARKER}="sched-test"' in html
    assert '<select data-axis data-key="shape"' in html
    assert '<input type="range" min="0" max="2" step="1" value="1"' in html
    assert 'data-readout="acc">1 %</span>' in html      # the opening point (0, 1)
    assert "cdn.bokeh.org" not in html and not re.search(r'"p\d+"', html)


def test_the_html_is_deterministic():
    assert make().html_text == make().html_text


def test_rates_are_stored_within_a_level_of_the_axis():
    peaks, lrs, _ = data()
    figure = make()
    frames = {f["source"]: f for f in config_of(figure)["frames"]}
    rate = frames["sched-test-lr"]
    assert rate["length"] == STEPS and rate["fixed"]["t"] == list(range(STEPS))
    assert np.allclose(decoded(rate["columns"][0]), lrs.ravel(), atol=0.5 / 255 + 1e-12)
    loss = frames["sched-test-loss"]
    assert loss["fixed"]["t"] == [1.0, 4.0, 7.0, 10.0]
    assert figure.data_bytes == sum(len(base64.b64decode(c["data"]))
                                    for f in frames.values() for c in f["columns"])


def test_losses_outside_the_plot_stay_outside():
    _, _, losses = data()
    loss = {f["source"]: f for f in config_of(make())["frames"]}["sched-test-loss"]
    shown = decoded(loss["columns"][0]).reshape(losses.shape)
    inside = np.isfinite(losses) & (losses > 0)
    # the default loss axis, 1e-4 .. 1e2, plus half a decade each side, in 256
    # log-spaced levels: within half a level of the run's loss
    level = (2 - (-4) + 1) / 255
    assert np.allclose(np.log10(shown[inside]), np.log10(losses[inside]), atol=level / 2 + 1e-9)
    assert shown[0, 2, 2] > 1e2 and shown[0, 2, 3] > 1e2      # inf and NaN: above the plot
    assert shown[1, 0, -1] < 1e-4                            # an exact zero: below it


def test_the_still_is_a_png_with_the_alt_text():
    figure = make()
    assert figure.still_png.startswith(b"\x89PNG")
    assert 'alt="alt text"' in figure.html_text
    assert figure._repr_mimebundle_()["text/plain"].endswith("alt text")


def test_shapes_must_match_the_grid():
    peaks, lrs, losses = data()
    with pytest.raises(ValueError, match=r"lrs: shape \(2, 2, 12\), grid \(2, 3\)"):
        make(lrs=lrs[:, :2])
    with pytest.raises(ValueError, match="losses: shape"):
        make(loss_steps=np.arange(POINTS + 1.0))
    with pytest.raises(ValueError, match="readout acc: 5 strings"):
        make(readouts={"acc": ("test accuracy", ["x"] * 5)})


def test_without_bokeh_the_figure_is_its_still(still_only, without_bokeh):
    _, lrs, _ = data()
    still_only(make)
    still_only(lambda: make(start_loss=None))
    with pytest.raises(ValueError, match=r"lrs: shape \(2, 2, 12\), grid \(2, 3\)"):
        without_bokeh(lambda: make(lrs=lrs[:, :2]))
    with pytest.raises(ValueError, match="readout acc: 5 strings"):
        without_bokeh(lambda: make(readouts={"acc": ("test accuracy", ["x"] * 5)}))
