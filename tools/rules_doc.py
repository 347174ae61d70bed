"""Generate docs/rules.md: the catalogue by document and kind, with each rule's status on the bundle.

Run by `nox -s docs` (or `python tools/rules_doc.py`). The page is generated: edit rules/*.yaml,
never the page.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.engine import validate  # noqa: E402


def _doc_of(fuentes: tuple[str, ...]) -> str:
    docs = sorted({f.split(":", 1)[0] for f in fuentes})
    return docs[0] if len(docs) == 1 else "varios documentos" if docs else "integradas"


def main() -> None:
    run, _facts, rules, _ = validate(ROOT / "fixtures" / "reports", backend="pandera")
    status: dict[str, Counter[str]] = defaultdict(Counter)
    for f in run.findings:
        status[f.rule][f.status] += 1
    s = run.summary()
    lines = [
        "# Catálogo de reglas", "",
        "Generado por `tools/rules_doc.py` (`nox -s docs`) a partir de `rules/*.yaml` y de la validación del "
        "conjunto incluido (`fixtures/reports/`). No editar a mano.", "",
        f"**{len(rules)} reglas del catálogo + 3 familias integradas; {s['instances']} instancias: "
        f"{s['pass']} pass, {s['fail']} fail, {s['indeterminate']} indeterminate, {s['waived']} waived, "
        f"{s['error']} error.**", "",
    ]
    by_doc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in rules:
        by_doc[_doc_of(r.fuentes)][r.kind].append(r)
    for doc in sorted(by_doc):
        lines += [f"## {doc}", ""]
        for kind in sorted(by_doc[doc]):
            lines += [f"### {kind}", "", "| regla | título | fórmula | fuentes | estado en el conjunto |",
                      "|---|---|---|---|---|"]
            for r in by_doc[doc][kind]:
                c = status[r.id]
                st = ", ".join(f"{k} {c[k]}" for k in ("pass", "fail", "indeterminate", "waived", "error") if c[k])
                expr = f"`{r.meta.get('expr_escrita', r.expr)}`"
                defs = r.meta.get("definiciones") or {}
                expr += "".join(f"<br>donde `{n}` = `{t}`" for n, t in defs.items())  # type: ignore[union-attr]
                expr = expr.replace("|", "\\|")
                lines.append(f"| `{r.id}` | {r.titulo} | {expr} | {', '.join(r.fuentes)} | {st or '—'} |")
            lines.append("")
    lines += ["## Familias integradas", "", "| familia | estado en el conjunto |", "|---|---|"]
    for b in ("duplicado", "publicado", "rango"):
        c = status[b]
        lines.append(f"| `{b}` | " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + " |")
    out = ROOT / "docs" / "rules.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(rules)} rules)")


if __name__ == "__main__":
    main()
