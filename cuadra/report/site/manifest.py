"""The manifest page: every input file with its full SHA-256, the version and the command line.

One job: render :class:`cuadra.report.manifest.Manifest` for an auditor who wants to re-run the
validation and compare (the same content is written beside the site as ``manifest.json``).
"""

from __future__ import annotations

import shlex

from cuadra.report.manifest import ROLES_ES, Manifest
from cuadra.report.site.common import e, page

__all__ = ["render_manifest", "manifest_summary"]


def manifest_summary(m: Manifest | None) -> str:
    if m is None:
        return ""
    opts = " ".join(f"{k}={v}" for k, v in m.options.items())
    return (f"<p class='meta'>Reproducible: {len(m.inputs)} archivos de entrada con su SHA-256 completo, la versión "
            f"y la línea de comandos en el <a href='manifiesto.html'>manifiesto</a> (también "
            f"<a href='manifest.json'>manifest.json</a>). Opciones: <code>{e(opts)}</code>.</p>")


def render_manifest(m: Manifest | None) -> str:
    if m is None:
        body = "<h1>Manifiesto</h1><p>Este informe se escribió sin manifiesto.</p>"
        return page("Manifiesto — cuadra", body, depth=0, crumbs=[("Manifiesto", "")])
    rows = "".join(f"<tr><td>{e(ROLES_ES.get(i.role, i.role))}</td><td><code>{e(i.path)}</code></td>"
                   f"<td class='n' data-sort='{i.bytes}'>{i.bytes:,} bytes</td><td><code class='hash'>{e(i.sha256)}"
                   f"</code></td></tr>" for i in m.inputs)
    opts = "".join(f"<tr><th>{e(k)}</th><td><code>{e(v)}</code></td></tr>" for k, v in m.options.items())
    cmd = shlex.join(m.command) if m.command else "(no se registró: el informe no vino de la línea de comandos)"
    body = (f"<h1>Manifiesto de la validación</h1>"
            f"<p>Para repetir esta validación y comparar: los mismos archivos (compruebe cada SHA-256), la misma "
            f"versión y las mismas opciones. El mismo contenido está en <a href='manifest.json'>manifest.json</a>, "
            f"junto a este sitio.</p>"
            f"<table><tbody><tr><th>herramienta</th><td>cuadra {e(m.version)}</td></tr>"
            f"<tr><th>inicio (UTC)</th><td>{e(m.started)}</td></tr>"
            f"<tr><th>conjunto validado</th><td><code>{e(m.dataset)}</code></td></tr>"
            f"<tr><th>línea de comandos</th><td><code>{e(cmd)}</code></td></tr>{opts}</tbody></table>"
            f"<h2>Archivos de entrada ({len(m.inputs)}), SHA-256</h2>"
            f"<table class='sortable'><thead><tr><th>papel</th><th>archivo</th><th class='n'>tamaño</th>"
            f"<th>SHA-256</th></tr></thead><tbody>{rows}</tbody></table>")
    return page("Manifiesto — cuadra", body, depth=0, crumbs=[("Manifiesto", "")])
