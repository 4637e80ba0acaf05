"""Fixtures of the explorable figures' tests: a figure made where bokeh is missing.

In the browser (JupyterLite, Pyodide) bokeh cannot be installed; the builders then
return their still alone. A ``None`` in ``sys.modules`` makes ``import`` raise
``ImportError``, which is how the tests take bokeh away.
"""

from __future__ import annotations

import html
import re
import sys

import pytest

#: What the builders import (and ``bokeh`` itself, which every one of them needs).
BOKEH_MODULES = ("bokeh", "bokeh.embed", "bokeh.layouts", "bokeh.models", "bokeh.plotting")


@pytest.fixture
def without_bokeh(monkeypatch):
    """``without_bokeh(build)``: what ``build()`` returns (or raises) where every
    ``import bokeh...`` fails."""
    def run(build):
        with monkeypatch.context() as patch:
            loaded = [m for m in sys.modules if m.startswith("bokeh.")]
            for module in {*BOKEH_MODULES, *loaded}:
                patch.setitem(sys.modules, module, None)
            return build()
    return run


@pytest.fixture
def still_only(without_bokeh):
    """``still_only(build)``: the figure ``build()`` makes without bokeh, checked to be
    the still of the one it makes with bokeh, with its note and nothing else."""
    def run(build):
        live = build()
        figure = without_bokeh(build)
        text = figure.html_text
        still = re.search(r'<img class="explorable-still"[^>]*>', live.html_text)[0]
        assert f'<img class="explorable-still" alt="{html.escape(live.alt)}"' in still
        assert still in text                                   # the same <img>, same PNG
        assert text.startswith(live.html_text[:live.html_text.index("\n") + 1])  # same <div>
        assert "course's site" in text
        assert "<script" not in text and "root_id" not in text    # no Bokeh JSON, no code
        assert f'id="{live.name}-data"' not in text and "data-axis" not in text
        assert figure.still_png == live.still_png and figure.data_bytes == 0
        bundle, live_bundle = figure._repr_mimebundle_(), live._repr_mimebundle_()
        assert bundle["image/png"] == live_bundle["image/png"]
        assert bundle["text/plain"] == live_bundle["text/plain"]
        return figure
    return run
