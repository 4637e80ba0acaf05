"""Print what each explorable figure weighs on the built site.

    python tools/measure_explorables.py [_build/html]

For every page with explorables: the page's HTML bytes, then per figure its grid
(axes and the number of grid points), its stored data (compressed columns), its
HTML (data, still PNG and script included), and what the figures plus the BokehJS
file the page loads add to the chapter (the budget is 1.5 MB).
"""
from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

BUDGET = 1_500_000


def main(site: Path) -> None:
    for page in sorted(site.rglob("*.html")):
        html = page.read_text()
        figures = re.findall(r'<div class="explorable".*?</script>\s*</div>', html, re.S)
        if not figures:
            continue
        scripts = re.findall(r'src="(?:\.\./)*(_static/bokeh/[^"?]+)', html)
        bokehjs = sum((site / s).stat().st_size for s in scripts)
        print(f"{page.relative_to(site)}: page {len(html.encode()):,} bytes")
        for figure in figures:
            name = re.search(r'id="([^"]+)"', figure)[1]
            config = json.loads(re.search(r'-data">(.*?)</script>', figure, re.S)[1]
                                .replace("<\\/", "</"))
            axes = " x ".join(f"{a['key']} {a['n']}" for a in config["axes"])
            points = 1
            for a in config["axes"]:
                points *= a["n"]
            data = sum(len(base64.b64decode(c["data"]))
                       for f in config["frames"] for c in f["columns"])
            print(f"  {name}: grid {axes} = {points:,} points; data {data:,} bytes "
                  f"(compressed); figure HTML {len(figure.encode()):,} bytes")
        added = sum(len(f.encode()) for f in figures) + bokehjs
        print(f"  added with BokehJS ({bokehjs:,}): {added:,} bytes "
              f"({'within' if added <= BUDGET else 'OVER'} the 1.5 MB budget)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html"))
