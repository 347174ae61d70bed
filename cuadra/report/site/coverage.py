"""The page "Qué no se verificó": what the run could not, or did not, check.

One job: list the three kinds of silence an auditor must see before signing: the published figures
that take part in no rule of the catalogue (only the built-in checks of the figure itself touched
them), with their quotes; the catalogue's rules that found no instance in this dataset; and the
instances that could not be decided, each with its reason. The index shows a summary of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cuadra.findings import Finding
from cuadra.report.site.common import e, finding_slug, page, plural
from cuadra.report.site.context import SiteContext
from cuadra.rules.catalogue import BUILTIN_KINDS, Rule

__all__ = ["Coverage", "coverage_of", "render_coverage", "coverage_summary"]

_FACT_COLUMNS = ("fact_id", "concept", "period", "published", "value", "source", "locator", "quote")


@dataclass
class Coverage:
    n_facts: int = 0
    #: Facts in no instance of a catalogue rule: one dict per fact (the columns above, and ``sin_regla``:
    #: True when no rule names the fact's concept at all, False when rules name it but no instance
    #: formed at its period or in its document).
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    no_instance: list[Rule] = field(default_factory=list)
    indeterminate: list[Finding] = field(default_factory=list)


def coverage_of(findings: Sequence[Finding], rules: Sequence[Rule], facts: Any = None) -> Coverage:
    """``facts``: the facts frame of the run (any object with pandas' ``isin``/``loc``), or None."""
    # One pass over the findings: a FindingSet builds each finding as it is read, so every extra
    # pass (let alone one per rule) costs a full materialisation.
    used: set[str] = set()
    with_instances: set[str] = set()
    indeterminate: list[Finding] = []
    for f in findings:
        with_instances.add(f.rule)
        if f.kind not in BUILTIN_KINDS:
            used.update(x.fact_id for x in f.facts)
        if f.status == "indeterminate":
            indeterminate.append(f)
    cov = Coverage(no_instance=[r for r in rules if r.id not in with_instances],
                   indeterminate=sorted(indeterminate, key=lambda f: (f.rule, f.key)))
    if facts is not None:
        cov.n_facts = len(facts)
        rest = facts.loc[~facts["fact_id"].isin(used), [c for c in _FACT_COLUMNS if c in facts.columns]]
        cov.unchecked = rest.sort_values(["source", "fact_id"]).to_dict("records")
        named = {ref.concept for r in rules for ref in r.refs}
        for x in cov.unchecked:
            x["sin_regla"] = x["concept"] not in named
    return cov


def _no_rule(cov: Coverage) -> int:
    return sum(bool(x.get("sin_regla")) for x in cov.unchecked)


def coverage_summary(cov: Coverage) -> str:
    facts = (f"<li><b>{plural(len(cov.unchecked), 'cifra publicada', 'cifras publicadas')}</b> de {cov.n_facts:,} "
             f"en ninguna instancia de una regla del catálogo ({_no_rule(cov):,} porque ninguna regla nombra su "
             f"concepto); solo se comprobó su lectura, su rango y sus duplicados</li>"
             if cov.n_facts else "")
    return (f"<ul class='coverage'>{facts}"
            f"<li><b>{plural(len(cov.no_instance), 'regla', 'reglas')}</b> del catálogo sin ninguna instancia en "
            f"este conjunto</li>"
            f"<li><b>{plural(len(cov.indeterminate), 'instancia indeterminada', 'instancias indeterminadas')}"
            f"</b>, cada una con su motivo</li></ul>"
            f"<p><a href='cobertura.html'>Qué no se verificó, en detalle</a></p>")


def render_coverage(cov: Coverage, ctx: SiteContext) -> str:
    def where(doc: str, loc: str) -> str:
        href = ctx.sources.href(doc, loc, depth=0)
        text = f"{doc}, {ctx.cite(doc, loc)}"
        return f"<a href='{e(href)}'>{e(text)}</a>" if href else e(text)

    facts_rows = "".join(
        f"<tr><td><code>{e(x['concept'])}</code><div class='meta'>{e(ctx.label(str(x['concept'])))}</div></td>"
        f"<td>{e(x['period'])}<div class='meta'>{'ninguna regla nombra el concepto' if x.get('sin_regla') else 'ninguna instancia en este periodo o documento'}</div></td>"
        f"<td>{e(x.get('published') or x.get('value'))}"
        f"{' ' + e(ctx.units.get(str(x['concept']), '')) if ctx.units.get(str(x['concept'])) else ''}</td>"
        f"<td><blockquote>{e(x.get('quote'))}</blockquote><div class='meta'>{where(str(x['source']), str(x['locator']))}"
        f"</div></td></tr>" for x in cov.unchecked)
    facts = (f"<table class='sortable'><thead><tr><th>concepto</th><th>periodo</th><th>cifra publicada (unidad)</th>"
             f"<th>cita verbatim</th></tr></thead><tbody>{facts_rows}</tbody></table>" if cov.unchecked
             else "<p class='ok'>Toda cifra participa en al menos una regla.</p>" if cov.n_facts
             else "<p class='meta'>El conjunto de hechos no se entregó a este informe.</p>")
    rules = ("<ul>" + "".join(f"<li><code>{e(r.id)}</code> — {e(r.titulo)} <span class='meta'>({e(r.origin)}): "
                              f"{e(', '.join(sorted({ref.concept for ref in r.refs})))}</span></li>"
                              for r in cov.no_instance) + "</ul>"
             if cov.no_instance else "<p class='ok'>Cada regla del catálogo tuvo al menos una instancia.</p>")
    ind_rows = "".join(
        f"<tr><td><a href='hallazgos/{e(finding_slug(f.rule, f.key))}'>{e(f.titulo)}</a><br><code>{e(f.rule)}</code>"
        f"</td><td><code>{e(f.key)}</code></td><td>{e(f.reason or '—')}</td></tr>" for f in cov.indeterminate)
    ind = (f"<table class='sortable'><thead><tr><th>regla</th><th>instancia</th><th>motivo</th></tr></thead>"
           f"<tbody>{ind_rows}</tbody></table>" if cov.indeterminate
           else "<p class='ok'>Ninguna instancia quedó indeterminada.</p>")
    body = (f"<h1>Qué no se verificó</h1><p>Una validación dice qué cuadra y qué no; esta página dice lo que "
            f"quedó fuera, para que el silencio no se lea como conformidad.</p>"
            f"<h2 id='cifras'>Cifras en ninguna regla ({len(cov.unchecked):,})</h2>"
            f"<p class='meta'>Se leyeron y se comprobaron solas (lectura del texto publicado, rango, duplicados), pero "
            f"ninguna instancia de una regla del catálogo las relaciona con otras cifras: {_no_rule(cov):,} porque "
            f"ninguna regla nombra su concepto, {len(cov.unchecked) - _no_rule(cov):,} porque las reglas que lo "
            f"nombran no formaron instancia en su periodo o documento.</p>{facts}"
            f"<h2 id='reglas'>Reglas sin instancia ({len(cov.no_instance):,})</h2>"
            f"<p class='meta'>Sus conceptos no aparecen juntos en ningún periodo de este conjunto: la regla no se "
            f"evaluó.</p>{rules}"
            f"<h2 id='indeterminadas'>Instancias indeterminadas ({len(cov.indeterminate):,})</h2>"
            f"<p class='meta'>La regla se intentó pero no pudo decidirse; nunca se da por buena.</p>{ind}")
    return page("Qué no se verificó — cuadra", body, depth=0, crumbs=[("Qué no se verificó", "")])
