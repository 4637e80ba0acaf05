#!/usr/bin/env python3
"""Run each chapter notebook ALONE, as Colab does: a copy of the ``.ipynb`` in an
empty folder, a Python environment without ``tinytorch``, and nothing else.

Colab opens ``book/<chapter>.ipynb`` from GitHub and runs it in its own Python
(3.12, with numpy, matplotlib and scikit-learn preinstalled). The notebook's first
cell then installs this repository's ``tinytorch`` with pip from the repository URL.
Nothing else of the repository is there: a chapter that read a file next to it, or
fetched one from the web, would fail for the reader. This script checks exactly that,
offline:

1. a bare clone of this repository's HEAD stands in for GitHub: the install cell's
   ``git+https://github.com/...@main`` becomes ``git+file:///<tmp>/repo.git@<HEAD>``;
2. one "Colab-like" virtual environment (``--python``, default python3.12) gets the
   preinstalled packages, unpinned and current: numpy, matplotlib, scikit-learn, plus
   nbclient and ipykernel to run the kernel;
3. for each notebook: a fresh virtual environment that sees the Colab-like packages
   (a ``.pth`` file, as Colab's preinstalled site-packages) but has no ``tinytorch``,
   so the install cell really installs it; the notebook is copied alone into an empty
   folder and executed top to bottom.

It tests the COMMITTED notebooks and package (HEAD): commit first. Usage::

    python tools/run_notebooks_alone.py                       # every chapter
    python tools/run_notebooks_alone.py book/05_schedules.ipynb
    python tools/run_notebooks_alone.py --python python3.11 --keep

Exit status 1 when a notebook fails. Each notebook's time is printed, and how many of
its text outputs differ from the committed ones (information only: Colab's numpy,
matplotlib... are newer than the course's pinned versions, so the last digits may).
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402  (the install cell's source and the chapter list)

#: What Colab has preinstalled that the chapters rely on (unpinned: Colab's are current).
COLAB_PREINSTALLED = ["numpy", "matplotlib", "scikit-learn", "threadpoolctl"]
#: What runs the notebook (Colab's own kernel machinery).
RUNNER = ["nbclient", "nbformat", "ipykernel"]

#: Executed inside the Colab-like environment: run one notebook, report as JSON.
EXECUTE = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient
path, folder = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
try:
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": folder}}).execute()
    error = None
except Exception as exc:  # the cell's traceback is in the message
    error = f"{type(exc).__name__}: {exc}"[-3000:]
nbformat.write(nb, path)
print(json.dumps({"seconds": time.perf_counter() - start, "error": error}))
"""


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, text=True, **kw)


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """nbval's sanitizers (tests/book/nbval-sanitize.cfg): what may differ between runs."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "book" / "nbval-sanitize.cfg")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


SANITIZERS = sanitizers()


def text_outputs(nb: dict) -> list[list[str]]:
    """The sanitized text of every code cell's outputs (what nbval compares), per cell;
    timing cells (tagged nbval-ignore-output) count as empty."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts = []
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            cells.append(texts)
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append("".join(out["text"]))
            elif "data" in out and "text/plain" in out["data"]:
                if "image/png" not in out["data"]:
                    texts.append("".join(out["data"]["text/plain"]))
        for pattern, replacement in SANITIZERS:
            texts = [pattern.sub(replacement, t) for t in texts]
        cells.append(texts)
    return cells


def find_python(name: str) -> str | None:
    """``name`` on PATH if it runs; else pyenv's copy of that version (its shims only
    run the versions that are selected)."""
    candidates = [shutil.which(name)]
    version = name.removeprefix("python")
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(map(str, pyenv_root.glob(f"versions/{version}*/bin/{name}")), reverse=True)
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    return None


