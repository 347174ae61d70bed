"""cuadra's evidence site: static pages an auditor follows offline, in Spanish.

One job: write the whole site for one Run into a folder::

    index.html                 counts, filters, every finding that needs attention
    hallazgos/<rule>--<key>.html   one page per failed / indeterminate / waived / error instance
    documentos/<doc>-<hash>.html  per document: its findings and every rule it passes
    fuentes/<doc>-<hash>.html     the source texts, one anchor per line (#L38)
    assets/cuadra.{css,js}     our stylesheet and filter script (no CDN, no framework)
    gx/                        the GX Data Docs (written by GX, made self-contained by expectations.offline)

Pages link to each other and to assets by relative path only, so the site opens from ``file://``.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from cuadra.contract.registry import Registry
from cuadra.findings import Finding, Run
from cuadra.report.site.assets import write_assets
from cuadra.report.site.common import ATTENTION, NO_DOC, doc_slug, finding_slug
from cuadra.report.site.context import SiteContext, documents_of
from cuadra.report.site.documents import render_document
from cuadra.report.site.finding import render_finding
from cuadra.report.site.index import render_index
from cuadra.report.site.sources import Sources
from cuadra.rules.catalogue import Rule, split_fuente

__all__ = ["render_site", "finding_slug", "doc_slug"]


def render_site(run: Run, out: Path, *, registry: Registry | None = None, rules: Sequence[Rule] = (),
                sources_dir: Path | Sequence[Path] | None = None, gx_index: str | None = None,
                gx_validation: str | None = None) -> Path:
    """Write the site into ``out``; return ``out/index.html``. Paths of GX pages are relative to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    by_doc: dict[str, list[Finding]] = defaultdict(list)
    for f in run.findings:
        for d in documents_of(f):
            by_doc[d].append(f)
    documents = sorted(d for d in by_doc if d != NO_DOC)
    cited = {split_fuente(fu)[0] for f in run.findings for fu in f.fuentes}
    sources = Sources(sources_dir, [*documents, *cited])
    ctx = SiteContext.build(registry, rules, sources, gx_index, gx_validation)
    # Our folders only (never gx/): a page left from an earlier run would be evidence of nothing.
    for ours in ("hallazgos", "documentos", "fuentes"):
        shutil.rmtree(out / ours, ignore_errors=True)
    write_assets(out)
    (out / "hallazgos").mkdir(exist_ok=True)
    for f in run.findings:
        if f.status in ATTENTION:
            (out / "hallazgos" / finding_slug(f.rule, f.key)).write_text(render_finding(f, ctx), encoding="utf-8")
    (out / "documentos").mkdir(exist_ok=True)
    slugs = {doc_slug(d) for d in by_doc}
    if len(slugs) != len(by_doc):  # never one page silently overwriting another's
        raise RuntimeError("two documents share a page slug")
    for d, fs in by_doc.items():
        (out / "documentos" / doc_slug(d)).write_text(render_document(d, fs, ctx), encoding="utf-8")
    index = out / "index.html"
    index.write_text(render_index(run, ctx, documents, rules), encoding="utf-8")
    sources.write(out)
    return index
