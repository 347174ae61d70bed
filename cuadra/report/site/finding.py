"""One page per finding (failed, indeterminate, waived, error): the evidence an auditor follows.

One job: render a single rule instance in Spanish: the rule in words and as a formula; each
operand with its published text, its interval and how the interval follows from the published
precision; both sides' intervals and the imbalance; the verbatim quote of each figure linked to its
line in the source text; the waiver and its justification where one applies.
"""

from __future__ import annotations

from cuadra.findings import FactRef, Finding
from cuadra.report.site.common import (
    SEVERITY_ES,
    doc_slug,
    e,
    interval,
    num,
    page,
    percent,
    status_badge,
)
from cuadra.report.site.context import SiteContext, documents_of, gx_anchor
from cuadra.report.site.words import (
    Operand,
    formula,
    formula_side,
    in_words,
    operands,
    parse_or_none,
    precision,
)
from cuadra.rules.catalogue import BuiltinRule, split_fuente
from cuadra.rules.syntax import Ref
from cuadra.waivers import Waiver

__all__ = ["render_finding", "SIDES", "waiver_anchor"]


def waiver_anchor(w: Waiver) -> str:
    """The waiver page's anchor for one register entry (its line in the register)."""
    return "d-" + w.origin.replace(":", "-").replace(".", "-")

#: What "left" and "right" mean for the built-in families (catalogue rules: the two sides of expr).
SIDES = {"duplicado": ("mayor límite inferior de las declaraciones", "menor límite superior"),
         "publicado": ("valor leído del texto publicado", "valor registrado"),
         "rango": ("intervalo de la cifra", "rango admitido por el concepto")}

_VERDICT = {
    "fail": "Los dos intervalos no se tocan: ningún conjunto de valores verdaderos compatible con el "
            "redondeo publicado satisface la regla.",
    "indeterminate": "La instancia no puede decidirse con las cifras disponibles (nunca se da por buena en silencio).",
    "waived": "La regla no se cumple, pero la discrepancia está aceptada; véase la dispensa.",
    "error": "La regla no pudo evaluarse; el error se informa como hallazgo para que la validación no pase en falso.",
    "pass": "Los intervalos se intersectan: la regla se cumple dentro del redondeo publicado.",
}


def _lines(locator: str) -> str:
    return f"la línea {locator}" if "-" not in locator else f"las líneas {locator}"


def _quote(x: FactRef, ctx: SiteContext, depth: int) -> str:
    href = ctx.sources.href(x.source, x.locator, depth=depth)
    where = f"{e(x.source)}, {e(ctx.cite(x.source, x.locator))}"
    link = f"<a href='{e(href)}'>{where}</a>" if href else f"{where} (texto fuente no disponible)"
    found = ctx.sources.quote_found(x.source, x.locator, x.quote)
    check = ("" if found is None else " <span class='ok'>✓ la cita está en esa línea</span>" if found
             else " <span class='warn'>✗ la cita no aparece en las líneas indicadas</span>")
    excerpt = ctx.sources.excerpt(x.source, x.locator)
    ctx_html = (f"<details><summary>Texto de {e(_lines(x.locator))}</summary><div class='excerpt'>"
                f"{e(excerpt)}</div></details>" if excerpt is not None else "")
    return f"<blockquote>{e(x.quote) or '—'}</blockquote><div class='meta'>{link}{check}</div>{ctx_html}"


def _fact_rows(letter: str, label: str, concept: str, period: str, facts: tuple[FactRef, ...],
               ctx: SiteContext, depth: int) -> str:
    if not facts:
        return (f"<tr><td><b>{e(letter)}</b></td><td>{e(label)}<br><code>{e(concept)}</code></td>"
                f"<td>{e(period)}</td><td colspan='3' class='warn'>sin cifra publicada para este periodo "
                f"(operando faltante)</td></tr>")
    rows = []
    for j, x in enumerate(facts):
        tag = letter if len(facts) == 1 else f"{letter}{j + 1}"
        unit = ctx.units.get(x.concept, "")
        published = x.published or (num(x.value) if x.value is not None else "—")
        rows.append(
            f"<tr><td><b>{e(tag)}</b></td><td>{e(label)}<br><code>{e(concept)}</code></td><td>{e(period)}</td>"
            f"<td><b>{e(published)}</b><div class='meta'>valor {e(num(x.value))}, escala 10<sup>{x.scale}</sup>"
            f"{', ' + e(unit) if unit else ''}; hecho <code>{e(x.fact_id)}</code></div></td>"
            f"<td class='n'>{e(interval(x.lo, x.hi))}<div class='meta'>{precision(x, unit)}</div></td>"
            f"<td>{_quote(x, ctx, depth)}</td></tr>")
    return "".join(rows)


