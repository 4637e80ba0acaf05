"""The book verifies itself anywhere: the numbers a reader gets do not depend on the
machine's BLAS threads, on a wrapper script, or on files next to the notebook.

* Every chapter's first cell pins BLAS to one thread inside the kernel (checked here
  in a real kernel started with two threads requested).
* A bare ``pytest --nbval`` from the repository root, with no flag and no BLAS
  variable, passes (checked on the introduction; CI runs it on every chapter, and
  ``tools/run_notebooks_alone.py`` runs each notebook alone as Colab does).
* No chapter fetches anything at run time: everything it needs is in the notebook or
  in the installed package.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from bookutil import ROOT, load_sync_tool

sync = load_sync_tool()
CHAPTERS = sync.notebook_chapters()
#: Ways a cell could reach the network.
FETCH = re.compile(r"urllib|urlopen|requests\.|httpx|https?://|raw\.githubusercontent|wget|curl ")


def without_blas_pins(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    env.update(extra)
    return env


def test_the_first_cell_pins_blas_to_one_thread_whatever_the_environment(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(sync.install_cell_source()),
        nbformat.v4.new_code_cell(
            "import json\nfrom threadpoolctl import threadpool_info\n"
            "print(json.dumps([i['num_threads'] for i in threadpool_info()]))"
        ),
    ]
    # The kernel inherits this process's environment: ask for two BLAS threads.
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(without_blas_pins(OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2"))
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    threads = json.loads(nb.cells[1].outputs[0]["text"])
    assert threads and set(threads) == {1}, f"BLAS threads in the kernel: {threads}"


def test_bare_pytest_nbval_passes_from_the_repository_root():
    """What an instructor types, with no flag and no environment variable."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "book/intro.ipynb", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT, env=without_blas_pins(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_no_chapter_fetches_anything_at_run_time(md):
    nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    # every code cell but the first: the install cell names the repository's URL
    code = [c for c in nb.cells if c.cell_type == "code"][1:]
    for cell in code:
        hit = FETCH.search(cell.source)
        assert not hit, f"{md.name} reaches the network ({hit.group(0)!r}):\n{cell.source[:400]}"


def test_ci_runs_the_readme_commands_as_written():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pytest --nbval book/" in readme
    assert re.search(r"^\s*pytest --nbval book/\s*$", ci, re.MULTILINE)
    for command in ("bash tools/build.sh", "bash tools/test.sh"):
        assert command in readme
    assert "tools/build.sh --clean" in ci and "tools/test.sh" in ci
    assert "tools/run_notebooks_alone.py" in ci
