"""The Data Docs site: GX's pages made self-contained, and cuadra's evidence pages beside them.

One job: assemble ``DIR/`` for an auditor with no network: ``DIR/gx/`` (written by GX during the
run, rewritten by :mod:`expectations.offline` to use vendored assets) and cuadra's own pages
(:mod:`cuadra.report.site`: index, one page per finding, per-document pages, the source texts with
line anchors), which link to the GX pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cuadra.contract.registry import Registry
from cuadra.engine import ROOT
from cuadra.findings import Run
from cuadra.report.site import render_site
from cuadra.rules.catalogue import Rule
from expectations.offline import make_offline

__all__ = ["build_site", "DEFAULT_SOURCES"]

#: Where the bundled reports' source texts live (the quotes' line anchors point into them).
DEFAULT_SOURCES = ROOT / "fixtures" / "sources"


def _latest_validation(gx: Path) -> Path | None:
    """GX names each validation page by run time; the newest is this run's."""
    pages = sorted((gx / "validations").rglob("*.html"), key=lambda p: (p.parent.name, p.name))
    return pages[-1] if pages else None


def build_site(run: Run, docs_dir: Path, *, registry: Registry | None = None, rules: Sequence[Rule] = (),
               sources_dir: Path | None = DEFAULT_SOURCES) -> Path:
    """Make ``docs_dir/gx`` offline (when GX wrote it) and write cuadra's pages; return the index."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    gx = docs_dir / "gx"
    gx_index = gx_validation = None
    if (gx / "index.html").exists():
        make_offline(gx)
        gx_index = "gx/index.html"
        latest = _latest_validation(gx)
        gx_validation = latest.relative_to(docs_dir).as_posix() if latest else None
    return render_site(run, docs_dir, registry=registry, rules=rules, sources_dir=sources_dir,
                       gx_index=gx_index, gx_validation=gx_validation)