def _operand_table(f: Finding, ops: list[Operand] | None, ctx: SiteContext, depth: int) -> str:
    head = ("<table><thead><tr><th></th><th>concepto</th><th>periodo</th><th>texto publicado</th>"
            "<th class='n'>intervalo (unidades)</th><th>cita verbatim</th></tr></thead><tbody>")
    if ops is not None:
        body = "".join(_fact_rows(o.letter, ctx.label(o.ref.concept), o.ref.concept, o.period, o.facts, ctx, depth)
                       for o in ops)
        matched = {x.fact_id for o in ops for x in o.facts}
        rest = [x for x in f.facts if x.fact_id not in matched]
    else:
        body, rest = "", list(f.facts)
    for i, x in enumerate(rest):
        body += _fact_rows(chr(ord("A") + i) if ops is None else f"+{i + 1}", ctx.label(x.concept), x.concept,
                           x.period, (x,), ctx, depth)
    if not f.facts and ops is None:
        return "<p class='meta'>Esta instancia no involucra cifras publicadas.</p>"
    return head + body + "</tbody></table>"


def _formulas(f: Finding, ops: list[Operand] | None, ctx: SiteContext) -> str:
    tree = parse_or_none(f.expr)
    if f.kind == "duplicado" and len(f.facts) > 1:
        letters = " ∩ ".join(f"<b>{chr(ord('A') + i)}</b>" for i in range(len(f.facts)))
        ivs = " ∩ ".join(f"<span class='iv'>{e(interval(x.lo, x.hi))}</span>" for x in f.facts)
        result = {"fail": " = ∅", "pass": " ≠ ∅"}.get(f.status, "")
        return (f"<div class='formula'>{letters} <span class='cmp'>≠</span> ∅</div>"
                f"<h3>Con sus intervalos (en unidades)</h3><div class='formula'>{ivs}{result}</div>")
    if tree is None or ops is None:
        return f"<div class='formula'>{e(f.expr)}</div>"
    by_ref = {o.ref: o for o in ops}

    def letter(r: Ref) -> str:
        return f"<b>{e(by_ref[r].letter)}</b>"

    def published(r: Ref) -> str:
        o = by_ref[r]
        return e(" | ".join(x.published or num(x.value) for x in o.facts)) if o.facts else "<span class='warn'>?</span>"

    def iv(r: Ref) -> str:
        o = by_ref[r]
        return (" ∩ ".join(f"<span class='iv'>{e(interval(x.lo, x.hi))}</span>" for x in o.facts)
                if o.facts else "<span class='warn'>?</span>")

    legend = "; ".join(f"<b>{e(o.letter)}</b> = {e(ctx.label(o.ref.concept))} ({e(o.period)})" for o in ops)
    return (f"<p>{in_words(tree, ctx.labels)}</p>"
            f"<div class='formula'>{formula(tree, letter)}</div><p class='meta'>{legend}</p>"
            f"<h3>Con las cifras publicadas</h3><div class='formula'>{formula(tree, published)}</div>"
            f"<h3>Con sus intervalos (en unidades)</h3><div class='formula'>{formula(tree, iv)}</div>"
            f"<p class='meta'>Fórmula en el lenguaje de reglas: <code>{e(f.expr)}</code></p>")


def _sides(f: Finding, ops: list[Operand] | None, ctx: SiteContext) -> str:
    left, right = (e(x) for x in SIDES.get(f.kind, ("lado izquierdo", "lado derecho")))
    tree = parse_or_none(f.expr)
    unit = ctx.unit_of(f, tree)
    in_unit = f" ({e(unit)})" if unit else ""
    if tree is not None and ops is not None:
        letters = {o.ref: f"<b>{e(o.letter)}</b>" for o in ops}
        left = f"lado izquierdo: {formula_side(tree.left, letters.__getitem__)}"
        right = f"lado derecho: {formula_side(tree.right, letters.__getitem__)}"
    gap = ("—" if f.imbalance is None else
           f"{num(f.imbalance, digits=6)} ({percent(f.imbalance_rel)} del mayor de los dos lados)"
           if f.imbalance_rel is not None else num(f.imbalance, digits=6))
    # A register waiver keeps the engine's explanation (the truncation it found); a documented
    # ``lectura`` is itself the reason and is shown as the waiver below.
    reason = f.reason and (f.status != "waived" or f.waiver)
    return (f"<table><tbody><tr><th>{left}</th><td class='n'>{e(interval(*f.lhs))}{in_unit}</td></tr>"
            f"<tr><th>{right}</th><td class='n'>{e(interval(*f.rhs))}{in_unit}</td></tr>"
            f"<tr><th>desbalance (distancia entre los intervalos)</th><td class='n'>{e(gap)}"
            f"{in_unit if f.imbalance is not None else ''}</td></tr>"
            f"</tbody></table><p>{e(_VERDICT.get(f.status, ''))}"
            f"{' Explicación del motor: ' + e(f.reason) + '.' if reason else ''}</p>")


