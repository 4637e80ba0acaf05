"""Sphinx fixes for the course site (loaded from _config.yml ``sphinx.local_extensions``).

Duplicate ``THEBE_JS_URL`` declaration
--------------------------------------
A default Jupyter Book 1 page logs ``SyntaxError: Identifier 'THEBE_JS_URL' has
already been declared`` in the browser console. The cause:

* ``sphinx_thebe`` (always loaded by Jupyter Book) registers an inline script,
  ``const THEBE_JS_URL = ...; const thebe_selector = ...``, with
  ``app.add_js_file(None, body=...)`` in an ``env-before-read-docs`` handler, i.e.
  after the HTML builder was initialised. Sphinx then stores it twice: in the
  registry, and directly in the builder's script list with ``filename=None``.
* Sphinx 7.4's ``StandaloneHTMLBuilder.prepare_writing`` re-adds every registry
  script "registered after Builder.init()" as ``add_js_file(filename or '', ...)``.
  The builder de-duplicates by equality, and ``_JavaScript(None, body=B)`` is not
  equal to ``_JavaScript('', body=B)``, so the same inline ``const`` script is
  written twice into every page and the second copy throws.

The fix normalises inline scripts already in the builder's list to ``filename=''``
(rendered identically: a script without ``src``) right after ``sphinx_thebe`` adds
them, so the later re-add is recognised as a duplicate. Nothing else changes.

The downloadable notebook has outputs
-------------------------------------
sphinx-book-theme's download menu offers ``_sources/<page>.ipynb``, a copy of the
notebook myst-nb writes to ``_build/jupyter_execute``. When the outputs come from the
execution cache (an incremental build), myst-nb writes that notebook WITHOUT outputs.
The course commits an executed sibling ``book/<page>.ipynb`` for every chapter (the
file Colab and Binder open, checked against its ``.md`` and by strict nbval), so the
download becomes that file: the same notebook everywhere, always with its outputs.

Glued numbers are not bold
--------------------------
myst-nb styles every ``{glue:text}`` value bold; in a sentence that shouts. The
course's stylesheet, ``static/course.css`` beside this file, sets it back to the
surrounding text's weight.

MathJax is served by the site itself
------------------------------------
Sphinx loads MathJax from a CDN by default, so a page read offline (a USB stick, a
flaky connection) shows raw TeX. ``_config.yml`` points ``mathjax_path`` at
``_static/mathjax/tex-mml-chtml.js`` and this extension copies MathJax there from the
local npm copy that ``tools/build.sh`` installs (``mathjax@3.2.2``, checked by npm
against the registry's integrity hash). A build without that copy stops with the
command that makes it, rather than producing a site that needs the network.

BokehJS is served by the site itself, on the pages that need it
----------------------------------------------------------------
The explorable figures (``tinytorch.plotting_explorable``) are Bokeh plots whose
data are in the page; their JavaScript library, BokehJS, is not. This extension
copies the BokehJS bundles of the installed ``bokeh`` (found through
``bokeh.resources``) to ``_static/bokeh/`` once, and adds a ``<script>`` for them
only to the pages whose body carries an explorable (its ``data-tinytorch-explorable``
attribute), so no other page grows and nothing comes from cdn.bokeh.org.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

#: npm's copy of MathJax 3 (tools/build.sh installs it), relative to the book's root.
MATHJAX_ES5 = Path(".ci", "node", "node_modules", "mathjax", "es5")
#: What the pages load: the combined TeX+MathML/CHTML component and the folders of
#: the pieces it loads on demand (fonts, TeX extensions, menu, accessibility).
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors")


def _normalise_inline_scripts(app: Sphinx, env, docnames) -> None:
    scripts = getattr(app.builder, "_js_files", None)
    if not isinstance(scripts, list):
        return
    fixed = []
    for asset in scripts:
        if getattr(asset, "filename", "") is None:
            asset = type(asset)("", priority=asset.priority, **asset.attributes)
        if asset not in fixed:
            fixed.append(asset)
    scripts[:] = fixed


def _download_the_committed_notebook(app: Sphinx, pagename, templatename, context, doctree):
    if not context.get("ipynb_source"):
        return
    sibling = Path(app.srcdir, pagename + ".ipynb")
    if sibling.is_file():
        target = Path(app.outdir, "_sources", pagename + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sibling, target)


def _local_mathjax(app: Sphinx) -> Path:
    source = Path(app.confdir, MATHJAX_ES5)
    if not (source / "tex-mml-chtml.js").is_file():
        raise ConfigError(
            f"MathJax is missing ({source}); the site serves its own copy so that it works "
            "offline. Install it with: npm install --prefix .ci/node mathjax@3.2.2 "
            "(tools/build.sh does this)."
        )
    return source


def _check_mathjax(app: Sphinx) -> None:
    if app.builder.format == "html":
        _local_mathjax(app)


def _copy_mathjax(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = _local_mathjax(app)
    target = Path(app.outdir, "_static", "mathjax")
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        elif (source / part).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / part, target / part)


#: Where the site serves BokehJS, relative to _static.
BOKEH_STATIC = "bokeh"
#: What marks a page that carries an explorable (tinytorch.plotting_explorable.MARKER).
EXPLORABLE_MARKER = "data-tinytorch-explorable"


def _bokehjs_files() -> list[Path]:
    """The BokehJS bundles an explorable needs, from the installed bokeh."""
    from bokeh.resources import Resources

    from tinytorch.plotting_explorable import BOKEHJS_COMPONENTS

    resources = Resources(mode="absolute", minified=True, components=list(BOKEHJS_COMPONENTS))
    return [Path(f) for f in resources.js_files]


def _served_name(path: Path) -> str:
    """bokeh.min.js -> bokeh-3.9.2.min.js: the version in the name (no stale cache)."""
    import bokeh

    stem = path.name.removesuffix(".min.js")
    return f"{BOKEH_STATIC}/{stem}-{bokeh.__version__}.min.js"


def _bokehjs_on_explorable_pages(app: Sphinx, pagename, templatename, context, doctree):
    # the attribute itself (name="...), not a page that merely mentions it (the API page)
    if f' {EXPLORABLE_MARKER}="' in context.get("body", ""):
        for path in _bokehjs_files():
            app.add_js_file(_served_name(path))     # this page only (html-page-context)


def _copy_bokehjs(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in _bokehjs_files():
        target = Path(app.outdir, "_static", _served_name(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _add_course_css(app: Sphinx) -> None:
    static = str(Path(__file__).resolve().parent / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def setup(app: Sphinx) -> dict:
    # priority 900: after sphinx_thebe's own env-before-read-docs handler (500)
    app.connect("env-before-read-docs", _normalise_inline_scripts, priority=900)
    # priority 900: after sphinx-book-theme copied jupyter_execute's notebook (500)
    app.connect("html-page-context", _download_the_committed_notebook, priority=900)
    app.connect("builder-inited", _check_mathjax)
    app.connect("builder-inited", _add_course_css)
    app.add_css_file("course.css")
    app.connect("build-finished", _copy_mathjax)
    app.connect("html-page-context", _bokehjs_on_explorable_pages)
    app.connect("build-finished", _copy_bokehjs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
