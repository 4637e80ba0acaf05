"""No private vocabulary: the book and the package name their sources as a reader knows
them (TinyTorch, the tiny_pytorch documentation), never by the project's own labels
("the seed", "the brief", "a peer library"...). RNG seeds ("five seeds", "seed=0",
"seed-to-seed spread") are of course fine."""

from __future__ import annotations

import re

import pytest

from bookutil import ROOT

PHRASES = [
    r"the seed'?s\b(?!-)", r"\bseeds'", r"\bseed['’]s\b", r"seed spellings?", r"seed[ -]style",
    r"seed course", r"seed api", r"seed attribute", r"\bseed_(adam|sgd)\b", r"accepts_seed",
    r"the brief", r"descends from", r"peer (teaching )?library", r"original course",
    r"the seed of this course", r"grew from",
]
PATTERN = re.compile("|".join(PHRASES), re.IGNORECASE)
FILES = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "tinytorch").rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_sources_are_named_as_a_reader_knows_them(path):
    hits = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for n, line in enumerate(path.read_text().splitlines(), 1) if PATTERN.search(line)]
    assert not hits, "name TinyTorch or tiny_pytorch (and cite them) instead:\n" + "\n".join(hits)


def test_the_sources_are_in_the_bibliography():
    bib = (ROOT / "book" / "references.bib").read_text()
    assert "@misc{tinytorch2025," in bib and "@misc{tinypytorch," in bib


def test_the_scan_catches_what_it_should():
    assert PATTERN.search("as the seed's spelling says") and PATTERN.search("the seeds' way")
    assert PATTERN.search("a peer teaching library documents") and PATTERN.search("seed_adam(")
    for fine in ("over five seeds", "manual_seed(0)", "the seed-to-seed spread", "seed=3",
                 "a fixed seed", "seeded with"):
        assert not PATTERN.search(fine), fine