def label(notebook: Path) -> str:
    """book/student/02_momentum.ipynb -> 'student/02_momentum.ipynb'."""
    try:
        return str(notebook.relative_to(ROOT / "book"))
    except ValueError:
        return notebook.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="book/*.ipynb (default: all chapters)")
    parser.add_argument("--python", default="python3.12", help="interpreter of the Colab-like environment")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="show each notebook's first differing output")
    args = parser.parse_args(argv)

    notebooks = [p.resolve() for p in args.notebooks] or [
        md.with_suffix(".ipynb") for md in sync_notebooks.notebook_chapters()
    ]
    python = find_python(args.python)
    if python is None:
        print(f"{args.python} not found: pass --python with an available interpreter", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="notebooks-alone-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    # Only this environment's kernel: no user-level kernelspec may take over.
    env.update(JUPYTER_PATH=str(tmp / "jupyter"), JUPYTER_DATA_DIR=str(tmp / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    failures = 0
    try:
        head = run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True).stdout.strip()
        if run(["git", "status", "--porcelain", "--", "book", "tinytorch", "pyproject.toml"],
               cwd=ROOT, capture_output=True).stdout.strip():
            print("note: uncommitted changes in book/, tinytorch/ or pyproject.toml are NOT "
                  f"tested; this runs HEAD ({head[:10]})")
        repo = tmp / "repo.git"
        run(["git", "clone", "--quiet", "--bare", str(ROOT), str(repo)])
        url, branch = sync_notebooks.repository()
        github = f"git+{url}.git@{branch}"
        local = f"git+file://{repo}@{head}"

        venv = tmp / "colab"
        print(f"==> Colab-like environment: {args.python} + {' '.join(COLAB_PREINSTALLED)}", flush=True)
        run([python, "-m", "venv", str(venv)])
        vpy = str(venv / "bin" / "python")
        run([vpy, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], env=env)
        run([vpy, "-m", "pip", "install", "--quiet", *COLAB_PREINSTALLED, *RUNNER], env=env)
        version = run([vpy, "-c", "import sys, numpy; print(sys.version.split()[0], numpy.__version__)"],
                      capture_output=True, env=env).stdout.split()
        print(f"    Python {version[0]}, numpy {version[1]}", flush=True)

        base_site = run([vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        capture_output=True, env=env).stdout.strip()
        for index, notebook in enumerate(notebooks):
            # numbered: a workbook (book/student/02_momentum) shares its chapter's name
            folder = tmp / f"run-{index:02d}-{notebook.stem}"
            folder.mkdir()
            name = label(notebook)
            fresh_env = folder / "venv"
            # --without-pip: pip, like numpy, comes from the Colab-like packages (current).
            run([python, "-m", "venv", "--without-pip", str(fresh_env)])
            fresh_py = str(fresh_env / "bin" / "python")
            site = run([fresh_py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, env=env).stdout.strip()
            Path(site, "colab-preinstalled.pth").write_text(base_site + "\n")
            copy = folder / notebook.name
            nb = json.loads(notebook.read_text())
            first = "".join(nb["cells"][0]["source"])
            if github not in first:
                print(f"FAIL {name}: its install cell does not install {github}")
                failures += 1
                continue
            nb["cells"][0]["source"] = first.replace(github, local)
            copy.write_text(json.dumps(nb))
            result = run([fresh_py, "-c", EXECUTE, str(copy), str(folder)], capture_output=True,
                         env=env, cwd=folder)
            report = json.loads(result.stdout.strip().splitlines()[-1])
            if report["error"]:
                failures += 1
                print(f"FAIL {name} ({report['seconds']:.1f} s)\n{report['error']}", flush=True)
                continue
            fresh, stored = text_outputs(json.loads(copy.read_text())), text_outputs(nb)
            # Cells with no output on the page are skipped: where myst-nb is missing (as
            # in Colab), glue(..., display=False) shows its value instead of storing it.
            pairs = [(a, b) for a, b in zip(fresh[1:], stored[1:]) if b]
            differ = sum(a != b for a, b in pairs)
            if differ and args.verbose:
                a, b = next((a, b) for a, b in pairs if a != b)
                print(f"     first difference: page {b!r:.300}\n                   here {a!r:.300}")
            print(f"ok   {name}: {report['seconds']:.1f} s, "
                  f"{differ} of {len(pairs)} code cells' text outputs differ from the page",
                  flush=True)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(notebooks) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