def _waiver(f: Finding, ctx: SiteContext, up: str) -> str:
    state = next((s for s in ctx.waivers if (s.waiver.rule, s.waiver.key) == (f.rule, f.key)), None)
    if state is not None and state.state.startswith("vencida"):
        w = state.waiver
        why = (f"venció el {w.vence}" if state.state == "vencida_fecha"
               else f"fue aceptada para los valores {list(w.values)} y ahora son {list(state.values_now)}")
        return (f"<h2>Dispensa vencida</h2><div class='panel warn'><p>Esta instancia tenía una dispensa en el "
                f"registro (<code>{e(w.origin)}</code>, aprobada por {e(w.aprobado_por)} el {e(w.date)}), pero "
                f"{e(why)}: el hallazgo vuelve a estar abierto. <a href='{up}dispensas.html#{e(waiver_anchor(w))}'>"
                f"Ver la dispensa</a>.</p><blockquote>{e(w.justification)}</blockquote></div>")
    if f.waiver:
        link = (f" <a href='{up}dispensas.html#{e(waiver_anchor(state.waiver))}'>Ver en el registro de dispensas</a>."
                if state is not None else "")
        return (f"<h2>Dispensa</h2><div class='panel'><p>Aceptada en el registro de dispensas "
                f"(regla, instancia y valores exactos; caduca si cambian o al vencer):{link}</p>"
                f"<blockquote>{e(f.waiver)}</blockquote></div>")
    if f.status == "waived" and f.reason:
        return (f"<h2>Dispensa</h2><div class='panel'><p>Lectura corregida documentada en el conjunto de datos "
                f"(columna <code>lectura</code>):</p><blockquote>{e(f.reason)}</blockquote></div>")
    return ""


def render_finding(f: Finding, ctx: SiteContext, depth: int = 1) -> str:
    rule = ctx.rules.get(f.rule)
    tree = parse_or_none(f.expr)
    ops = operands(tree, f.period, f.facts) if tree is not None and f.period else None
    up = "../" * depth
    docs = documents_of(f)
    doc_links = ", ".join(f"<a href='{up}documentos/{e(doc_slug(d))}'>{e(d)}</a>" for d in docs)
    desc = f"<p>{e(rule.descripcion)}</p>" if rule is not None and rule.descripcion else ""
    origin = ("" if rule is None else " · regla integrada de cuadra (no está en el catálogo)"
              if isinstance(rule, BuiltinRule) else f" · definida en <code>{e(rule.origin)}</code>")
    fuentes = ""
    if f.fuentes:
        items = []
        for fu in f.fuentes:
            doc, loc = split_fuente(fu)
            href = ctx.sources.href(doc, loc, depth=depth)
            where = f"{doc}, {ctx.cite(doc, loc)}" if loc else doc
            items.append(f"<a href='{e(href)}'>{e(where)}</a>" if href else e(where))
        fuentes = f"<p class='meta'>La regla se apoya en: {', '.join(items)}</p>"
    template = ""
    if f.template:  # issue 13: an instance expanded from a template names it and its bindings
        binds = "".join(f"<li><code>{{{e(k)}}}</code> = <code>{e(v)}</code></li>" for k, v in f.bindings)
        template = (f"<p class='meta'>Instancia de la plantilla <code>{e(f.template)}</code>, con los vínculos:</p>"
                    f"<ul class='meta'>{binds}</ul>")
    gx = (f"<p class='meta'>La misma regla en los <a href='{up}{e(ctx.gx_validation or ctx.gx_index)}"
          f"#{e(gx_anchor(f.rule))}'>Data Docs de Great Expectations</a> (expectativa <code>{e(f.rule)}</code>).</p>"
          if ctx.gx_validation or ctx.gx_index else "")
    body = (f"<h1>{e(f.titulo)}</h1>"
            f"<p>{status_badge(f.status)} <span class='sev-{e(f.severity)}'>severidad "
            f"{e(SEVERITY_ES.get(f.severity, f.severity))}</span> · tipo <b>{e(f.kind)}</b> · regla "
            f"<code>{e(f.rule)}</code>{origin}</p>"
            f"<p class='meta'>Instancia <code>{e(f.key)}</code> · periodo {e(f.period or '—')} · "
            f"{'documento' if len(docs) == 1 else 'documentos'}: {doc_links}</p>"
            f"<h2>La regla</h2><div class='panel'>{desc}{template}{_formulas(f, ops, ctx)}{fuentes}</div>"
            f"<h2>Las cifras</h2>{_operand_table(f, ops, ctx, depth)}"
            f"<h2>Los dos lados</h2>{_sides(f, ops, ctx)}{_waiver(f, ctx, up)}{gx}")
    return page(f"{f.rule} {f.key} — cuadra", body, depth=depth, crumbs=[(f"{f.rule} · {f.key}", "")])
