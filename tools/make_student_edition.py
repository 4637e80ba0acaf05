#!/usr/bin/env python3
"""Make the student edition: one workbook per chapter that has tasks.

    python tools/make_student_edition.py           # write book/student/*.md and run them
    python tools/make_student_edition.py --check   # exit 1 if a workbook is stale

A chapter's tasks live in its section ``## Build it yourself``. There, a code cell
tagged ``solution`` holds the reference implementation of one task (a function
whose docstring is the task's contract), and a cell tagged ``check`` grades it
(``report = check("adam_step", adam_step)`` followed by ``assert report.passed``).
In the chapter both cells are hidden: the instructor's build proves that every
reference solution passes.

The workbook ``book/student/<chapter>.md`` is that section alone, after the
chapter's install cell and a visible setup cell. Each ``solution`` cell becomes a
stub (the ``def`` line and the docstring, then ``raise NotImplementedError``) and
each ``check`` cell becomes visible, without its assertions, so a student sees
the grader's report fail until the stub is filled in. Nothing of a reference
solution's body reaches the workbook (tests/book/test_student_edition.py).
"""
from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "book" / "student"
SECTION = "## Build it yourself"
HIDDEN = {"remove-cell", "remove-input"}

SETUP = """\
import math

import numpy as np

from tinytorch.grading import check

np.set_printoptions(precision=6, suppress=True)"""


def chapters_with_tasks() -> list[Path]:
    return [md for md in sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
            if f"\n{SECTION}\n" in md.read_text()]


def _split_at_headings(cells) -> list:
    """Markdown cells cut so that every ``## `` heading starts a cell."""
    out = []
    for cell in cells:
        if cell.cell_type != "markdown":
            out.append(cell)
            continue
        piece = []
        for line in cell.source.splitlines():
            if line.startswith("## ") and any(x.strip() for x in piece):
                out.append(nbformat.v4.new_markdown_cell("\n".join(piece).strip("\n")))
                piece = []
            piece.append(line)
        if any(x.strip() for x in piece):
            out.append(nbformat.v4.new_markdown_cell("\n".join(piece).strip("\n")))
    return out


def section_cells(nb) -> list:
    """The cells from the ``## Build it yourself`` heading to the next ``## ``."""
    cells, inside = [], False
    for cell in _split_at_headings(nb.cells):
        first = cell.source.splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and first.startswith("## "):
            if inside:
                break
            inside = first == SECTION
        if inside:
            cells.append(cell)
    return cells


def stub(source: str) -> str:
    """The ``def`` line(s) and docstring of the one function in ``source``."""
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(functions) != 1 or not ast.get_docstring(functions[0]):
        raise ValueError("a solution cell defines exactly one function, with a docstring:\n"
                         + source)
    fn = functions[0]
    lines = source.splitlines()
    keep = lines[fn.lineno - 1:fn.body[0].end_lineno]       # def ... through the docstring
    indent = " " * fn.body[0].col_offset
    return "\n".join(keep + [f"{indent}# Your code here.",
                             f"{indent}raise NotImplementedError"])


def tags(cell) -> set:
    return set(cell.metadata.get("tags", []))


def visible(cell):
    cell = copy.deepcopy(cell)
    kept = [t for t in cell.metadata.get("tags", []) if t not in HIDDEN | {"solution", "check"}]
    if kept:
        cell.metadata["tags"] = kept
    else:
        cell.metadata.pop("tags", None)
    return cell


def workbook(md: Path):
    nb = jupytext.read(md)
    title = next(c.source.lstrip()[2:].splitlines()[0] for c in nb.cells
                 if c.cell_type == "markdown" and c.source.lstrip().startswith("# "))
    section = section_cells(nb)
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
    out.cells = [copy.deepcopy(nb.cells[0])]                    # the install cell
    out.cells.append(nbformat.v4.new_markdown_cell(
        f"# Workbook: {title}\n\n"
        f"The tasks of the chapter {{doc}}`../{md.stem}`, to build yourself. Fill in each "
        "function below; the cell after it grades your code against numbers recorded "
        "from PyTorch and names the mistake when it recognises one. Every check fails "
        "until its function is written."))
    out.cells.append(nbformat.v4.new_markdown_cell("## Setup"))
    out.cells.append(nbformat.v4.new_code_cell(SETUP))
    for cell in section:
        if cell.cell_type == "code" and "solution" in tags(cell):
            new = visible(cell)
            new.source = stub(cell.source)
            out.cells.append(new)
        elif cell.cell_type == "code" and "check" in tags(cell):
            new = visible(cell)
            lines = [line for line in cell.source.splitlines()
                     if not line.lstrip().startswith("assert")
                     and line.strip() != "from tinytorch.grading import check"]
            new.source = "\n".join(lines).strip("\n")
            out.cells.append(new)
        elif cell.cell_type == "code":
            raise ValueError(f"{md.name}: a code cell of '{SECTION}' must be tagged "
                             f"solution or check:\n{cell.source}")
        else:
            new = copy.deepcopy(cell)
            # the chapter's paragraph that points to this workbook is not repeated here
            paragraphs = new.source.split("\n\n")
            new.source = "\n\n".join(p for p in paragraphs if "student/" not in p)
            out.cells.append(new)
    text = jupytext.writes(out, fmt="md:myst")
    return text


def target(md: Path) -> Path:
    return STUDENT / md.name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only")
    args = parser.parse_args(argv)
    stale = []
    for md in chapters_with_tasks():
        text = workbook(md)
        path = target(md)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
            continue
        STUDENT.mkdir(exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        print("stale workbooks (run python tools/make_student_edition.py):",
              *[str(p.relative_to(ROOT)) for p in stale], sep="\n  ")
        return 1
    if not args.check:
        sys.path.insert(0, str(ROOT / "tools"))
        import sync_notebooks
        for md in chapters_with_tasks():
            sync_notebooks.sync(target(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
