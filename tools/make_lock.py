#!/usr/bin/env python3
"""Make ``requirements.lock``: every package of the course's environment, pinned.

``requirements.txt`` is the readable list of what the course needs directly (each
pinned with ``==``). Their dependencies, and theirs, are not in it, so two installs
a month apart could differ. The lock resolves the whole tree once, with uv, and
pins every package; ``tools/build.sh``, Binder and CI install from it::

    python -m pip install uv==0.13.8          # once (any environment)
    python tools/make_lock.py                 # requirements.txt + pyproject.toml -> requirements.lock
    python tools/make_lock.py --check         # exit 1 when the lock is stale

The lock's header records a hash of its inputs (``requirements.txt`` and the
dependency tables of ``pyproject.toml``); ``--check`` and ``tests/book`` fail when
the inputs changed after the lock was made, or when a pin disagrees.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
UV_VERSION = "0.13.8"
#: The environments the lock must serve: Binder and CI (Python 3.11), any platform.
PYTHON_VERSION = "3.11"
HASH_LINE = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})$", re.MULTILINE)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def inputs_hash() -> str:
    """sha256 of what the lock is made from: requirements.txt and pyproject's dependencies."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    deps = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    blob = REQUIREMENTS.read_text() + "\n" + json.dumps(deps, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line."""
    return {canonical(m[1]): m[2] for m in map(PIN.match, text.splitlines()) if m}


def editable_line() -> str:
    """The line of requirements.txt that installs this repository (``-e .[...]``)."""
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith("-e ."):
            return line.strip()
    raise SystemExit("requirements.txt has no '-e .' line")


def find_uv() -> str:
    for candidate in (shutil.which("uv"), str(Path(sys.executable).with_name("uv"))):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit(f"uv not found: python -m pip install uv=={UV_VERSION}")


def make() -> str:
    """The text of a fresh lock."""
    # uv reads no per-requirement options: give it the requirements without them.
    plain = REQUIREMENTS.read_text().replace(editable_line(), "-e .")
    result = subprocess.run(
        [find_uv(), "pip", "compile", "-", "--universal",
         "--python-version", PYTHON_VERSION, "--no-header", "--quiet"],
        cwd=ROOT, check=True, capture_output=True, text=True, input=plain,
    )
    body = result.stdout
    # uv writes the repository as a bare "-e ."; keep requirements.txt's own line
    # (its extras and config settings).
    body = re.sub(r"^-e \.\s*$", editable_line(), body, count=1, flags=re.MULTILINE)
    header = (
        "# The whole environment of the course, every package pinned: made by\n"
        "#     python tools/make_lock.py     (uv pip compile of requirements.txt)\n"
        "# Edit requirements.txt / pyproject.toml, never this file.\n"
        f"# inputs-sha256: {inputs_hash()}\n"
    )
    return header + body


def problems() -> list[str]:
    """Why requirements.lock does not match its inputs (empty when it does)."""
    if not LOCK.exists():
        return ["requirements.lock is missing: run python tools/make_lock.py"]
    text = LOCK.read_text()
    found = []
    recorded = HASH_LINE.search(text)
    if not recorded or recorded[1] != inputs_hash():
        found.append("requirements.lock is stale: requirements.txt or pyproject.toml "
                     "changed since it was made (run python tools/make_lock.py)")
    locked = pins(text)
    for name, version in pins(REQUIREMENTS.read_text()).items():
        if locked.get(name) != version:
            found.append(f"requirements.txt pins {name}=={version}, "
                         f"the lock has {locked.get(name)}")
    if editable_line() not in text.splitlines():
        found.append(f"requirements.lock does not install the repository ({editable_line()})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify only")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        print("\n".join(found) if found else "requirements.lock is up to date")
        return 1 if found else 0
    text = make()
    LOCK.write_text(text)
    print(f"requirements.lock: {len(pins(text))} packages pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main())
