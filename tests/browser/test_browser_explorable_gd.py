"""Chapter 1's gradient-descent playground on the built site, in a real browser (offline).

The figure (``tinytorch.plotting_explorable_valley``) has two sliders: the learning
rate η, marked at 1/λmax and 2/λmax, and the condition number κ, on which the valley's
contours depend. Moving η across 2/λmax turns a converging run into a diverging one
and leaves the contours alone; moving κ changes the contours, the dashed reference
run and the path. Every change is a lookup of runs precomputed by tinytorch; the
test reads the plotted data from the Bokeh models. Screenshots of two states go to
tests/browser/screenshots/.

Uses test_browser_site's chromium/playwright setup (every off-site request is
aborted and reported); skips like it when chromium or the built site is missing.
"""

from __future__ import annotations

import math
import re

from test_browser_site import SCREENSHOTS, Visit, browser, server  # noqa: F401 (fixtures)

PAGE = "book/01_gradient_descent.html"
NAME = "gd-playground"
ROOT = f"#{NAME}"
START_ETA, START_KAPPA = 20, 6          # the grid point the figure opens at (1.65, 10)
N_ETA, N_KAPPA = 24, 13

PLOTTED = """(name) => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name(name + '-path'));
  const column = (source, c) => Array.from(doc.get_model_by_name(name + '-' + source).data[c]);
  return {x: column('path', 'x'), y: column('path', 'y'), loss: column('loss', 'loss'),
          t: column('loss', 't'), cx: column('contours', 'x'), cy: column('contours', 'y'),
          guide: column('guide', 'loss')};
}"""


def _finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


def _screenshot(page, root, name):
    """The figure with a margin: a mark's label may reach a little past its slider."""
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


def test_gd_playground_sliders_change_the_plot(browser, server):  # noqa: F811
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

        eta = root.locator("input[data-key=eta]")
        kappa = root.locator("input[data-key=kappa]")
        assert eta.get_attribute("max") == str(N_ETA - 1)
        assert kappa.get_attribute("max") == str(N_KAPPA - 1)
        assert (eta.input_value(), kappa.input_value()) == (str(START_ETA), str(START_KAPPA))
        readout = {k: root.locator(f"[data-readout={k}]")
                   for k in ("verdict", "predicted", "measured", "best")}

        # the 2/lambda_max mark is visible, between the thumb positions of 1.96 and 2.04
        mark = root.locator(".explorable-mark", has_text="2/λ")
        assert mark.count() == 1 and mark.is_visible()
        box, track = mark.bounding_box(), eta.bounding_box()
        thumb = lambda i: track["x"] + 8 + (track["width"] - 16) * i / (N_ETA - 1)  # noqa: E731
        # its tick is the label's right edge (past the middle the label sits left of it)
        assert "before" in (mark.get_attribute("class") or "")
        assert thumb(21) < box["x"] + box["width"] - 1 < thumb(22), (box, track)

        start = page.evaluate(PLOTTED, NAME)
        assert len(start["x"]) == 41 and len(start["loss"]) == 101 == len(start["t"])
        assert len(start["guide"]) == 101
        assert any(math.isnan(v) for v in start["cx"])   # several contours, one column
        assert start["loss"][-1] < start["loss"][0]
        _screenshot(page, root, "explorable-gd-start.png")

        # across 2/lambda_max: 1.96 converges, 2.04 diverges; the contours stay
        _move(page, eta, 21)
        below = page.evaluate(PLOTTED, NAME)
        assert readout["verdict"].inner_text().startswith("1.96")
        assert "converges" in readout["verdict"].inner_text()
        assert float(readout["predicted"].inner_text()) < 1
        assert below["loss"][-1] < below["loss"][0]
        _move(page, eta, 22)
        above = page.evaluate(PLOTTED, NAME)
        assert readout["verdict"].inner_text() == "2.04, diverges"
        assert float(readout["predicted"].inner_text()) > 1
        assert float(readout["measured"].inner_text()) > 1
        assert above["loss"][-1] > 100 * above["loss"][0]
        assert above["x"] != below["x"] and above["loss"] != below["loss"]
        assert above["cx"] == below["cx"] == start["cx"]    # contours depend on kappa only
        assert above["guide"] == start["guide"]

        # kappa to 100: the valley stretches, the reference run and the path change
        best_before = readout["best"].inner_text()
        _move(page, kappa, N_KAPPA - 1)
        stretched = page.evaluate(PLOTTED, NAME)
        assert root.locator("output[data-key=kappa]").inner_text() == "100"
        assert readout["best"].inner_text() != best_before
        assert _finite(stretched["cx"]) != _finite(above["cx"])
        # the ellipses are sqrt(kappa) = 10 times longer along theta_1 than across
        assert max(_finite(stretched["cx"])) > 9 * max(_finite(stretched["cy"]))
        assert stretched["guide"] != above["guide"]
        assert stretched["x"] != above["x"]
        _screenshot(page, root, "explorable-gd-diverging.png")

        # back below the limit at kappa = 100: converging again, slowly
        _move(page, eta, 21)
        assert "converges" in readout["verdict"].inner_text()
        assert 0.9 < float(readout["measured"].inner_text()) < 1
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()
