#!/usr/bin/env python3
"""Make each chapter's executed notebook: ``book/X.md`` -> ``book/X.ipynb``.

This is the ONE command that produces the committed ``.ipynb`` siblings of the
chapters (the files Colab, Binder, the download button and ``pytest --nbval`` use)::

    python tools/sync_notebooks.py                     # every chapter notebook
    python tools/sync_notebooks.py book/02_momentum.md # just one (or several)
    python tools/sync_notebooks.py --check             # verify only, change nothing

For every chapter in ``_toc.yml`` whose ``.md`` has a ``kernelspec`` (i.e. is a
notebook, not a plain page) it

1. stamps the install cell (the first cell; it installs ``tinytorch`` from the
   repository in ``_config.yml`` when it is not importable, e.g. in Colab) into
   the ``.md`` itself, so that the repository URL lives in one place;
2. converts the ``.md`` with jupytext and executes it (cwd ``book/``, the current
   Python environment's kernel);
3. writes ``book/X.ipynb`` with stable cell ids and no timing metadata, so that a
   re-run with nothing changed produces an identical file.

``--check`` exits 1 (and says why) when an install cell disagrees with
``_config.yml``, a sibling notebook is missing, or its cells differ from the ``.md``.
The test suite (tests/book/) runs the same checks.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent

# The kernels inherit this: one BLAS thread, as tools/build.sh and tools/test.sh use, so
# the stored outputs are computed the way the build and nbval recompute them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
BOOK = ROOT / "book"
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
#: The skeleton chapter writers copy; its install cell is kept stamped too.
TEMPLATE = BOOK / "_chapter_template.md"

#: The first line of the install cell; how tools and tests recognise it.
INSTALL_MARKER = "# Install tinytorch when it is missing (Colab, a fresh kernel); a no-op otherwise."
#: Per-chapter execution budget (seconds) stated in the course's design.
CHAPTER_BUDGET_S = 30.0
#: All chapters together: a clean build plus strict nbval executes each chapter twice
#: and must stay within 5 minutes on a 2-core machine.
BOOK_BUDGET_S = 140.0
#: Cell metadata keys that are part of a chapter's content (compared by --check).
CONTENT_METADATA = ("tags",)


# ----------------------------------------------------------------------------- config
def repository() -> tuple[str, str]:
    """(url, branch) from ``_config.yml`` - the single repository setting."""
    cfg = yaml.safe_load(CONFIG.read_text())
    repo = cfg.get("repository", {})
    url = str(repo["url"]).rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    return url, str(repo.get("branch", "main"))


def install_cell_source(url: str | None = None, branch: str | None = None) -> str:
    """The exact source of the install cell for the configured repository."""
    if url is None or branch is None:
        url, branch = repository()
    requirement = f"optimizers-executably[book,fast,mpi,bfloat16] @ git+{url}.git@{branch}"
    return (
        f"{INSTALL_MARKER}\n"
        "import importlib.util, subprocess, sys\n"
        "\n"
        'if importlib.util.find_spec("tinytorch") is None:\n'
        '    if sys.platform == "emscripten":\n'
        "        # In the browser (JupyterLite, Pyodide): the wheel this site serves.\n"
        "        import piplite\n"
        '        await piplite.install(["optimizers-executably", "matplotlib", "threadpoolctl"])\n'
        "    else:\n"
        "        subprocess.check_call([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
        f'                               "{requirement}"])\n'
        "    importlib.invalidate_caches()\n"
        "\n"
        "# One BLAS thread, whatever the machine: the summation order, and so every\n"
        "# printed digit, is then the same as on the course's pages.\n"
        "import os\n"
        'os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")\n'
        "import numpy\n"
        "from threadpoolctl import threadpool_limits\n"
        "\n"
        "blas_threads = threadpool_limits(1)    # stays in force for the whole kernel"
    )


def install_cell_block(url: str | None = None, branch: str | None = None) -> str:
    """The install cell as it appears in a MyST markdown chapter."""
    return "```{code-cell} ipython3\n:tags: [remove-cell]\n\n" + install_cell_source(url, branch) + "\n```\n"


# ----------------------------------------------------------------------------- chapters
def toc_files() -> list[Path]:
    """The ``.md`` files listed in ``_toc.yml``, in book order."""
    toc = yaml.safe_load(TOC.read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [ROOT / (f if f.endswith(".md") else f + ".md") for f in files]


def is_notebook(md: Path) -> bool:
    """True when the MyST file declares a kernelspec (an executable chapter)."""
    text = md.read_text()
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    meta = yaml.safe_load(front) or {}
    return "kernelspec" in meta


def notebook_chapters() -> list[Path]:
    return [md for md in toc_files() if md.exists() and is_notebook(md)]


# ----------------------------------------------------------------------------- install cell
_CELL_RE = re.compile(r"```\{code-cell\}[^\n]*\n(?:.*?\n)?```\n", re.DOTALL)


def _find_install_block(text: str) -> re.Match | None:
    for m in _CELL_RE.finditer(text):
        if INSTALL_MARKER in m.group(0):
            return m
    return None


def stamp_install_cell(md: Path) -> bool:
    """Make the install cell of ``md`` match ``_config.yml``. Returns True if changed."""
    text = md.read_text()
    block = install_cell_block()
    m = _find_install_block(text)
    if m is not None:
        new = text[: m.start()] + block + text[m.end() :]
    else:
        # Insert right after the front matter, as the first cell.
        end = text.index("---", 3) + 3
        new = text[:end] + "\n\n" + block + "\n" + text[end:].lstrip("\n")
    if new != text:
        md.write_text(new)
        return True
    return False


def install_cell_problem(md: Path) -> str | None:
    """Why the install cell of ``md`` is wrong, or None."""
    nb = jupytext.read(md)
    if not nb.cells or nb.cells[0].cell_type != "code":
        return f"{md.name}: the first cell must be the install cell"
    first = nb.cells[0]
    if first.source.strip() != install_cell_source().strip():
        return f"{md.name}: the install cell differs from _config.yml (run tools/sync_notebooks.py)"
    if "remove-cell" not in first.metadata.get("tags", []):
        return f"{md.name}: the install cell must be tagged remove-cell"
    return None


# ----------------------------------------------------------------------------- notebooks
def md_to_notebook(md: Path) -> nbformat.NotebookNode:
    """The unexecuted notebook of a chapter, with stable ids and plain metadata."""
    nb = jupytext.read(md)
    nb.metadata.pop("jupytext", None)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
        for key in list(cell.metadata):
            if key not in CONTENT_METADATA:
                cell.metadata.pop(key)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    return nb


def cell_signature(cell) -> tuple:
    """What must agree between a ``.md`` cell and its ``.ipynb`` cell."""
    meta = {k: cell.get("metadata", {}).get(k) for k in CONTENT_METADATA}
    return (cell.cell_type, cell.source.strip(), repr(meta))


def sync_problems(md: Path) -> list[str]:
    """Differences between a chapter ``.md`` and its committed ``.ipynb``."""
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return [f"{md.name}: missing {ipynb.name} (run python tools/sync_notebooks.py {md.relative_to(ROOT)})"]
    want = md_to_notebook(md)
    have = nbformat.read(ipynb, as_version=4)
    problems = []
    if len(want.cells) != len(have.cells):
        problems.append(f"{ipynb.name}: {len(have.cells)} cells, {md.name} has {len(want.cells)}")
    for i, (a, b) in enumerate(zip(want.cells, have.cells)):
        if cell_signature(a) != cell_signature(b):
            first = a.source.strip().splitlines()[:1]
            problems.append(f"{ipynb.name}: cell {i} differs from {md.name} ({first})")
            break
    if want.metadata.get("kernelspec") != have.metadata.get("kernelspec"):
        problems.append(f"{ipynb.name}: kernelspec differs from {md.name}")
    unexecuted = [
        i for i, c in enumerate(have.cells) if c.cell_type == "code" and c.get("execution_count") is None
    ]
    if unexecuted:
        problems.append(f"{ipynb.name}: cells {unexecuted} were not executed (nbval would not compare them)")
    if problems:
        problems.append(f"  -> run: python tools/sync_notebooks.py {md.relative_to(ROOT)}")
    return problems


def execute(nb: nbformat.NotebookNode, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook in ``book/`` with the current environment's Python kernel."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(BOOK)}},
        record_timing=False,
        allow_errors=False,
    ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        # nbclient adds empty metadata to outputs; keep files tidy and stable
        for out in cell.get("outputs", []):
            if "metadata" in out and not out["metadata"]:
                out["metadata"] = {}
    return nb


def sync(md: Path) -> float:
    """Stamp, convert, execute and write one chapter; return the execution seconds."""
    stamp_install_cell(md)
    nb = md_to_notebook(md)
    t0 = time.perf_counter()
    nb = execute(nb)
    seconds = time.perf_counter() - t0
    nbformat.write(nb, md.with_suffix(".ipynb"))
    return seconds


# ----------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: all)")
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 on a problem")
    args = parser.parse_args(argv)

    if args.chapters:
        chapters = [p.resolve() for p in args.chapters]
        for p in chapters:
            if p.suffix != ".md" or not p.exists():
                parser.error(f"{p}: not an existing chapter .md file")
            if not is_notebook(p):
                parser.error(f"{p}: has no kernelspec in its front matter (copy book/_chapter_template.md)")
    else:
        chapters = notebook_chapters()
        if not args.check:
            stamp_install_cell(TEMPLATE)

    if args.check:
        problems = []
        if not args.chapters and install_cell_problem(TEMPLATE):
            problems.append(install_cell_problem(TEMPLATE))
        for md in chapters:
            problem = install_cell_problem(md)
            if problem:
                problems.append(problem)
            problems += sync_problems(md)
        print("\n".join(problems) if problems else f"{len(chapters)} chapter notebooks in sync")
        return 1 if problems else 0

    over = []
    total = 0.0
    for md in chapters:
        print(f"executing {md.relative_to(ROOT)} ...", flush=True)
        seconds = sync(md)
        total += seconds
        print(f"  {seconds:.1f} s -> {md.with_suffix('.ipynb').relative_to(ROOT)}", flush=True)
        if seconds > CHAPTER_BUDGET_S:
            over.append(f"{md.name} ({seconds:.1f} s)")
    if over:
        print(f"WARNING: over the {CHAPTER_BUDGET_S:.0f} s per-chapter budget: {', '.join(over)}")
    if len(chapters) > 1:
        print(f"{len(chapters)} chapters executed in {total:.1f} s (book budget {BOOK_BUDGET_S:.0f} s)")
        if total > BOOK_BUDGET_S:
            print("WARNING: over the book's execution budget (clean build + nbval > 5 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
