"""The chapter notebooks: every executable chapter has a committed, executed sibling
.ipynb whose cells equal its .md, and whose install cell agrees with _config.yml."""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import inspect
import re
import subprocess
import sys
import types

import nbformat
import pytest
import yaml

from bookutil import ROOT, load_sync_tool

sync = load_sync_tool()
CHAPTERS = sync.notebook_chapters()


def read_sibling(md):
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        pytest.skip(f"{ipynb.name} missing (test_sibling_notebook_in_sync fails for it)")
    return nbformat.read(ipynb, as_version=4)


def test_there_are_executable_chapters():
    # the intro page at least is an executed notebook
    assert ROOT / "book" / "intro.md" in CHAPTERS


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_sibling_notebook_in_sync(md):
    problems = sync.sync_problems(md)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_install_cell_agrees_with_config(md):
    problem = sync.install_cell_problem(md)
    assert problem is None, problem
    nb = read_sibling(md)
    assert nb.cells[0].source.strip() == sync.install_cell_source().strip()


def test_install_cell_uses_the_configured_repository():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    url, branch = cfg["repository"]["url"].rstrip("/"), cfg["repository"]["branch"]
    src = sync.install_cell_source()
    assert f"git+{url}.git@{branch}" in src
    # the distribution of THIS repository, never PyPI's unrelated `tinytorch`
    assert "optimizers-executably" in src
    assert not re.search(r"pip\", \"install\"[^\n]*\"tinytorch\"", src)
    # it must be a no-op when tinytorch is importable (it is here)
    run_install_cell(src)


def run_install_cell(src: str) -> None:
    """Run the install cell as IPython does (its browser branch awaits at top level)."""
    code = compile(src, "<install cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, {})
    if inspect.iscoroutine(result):
        asyncio.run(result)


def test_install_cell_in_the_browser_installs_the_sites_wheel(monkeypatch):
    # Pyodide (JupyterLite): no pip, no processes; piplite installs from the site's own
    # index (lite/pypi, PyPI switched off), by this repository's distribution name.
    installed = []

    async def install(requirements):
        installed.append(requirements)

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "piplite", types.SimpleNamespace(install=install))
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tinytorch" else real_find_spec(name, *a))

    def no_processes(*args, **kwargs):
        raise OSError("emscripten does not support processes.")

    monkeypatch.setattr(subprocess, "check_call", no_processes)
    run_install_cell(sync.install_cell_source())
    assert installed == [["optimizers-executably", "matplotlib", "threadpoolctl"]]


def test_install_cell_follows_a_changed_repository(tmp_path):
    block = sync.install_cell_block("https://github.com/someone/fork", "dev")
    assert "git+https://github.com/someone/fork.git@dev" in block
    assert block.startswith("```{code-cell} ipython3\n:tags: [remove-cell]\n")


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_stored_outputs_are_complete(md):
    """nbval only compares cells with an execution count; all of them must have one."""
    nb = read_sibling(md)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.execution_count is not None, f"cell {i} was never executed"
            tags = cell.metadata.get("tags", [])
            if any(o.output_type == "error" for o in cell.outputs):
                # a deliberate error must be declared; myst-nb and nbval both read
                # raises-exception (nbval's own alias would only add a warning)
                assert "raises-exception" in tags, (
                    f"cell {i} stored an error; tag it raises-exception if the error "
                    "is the point"
                )


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.name)
def test_nbval_ignore_output_is_rare(md):
    """`nbval-ignore-output` only for timings or glued images: it must say why.

    A cell whose output varies for another reason says so in a `# varies:` comment.
    """
    nb = read_sibling(md)
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if "nbval-ignore-output" in tags:
            glued_image = "glue(" in cell.source and any(
                k.startswith("application/papermill.record/image/")
                for o in cell.get("outputs", [])
                for k in o.get("data", {})
            )
            timing = re.search(r"perf_counter|timeit|time\.time|%%?time|# varies:", cell.source)
            assert glued_image or timing, (
                f"{md.name} cell {i} is tagged nbval-ignore-output but neither times "
                "anything nor glues an image"
            )
        assert "nbval-skip" not in tags, f"{md.name} cell {i}: nbval-skip hides a cell from nbval"


def test_no_orphan_notebooks():
    """Every book/*.ipynb belongs to an executable chapter (no stale siblings)."""
    mds = {p.with_suffix(".ipynb") for p in CHAPTERS}
    orphans = [p.name for p in (ROOT / "book").glob("*.ipynb") if p not in mds]
    assert not orphans, f"delete or regenerate: {orphans}"


def test_sync_tool_check_mode_passes():
    assert sync.main(["--check"]) == 0
