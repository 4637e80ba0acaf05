"""_toc.yml and book/ agree, and the Sphinx configuration keeps the siblings out."""

from __future__ import annotations

import yaml

from bookutil import ROOT, load_sync_tool

sync = load_sync_tool()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

EXPECTED_CHAPTERS = [
    "intro", "01_gradient_descent", "02_momentum", "03_adaptive", "04_adam",
    "05_schedules", "06_training", "07_analysis", "08_production", "09_systems",
    "10_modern",
]
REFERENCE = ["cheatsheet", "api", "references"]


def test_toc_lists_the_course_in_order():
    """The chapters, then the student edition's workbooks (their chapters' order),
    then the reference pages."""
    pages = [p.relative_to(ROOT / "book").with_suffix("").as_posix()
             for p in sync.toc_files()]
    workbooks = [p for p in pages if p.startswith("student/")]
    assert workbooks == sorted(workbooks)
    assert [p.removeprefix("student/") for p in workbooks] == [
        p for p in EXPECTED_CHAPTERS if f"student/{p}" in workbooks]
    assert pages == EXPECTED_CHAPTERS + workbooks + REFERENCE


def test_every_toc_file_exists():
    missing = [str(p) for p in sync.toc_files() if not p.exists()]
    assert not missing


def test_every_page_in_book_is_in_the_toc():
    listed = set(sync.toc_files())
    pages = {p for p in (ROOT / "book").glob("*.md") if not p.name.startswith("_")}
    assert pages - listed == set(), "add these to _toc.yml or prefix them with _"


def test_siblings_and_private_files_are_excluded_from_sphinx():
    patterns = CONFIG["exclude_patterns"]
    assert "book/*.ipynb" in patterns and "book/student/*.ipynb" in patterns
    assert "book/_*" in patterns
    assert CONFIG["only_build_toc_files"] is True


def test_build_fails_on_errors():
    execute = CONFIG["execute"]
    assert execute["raise_on_error"] is True
    assert execute["allow_errors"] is False


def test_bibliography_keys_used_exist():
    import re

    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    assert len(keys) >= 16
    cited = set()
    for md in list((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", md.read_text()):
            cited.update(k.strip() for k in group.split(","))
    assert cited <= keys, f"unknown citation keys: {cited - keys}"


def test_placeholder_pages_have_no_kernelspec_and_no_notebook():
    for md in sync.toc_files():
        if not sync.is_notebook(md):
            assert not md.with_suffix(".ipynb").exists(), f"stale {md.with_suffix('.ipynb').name}"
