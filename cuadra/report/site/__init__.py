"""cuadra's evidence site: static pages an auditor follows offline, in Spanish.

One job: write the whole site for one Run into a folder::

    index.html                 verdict, counts, summaries, every finding that needs attention (sortable)
    hallazgos/<rule>--<key>.html   one page per failed / indeterminate / waived / error instance
    documentos/<doc>-<hash>.html  per document: title, URL, its findings and every rule it passes
    fuentes/<doc>-<hash>.html     the source texts, one anchor per line (#L38), page marks, links back
    cobertura.html             "Qué no se verificó": facts in no rule, rules with no instance, indeterminates
    dispensas.html             the waiver register, signed and dated, with each waiver's state
    manifiesto.html            every input's SHA-256, version, command line (also manifest.json)
    assets/cuadra.{css,js}     our stylesheet and filter/sort script (no CDN, no framework)
    gx/                        the GX Data Docs (written by GX, made self-contained by expectations.offline)

Pages link to each other and to assets by relative path only, so the site opens from ``file://``.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cuadra.contract.registry import Registry
from cuadra.findings import Finding, Run
from cuadra.report.documents import Document
from cuadra.report.manifest import Manifest
from cuadra.report.site.assets import write_assets
from cuadra.report.site.common import ATTENTION, NO_DOC, STATUS_ES, doc_slug, finding_slug
from cuadra.report.site.context import SiteContext, documents_of
from cuadra.report.site.coverage import coverage_of, render_coverage
from cuadra.report.site.documents import render_document
from cuadra.report.site.finding import render_finding
from cuadra.report.site.index import render_index
from cuadra.report.site.manifest import render_manifest
from cuadra.report.site.sources import Sources
from cuadra.report.site.waivers import render_waivers
from cuadra.rules.catalogue import BUILTINS, Rule, split_fuente
from cuadra.waivers import Waiver, waiver_states

__all__ = ["render_site", "finding_slug", "doc_slug"]


def render_site(run: Run, out: Path, *, registry: Registry | None = None, rules: Sequence[Rule] = (),
                sources_dir: Path | Sequence[Path] | None = None, gx_index: str | None = None,
                gx_validation: str | None = None, documents: Mapping[str, Document] | None = None,
                waivers: Sequence[Waiver] = (), facts: Any = None, manifest: Manifest | None = None,
                fail_on: str = "error") -> Path:
    """Write the site into ``out``; return ``out/index.html``. Paths of GX pages are relative to ``out``.

    ``facts`` (the run's facts frame) feeds the coverage page; ``manifest`` is shown (the caller writes
    it as ``out/manifest.json``, :func:`cuadra.report.manifest.write_manifest`); ``waivers`` is the register the run applied (its states are recomputed
    from the findings, on the run's date).
    """
    out.mkdir(parents=True, exist_ok=True)
    # The site reads the findings a dozen times (per document, per page, for the counts): built once
    # here rather than at every pass, since a FindingSet builds each finding as it is read.
    run = dataclasses.replace(run, findings=list(run.findings))
    by_doc: dict[str, list[Finding]] = defaultdict(list)
    for f in run.findings:
        for d in documents_of(f):
            by_doc[d].append(f)
    documents_ids = sorted(d for d in by_doc if d != NO_DOC)
    cited = {split_fuente(fu)[0] for f in run.findings for fu in f.fuentes}
    sources = Sources(sources_dir, [*documents_ids, *cited])
    states = waiver_states(run.findings, waivers, date.fromisoformat(run.started[:10]))
    ctx = SiteContext.build(registry, rules, sources, gx_index, gx_validation, documents=documents or {},
                            waivers=states, manifest=manifest, fail_on=fail_on)
    # Our folders only (never gx/): a page left from an earlier run would be evidence of nothing.
    for ours in ("hallazgos", "documentos", "fuentes"):
        shutil.rmtree(out / ours, ignore_errors=True)
    write_assets(out)
    (out / "hallazgos").mkdir(exist_ok=True)
    for f in run.findings:
        if f.status in ATTENTION:
            slug = finding_slug(f.rule, f.key)
            (out / "hallazgos" / slug).write_text(render_finding(f, ctx), encoding="utf-8")
            for x in f.facts:
                what = f"{f.rule}: {x.concept}" if f.rule in BUILTINS else f.rule
                sources.link_back(x.source, x.locator, f"hallazgos/{slug}", f"{what} · {STATUS_ES[f.status]}")
    (out / "documentos").mkdir(exist_ok=True)
    slugs = {doc_slug(d) for d in by_doc}
    if len(slugs) != len(by_doc):  # never one page silently overwriting another's
        raise RuntimeError("two documents share a page slug")
    for d, fs in by_doc.items():
        (out / "documentos" / doc_slug(d)).write_text(render_document(d, fs, ctx), encoding="utf-8")
    cov = coverage_of(run.findings, rules, facts)
    (out / "cobertura.html").write_text(render_coverage(cov, ctx), encoding="utf-8")
    (out / "dispensas.html").write_text(render_waivers(ctx, run.findings), encoding="utf-8")
    (out / "manifiesto.html").write_text(render_manifest(manifest), encoding="utf-8")
    index = out / "index.html"
    index.write_text(render_index(run, ctx, documents_ids, cov), encoding="utf-8")
    sources.write(out, ctx.documents)
    return index
