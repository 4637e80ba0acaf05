"""book/_chapter_template.md - the skeleton chapter writers copy - runs, follows the
conventions, and builds without a warning as a one-chapter book."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookutil import ROOT, load_sync_tool

sync = load_sync_tool()
TEMPLATE = ROOT / "book" / "_chapter_template.md"


def test_template_has_every_convention():
    text = TEMPLATE.read_text()
    assert sync.is_notebook(TEMPLATE), "the template must declare a kernelspec"
    assert sync.install_cell_problem(TEMPLATE) is None
    for needle in [
        "use_style()",                      # the shared figure style
        "np.random.default_rng(0)",         # seeded randomness
        "{glue:text}",                      # computed numbers in prose
        "{glue:figure}",                    # glued figure
        ":tags: [remove-cell]\n\n# Every claim",  # hidden assertion cell
        "assert ",
        "```{exercise}",                    # exercise with a hidden solution
        "{solution}",
        ":class: dropdown",
        "{cite:p}",                         # a citation
        "## Discussion prompts",
        "Learning goals",
    ]:
        assert needle in text, f"template lacks {needle!r}"


def test_template_executes():
    nb = sync.execute(sync.md_to_notebook(TEMPLATE))
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error"


@pytest.mark.skipif(shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) is None,
                    reason="jupyter-book is not installed in this environment")
def test_template_builds_clean_as_a_book(tmp_path):
    """A copy of the template, built with the course's _config.yml under -W -n."""
    (tmp_path / "book").mkdir()
    shutil.copy(TEMPLATE, tmp_path / "book" / "01_chapter.md")
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    (tmp_path / "book" / "references.md").write_text("# References\n\n```{bibliography}\n```\n")
    shutil.copytree(ROOT / "tools" / "sphinx_ext", tmp_path / "tools" / "sphinx_ext")
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / ".ci").mkdir()                 # the site serves its own MathJax copy
    (tmp_path / ".ci" / "node").symlink_to(ROOT / ".ci" / "node")
    # ... and JupyterLite with Pyodide and this repository's wheel ("Run in your browser")
    shutil.copy(ROOT / "tools" / "make_pyodide.py", tmp_path / "tools" / "make_pyodide.py")
    (tmp_path / ".ci" / "pyodide").symlink_to(ROOT / ".ci" / "pyodide")
    for name in ("pyproject.toml", "README.md", "tinytorch"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/01_chapter\nchapters:\n  - file: book/references\n"
    )
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = (tmp_path / "_build" / "html" / "book" / "01_chapter.html").read_text()
    assert "Find the fastest learning rate" in html      # the exercise
    assert "template_fig_paths" not in html              # glue keys resolved
    assert 'class="cite' in html or "Goh" in html        # the citation rendered
    assert "lite/notebooks/index.html?path=book/01_chapter.ipynb" in html
    assert (tmp_path / "_build" / "html" / "lite" / "files" / "book" / "01_chapter.ipynb").is_file()
