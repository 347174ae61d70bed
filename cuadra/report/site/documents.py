"""One page per document: what was checked in it, not only what failed.

One job: for one source document, list every rule that touched its figures, with the instances
that need attention (linked to their evidence pages) and, folded per rule, every passing instance
with its figures and links to their lines, so an auditor sees the whole coverage of the document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cuadra.findings import Finding
from cuadra.report.site.common import (
    ATTENTION,
    NO_DOC,
    e,
    finding_slug,
    interval,
    num,
    page,
    plural,
    status_badge,
    status_count,
)
from cuadra.report.site.context import SiteContext
from cuadra.report.site.words import parse_or_none

__all__ = ["render_document"]


def _figures(f: Finding, ctx: SiteContext, doc: str) -> str:
    out = []
    for x in f.facts:
        href = ctx.sources.href(x.source, x.locator, depth=1)
        text = e(x.published or num(x.value))
        where = f"{e(x.source[:3])}, {e(ctx.cite(x.source, x.locator))}"
        link = f"<a href='{e(href)}'>{where}</a>" if href else where
        out.append(f"<code>{e(x.concept)}</code> {text} ({link})" if x.source == doc or doc == NO_DOC
                   else f"<code>{e(x.concept)}</code> {text} ({link}, otro documento)")
    return "<br>".join(out)


def render_document(doc: str, findings: Sequence[Finding], ctx: SiteContext) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    attention = [f for f in findings if f.status in ATTENTION]
    n_pass = sum(f.status == "pass" for f in findings)
    src = ctx.sources.href(doc, "1", depth=1)
    src_html = f" · <a href='{e(src.split('#')[0])}'>texto fuente con números de línea</a>" if src else ""
    att_rows = "".join(
        f"<tr><td>{status_badge(f.status)}</td><td><a href='../hallazgos/{e(finding_slug(f.rule, f.key))}'>"
        f"{e(f.titulo)}</a><br><code>{e(f.rule)}</code></td><td><code>{e(f.key)}</code></td>"
        f"<td>{_figures(f, ctx, doc)}</td></tr>" for f in attention)
    att = ("<table><thead><tr><th>estado</th><th>regla</th><th>instancia</th><th>cifras</th></tr></thead>"
           f"<tbody>{att_rows}</tbody></table>" if attention else "<p class='ok'>Ningún hallazgo.</p>")
    blocks = []
    for rid in sorted(by_rule, key=lambda r: (by_rule[r][0].kind, r)):
        inst = by_rule[rid]
        passing = [f for f in inst if f.status == "pass"]
        if not passing:
            continue
        first = inst[0]
        unit = ctx.unit_of(first, parse_or_none(first.expr))
        in_unit = f" ({e(unit)})" if unit else ""
        rows = "".join(
            f"<tr><td><code>{e(f.key)}</code></td><td>{e(f.period)}</td><td>{_figures(f, ctx, doc)}</td>"
            f"<td class='n'>{e(interval(*f.lhs))}</td><td class='n'>{e(interval(*f.rhs))}</td></tr>"
            for f in passing)
        others = ", ".join(status_count(sum(f.status == s for f in inst), s) for s in ATTENTION
                           if any(f.status == s for f in inst))
        blocks.append(
            f"<details><summary><b>{e(first.titulo)}</b> <code>{e(rid)}</code> · {e(first.kind)} · "
            f"{plural(len(passing), 'instancia cumple', 'instancias cumplen')}{' · ' + e(others) if others else ''}</summary>"
            f"<p class='meta'><code>{e(first.expr)}</code></p>"
            f"<table><thead><tr><th>instancia</th><th>periodo</th><th>cifras</th><th class='n'>izquierda{in_unit}</th>"
            f"<th class='n'>derecha{in_unit}</th></tr></thead><tbody>{rows}</tbody></table></details>")
    d = ctx.documents.get(doc)
    about = ""
    if d is not None:
        url = (f"<a href='{e(d.url)}' rel='noreferrer'>{e(d.url)}</a>" if d.url
               else "no consta en las fuentes")
        about = (f"<p><b>{e(d.title)}</b>{' — ' + e(d.publisher) if d.publisher else ''}<br>"
                 f"<span class='meta'>Documento original: {url}. Páginas: "
                 f"{e(d.pages_note) if d.pages_note else 'página no disponible'}.</span></p>")
    body = (f"<h1>Documento <code>{e(doc)}</code></h1>{about}"
            f"<p class='meta'>{plural(len(findings), 'instancia', 'instancias')} de "
            f"{plural(len(by_rule), 'regla', 'reglas')} {'toca' if len(findings) == 1 else 'tocan'} sus cifras: {n_pass} "
            f"{'cumple' if n_pass == 1 else 'cumplen'}, {len(attention)} "
            f"{'requiere' if len(attention) == 1 else 'requieren'} atención{src_html}.</p>"
            f"<h2>Hallazgos</h2>{att}"
            f"<h2>Reglas que cumple ({sum(1 for b in blocks)})</h2>"
            f"<p class='meta'>Lo que se comprobó y cuadró, regla por regla; despliegue una regla para ver cada "
            f"instancia con sus cifras.</p>{''.join(blocks) or '<p>Ninguna.</p>'}")
    return page(f"Documento {doc} — cuadra", body, depth=1, crumbs=[(doc, "")])
