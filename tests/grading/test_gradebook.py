"""The instructor's command: a folder of notebooks in, a gradebook out; a
submission that crashes or loops costs only its own marks."""
from __future__ import annotations

import csv
import json

import nbformat

from tinytorch.grading.gradebook import grade_folder, main

CORRECT_GD = "def gd_step(param, grad, lr):\n    return param - lr * grad"
CORRECT_STEP = ("def step_lr(epoch, base_lr, step_size, gamma):\n"
                "    return base_lr * gamma ** (epoch // step_size)")
LATE_STEP = ("def step_lr(epoch, base_lr, step_size, gamma):\n"
             "    return base_lr * gamma ** max(0, (epoch - 1) // step_size)")


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from tinytorch.grading import check")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_folder_of_submissions_becomes_a_gradebook(tmp_path):
    subs = tmp_path / "submissions"
    notebook(subs / "ada.ipynb", CORRECT_GD, 'check("gd_step", gd_step)',
             CORRECT_STEP, 'check("step_lr", step_lr)')
    notebook(subs / "bob" / "week3.ipynb", CORRECT_GD, 'check("gd_step", gd_step)',
             LATE_STEP, 'check("step_lr", step_lr)')
    notebook(subs / "cy.ipynb", "import os\nos._exit(3)   # the kernel dies")
    notebook(subs / "dee.ipynb", CORRECT_GD, 'check("gd_step", gd_step)',
             "while True:\n    pass")
    (subs / "sentinel.txt").write_text("still here")
    out = tmp_path / "gradebook"
    assert main([str(subs), "--out", str(out), "--timeout", "20"]) == 0

    rows = list(csv.DictReader(open(out / "gradebook.csv")))
    got = {(r["student"], r["task"]): (r["passed"], r["cases"]) for r in rows}
    assert got[("ada", "gd_step")] == ("True", "5/5")
    assert got[("ada", "step_lr")] == ("True", "11/11")
    assert got[("bob", "gd_step")] == ("True", "5/5")
    assert got[("bob", "step_lr")][0] == "False"
    assert got[("cy", "gd_step")] == ("False", "0/0")
    assert got[("dee", "gd_step")] == ("True", "5/5")      # checked before the loop
    assert got[("dee", "step_lr")] == ("False", "0/0")     # the loop hit the limit
    messages = {(r["student"], r["task"]): r["message"] for r in rows}
    assert "could not run" in messages[("cy", "step_lr")]
    assert "time limit" in messages[("dee", "step_lr")]
    assert json.loads((out / "gradebook.json").read_text()) == [
        dict(r, passed=r["passed"] == "True") for r in rows]
    bob = (out / "feedback" / "bob.txt").read_text()
    assert "the first decay happens at epoch step_size" in bob       # the hint
    assert (subs / "sentinel.txt").read_text() == "still here"


def test_only_the_last_check_of_a_task_counts(tmp_path):
    subs = tmp_path / "s"
    notebook(subs / "eve.ipynb", LATE_STEP, 'check("step_lr", step_lr)',
             CORRECT_STEP, 'check("step_lr", step_lr)')
    rows = grade_folder(subs, tmp_path / "out", timeout=60)
    assert [(r["task"], r["passed"]) for r in rows] == [("step_lr", True)]


def test_the_command_runs_as_a_module_without_warnings():
    """`python -m tinytorch.grading.gradebook` is how README says to run it; the
    grader must not import the command first (runpy warns when it does)."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-W", "error", "-m",
                           "tinytorch.grading.gradebook", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "--timeout" in done.stdout
