"""The Data Docs site: GX's pages made self-contained, and cuadra's evidence pages beside them.

One job: assemble ``DIR/`` for an auditor with no network: ``DIR/gx/`` (written by GX during the
run, rewritten by :mod:`expectations.offline` to use vendored assets) and cuadra's own pages
(:mod:`cuadra.report.site`: index, one page per finding, per-document pages, the source texts with
line anchors), which link to the GX pages.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from cuadra.contract.registry import Registry
from cuadra.engine import ROOT
from cuadra.findings import Run
from cuadra.report.site import render_site
from cuadra.rules.catalogue import Rule
from expectations.offline import make_offline

__all__ = ["build_site", "DEFAULT_SOURCES"]

#: Where the bundled source texts live (the quotes' line anchors point into them): the reports', then
#: the reference tables' (INEGI's INPC).
DEFAULT_SOURCES = (ROOT / "fixtures" / "sources", ROOT / "fixtures" / "reference" / "sources")


def _latest_validation(gx: Path) -> Path | None:
    """GX names each validation page by run time; the newest is this run's."""
    pages = sorted((gx / "validations").rglob("*.html"), key=lambda p: (p.parent.name, p.name))
    return pages[-1] if pages else None


_BACK = "<!-- cuadra:back -->"


def _link_back(gx: Path, site: Path) -> None:
    """Give every GX page a way back to cuadra's evidence index (idempotent: marked once)."""
    for page in gx.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if _BACK in html:
            continue
        href = os.path.relpath(site / "index.html", page.parent).replace(os.sep, "/")
        link = (f"{_BACK}<div style='background:#0b5d75;padding:.4rem 1rem;font:14px system-ui,sans-serif'>"
                f"<a style='color:#fff' href='{href}'>← cuadra: índice de la evidencia, en español</a></div>")
        m = re.search(r"<body\b[^>]*>", html)
        if m:
            page.write_text(html[:m.end()] + link + html[m.end():], encoding="utf-8")


def build_site(run: Run, docs_dir: Path, *, registry: Registry | None = None, rules: Sequence[Rule] = (),
               sources_dir: Path | Sequence[Path] | None = DEFAULT_SOURCES) -> Path:
    """Make ``docs_dir/gx`` offline (when GX wrote it) and write cuadra's pages; return the index."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    gx = docs_dir / "gx"
    gx_index = gx_validation = None
    if (gx / "index.html").exists():
        make_offline(gx)
        _link_back(gx, docs_dir)
        gx_index = "gx/index.html"
        latest = _latest_validation(gx)
        gx_validation = latest.relative_to(docs_dir).as_posix() if latest else None
    return render_site(run, docs_dir, registry=registry, rules=rules, sources_dir=sources_dir,
                       gx_index=gx_index, gx_validation=gx_validation)


def offline_problems(site: Path) -> list[str]:
    """Every page or stylesheet of a built site that would fetch something from the network (should be none)."""
    from expectations.offline import remote_assets, remote_css

    return ([f"{page}: {url}" for page in sorted(site.rglob("*.html"))
             for url in remote_assets(page.read_text(encoding="utf-8"))]
            + [f"{sheet}: {url}" for sheet in sorted(site.rglob("*.css"))
               for url in remote_css(sheet.read_text(encoding="utf-8", errors="surrogateescape"))])


def main(argv: Sequence[str]) -> int:
    """``python -m expectations.docs SITE``: check a built site is self-contained (used by ``nox -s docs``)."""
    if len(argv) != 1 or not (Path(argv[0]) / "index.html").is_file():
        print("usage: python -m expectations.docs SITE (a folder written by cuadra validate --docs)",
              file=sys.stderr)
        return 2
    site = Path(argv[0])
    problems = offline_problems(site)
    for p in problems:
        print(p)
    pages = list(site.rglob("*.html"))
    print(f"{site / 'index.html'}: {len(pages)} pages, index {(site / 'index.html').stat().st_size / 1024:.0f} KB, "
          f"{'self-contained' if not problems else f'{len(problems)} remote asset(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
