"""The student edition (book/student/): generated from the chapters, never stale,
every stub failing, every reference solution passing, and no solution leaked."""
from __future__ import annotations

import ast
import keyword
import json
import re

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from bookutil import ROOT, SITE, load_module

edition = load_module("make_student_edition", ROOT / "tools" / "make_student_edition.py")
CHAPTERS = edition.chapters_with_tasks()


def solutions(md):
    """{task name: solution source} of a chapter."""
    nb = jupytext.read(md)
    found = {}
    for cell in edition.section_cells(nb):
        if "solution" in edition.tags(cell):
            fn = next(n for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef))
            found[fn.name] = cell.source
    return found


def body_lines(source):
    """The lines of a solution's body after its docstring: what must never leak."""
    tree = ast.parse(source)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    lines = source.splitlines()[fn.body[0].end_lineno:fn.end_lineno]
    return [line.strip() for line in lines
            if line.strip() and not line.strip().startswith("#") and carries_content(line)]


def carries_content(line: str) -> bool:
    """False for a line of keywords and punctuation only (``else:``, ``)``): no secret."""
    words = re.findall(r"[A-Za-z_]\w*", line)
    return bool(re.search(r"\d", line)) or any(not keyword.iskeyword(w) for w in words)


def student_artifacts():
    files = sorted((ROOT / "book" / "student").glob("*.md"))
    files += sorted((ROOT / "book" / "student").glob("*.ipynb"))
    if SITE.exists():
        files += sorted((SITE / "book" / "student").glob("*.html"))
        files += sorted((SITE / "_sources" / "book" / "student").glob("*"))
        files += sorted(p for p in (SITE / "_downloads").rglob("*.ipynb")
                        if '"# Workbook:' in p.read_text(errors="ignore")
                        or "# Workbook:" in p.read_text(errors="ignore"))
        # the copies "Run in your browser" opens (JupyterLite)
        files += sorted((SITE / "lite" / "files" / "book" / "student").glob("*.ipynb"))
    files += sorted((ROOT / "tinytorch" / "grading" / "data").glob("*"))
    return files


def test_every_task_is_taught_by_a_chapter():
    from tinytorch.grading import TASKS
    taught = {name for md in CHAPTERS for name in solutions(md)}
    assert taught == set(TASKS), set(TASKS) ^ taught
    assert len(taught) >= 12


def test_workbooks_are_up_to_date():
    assert edition.main(["--check"]) == 0, "run python tools/make_student_edition.py"


def test_workbooks_are_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for md in CHAPTERS:
        assert f"book/student/{md.stem}" in toc


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_no_line_of_a_reference_solution_reaches_a_student(md):
    secrets = {line for source in solutions(md).values() for line in body_lines(source)}
    assert secrets
    leaks = []
    for path in student_artifacts():
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":      # JSON escapes quotes; compare the cell sources
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        leaks += [f"{path.relative_to(ROOT)}: {line}" for line in secrets if line in text]
    assert not leaks, "reference solution lines in student files:\n" + "\n".join(leaks)


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_every_stub_fails_every_case(md):
    nb = nbformat.read(edition.target(md).with_suffix(".ipynb"), as_version=4)
    reports = [o.get("text", "") for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    heads = [re.match(r"(\w+): (\d+)/(\d+) cases pass", r) for r in reports]
    heads = [h for h in heads if h]
    assert {h.group(1) for h in heads} == set(solutions(md))
    assert all(h.group(2) == "0" for h in heads), reports


def test_filling_one_stub_with_its_solution_turns_exactly_that_task_green(tmp_path):
    md = next(m for m in CHAPTERS if len(solutions(m)) >= 2)
    task, source = next(iter(solutions(md).items()))
    nb = nbformat.read(edition.target(md).with_suffix(".ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(f"def {task}("):
            cell.source = source
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    reports = [o["text"] for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    passed = {m.group(1) for r in reports
              for m in [re.match(r"(\w+): (\d+)/(\d+) cases pass", r)]
              if m and m.group(2) == m.group(3)}
    assert passed == {task}


def test_taught_tasks_are_grader_tasks():
    from tinytorch.grading import TASKS
    taught = [name for md in CHAPTERS for name in solutions(md)]
    assert taught and set(taught) <= set(TASKS) and len(taught) == len(set(taught))


def test_the_chapters_assert_their_reference_solutions_pass():
    for md in CHAPTERS:
        nb = jupytext.read(md)
        checks = [c.source for c in edition.section_cells(nb) if "check" in edition.tags(c)]
        assert checks and all("assert report.passed" in s for s in checks), md.name


def test_the_grader_data_are_numbers_only():
    data = json.loads((ROOT / "tinytorch" / "grading" / "data" / "cases.json").read_text())
    assert set(data) == {"generated_by", "torch", "tasks"}
