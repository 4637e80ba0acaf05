"""Run in your browser: the JupyterLite part of the built site, and its Pyodide.

The site's ``lite/`` folder (tools/sphinx_ext/course_lite.py) must hold everything a
chapter needs in the browser, from this site alone: the notebooks (without outputs),
this repository's wheel under its own distribution name, the Pyodide runtime with
each package file verified against the official lock, and a configuration that
never falls back to PyPI. tests/browser/test_browser_lite.py runs chapters there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bookutil import ROOT, built_site, load_module, load_sync_tool, skip_or_fail

make_pyodide = load_module("make_pyodide", ROOT / "tools" / "make_pyodide.py")
sync = load_sync_tool()
LINK = re.compile(r'<a href="([^"]*lite/notebooks/index\.html\?path=([^"]+))"[^>]*>')


def executable_pages() -> list[str]:
    """Page names (``book/01_gradient_descent``) of every notebook in the book."""
    pages = [md.relative_to(ROOT).with_suffix("").as_posix() for md in sync.notebook_chapters()]
    pages += [p.relative_to(ROOT).with_suffix("").as_posix()
              for p in sorted((ROOT / "book" / "student").glob("*.md"))]
    return pages


@pytest.mark.parametrize("page", executable_pages())
def test_every_notebook_page_has_a_run_in_your_browser_button(page):
    site = built_site()
    html = (site / f"{page}.html").read_text()
    links = LINK.findall(html)
    assert len(links) == 1, f"{page}.html: {len(links)} 'Run in your browser' links"
    href, path = links[0]
    assert path == f"{page}.ipynb"
    # relative to the page, so the site works from any folder
    target = (site / page).parent / href.split("?")[0]
    assert target.resolve() == (site / "lite" / "notebooks" / "index.html").resolve()
    assert target.is_file()
    anchor = html[html.index(href) - 200: html.index(href) + 600]
    assert "Run in your browser" in anchor
    notebook = json.loads((site / "lite" / "files" / path).read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    committed = json.loads((ROOT / path).read_text())
    assert [c["source"] for c in code] == [c["source"] for c in committed["cells"]
                                           if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), \
        "the browser's notebooks carry no outputs: everything is computed there"


def test_the_kernel_installs_only_from_the_site():
    lite = built_site() / "lite"
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    # the checkpoint indicator throws in every new notebook (tests/browser catches it)
    assert "@jupyter-notebook/notebook-extension:checkpoints" in config["disabledExtensions"]
    index = json.loads((lite / "pypi" / "all.json").read_text())
    assert "tinytorch" not in index, "never the unrelated PyPI project named tinytorch"
    (release,) = index["optimizers-executably"]["releases"].values()
    (wheel,) = release
    path = lite / "pypi" / wheel["filename"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == wheel["digests"]["sha256"]
    with zipfile.ZipFile(path) as whl:
        names = whl.namelist()
    # the wheel is this working tree's package, data included
    for source in ("tinytorch/__init__.py", "tinytorch/data/digits.npz",
                   "tinytorch/optim/adam.py"):
        assert source in names
        assert whl_bytes(path, source) == (ROOT / source).read_bytes()
    assert "comm" in index


def whl_bytes(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as whl:
        return whl.read(member)


def test_the_served_pyodide_is_the_verified_one():
    served = built_site() / "lite" / "static" / "pyodide"
    assert make_pyodide.problems(served, make_pyodide.WHEELS) == []
    lock = json.loads((served / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == make_pyodide.PYODIDE_VERSION
    assert {"numpy", "matplotlib", "micropip"} <= set(lock["packages"])
    assert not {"scipy", "scikit-learn", "pandas", "pyarrow"} & set(lock["packages"])


# ----------------------------------------------------------------- make_pyodide itself
LOCK = {
    "a": {"depends": ["b-c"], "file_name": "a.whl"},
    "b_c": {"depends": [], "file_name": "b.whl"},
    "unused": {"depends": [], "file_name": "u.whl"},
}


def test_closure_follows_dependencies_across_name_spellings():
    assert make_pyodide.closure(LOCK, roots=["a"]) == ["a", "b_c"]
    with pytest.raises(KeyError):
        make_pyodide.closure(LOCK, roots=["missing"])


def test_a_changed_file_in_the_runtime_is_found(tmp_path):
    if not (make_pyodide.TARGET / "pyodide-lock.json").is_file():
        skip_or_fail("no Pyodide runtime: python tools/make_pyodide.py (tools/build.sh runs it)")
    target, wheels = tmp_path / "pyodide", tmp_path / "wheels"
    shutil.copytree(make_pyodide.TARGET, target)
    shutil.copytree(make_pyodide.WHEELS, wheels)
    assert make_pyodide.problems(target, wheels) == []
    numpy_wheel = next(target.glob("numpy-*.whl"))
    numpy_wheel.write_bytes(numpy_wheel.read_bytes() + b"\0")
    (target / "pyodide.asm.wasm").unlink()
    found = make_pyodide.problems(target, wheels)
    assert f"{numpy_wheel.name}: SHA-256 differs from the lock" in found
    assert "missing pyodide.asm.wasm" in found
