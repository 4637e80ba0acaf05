"""Launch buttons in the BUILT site: every Colab/Binder link points at a .ipynb that
exists in this repository at that path, for the repository and branch in _config.yml."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from bookutil import ROOT, built_site, load_sync_tool

sync = load_sync_tool()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"]["branch"]
ORG_REPO = urlparse(URL).path.strip("/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def hrefs(page):
    parser = Links()
    parser.feed(page.read_text())
    return parser.hrefs


def launch_target(href: str) -> str | None:
    """The repository path a Colab or Binder link opens, or None for other links."""
    u = urlparse(href)
    if u.netloc == "colab.research.google.com":
        m = re.fullmatch(rf"/github/{re.escape(ORG_REPO)}/blob/{re.escape(BRANCH)}/(.+)", u.path)
        assert m, f"Colab link for another repository/branch: {href}"
        return m.group(1)
    if u.netloc == "mybinder.org":
        assert u.path == f"/v2/gh/{ORG_REPO}/{BRANCH}", f"Binder link for another repository/branch: {href}"
        urlpath = parse_qs(u.query)["urlpath"][0]
        m = re.fullmatch(r"(?:lab/tree|tree)/(.+)", urlpath)
        assert m, f"unexpected Binder urlpath: {href}"
        return m.group(1)
    return None


def pages():
    site = built_site()
    return sorted(site.rglob("*.html"))


def test_every_launch_link_points_at_an_existing_notebook():
    targets = []
    for page in pages():
        for href in hrefs(page):
            target = launch_target(href)
            if target is not None:
                targets.append((page.name, target))
                assert target.endswith(".ipynb"), f"{page.name}: launch link to a non-notebook {target}"
                assert (ROOT / target).is_file(), f"{page.name}: {href} -> missing {target}"
    assert targets, "no launch links found in the built site"


@pytest.mark.parametrize("md", sync.notebook_chapters(), ids=lambda p: p.name)
def test_chapter_pages_have_colab_binder_and_download(md):
    site = built_site()
    page = site / md.relative_to(ROOT).with_suffix(".html")
    assert page.exists(), f"{page} was not built"
    links = hrefs(page)
    rel = md.relative_to(ROOT).with_suffix(".ipynb").as_posix()
    kinds = {urlparse(h).netloc: launch_target(h) for h in links if launch_target(h)}
    assert kinds.get("colab.research.google.com") == rel
    assert kinds.get("mybinder.org") == rel
    # the download menu offers the executed notebook
    assert any(h.endswith(f"_sources/{rel}") for h in links), "no .ipynb download link"
    # ... and the download is the committed, executed notebook (with its outputs)
    download = site / "_sources" / rel
    assert download.is_file()
    assert download.read_bytes() == (ROOT / rel).read_bytes(), (
        f"the site's download of {rel} is not the committed notebook: rebuild (bash tools/build.sh)"
    )


def test_repository_buttons_use_the_configured_repository():
    site = built_site()
    links = hrefs(site / "book" / "intro.html")
    assert URL in links
    assert any(h.startswith(f"{URL}/issues/new") for h in links)


def test_inline_thebe_config_is_emitted_once_per_page():
    """Regression test for the duplicate `const THEBE_JS_URL` script (a SyntaxError in
    the browser), fixed by tools/sphinx_ext/course_fixes.py."""
    for page in pages():
        text = page.read_text()
        assert text.count("const THEBE_JS_URL") <= 1, f"{page.name}: thebe config emitted twice"
        assert "document.documentElement.dataset.mode = localStorage.getItem(\"mode\") || \"\"" not in text, (
            f"{page.name}: no default colour mode (html_context.default_mode)"
        )
