"""The explorable figures on the built site, in a real browser (offline).

Chapter 2's momentum playground (``tinytorch.plotting_explorable``): BokehJS comes
from the site itself (``_static/bokeh/``), the plot draws, moving the β slider
changes the plotted data (a lookup of precomputed runs) with no console error, and
without BokehJS the PNG still stands in. Screenshots before and after the slider
moves go to tests/browser/screenshots/. The page's weight stays within budget.

Uses test_browser_site's chromium/playwright setup (every off-site request is
aborted and reported); skips like it when chromium or the built site is missing.
"""

from __future__ import annotations

import re

from test_browser_site import SCREENSHOTS, Visit, browser, server  # noqa: F401 (fixtures)
from bookutil import built_site

PAGE = "book/02_momentum.html"
ROOT = "#mom-playground"
#: What explorables may add to a chapter: their HTML plus the BokehJS the page loads.
BUDGET_BYTES = 1_500_000

PLOTTED = """() => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name('mom-playground-path'));
  const path = doc.get_model_by_name('mom-playground-path').data;
  const loss = doc.get_model_by_name('mom-playground-loss').data;
  return {x: Array.from(path.x), y: Array.from(path.y), loss: Array.from(loss.loss),
          t: Array.from(loss.t)};
}"""


def _open_playground(visit: Visit, base: str):
    visit.goto(f"{base}/{PAGE}")
    page = visit.page
    page.wait_for_selector(f"{ROOT}.explorable-live", timeout=20_000)
    root = page.locator(ROOT)
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(300)          # let BokehJS finish painting the canvas
    return page, root


def test_playground_slider_changes_the_plot(browser, server):  # noqa: F811
    SCREENSHOTS.mkdir(exist_ok=True)
    visit = Visit(browser)
    try:
        page, root = _open_playground(visit, server)
        # served by the site, once, never from a CDN
        scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src)")
        bokeh = [s for s in scripts if "bokeh" in s]
        assert len(bokeh) == 1 and re.search(r"/_static/bokeh/bokeh-[\d.]+\.min\.js", bokeh[0]), bokeh
        assert root.locator(".explorable-still").count() == 0       # replaced by the plot
        assert root.locator("canvas").count() >= 1
        before = page.evaluate(PLOTTED)
        rate_before = root.locator("[data-readout=rate]").inner_text()
        beta_before = root.locator("output[data-key=beta]").inner_text()
        assert len(before["x"]) == 31 and len(before["loss"]) == 101 == len(before["t"])
        root.screenshot(path=str(SCREENSHOTS / "explorable-momentum-before.png"))

        slider = root.locator("input[data-key=beta]")
        slider.focus()
        for _ in range(10):                                  # beta* -> 2 beta*
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        after = page.evaluate(PLOTTED)
        assert slider.input_value() == "20"
        assert root.locator("output[data-key=beta]").inner_text() != beta_before
        assert root.locator("[data-readout=rate]").inner_text() != rate_before
        assert after["x"] != before["x"] and after["loss"] != before["loss"]
        assert after["t"] == before["t"]                    # the fixed column stays
        root.screenshot(path=str(SCREENSHOTS / "explorable-momentum-after.png"))

        # beta = 0 at eta*: gradient descent beyond its limit
        slider.press("Home")
        page.wait_for_timeout(200)
        assert root.locator("[data-readout=rate]").inner_text() == "diverges"

        # back to (eta*, beta*), then the menu: Nesterov's form diverges there
        slider.fill("10")
        page.wait_for_timeout(200)
        heavy_ball = page.evaluate(PLOTTED)
        assert heavy_ball == before
        root.locator("select[data-key=form]").select_option(label="Nesterov")
        page.wait_for_timeout(300)
        nesterov = page.evaluate(PLOTTED)
        assert nesterov["x"] != before["x"] and nesterov["loss"] != before["loss"]
        assert root.locator("[data-readout=rate]").inner_text() == "diverges"
        root.screenshot(path=str(SCREENSHOTS / "explorable-momentum-nesterov.png"))
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()


def test_every_explorable_shows_its_still_without_bokehjs(browser, server):  # noqa: F811
    """Where BokehJS does not load (a notebook, a blocked script), each figure's
    still, with its alt text, stands in and its controls stay hidden."""
    site = built_site()
    for page in explorable_pages(site):
        names = re.findall(r'<div class="explorable" id="([^"]+)"', (site / page).read_text())
        visit = Visit(browser)
        try:
            visit.context.route("**/_static/bokeh/**", lambda route: route.abort())
            visit.goto(f"{server}/{page}")
            for name in names:
                root = visit.page.locator(f"#{name}")
                still = root.locator("img.explorable-still")
                assert still.count() == 1 and still.is_visible(), (page, name)
                assert visit.page.evaluate(
                    f"() => document.querySelector('#{name} img').naturalWidth") > 0
                assert (still.get_attribute("alt") or "").strip(), (page, name)
                assert root.locator(".explorable-controls").is_hidden(), (page, name)
            assert not [e for e in visit.errors if "pageerror" in e], visit.errors
        finally:
            visit.close()


def explorable_pages(site):
    """The built pages that carry an explorable figure."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if '<div class="explorable"' in p.read_text())


def test_every_explorable_page_within_its_weight_budget():
    """What the explorables add to each chapter (their HTML, data and stills, plus
    the BokehJS the page loads) stays within the budget."""
    site = built_site()
    pages = explorable_pages(site)
    assert PAGE in pages
    for page in pages:
        html = (site / page).read_text()
        scripts = re.findall(r'src="(?:\.\./)*(_static/bokeh/[^"?]+)', html)
        assert scripts, f"{page} does not load BokehJS from _static/bokeh"
        figures = re.findall(r'<div class="explorable".*?</script>\s*</div>', html, re.S)
        assert figures, page
        added = sum(len(f.encode()) for f in figures)
        added += sum((site / s).stat().st_size for s in scripts)
        assert added <= BUDGET_BYTES, f"{page}: {added:,} bytes"
        assert "cdn.bokeh.org" not in html


def test_bokehjs_only_on_pages_with_an_explorable():
    """No other page pays for BokehJS (the API page only mentions the marker)."""
    site = built_site()
    loading = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                     if re.search(r'<script[^>]+src="[^"]*_static/bokeh/', p.read_text()))
    assert PAGE in loading and loading == explorable_pages(site)
