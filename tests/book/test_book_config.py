"""requirements.txt pins every direct dependency; requirements.lock pins the whole
environment and is not stale; this environment, Binder and CI install the lock; the
single repository setting is well formed."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

import pytest
import yaml
from packaging.markers import Marker

from bookutil import ROOT, load_module

make_lock = load_module("make_lock", ROOT / "tools" / "make_lock.py")

REQUIREMENTS = (ROOT / "requirements.txt").read_text().splitlines()
PINS = [l.strip() for l in REQUIREMENTS if l.strip() and not l.strip().startswith(("#", "-"))]


def test_every_requirement_is_pinned_exactly():
    assert PINS
    for line in PINS:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), f"not pinned with ==: {line}"


def test_stack_is_jupyter_book_1():
    pins = dict(l.split("==") for l in PINS)
    assert pins["jupyter-book"].startswith("1.")
    assert pins["sphinx"].startswith("7.")


def test_this_repository_is_installed_not_pypi_tinytorch():
    local = [l for l in REQUIREMENTS if l.startswith("-e ")]
    assert local == ["-e .[book,fast,mpi,bfloat16]"]
    assert not any(re.match(r"tinytorch\b", l) for l in PINS)
    assert version("optimizers-executably")


def test_the_lock_is_up_to_date():
    """requirements.lock was made from today's requirements.txt and pyproject.toml."""
    assert make_lock.problems() == []


def locked_pins():
    """(name, version) of every lock line whose environment marker applies here."""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = make_lock.PIN.match(line)
        if not match:
            continue
        marker = line.partition(";")[2].strip()
        if marker and not Marker(marker).evaluate():
            continue
        yield match[1], match[2]


def test_the_lock_pins_more_than_the_direct_requirements():
    locked = dict(locked_pins())
    assert len(locked) > 2 * len(PINS)
    assert all(re.fullmatch(r"[\w.+-]+", v) for v in locked.values())


@pytest.mark.parametrize("name, wanted", sorted(locked_pins()))
def test_environment_matches_the_lock(name, wanted):
    try:
        installed = version(name)
    except PackageNotFoundError:
        pytest.fail(f"{name} is locked but not installed: pip install -r requirements.lock")
    assert installed == wanted, f"{name}: installed {installed}, requirements.lock pins {wanted}"


def test_binder_installs_the_lock():
    lines = [l.strip() for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    assert "-r ../requirements.lock" in lines
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_repository_setting():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = cfg["repository"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"])
    assert repo["branch"]
    assert repo["path_to_book"] == ""   # _config.yml is at the repository root
    launch = cfg["launch_buttons"]
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["binderhub_url"] == "https://mybinder.org"
