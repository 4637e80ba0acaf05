"""Chapter 4's explorable of adaptive methods on two valleys, in a real browser (offline).

The figure (``tinytorch.plotting_explorable_adaptive``) has a menu for the optimizer
(SGD, AdaGrad, RMSprop, Adam) and sliders for β₁ and β₂; it shows the chosen runs on
chapter 3's valley aligned with the axes and rotated by 45°, side by side, and both
losses against step. Each optimizer has its own columns (its course colour), empty
(NaN) unless it is chosen. Every change is a lookup of runs precomputed by tinytorch;
the test reads the plotted data from the Bokeh models. A β the chosen optimizer does
not use must leave the plot alone. Screenshots of two states go to
tests/browser/screenshots/.

Uses test_browser_site's chromium/playwright setup (every off-site request is
aborted and reported); skips like it when chromium or the built site is missing.
"""

from __future__ import annotations

import math
import re

from test_browser_site import SCREENSHOTS, Visit, browser, server  # noqa: F401 (fixtures)

PAGE = "book/04_adam.html"
NAME = "adam-valleys"
ROOT = f"#{NAME}"
OPTIMIZERS = ["SGD", "AdaGrad", "RMSprop", "Adam"]
START_BETA1, START_BETA2 = 5, 6          # Adam's defaults, 0.9 and 0.999
N_BETA = 8
STEPS = 200

PLOTTED = """(name) => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name(name + '-path'));
  const data = (source) => {
    const d = doc.get_model_by_name(name + '-' + source).data, out = {};
    // NaN (an optimizer not chosen, a gap) as null, so that two reads compare equal
    Object.keys(d).forEach(k => { out[k] = Array.from(d[k], v => Number.isNaN(v) ? null : v); });
    return out;
  };
  return {path: data('path'), loss: data('loss')};
}"""


def _finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


def _shown(plotted, c):
    """The columns of optimizer c (index in the menu): finite where it is chosen."""
    path = {k: v for k, v in plotted["path"].items() if k.endswith(f"_{c}")}
    loss = {k: v for k, v in plotted["loss"].items() if k.endswith(f"_{c}")}
    return path, loss


def _is_empty(plotted, c):
    path, loss = _shown(plotted, c)
    return not any(_finite(v) for v in (*path.values(), *loss.values()))


