"""The built site in a real browser: Debian's chromium driven by playwright.

For every page of _build/html, served on a localhost port from a thread:
  * it loads (HTTP 200) with no console errors and no uncaught page errors;
  * math is typeset by MathJax (mjx-container present, no raw $$ or \\( left);
  * every image loads (complete, non-zero natural width);
and the executable chapters carry Colab and Binder launch links, and the search page
finds "momentum". Full-page screenshots go to tests/browser/screenshots/.

The site must work offline: every request that leaves localhost is aborted and
reported as a failure, so a page that needs the network (a CDN script, a web font)
fails here. MathJax is served by the site itself (`_static/mathjax/`, copied by the
build from npm's `mathjax@3.2.2`), and every page must still typeset its math.

Locally, without chromium / playwright / the built site / the MathJax copy, the test
skips and says why; with CI=true it fails instead.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))
from bookutil import ROOT, built_site, load_sync_tool, skip_or_fail  # noqa: E402

CHROMIUM_FLAGS = [
    "--no-sandbox",  # we run as root in containers
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-gpu",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server():
    site = built_site()
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        skip_or_fail("chromium not found at /usr/bin/chromium: `apt-get install chromium` (or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -r requirements.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


class Visit:
    """One browser tab with console/page errors and off-site requests recorded."""

    def __init__(self, browser, width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        self.offsite.append(url)              # offline: nothing else is reachable
        return route.abort()

    def goto(self, url):
        response = self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        # wait for MathJax (when the page loads it) to finish typesetting
        self.page.evaluate(
            "() => (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)"
            " ? window.MathJax.startup.promise.then(() => true) : true"
        )
        return response

    def close(self):
        self.context.close()


def site_pages(site: Path) -> list[Path]:
    """The book's pages: not Sphinx's ``_*`` folders, not the JupyterLite application
    in ``lite/`` (test_browser_lite.py runs chapters there)."""
    return sorted(
        p for p in site.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(site).parts)
        and p.relative_to(site).parts[0] != "lite"
    )


def check_page(visit: Visit, site: Path, rel: str, base: str) -> list[str]:
    problems = []
    response = visit.goto(f"{base}/{rel}")
    if response is None or response.status != 200:
        problems.append(f"HTTP {response.status if response else 'no response'}")
    page = visit.page
    # images: force lazy ones to load, then check every one decoded
    page.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=10_000)
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src)"
    )
    problems += [f"broken image {src}" for src in broken]
    # math: every math node typeset, no raw delimiters left in the prose
    n_math = page.locator("main .math").count()
    n_mjx = page.locator("main mjx-container").count()
    if n_math and n_mjx < n_math:
        problems.append(f"{n_math} math nodes but only {n_mjx} typeset by MathJax")
    prose = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('pre, code, mjx-container, script').forEach(e => e.remove());"
        " return m.innerText; }"
    )
    for raw in ("$$", "\\(", "\\["):
        if raw in prose:
            problems.append(f"raw math delimiter {raw!r} left in the page text")
    return problems


def test_every_page_in_a_real_browser(browser, server):
    site = built_site()
    SCREENSHOTS.mkdir(exist_ok=True)
    pages = site_pages(site)
    assert len(pages) >= 12, pages
    failures = {}
    typeset = 0
    for path in pages:
        rel = path.relative_to(site).as_posix()
        visit = Visit(browser)
        try:
            problems = check_page(visit, site, rel, server)
            typeset += visit.page.locator("main mjx-container").count()
            visit.page.screenshot(path=str(SCREENSHOTS / (rel.replace("/", "__") + ".png")), full_page=True)
            problems += visit.errors
            problems += [f"off-site request {u}" for u in visit.offsite]
        finally:
            visit.close()
        if problems:
            failures[rel] = problems
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert typeset > 0, "no page has typeset math"


def test_mathjax_comes_from_the_site_itself(browser, server):
    """The pages load MathJax from _static/mathjax/, never a CDN."""
    site = built_site()
    html = (site / "book" / "02_momentum.html").read_text()
    # (Sphinx may append ?v=<checksum> to a local asset)
    assert re.search(r'<script[^>]+src="\.\./_static/mathjax/tex-mml-chtml\.js(\?v=\w+)?"', html)
    assert "cdn.jsdelivr" not in html and "mathjax@3" not in html
    assert (site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_chapters_carry_launch_buttons(browser, server):
    site = built_site()
    chapters = load_sync_tool().notebook_chapters()
    assert chapters
    for md in chapters:
        rel = md.relative_to(ROOT).with_suffix(".html").as_posix()
        visit = Visit(browser)
        try:
            visit.goto(f"{server}/{rel}")
            menu = visit.page.locator(".dropdown-launch-buttons")
            assert menu.count() == 1, f"{rel}: no launch-buttons menu"
            hrefs = menu.locator("a").evaluate_all("els => els.map(e => e.href)")
            nb = md.relative_to(ROOT).with_suffix(".ipynb").as_posix()
            assert any("colab.research.google.com" in h and h.endswith(nb) for h in hrefs), hrefs
            assert any("mybinder.org" in h and h.endswith(nb) for h in hrefs), hrefs
            # the menu opens on click and shows both buttons
            menu.locator("button").first.click()
            assert visit.page.get_by_text("Colab").first.is_visible()
            assert visit.page.get_by_text("Binder").first.is_visible()
            assert not visit.errors, visit.errors
        finally:
            visit.close()


def test_search_finds_momentum(browser, server):
    visit = Visit(browser)
    try:
        visit.goto(f"{server}/search.html?q=momentum")
        results = visit.page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=20_000)
        assert results.count() >= 1
        text = visit.page.locator("#search-results").inner_text()
        assert "momentum" in text.lower()
        visit.page.screenshot(path=str(SCREENSHOTS / "search-momentum.png"), full_page=True)
        assert not visit.errors, visit.errors
    finally:
        visit.close()


def test_intro_on_a_phone(browser, server):
    """The landing page on a narrow screen: loads cleanly (screenshot for inspection)."""
    visit = Visit(browser, width=390, height=844)
    try:
        visit.goto(f"{server}/book/intro.html")
        SCREENSHOTS.mkdir(exist_ok=True)
        visit.page.screenshot(path=str(SCREENSHOTS / "intro-phone.png"), full_page=True)
        assert not visit.errors, visit.errors
        assert not visit.offsite, visit.offsite
    finally:
        visit.close()


PHONE_CHECK = """() => {
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > innerWidth + 1) problems.push(`the page is ${page} px wide`);
  document.querySelectorAll('main mjx-container[display="true"]').forEach((m, i) => {
    if (m.scrollWidth <= m.clientWidth + 1) return;           // fits
    const style = getComputedStyle(m);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    const cue = style.backgroundImage.includes('radial-gradient');
    if (!(scrolls && cue)) problems.push(`display equation ${i} is clipped`
      + ` (${m.scrollWidth} px in ${m.clientWidth} px, no scroll cue)`);
  });
  document.querySelectorAll('main img').forEach(img => {
    const r = img.getBoundingClientRect();
    if (r.right > innerWidth + 1) problems.push(`image ${img.src} is clipped`);
  });
  return problems;
}"""


def test_every_page_on_a_390_px_phone(browser, server):
    """At 390 px nothing widens the page: figures shrink to the column, and a
    display equation wider than the column scrolls in its own box with a shadow
    at the clipped edge (tools/sphinx_ext/static/course.css)."""
    site = built_site()
    failures = {}
    for path in site_pages(site):
        rel = path.relative_to(site).as_posix()
        visit = Visit(browser, width=390, height=844)
        try:
            visit.goto(f"{server}/{rel}")
            problems = visit.page.evaluate(PHONE_CHECK)
        finally:
            visit.close()
        if problems:
            failures[rel] = problems
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
