"""tinytorch.plotting_explorable_adaptive: optimizers on valleys side by side."""

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
from tinytorch.plotting_explorable_adaptive import Valley, valleys_explorable  # noqa: E402

ROTATION = ((np.sqrt(0.5), -np.sqrt(0.5)), (np.sqrt(0.5), np.sqrt(0.5)))
VALLEYS = [Valley("aligned", (0.1, 2.0)), Valley("rotated", (0.1, 2.0), ROTATION)]
NAMES = ["SGD", "Adam"]


def data(steps=12):
    """Paths and losses of shape (2 optimizers, 3 betas, 2 valleys, steps + 1, ...)."""
    rng = np.random.default_rng(0)
    paths = rng.uniform(-8, 8, size=(2, 3, 2, steps + 1, 2))
    losses = 10.0 ** rng.uniform(-9, 2, size=(2, 3, 2, steps + 1))
    return paths, losses


def make(**overrides):
    paths, losses = data()
    kwargs = dict(
        axes=[GridAxis("opt", "optimizer", [0, 1], choices=NAMES, start=1),
              GridAxis("beta", "β", [0.0, 0.5, 0.9], start=2)],
        series="opt", valleys=VALLEYS, paths=paths, losses=losses, box=(-9.0, 9.0),
        alt="alt text", path_steps=5, threshold=1e-4,
        reference=("gradient descent", np.geomspace(10, 1e-6, 13)),
        readouts={"a": ("aligned", [str(i) for i in range(6)])}, note="a note")
    kwargs.update(overrides)
    return valleys_explorable("valleys-test", **kwargs)


def config_of(figure):
    found = re.search(rf'id="{figure.name}-data">(.*?)</script>', figure.html_text, re.S)[1]
    return json.loads(found.replace("<\\/", "</"))


def column_values(column):
    """What the page computes from a stored column: inflate, then decode."""
    spec = column["encoding"]
    q = np.frombuffer(zlib.decompress(base64.b64decode(column["data"])), dtype=spec["dtype"])
    encoding = Encoding(spec["scale"], spec["offset"], spec["dtype"], spec["log"],
                        gaps="gap" in spec)
    return encoding.decode(q)


def test_level_sets_lie_on_their_level():
    levels = [0.5, 3.0]
    for valley in VALLEYS:
        xs, ys = valley.level_sets(levels)
        for c, x, y in zip(levels, xs, ys):
            assert x.dtype == np.float32
            assert np.allclose(valley.loss(x.astype(float), y.astype(float)), c, rtol=1e-5)
    # rotated by 45 degrees: the flat direction is the diagonal
    assert np.isclose(VALLEYS[1].loss(np.array(1.0), np.array(1.0)), 0.2)
    assert np.isclose(VALLEYS[1].loss(np.array(1.0), np.array(-1.0)), 4.0)


def test_html_is_deterministic_and_within_a_light_budget():
    first, second = make(), make()
    assert first.html_text == second.html_text
    assert not re.search(r'"p\d+"', first.html_text)          # ids renumbered
    assert '<option value="1" selected>Adam</option>' in first.html_text
    assert "a note" in first.html_text
    # nothing can be selected or muted: those glyph copies are not stored
    item = json.dumps(config_of(first)["item"])
    assert '"nonselection_glyph": {' not in item and '"muted_glyph": {' not in item


def test_each_choice_has_its_own_columns_and_is_empty_elsewhere():
    paths, losses = data()
    config = config_of(make())
    path_frame, loss_frame = config["frames"]
    assert path_frame["source"] == "valleys-test-path" and path_frame["length"] == 6
    assert loss_frame["length"] == 13 and loss_frame["fixed"] == {}
    columns = {c["name"]: column_values(c).reshape(2, 3, -1) for c in path_frame["columns"]}
    assert sorted(columns) == sorted(f"{xy}{v}_{c}" for xy in "xy" for v in (0, 1) for c in (0, 1))
    for c in (0, 1):
        for v in (0, 1):
            x = columns[f"x{v}_{c}"]
            assert np.all(np.isnan(x[1 - c]))                    # another optimizer: a gap
            # one byte per coordinate: within half a level (18 * 1.1 / 254 / 2)
            assert np.allclose(x[c], paths[c, :, v, :6, 0], atol=0.04)
    losses_page = {c["name"]: column_values(c).reshape(2, 3, -1) for c in loss_frame["columns"]}
    assert np.array_equal(losses_page["t"][1, 2], np.arange(13.0))
    assert np.all(np.isnan(losses_page["loss1_0"][1]))
    assert np.allclose(np.log10(losses_page["loss1_0"][0]), np.log10(losses[0, :, 1]),
                       atol=0.0501)                             # 0.1 decade a level


def test_still_and_mime_bundle():
    figure = make()
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert figure.still_png.startswith(b"\x89PNG")
    assert 'alt="alt text"' in figure.html_text


def test_bad_arguments_are_errors():
    paths, losses = data()
    with pytest.raises(ValueError, match="not an axis with choices"):
        make(series="beta")
    with pytest.raises(ValueError, match="paths: shape"):
        make(paths=paths[:, :2])
    with pytest.raises(ValueError, match="losses: shape"):
        make(losses=losses[..., :1, :])
    with pytest.raises(ValueError, match="one to 4"):
        make(valleys=VALLEYS * 3)


def test_without_bokeh_the_figure_is_its_still(still_only, without_bokeh):
    paths, _ = data()
    still_only(make)
    with pytest.raises(ValueError, match="not an axis with choices"):
        without_bokeh(lambda: make(series="beta"))
    with pytest.raises(ValueError, match="paths: shape"):
        without_bokeh(lambda: make(paths=paths[:, :2]))
    with pytest.raises(ValueError, match="readout a: 2 strings"):
        without_bokeh(lambda: make(readouts={"a": ("aligned", ["0", "1"])}))
