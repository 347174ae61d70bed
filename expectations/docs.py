"""The Data Docs site: GX's pages made self-contained, and cuadra's own index beside them.

One job: assemble ``DIR/index.html`` (cuadra) and ``DIR/gx/`` (GX, rewritten by ``offline``).
"""

from __future__ import annotations

from pathlib import Path

from cuadra.findings import Run
from cuadra.report.html import render_index
from expectations.offline import make_offline

__all__ = ["build_site"]


def build_site(run: Run, docs_dir: Path) -> Path:
    docs_dir.mkdir(parents=True, exist_ok=True)
    gx_index = docs_dir / "gx" / "index.html"
    if gx_index.exists():
        make_offline(docs_dir / "gx")
    return render_index(run, docs_dir / "index.html", gx_index if gx_index.exists() else None)
