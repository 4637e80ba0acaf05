"""tinytorch.plotting_explorable: compact storage, deterministic HTML, the mime bundle."""

from __future__ import annotations

import json
import re

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
