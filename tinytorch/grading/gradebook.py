"""Grade a folder of submitted student notebooks.

    python -m tinytorch.grading.gradebook SUBMISSIONS/ --out GRADEBOOK/ [--timeout 300]

Every ``*.ipynb`` under SUBMISSIONS (the student is the file's stem, or its folder
when the file sits in a per-student folder) is copied into a fresh temporary
directory and executed there by a separate Python process, in a fresh kernel,
with a wall-clock limit. The notebook's ``check(...)`` calls write their results
to a file named by the ``TINYTORCH_GRADEBOOK`` environment variable; a notebook
that crashes, loops or deletes files loses only its own marks.

Writes ``gradebook.csv`` and ``gradebook.json`` (student, task, passed, cases,
message) and ``feedback/<student>.txt`` with each task's report.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .results import RESULTS_ENV


def _execute(notebook: Path, results: Path, timeout: float) -> str:
    """Run one notebook in its own process; '' on success, else what went wrong."""
    code = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=None, kernel_name='python3', allow_errors=True,\n"
        "               resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    env = dict(os.environ, **{RESULTS_ENV: str(results)})
    # its own session, so that on a timeout the kernel it started dies with it
    process = subprocess.Popen([sys.executable, "-c", code, str(notebook), str(notebook.parent)],
                               env=env, cwd=notebook.parent, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"stopped after {timeout:g} s (time limit)"
    if process.returncode != 0:
        last = (stderr.strip().splitlines() or ["no message"])[-1]
        return f"the notebook could not run: {last}"
    return ""


def grade_notebook(notebook, timeout: float = 300.0) -> dict:
    """Run one submission (a path); ``{"problem": str, "tasks": {task: result}}``."""
    notebook = Path(notebook)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        copy = Path(tmp) / "submission.ipynb"
        shutil.copyfile(notebook, copy)
        results = Path(tmp) / "results.jsonl"
        problem = _execute(copy, results, timeout)
        entries = {}
        if results.exists():
            for line in results.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                entries[entry["task"]] = entry          # the last check of a task counts
    return {"problem": problem, "tasks": entries}


def student_of(notebook: Path, root: Path) -> str:
    parts = notebook.relative_to(root).parts
    return parts[0] if len(parts) > 1 else notebook.stem


def grade_folder(root, out, timeout: float = 300.0, tasks=None) -> list[dict]:
    """Grade every notebook under ``root``; write the gradebook into ``out``."""
    root, out = Path(root), Path(out)
    graded = {}
    for notebook in sorted(root.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in notebook.parts:
            graded[notebook] = grade_notebook(notebook, timeout)
    # every task any submission checked: a student who deleted a check cell
    # does not escape that task
    wanted = tasks or sorted({t for g in graded.values() for t in g["tasks"]})
    rows, feedback = [], {}
    for notebook, result in graded.items():
        student = student_of(notebook, root)
        lines = [f"{student} ({notebook.relative_to(root)})"]
        if result["problem"]:
            lines.append(f"  {result['problem']}")
        for task in wanted:
            entry = result["tasks"].get(task)
            if entry is None:
                message = result["problem"] or "not checked (no check cell ran)"
                rows.append(dict(student=student, task=task, passed=False, cases="0/0",
                                 message=message))
                lines.append(f"- {task}: {message}")
                continue
            rows.append(dict(student=student, task=task, passed=entry["passed"],
                             cases=f"{entry['cases_passed']}/{entry['cases']}",
                             message="" if entry["passed"] else entry["report"].splitlines()[0]))
            lines.append(entry["report"])
        feedback[student] = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "task", "passed", "cases", "message"])
        writer.writeheader()
        writer.writerows(rows)
    (out / "gradebook.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    (out / "feedback").mkdir(exist_ok=True)
    for student, text in feedback.items():
        (out / "feedback" / f"{student}.txt").write_text(text, encoding="utf-8")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds one notebook may run (default 300)")
    parser.add_argument("--tasks", nargs="*", help="the tasks to grade (default: those checked)")
    args = parser.parse_args(argv)
    rows = grade_folder(args.submissions, args.out, args.timeout, args.tasks)
    passed = sum(r["passed"] for r in rows)
    print(f"{len(rows)} results, {passed} passed: {args.out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