def _screenshot(page, root, name):
    """The figure with a margin: a mark's label may reach a little past its slider."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    box = root.bounding_box()
    page.screenshot(path=str(SCREENSHOTS / name), clip={
        "x": max(box["x"] - 16, 0), "y": max(box["y"] - 8, 0),
        "width": box["width"] + 32, "height": box["height"] + 16})


def _move(page, slider, index):
    """Put a range slider on ``index`` with the keyboard, as a reader would."""
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert slider.input_value() == str(index)


def _choose(page, menu, name):
    menu.select_option(str(OPTIMIZERS.index(name)))
    page.wait_for_timeout(300)


def _steps(readout):
    """The step number a readout gives ("step 104 (η = 0.398)"), None if none."""
    found = re.match(r"step (\d+) \(η = [\d.]+\)$", readout.inner_text())
    return int(found[1]) if found else None


def test_adaptive_valleys_menu_and_sliders_change_the_plot(browser, server):  # noqa: F811
    SCREENSHOTS.mkdir(exist_ok=True)
    visit = Visit(browser)
    try:
        visit.goto(f"{server}/{PAGE}")
        page = visit.page
        page.wait_for_selector(f"{ROOT}.explorable-live", timeout=20_000)
        root = page.locator(ROOT)
        root.scroll_into_view_if_needed()
        page.wait_for_timeout(300)                       # let BokehJS paint the canvas
        scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src)")
        bokeh = [s for s in scripts if "bokeh" in s]
        assert len(bokeh) == 1 and re.search(r"/_static/bokeh/bokeh-[\d.]+\.min\.js", bokeh[0])
        assert root.locator(".explorable-still").count() == 0
        assert root.locator("canvas").count() >= 1

        menu = root.locator("select[data-key=opt]")
        beta1 = root.locator("input[data-key=beta1]")
        beta2 = root.locator("input[data-key=beta2]")
        aligned = root.locator("[data-readout=aligned]")
        rotated = root.locator("[data-readout=rotated]")
        assert [o.strip() for o in menu.locator("option").all_inner_texts()] == OPTIMIZERS
        assert menu.input_value() == "3"                         # Adam
        assert beta1.get_attribute("max") == beta2.get_attribute("max") == str(N_BETA - 1)
        assert (beta1.input_value(), beta2.input_value()) == (str(START_BETA1), str(START_BETA2))
        assert root.locator("output[data-key=beta1]").inner_text() == "0.9"
        assert root.locator("output[data-key=beta2]").inner_text() == "0.999"
        for mark in root.locator(".explorable-mark").all():      # Adam's defaults, on screen
            assert mark.is_visible() and mark.inner_text() == "Adam"

        # at the start only Adam's columns hold data: 41 path points, 201 losses
        start = page.evaluate(PLOTTED, NAME)
        assert start["loss"]["t"] == list(range(STEPS + 1))
        path, loss = _shown(start, 3)
        assert all(len(_finite(v)) == 41 for v in path.values())
        assert all(len(_finite(v)) == STEPS + 1 for v in loss.values())
        assert all(_is_empty(start, c) for c in (0, 1, 2))
        adam_default = (_steps(aligned), _steps(rotated))
        assert None not in adam_default
        _screenshot(page, root, "explorable-adam-valleys-start.png")

        # the menu: SGD (here heavy ball with momentum beta1 = 0.9) replaces Adam
        _choose(page, menu, "SGD")
        sgd = page.evaluate(PLOTTED, NAME)
        assert _is_empty(sgd, 3) and not _is_empty(sgd, 0)
        assert sgd["loss"]["t"] == start["loss"]["t"]
        # SGD does not care about the rotation: the same count on both valleys
        assert _steps(aligned) == _steps(rotated) is not None
        # beta2 is not SGD's: the same run whatever it is
        _move(page, beta2, 0)
        assert root.locator("output[data-key=beta2]").inner_text() == "0.5"
        assert page.evaluate(PLOTTED, NAME) == sgd
        # beta1 is its momentum: 0 is gradient descent, another run
        _move(page, beta1, 0)
        assert root.locator("output[data-key=beta1]").inner_text() == "0"
        descent = page.evaluate(PLOTTED, NAME)
        assert _shown(descent, 0) != _shown(sgd, 0)
        gd_steps = _steps(aligned)
        assert gd_steps == _steps(rotated) is not None

        # Adam without momentum: the rotation costs it (chapter 3's finding)
        _move(page, beta2, START_BETA2)
        _choose(page, menu, "Adam")
        adam_0 = page.evaluate(PLOTTED, NAME)
        assert _is_empty(adam_0, 0) and not _is_empty(adam_0, 3)
        assert _shown(adam_0, 3) != _shown(start, 3)
        assert _steps(aligned) < _steps(rotated)
        assert (_steps(aligned), _steps(rotated)) != adam_default
        _screenshot(page, root, "explorable-adam-valleys-beta1-0.png")
        # beta2 is Adam's too
        _move(page, beta2, 0)
        assert _shown(page.evaluate(PLOTTED, NAME), 3) != _shown(adam_0, 3)

        # RMSprop uses beta2 (its alpha), not beta1; AdaGrad uses neither
        _choose(page, menu, "RMSprop")
        rms = page.evaluate(PLOTTED, NAME)
        assert not _is_empty(rms, 2) and _is_empty(rms, 3)
        _move(page, beta1, START_BETA1)
        assert page.evaluate(PLOTTED, NAME) == rms
        _move(page, beta2, 5)                                      # alpha = 0.99
        assert _shown(page.evaluate(PLOTTED, NAME), 2) != _shown(rms, 2)
        _choose(page, menu, "AdaGrad")
        ada = page.evaluate(PLOTTED, NAME)
        assert not _is_empty(ada, 1) and _is_empty(ada, 2)
        # fast on the aligned valley, slower than gradient descent on the rotated one
        assert _steps(aligned) < 10 and _steps(rotated) > gd_steps
        _move(page, beta1, 2)
        _move(page, beta2, N_BETA - 1)
        assert page.evaluate(PLOTTED, NAME) == ada
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()
