"""Run in your browser: whole chapters executed in JupyterLite, offline, in chromium.

For each chapter below, the test opens the site's own "Run in your browser" link
(``lite/notebooks/index.html?path=book/X.ipynb``) with every request that leaves
localhost aborted, waits for the Pyodide kernel, runs all cells, and checks that

* every code cell ran (an execution count each) and none raised an error;
* outputs appeared: the printed tables, the figures (PNG), the glued numbers;
* the glued numbers the chapter printed in the browser (``tinytorch.plotting.glue``
  prints ``name: value`` where myst-nb is missing) equal the numbers the site shows,
  read from the site build's glue store (``_build/jupyter_execute/book/X.glue.json``).

The notebooks in ``lite/files`` carry no outputs, so everything checked here was
computed in the browser: Pyodide 0.27.7's numpy 2.0.2 in WebAssembly, tinytorch
installed by the install cell from the site's own wheel.

JupyterLite exposes its application object only when its page config says so; the
test adds ``exposeAppInBrowser`` to the ``jupyter-lite.json`` it serves (nothing
else is changed) and drives the notebook through it, as a reader's "Run all" does.

Uses test_browser_site's chromium/playwright setup; skips like it when chromium or
the built site is missing (fails with CI=true).
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlparse

import pytest
from test_browser_site import SCREENSHOTS, browser, server  # noqa: F401 (fixtures)

from bookutil import ROOT, built_site

#: The chapters run end to end: gradient descent (an explorable, which shows its still
#: in the browser), adaptive methods and real training on the digits shipped inside
#: tinytorch. About 30-60 s each in the browser on the 2-core CI machine.
CHAPTERS = ("01_gradient_descent", "03_adaptive", "06_training")
#: The longest a chapter may take in the browser before the test gives up.
TIMEOUT_S = 420
#: Glued values that depend on the machine, not on the mathematics (none in these).
VARIES = re.compile(r"(seconds|_time|_ms|_us)$")

NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    cells.push({count: cell.executionCount, outputs: cell.outputs.toJSON(),
                tags: cell.getMetadata('tags') || []});
  }
  return {status: kernel ? kernel.status : 'none', cells};
}"""


def _text(output: dict) -> str:
    text = output.get("text", output.get("data", {}).get("text/plain", ""))
    return "".join(text) if isinstance(text, list) else text


def site_glue(chapter: str) -> dict[str, str]:
    """``{name: text}`` of every number or text the site's build of ``chapter`` glued."""
    store = ROOT / "_build" / "jupyter_execute" / "book" / f"{chapter}.glue.json"
    if not store.is_file():
        pytest.fail(f"{store} is missing: build the book (bash tools/build.sh)")
    glued = {}
    for name, output in json.loads(store.read_text()).items():
        data = output.get("data", {})
        if set(data) == {"text/plain"}:              # numbers and text, not figures
            value = data["text/plain"]
            glued[name] = value[1:-1] if value[:1] == value[-1:] == "'" else value
    return glued


def browser_glue(cells: list[dict]) -> dict[str, str]:
    """``{name: text}`` from the ``name: value`` lines glue printed in the browser."""
    printed = {}
    for cell in cells:
        for output in cell["outputs"]:
            if output["output_type"] == "stream" and output.get("name") == "stdout":
                for line in _text(output).splitlines():
                    name, sep, value = line.partition(": ")
                    if sep and re.fullmatch(r"[a-z][a-z0-9_]*", name):
                        printed[name] = value
    return printed


def _wait(page, chapter: str, opened: float, done) -> dict:
    """Poll the notebook until ``done(cells)`` and the kernel is idle, or an error."""
    while True:
        state = page.evaluate(NOTEBOOK_STATE)
        state["seconds"] = time.monotonic() - opened
        if _unexpected_errors(state["cells"]) or (done(state["cells"]) and state["status"] == "idle"):
            return state
        if state["seconds"] > TIMEOUT_S:
            pytest.fail(f"{chapter}: not finished after {TIMEOUT_S} s")
        time.sleep(0.5)


def _unexpected_errors(cells: list[dict]) -> list[dict]:
    """Error outputs, except in cells tagged raises-exception (they show an error)."""
    return [o for c in cells if "raises-exception" not in c["tags"]
            for o in c["outputs"] if o["output_type"] == "error"]


def run_in_jupyterlite(browser, server, chapter: str):  # noqa: F811 (fixtures)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    offsite: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if urlparse(url).hostname not in ("127.0.0.1", "localhost"):
            offsite.append(url)               # offline: nothing else is reachable
            return request_route.abort()
        if urlparse(url).path == "/lite/jupyter-lite.json":
            response = request_route.fetch()
            config = response.json()
            config["jupyter-config-data"]["exposeAppInBrowser"] = True
            return request_route.fulfill(response=response, json=config)
        return request_route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        chapter_page = built_site() / "book" / f"{chapter}.html"
        link = re.search(r'href="([^"]*lite/notebooks/index\.html\?path=[^"]+)"',
                         chapter_page.read_text())
        assert link, f"{chapter}.html has no 'Run in your browser' link"
        opened = time.monotonic()
        page.goto(f"{server}/book/{link[1]}", wait_until="load")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=120_000)
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.ready")
        # the first cell alone (it installs tinytorch): the cold start a reader waits
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
        first = _wait(page, chapter, opened, lambda cells: cells[0]["count"] is not None)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        state = _wait(page, chapter, opened, lambda cells: all(c["count"] is not None for c in cells))
        timings = {"first_cell_s": round(first["seconds"], 1), "all_cells_s": round(state["seconds"], 1)}
        page.screenshot(path=str(SCREENSHOTS / f"lite_{chapter}.png"))
        return state, offsite, page_errors, timings
    finally:
        context.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_in_the_browser_offline(browser, server, chapter):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    state, offsite, page_errors, timings = run_in_jupyterlite(browser, server, chapter)
    record = SCREENSHOTS / "lite_timings.json"
    measured = json.loads(record.read_text()) if record.is_file() else {}
    record.write_text(json.dumps({**measured, chapter: timings}, indent=1, sort_keys=True))
    print(f"{chapter} in JupyterLite: {timings}")
    errors = _unexpected_errors(state["cells"])
    assert not errors, "\n".join(
        f"{e['ename']}: {e['evalue']}\n" + "\n".join(e["traceback"])[-2000:] for e in errors)
    assert not offsite, f"requests that left the machine: {offsite[:5]}"
    assert not page_errors, page_errors
    cells = state["cells"]
    assert cells and all(c["count"] is not None for c in cells)
    kinds = {o["output_type"] for c in cells for o in c["outputs"]}
    assert {"stream", "display_data"} <= kinds, kinds
    figures = sum("image/png" in o.get("data", {}) for c in cells for o in c["outputs"])
    assert figures >= 2, f"{chapter}: {figures} figures drawn in the browser"

    on_site, in_browser = site_glue(chapter), browser_glue(cells)
    compared = sorted(n for n in on_site if n in in_browser and not VARIES.search(n))
    assert len(compared) >= 5, f"{chapter}: only {compared} glued numbers to compare"
    differ = {n: (on_site[n], in_browser[n]) for n in compared if on_site[n] != in_browser[n]}
    assert not differ, f"{chapter}: glued numbers differ (site, browser): {differ}"
