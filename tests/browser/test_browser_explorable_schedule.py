"""Chapter 5's schedule builder on the built site, in a real browser (offline).

The figure (``tinytorch.plotting_explorable_schedule``) draws with the site's own
BokehJS; choosing another shape in the menu and moving the warmup and peak sliders
each changes both plotted curves (the learning rate and the training loss: lookups
of precomputed runs) and the readouts, with no console error. Screenshots of two
states go to tests/browser/screenshots/. Without BokehJS the still stands in, and
the figure stays within the explorables' page budget.

Uses test_browser_site's chromium/playwright setup (every off-site request is
aborted and reported); skips like it when chromium or the built site is missing.
"""

from __future__ import annotations

import re

from test_browser_site import SCREENSHOTS, Visit, browser, server  # noqa: F401 (fixtures)
from bookutil import built_site

PAGE = "book/05_schedules.html"
ROOT = "#sched-builder"
#: What explorables may add to a chapter: their HTML plus the BokehJS the page loads.
BUDGET_BYTES = 1_500_000

PLOTTED = """() => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name('sched-builder-lr'));
  const lr = doc.get_model_by_name('sched-builder-lr').data;
  const loss = doc.get_model_by_name('sched-builder-loss').data;
  return {lr: Array.from(lr.lr), t: Array.from(lr.t), loss: Array.from(loss.loss),
          readouts: Array.from(document.querySelectorAll('#sched-builder [data-readout]'))
                         .map(e => e.textContent)};
}"""


def _open_builder(visit: Visit, base: str):
    visit.goto(f"{base}/{PAGE}")
    page = visit.page
    page.wait_for_selector(f"{ROOT}.explorable-live", timeout=20_000)
    root = page.locator(ROOT)
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(300)          # let BokehJS finish painting the canvas
    return page, root


def _changed(before: dict, after: dict) -> None:
    """Both curves differ, the step axis does not."""
    assert after["lr"] != before["lr"], "the learning-rate curve did not change"
    assert after["loss"] != before["loss"], "the loss curve did not change"
    assert after["t"] == before["t"]


def test_menu_and_sliders_change_both_curves(browser, server):  # noqa: F811
    SCREENSHOTS.mkdir(exist_ok=True)
    visit = Visit(browser)
    try:
        page, root = _open_builder(visit, server)
        scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src)")
        bokeh = [s for s in scripts if "bokeh" in s]
        assert len(bokeh) == 1 and re.search(r"/_static/bokeh/bokeh-[\d.]+\.min\.js", bokeh[0]), bokeh
        assert root.locator(".explorable-still").count() == 0       # replaced by the plot
        assert root.locator("canvas").count() >= 1
        # it opens on the constant rate at 0.3, no warmup: a flat rate, a failed run
        state = page.evaluate(PLOTTED)
        assert len(state["lr"]) == 276 == len(state["t"]) and len(state["loss"]) == 46
        assert max(state["lr"]) - min(state["lr"]) < 0.01 and abs(state["lr"][0] - 0.3) < 0.01
        assert state["readouts"][0] == "above its start"
        root.screenshot(path=str(SCREENSHOTS / "explorable-schedule-constant.png"))

        # the menu: cosine
        root.locator("select[data-key=shape]").select_option(label="cosine")
        page.wait_for_timeout(200)
        cosine = page.evaluate(PLOTTED)
        _changed(state, cosine)
        assert cosine["lr"][0] > cosine["lr"][-1] + 0.25                # it decays
        assert cosine["readouts"][0] != state["readouts"][0]

        # the warmup slider: 0 -> 48 steps
        warmup = root.locator("input[data-key=warmup]")
        warmup.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        assert root.locator("output[data-key=warmup]").inner_text() == "48"
        warmed = page.evaluate(PLOTTED)
        _changed(cosine, warmed)
        assert warmed["lr"][0] < 0.02 and max(warmed["lr"]) > 0.29    # rises from 0.3/25
        root.screenshot(path=str(SCREENSHOTS / "explorable-schedule-cosine-warmup.png"))

        # the peak slider: 0.3 -> 0.52
        peak = root.locator("input[data-key=peak]")
        peak.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        assert root.locator("output[data-key=peak]").inner_text() == "0.52"
        higher = page.evaluate(PLOTTED)
        _changed(warmed, higher)
        assert max(higher["lr"]) > 0.5
        assert higher["readouts"] != warmed["readouts"]
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()


def test_page_weight():
    """What the explorable adds to chapter 5 (its HTML, plus the BokehJS the page
    loads) stays within the budget."""
    site = built_site()
    html = (site / PAGE).read_text()
    scripts = re.findall(r'src="\.\./(_static/bokeh/[^"?]+)', html)
    assert scripts, "the page does not load BokehJS from _static/bokeh"
    figures = re.findall(r'<div class="explorable".*?</script>\s*</div>', html, re.S)
    assert len(figures) == 1
    added = sum(len(f.encode()) for f in figures)
    assert added < 150_000, f"{added:,} bytes of explorable HTML"
    added += sum((site / s).stat().st_size for s in scripts)
    assert added <= BUDGET_BYTES, f"{added:,} bytes"
    assert "cdn.bokeh.org" not in html
