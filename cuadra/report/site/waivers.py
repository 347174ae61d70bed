"""The waiver page: every entry of the register, signed and dated, with what it did in this run.

One job: show, per waiver, the rule and instance it accepts, the values it was accepted for and
the values now, the Spanish justification, who accepted it and when, when it expires, its history,
and the engine's own explanation of the finding (the truncation it found, for instance), which
stays visible when the finding is waived. A waiver that expired (by date or by changed values)
is shown as expired and its finding links back as an open finding. Then the corrected readings
documented in the data (column ``lectura``), the other way a finding is waived.
"""

from __future__ import annotations

from collections.abc import Sequence

from cuadra.findings import Finding
from cuadra.report.site.common import ATTENTION, e, finding_slug, num, page, plural, status_badge
from cuadra.report.site.context import SiteContext
from cuadra.report.site.finding import waiver_anchor
from cuadra.waivers import STATES_ES

__all__ = ["render_waivers", "waivers_summary"]


def waivers_summary(ctx: SiteContext, findings: Sequence[Finding]) -> str:
    states = [s.state for s in ctx.waivers]
    lecturas = sum(f.status == "waived" and not f.waiver for f in findings)
    expired = sum(s.startswith("vencida") for s in states)
    return (f"<p>{plural(len(states), 'dispensa', 'dispensas')} en el registro: {states.count('aplicada')} "
            f"{'aplicada' if states.count('aplicada') == 1 else 'aplicadas'}, "
            f"<span class='{'warn' if expired else ''}'>{expired} {'vencida' if expired == 1 else 'vencidas'}</span>, "
            f"{states.count('sin_uso')} sin uso; y {plural(lecturas, 'lectura corregida documentada', 'lecturas corregidas documentadas')} en los datos. "
            f"<a href='dispensas.html'>Ver las dispensas, firmadas y fechadas</a>.</p>")


def _values(vs: Sequence[float]) -> str:
    return ", ".join(num(v) for v in vs) if vs else "—"


def render_waivers(ctx: SiteContext, findings: Sequence[Finding]) -> str:
    by_key = {(f.rule, f.key): f for f in findings}
    blocks = []
    for s in ctx.waivers:
        w = s.waiver
        f = by_key.get((w.rule, w.key))
        link = (f"<a href='hallazgos/{e(finding_slug(f.rule, f.key))}'>{e(f.titulo)}</a> {status_badge(f.status)}"
                if f is not None and f.status in ATTENTION else e(f.titulo) if f is not None
                else "<span class='meta'>ninguna instancia con esta clave en este conjunto</span>")
        history = "".join(f"<li><b>{e(h.get('fecha', ''))}</b>: {e(h.get('nota', ''))}</li>" for h in w.historial)
        reason = (f"<tr><th>explicación del motor</th><td>{e(f.reason)}</td></tr>" if f is not None and f.reason
                  else "")
        cls = "warn" if s.state.startswith("vencida") else ""
        blocks.append(
            f"<div class='panel waiver' id='{e(waiver_anchor(w))}'><h3><span class='state {cls}'>"
            f"{e(STATES_ES[s.state])}</span> <code>{e(w.rule)}</code> · <code>{e(w.key)}</code></h3>"
            f"<table><tbody><tr><th>instancia</th><td>{link}</td></tr>"
            f"<tr><th>valores aceptados</th><td>{e(_values(w.values))}</td></tr>"
            f"<tr><th>valores en esta validación</th><td>{e(_values(s.values_now))}</td></tr>"
            f"<tr><th>aprobada por</th><td>{e(w.aprobado_por)}</td></tr>"
            f"<tr><th>fecha</th><td>{e(w.date)}</td></tr><tr><th>vence</th><td>{e(w.vence)}</td></tr>"
            f"<tr><th>justificación</th><td><blockquote>{e(w.justification)}</blockquote></td></tr>{reason}"
            f"<tr><th>registro</th><td><code>{e(w.origin)}</code></td></tr></tbody></table>"
            + (f"<details><summary>Historial</summary><ul>{history}</ul></details>" if history else "")
            + "</div>")
    lecturas = [f for f in findings if f.status == "waived" and not f.waiver]
    rows = "".join(
        f"<tr><td><a href='hallazgos/{e(finding_slug(f.rule, f.key))}'><code>{e(f.key)}</code></a></td>"
        f"<td>{e('; '.join(x.published for x in f.facts if x.published))}</td><td>{e(f.reason)}</td></tr>"
        for f in lecturas)
    body = (f"<h1>Dispensas</h1>{waivers_summary(ctx, findings)}"
            f"<p class='meta'>Una dispensa acepta un hallazgo conocido que no es un error de los informes: para la "
            f"regla, la instancia y los valores exactos que se aceptaron, y hasta su fecha de vencimiento. Si un "
            f"valor cambia o la fecha pasa, la dispensa vence y el hallazgo vuelve a contar como hallazgo. Las "
            f"dispensas nunca se borran.</p>"
            f"<h2>Registro de dispensas</h2>{''.join(blocks) or '<p>El registro está vacío.</p>'}"
            f"<h2>Lecturas corregidas documentadas en los datos ({len(lecturas)})</h2>"
            f"<p class='meta'>Cifras cuyo texto publicado no se lee como el valor registrado (OCR), con la "
            f"evidencia en la columna <code>lectura</code>.</p>"
            + (f"<table class='sortable'><thead><tr><th>hecho</th><th>texto publicado</th><th>lectura documentada</th>"
               f"</tr></thead><tbody>{rows}</tbody></table>" if lecturas else "<p>Ninguna.</p>"))
    return page("Dispensas — cuadra", body, depth=0, crumbs=[("Dispensas", "")])
