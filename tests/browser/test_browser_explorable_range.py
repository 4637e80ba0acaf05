"""Chapter 7's range-test explorer on the built site, in a real browser (offline).

The figure (``tinytorch.plotting_explorable_range``) sets the learning-rate range
test beside fixed-rate training at 29 rates. Moving the rate slider must change the
chosen rate's runs (and nothing that depends on k only); moving the k slider must
change the curves over the rate grid (and not the runs per step); the readouts follow;
no console error. Screenshots of two states go to tests/browser/screenshots/.

Uses test_browser_site's chromium/playwright setup (every off-site request is
aborted and reported); skips like it when chromium or the built site is missing.
"""

from __future__ import annotations

import re

from test_browser_site import SCREENSHOTS, Visit, browser, server  # noqa: F401 (fixtures)
from bookutil import built_site

PAGE = "book/07_analysis.html"
NAME = "range-brute-force"
ROOT = f"#{NAME}"
#: What the figure itself may add to the page (its HTML, data and still).
FIGURE_BYTES = 150_000

PLOTTED = """(name) => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name(name + '-steps'));
  const get = (source) => {
    const data = doc.get_model_by_name(name + '-' + source).data;
    const out = {};
    for (const key of Object.keys(data)) out[key] = Array.from(data[key]);
    return out;
  };
  return {after: get('after'), steps: get('steps'), chosen: get('chosen'),
          rate: get('rate'), k: get('k'), marks: get('marks')};
}"""


def _open(visit: Visit, base: str):
    visit.goto(f"{base}/{PAGE}")
    page = visit.page
    page.wait_for_selector(f"{ROOT}.explorable-live", timeout=20_000)
    root = page.locator(ROOT)
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(300)          # let BokehJS finish painting the canvas
    return page, root


def _move(page, slider, key: str, presses: int):
    slider.focus()
    for _ in range(abs(presses)):
        page.keyboard.press(key)
    page.wait_for_timeout(300)


def test_sliders_change_the_plotted_runs(browser, server):  # noqa: F811
    SCREENSHOTS.mkdir(exist_ok=True)
    visit = Visit(browser)
    try:
        page, root = _open(visit, server)
        assert root.locator(".explorable-still").count() == 0       # replaced by the plot
        assert root.locator("canvas").count() >= 1
        first = page.evaluate(PLOTTED, NAME)
        assert len(first["after"]["rate"]) == 29 and len(first["steps"]["t"]) == 200
        assert first["k"]["x"] == [200, 200]                          # opens at k = 200
        readouts = {key: root.locator(f"[data-readout={key}]").inner_text()
                    for key in ("adam", "mom", "best")}
        root.screenshot(path=str(SCREENSHOTS / "explorable-range-before.png"))

        rate = root.locator("input[data-key=rate]")
        start = int(rate.input_value())
        _move(page, rate, "ArrowRight", 8)                             # two decades up
        moved = page.evaluate(PLOTTED, NAME)
        assert rate.input_value() == str(start + 8)
        assert moved["steps"]["o0"] != first["steps"]["o0"]           # the chosen rate's runs
        assert moved["steps"]["o1"] != first["steps"]["o1"]
        assert moved["marks"] != first["marks"] and moved["chosen"] != first["chosen"]
        assert moved["rate"]["x"][0] > 50 * first["rate"]["x"][0]
        assert moved["after"] == first["after"] and moved["k"] == first["k"]   # k's alone
        assert root.locator("[data-readout=adam]").inner_text() != readouts["adam"]

        k = root.locator("input[data-key=k]")
        _move(page, k, "Home", 1)                                      # k = 10
        shorter = page.evaluate(PLOTTED, NAME)
        assert k.input_value() == "0" and shorter["k"]["x"] == [10, 10]
        assert root.locator("output[data-key=k]").inner_text() == "10"
        assert shorter["after"]["o0"] != moved["after"]["o0"]         # the curves over rates
        assert shorter["after"]["o1"] != moved["after"]["o1"]
        assert shorter["after"]["rate"] == moved["after"]["rate"]     # the grid stays
        assert shorter["steps"] == moved["steps"]                     # the runs do not change
        assert root.locator("[data-readout=best]").inner_text() != readouts["best"]
        root.screenshot(path=str(SCREENSHOTS / "explorable-range-after.png"))
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()


def test_range_explorer_on_a_phone(browser, server):  # noqa: F811
    """At 390 px the figure fits the screen: nothing widens the page."""
    visit = Visit(browser, width=390, height=844)
    try:
        page, root = _open(visit, server)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 391, f"the page is {width} px wide"
        root.screenshot(path=str(SCREENSHOTS / "explorable-range-phone.png"))
        assert not visit.errors, visit.errors
    finally:
        visit.close()


def test_range_explorer_weight():
    """The figure's own HTML (data and still included) stays light."""
    html = (built_site() / PAGE).read_text()
    figures = re.findall(rf'<div class="explorable" id="{NAME}".*?</script>\s*</div>', html, re.S)
    assert len(figures) == 1
    assert len(figures[0].encode()) <= FIGURE_BYTES, f"{len(figures[0].encode()):,} bytes"
    assert "cdn.bokeh.org" not in html
