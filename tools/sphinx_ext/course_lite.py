"""Run in your browser: the site carries a JupyterLite copy of every chapter notebook.

Loaded from ``_config.yml`` (``sphinx.local_extensions``). Each executable page gets a
third launch button beside Binder and Colab, **Run in your browser**, that opens the
page's notebook in JupyterLite (``lite/notebooks/``): a Jupyter that runs entirely in
the reader's browser, its Python being Pyodide (CPython compiled to WebAssembly). No
server, no account, nothing downloaded from anywhere but this site.

What the build adds, after Sphinx has written the pages (``build-finished``):

* ``lite/``: the output of ``jupyter lite build`` (jupyterlite-core 0.5.1 and the
  Pyodide kernel 0.5.2), without source maps;
* ``lite/static/pyodide/``: the Pyodide 0.27.7 runtime and the 29 packages the
  chapters and the kernel need, each verified against Pyodide's official lock
  (``tools/make_pyodide.py`` assembles them in ``.ci/pyodide/``; the build refuses
  to run without them);
* ``lite/pypi/``: the wheels the kernel installs from the site and nowhere else
  (PyPI is switched off: ``disablePyPIFallback``): this repository's
  ``optimizers-executably`` (the ``tinytorch`` package, built from the working tree
  by hatchling) and ``comm``;
* ``lite/files/book/``: the chapter and workbook notebooks, as committed
  (``book/X.ipynb``; a page without one is converted from its MyST source), their
  outputs removed: in the browser every output is made there. Each notebook's install cell recognises Pyodide and installs tinytorch with
  ``piplite`` from ``lite/pypi/``.

sphinx-book-theme 1.3 draws the button from ``launch_buttons.jupyterlite_url``;
this extension renames it and makes its link relative to the page, so the site works
from any folder (a subpath on a web host, a USB stick).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import make_pyodide  # noqa: E402  (tools/make_pyodide.py)

LOGGER = logging.getLogger(__name__)
#: Where JupyterLite goes in the site, and the app a launch button opens.
LITE = "lite"
LITE_APP = "notebooks/index.html"
BUTTON_TEXT = "Run in your browser"
BUTTON_TOOLTIP = "Run this page's notebook in your browser (JupyterLite: no server, no account)"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
CHECKPOINT_INDICATOR = "@jupyter-notebook/notebook-extension:checkpoints"


def _check_runtime(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    found = make_pyodide.problems()
    if found:
        raise ConfigError(
            "the Pyodide runtime for 'Run in your browser' is missing or altered ("
            + "; ".join(found[:3])
            + "). Assemble it with: python tools/make_pyodide.py (tools/build.sh does this)."
        )


def _relabel_button(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The theme's "JupyterLite" button -> "Run in your browser", linked page-relative."""
    up = "../" * pagename.count("/")
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "JupyterLite":
                button["text"] = BUTTON_TEXT
                button["tooltip"] = BUTTON_TOOLTIP
                button["url"] = f"{up}{LITE}/{LITE_APP}?path={pagename}.ipynb"


def _notebooks(app: Sphinx) -> list[Path]:
    """The executable pages' sources (MyST notebooks: a kernelspec), in the book."""
    pages = []
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix == ".md" and "kernelspec" in source.read_text().split("\n---", 1)[0]:
            pages.append(source)
    return pages


def _without_outputs(page: Path, target: Path) -> None:
    """The page's committed notebook (its MyST source where there is none), no outputs."""
    sibling = page.with_suffix(".ipynb")
    nb = (nbformat.read(sibling, as_version=4) if sibling.is_file()
          else jupytext.read(page))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def _stage(app: Sphinx, stage: Path) -> None:
    """The JupyterLite source folder: config, runtime, wheels, notebooks."""
    srcdir = Path(app.srcdir)
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "pypi").mkdir(parents=True)
    shutil.copytree(make_pyodide.TARGET, stage / "static" / "pyodide")
    for wheel in make_pyodide.WHEELS.glob("*.whl"):
        shutil.copy2(wheel, stage / "pypi")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(stage / "pypi"), str(srcdir)],
                   check=True)
    for page in _notebooks(app):
        _without_outputs(page, stage / "files" / page.relative_to(srcdir).with_suffix(".ipynb"))
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Optimizers, executably",
            "litePluginSettings": {KERNEL_PLUGIN: {"disablePyPIFallback": True}},
            # Notebook 7.3's "Last Checkpoint" indicator reads the last of the notebook's
            # checkpoints, and a notebook just opened in JupyterLite has none: each
            # poll then throws a TypeError in the page. The indicator says nothing
            # useful for a notebook that lives in the browser's storage.
            "disabledExtensions": [CHECKPOINT_INDICATOR],
        },
    }
    (stage / "jupyter-lite.json").write_text(json.dumps(config, indent=2))


def _build_lite(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    stage = Path(app.outdir).parent / "jupyterlite"
    output = Path(app.outdir) / LITE
    _stage(app, stage)
    jupyter_lite = Path(sys.executable).with_name("jupyter-lite")
    done = subprocess.run(
        [str(jupyter_lite), "build", "--lite-dir", str(stage), "--output-dir", str(output),
         "--no-sourcemaps", "--no-unused-shared-packages"],
        cwd=stage, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise ExtensionError(f"jupyter lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    LOGGER.info(f"JupyterLite: {len(_notebooks(app))} notebooks, {size / 1e6:.1f} MB in {LITE}/")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _check_runtime)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", _relabel_button, priority=900)
    app.connect("build-finished", _build_lite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
