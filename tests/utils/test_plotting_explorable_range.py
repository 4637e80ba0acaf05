"""tinytorch.plotting_explorable_range: the range test beside brute force, as data."""

from __future__ import annotations

import base64
import json
import re
import zlib
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("bokeh")
import matplotlib  # noqa: E402

matplotlib.use("Agg")

from tinytorch.plotting_explorable import Encoding  # noqa: E402
from tinytorch.plotting_explorable_range import TypesetAxis, lr_range_explorable  # noqa: E402

RATES = 10.0 ** np.arange(-6, -2.9, 0.5)          # 7 rates
CHECKPOINTS = (10, 30, 100)


def data():
    rng = np.random.default_rng(0)
    after = {"Adam": 10.0 ** rng.uniform(-3, 0, (3, 7)),
             "SGD + momentum": 10.0 ** rng.uniform(-3, 0, (3, 7))}
    after["SGD + momentum"][:, -1] = np.inf              # the largest rate blew up
    per_step = {o: 10.0 ** rng.uniform(-3, 0, (7, 120)) for o in after}
    per_step["SGD + momentum"][-1, 40:] = np.nan         # ... and stopped at step 40
    tests = {o: {"matched": SimpleNamespace(lrs=list(np.geomspace(1e-7, 1, 50)),
                                            smoothed=list(np.linspace(2.3, 0.5, 50)),
                                            suggested_lr=1e-4),
                 "default": SimpleNamespace(lrs=[1e-7, 1e-3], smoothed=[2.3, 2.0],
                                            suggested_lr=None)}
             for o in after}
    return after, per_step, tests


def make(**kwargs):
    after, per_step, tests = data()
    options = dict(rates=RATES, checkpoints=CHECKPOINTS, after=after, per_step=per_step,
                   range_tests=tests, alt="alt text", start=(2, -1), loss_range=(1e-4, 10.0),
                   rate_marks=[(1e-4, "Adam")],
                   readouts={"r": ("loss", [str(i) for i in range(21)])})
    options.update(kwargs)
    return lr_range_explorable("range-test", **options)


def config_of(figure):
    text = re.search(rf'id="{figure.name}-data">(.*?)</script>', figure.html_text, re.S)[1]
    return json.loads(text.replace("<\\/", "</"))


def values(column):
    """What the page computes from a stored column: inflate, then decode."""
    spec = column["encoding"]
    q = np.frombuffer(zlib.decompress(base64.b64decode(column["data"])), dtype=spec["dtype"])
    return Encoding(spec["scale"], spec["offset"], spec["dtype"], spec["log"],
                    gaps="gap" in spec).decode(q)


def frames_of(figure):
    return {f["source"].removeprefix(f"{figure.name}-"): f for f in config_of(figure)["frames"]}


def test_html_is_deterministic_with_two_sliders():
    first, second = make(), make()
    assert first.html_text == second.html_text
    config = config_of(first)
    assert [(a["key"], a["n"]) for a in config["axes"]] == [("rate", 7), ("k", 3)]
    assert config["axes"][1]["labels"] == ["10", "30", "100"]
    assert 'data-key="rate"' in first.html_text and 'value="2"' in first.html_text
    assert ">Adam</span>" in first.html_text               # the mark under the rate slider
    assert first.still_png[:8] == b"\x89PNG\r\n\x1a\n"


def test_each_source_depends_on_the_axes_it_shows():
    frames = frames_of(make())
    # the curves over the rate grid change with k; the runs per step with the rate
    assert frames["after"]["axes"] == [1] and frames["after"]["length"] == 7
    assert frames["steps"]["axes"] == [0] and frames["steps"]["length"] == 120
    assert frames["marks"]["axes"] == [0] and frames["marks"]["length"] == 3
    assert frames["chosen"]["axes"] == [0, 1] and frames["chosen"]["length"] == 1
    assert frames["rate"]["axes"] == [0] and frames["k"]["axes"] == [1]
    assert frames["steps"]["fixed"]["t"] == list(range(120))
    assert frames["after"]["fixed"]["rate"] == pytest.approx(list(RATES))


def test_stored_losses_decode_to_the_runs_within_a_level():
    after, per_step, _ = data()
    frames = frames_of(make())
    adam = values(frames["after"]["columns"][0])            # (k, rate), C order
    level = frames["after"]["columns"][0]["encoding"]["scale"]
    assert np.allclose(np.log10(adam), np.log10(after["Adam"]).ravel(), atol=level / 2 + 1e-9)
    chosen = {c["name"]: values(c) for c in frames["chosen"]["columns"]}
    assert np.allclose(chosen["rate"].reshape(7, 3)[:, 0], RATES, rtol=3e-3)
    assert np.allclose(np.log10(chosen["o0"].reshape(7, 3)), np.log10(after["Adam"].T),
                       atol=level / 2 + 1e-9)
    ks = values(frames["k"]["columns"][0]).reshape(3, 2)
    assert ks[:, 0].tolist() == list(CHECKPOINTS)


def test_a_blown_up_run_sits_on_the_top_edge_and_a_missing_value_is_a_gap():
    frames = frames_of(make())
    momentum = values(frames["after"]["columns"][1]).reshape(3, 7)
    level = frames["after"]["columns"][1]["encoding"]["scale"]
    assert np.allclose(np.log10(momentum[:, -1]), 1.0, atol=level)   # inf -> the top, 10
    steps = values(frames["steps"]["columns"][1]).reshape(7, 120)
    assert np.isnan(steps[-1, 40:]).all() and not np.isnan(steps[-1, :40]).any()


def test_the_rate_slider_reads_as_typeset_numbers():
    axis = TypesetAxis("rate", "learning rate", [1e-6, 3.2e-5, 0.01], fmt=".2g")
    assert axis.labels() == ["10⁻⁶", "3.2 × 10⁻⁵", "0.01"]
    assert config_of(make())["axes"][0]["labels"][0] == "10⁻⁶"


def test_mismatched_inputs_are_errors():
    after, per_step, tests = data()
    with pytest.raises(ValueError, match="same optimizers"):
        make(per_step={"Adam": per_step["Adam"]})
    with pytest.raises(ValueError, match=r"after\['Adam'\]: shape \(3, 6\)"):
        make(after={**after, "Adam": after["Adam"][:, :6]})
    with pytest.raises(ValueError, match="readout r"):
        make(readouts={"r": ("loss", ["x"] * 7)})


def test_without_bokeh_the_figure_is_its_still(still_only, without_bokeh):
    after, per_step, _ = data()
    still_only(make)
    with pytest.raises(ValueError, match="same optimizers"):
        without_bokeh(lambda: make(per_step={"Adam": per_step["Adam"]}))
    with pytest.raises(ValueError, match=r"after\['Adam'\]: shape \(3, 6\)"):
        without_bokeh(lambda: make(after={**after, "Adam": after["Adam"][:, :6]}))
    with pytest.raises(ValueError, match="readout r"):
        without_bokeh(lambda: make(readouts={"r": ("loss", ["x"] * 7)}))
