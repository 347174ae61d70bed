"""Generate docs/rules.md: coverage by family, the vocabulary and its templates, the catalogue by document and
kind with each rule's status on the bundle, and the facts that take part in no rule, each with a reason.

Run by `nox -s docs` (or `python tools/rules_doc.py`). The page is generated: edit rules/*.yaml,
never the page.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.registry import load_registry  # noqa: E402
from cuadra.engine import project_paths, validate  # noqa: E402
from cuadra.findings import Finding  # noqa: E402
from cuadra.rules.catalogue import Rule  # noqa: E402
from cuadra.rules.templates import expand_templates, load_templates  # noqa: E402
from cuadra.vocabulary import build_vocabulary  # noqa: E402

#: Families of DESIGN.md ("Wave 2"): each rule kind belongs to one.
FAMILIES = {"suma": "sumas", "razon": "razones", "formula": "razones", "crecimiento": "crecimientos",
            "diferencia": "crecimientos", "real_nominal": "crecimientos", "cota": "cotas e indicadores",
            "conteo": "conteos", "cruce": "cruces", "unidad": "unidades"}
STATUSES = ("pass", "fail", "indeterminate", "waived", "error")


def _pinned(r: Rule) -> bool:
    return r.periodos is not None or any(x.fixed is not None for x in r.refs)


def _coverage(rules: list[Rule], findings: list[Finding]) -> list[str]:
    """One row per family: rules written and expanded, how many still pin a period, and the verdicts."""
    family = {r.id: FAMILIES.get(r.kind, r.kind) for r in rules}
    count: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rules:
        c = count[family[r.id]]
        c["plantilla" if "plantilla" in r.meta else "reglas"] += 1
        c["fijas"] += _pinned(r)
    for f in findings:
        if f.rule in family:
            count[family[f.rule]][f.status] += 1
            count[family[f.rule]]["instancias"] += 1
    lines = ["## Cobertura por familia", "",
             "Reglas escritas en `rules/*.yaml` y reglas expandidas de plantillas (`rules/plantillas/`) sobre el "
             "conjunto incluido; *fijas* son las que conservan un periodo fijo porque la relación es sobre esa "
             "fecha (`tools/relativise.py` convirtió las demás en relativas).", "",
             "| familia | reglas | de plantilla | fijas | instancias | pass | fail | indeterminate | waived | error |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for fam in sorted(count):
        c = count[fam]
        lines.append(f"| {fam} | {c['reglas']} | {c['plantilla']} | {c['fijas']} | {c['instancias']} | "
                     + " | ".join(str(c[k]) for k in STATUSES) + " |")
    return [*lines, ""]


def _vocabulary(facts: object) -> list[str]:
    """The relations the vocabulary declares or derives, and what the templates did with them."""
    p = project_paths()
    reg = load_registry(p.registry)
    vocab = build_vocabulary(reg)
    templates = load_templates(p.templates)
    present = facts[["concept", "period", "source", "locator"]].astype(str)  # type: ignore[index]
    exp = expand_templates(templates, vocab, present.itertuples(index=False, name=None),
                           [r for r in _catalogue(p, reg)])
    lines = ["## Vocabulario y plantillas", "",
             "Las relaciones se declaran una vez, en los conceptos (`fixtures/concepts.yaml`, "
             "`fixtures/concepts/*.yaml`: `components`, `numerator`/`denominator`/`factor`, `of`/`lag`/`step`/"
             "`form`, `direction`) o se derivan de los identificadores (`cuadra/vocabulary/derive.py`). Las "
             "plantillas las expanden en reglas sobre los hechos presentes.", "",
             "| relaciones | declaradas | derivadas |", "|---|---|---|"]
    for name, items in (("jerarquías", vocab.hierarchies), ("razones y participaciones", vocab.ratios),
                        ("cambios", vocab.changes), ("indicadores", vocab.indicators)):
        derived = sum(1 for x in items if x.origin.startswith("derivado"))
        lines.append(f"| {name} | {len(items) - derived} | {derived} |")
    lines += ["", "| plantilla | sobre | instancias en el conjunto | fórmula |", "|---|---|---|---|"]
    made = Counter(str(r.meta["plantilla"]) for r in exp.rules)
    for t in templates:
        lines.append(f"| `{t.id}` | {t.sobre} | {made[t.id]} | `{t.expr}` |")
    if exp.skipped:
        lines += ["", "Vínculos no expandidos en el conjunto (la relación ya la comprueba una regla escrita, o "
                  "ningún periodo tiene todos sus operandos):", "", "| plantilla | vínculo | motivo |",
                  "|---|---|---|"]
        lines += [f"| `{t}` | `{k}` | {why} |" for t, k, why in exp.skipped]
    return [*lines, ""]


def _catalogue(p: object, reg: object) -> list[Rule]:
    from cuadra.rules.catalogue import load_catalogue

    return load_catalogue(p.rules, reg.concepts)  # type: ignore[attr-defined]


def _unused(facts: object, rules: list[Rule], findings: list[Finding]) -> list[str]:
    """Every fact no rule instance reads, with why: no rule names its concept, or none at its period."""
    used = {x.fact_id for f in findings if f.rule not in ("duplicado", "publicado", "rango") for x in f.facts}
    named = {c for r in rules for c in r.concepts}
    twice = {x.fact_id for f in findings if f.rule == "duplicado" for x in f.facts}
    read = {(x.concept, x.period) for f in findings if f.rule not in ("duplicado", "publicado", "rango")
            for x in f.facts}
    rows = []
    for r in facts.itertuples(index=False):  # type: ignore[attr-defined]
        if r.fact_id in used:
            continue
        if (r.concept, r.period) in read:
            why = ("sus reglas se deciden con la cifra de otro documento (cada informe se juzga con sus propias "
                   "cifras); ésta se contrasta con aquélla como duplicado")
        elif r.concept in named:
            why = "las reglas que nombran el concepto lo leen en otro periodo"
        elif r.fact_id in twice:
            why = "ninguna regla lo relaciona; sólo se contrasta con la misma cifra en otro lugar (duplicado)"
        else:
            why = "ninguna regla ni relación del vocabulario nombra el concepto: cifra aislada en el informe"
        rows.append((str(r.source), str(r.concept), str(r.period), str(r.locator), why))
    reasons = Counter(w for *_, w in rows)
    lines = ["## Hechos que no participan en ninguna regla", "",
             f"{len(rows)} de {len(facts)} hechos (`fixtures/reports/` y tablas de referencia) no entran en ninguna "  # type: ignore[arg-type]
             "instancia de una regla escrita o de plantilla (las familias integradas los revisan igual).", "",
             "| motivo | hechos |", "|---|---|", *(f"| {w} | {n} |" for w, n in reasons.most_common()), "",
             "| documento | concepto | periodo | línea | motivo |", "|---|---|---|---|---|"]
    lines += [f"| {s} | `{c}` | {p} | {loc} | {w} |" for s, c, p, loc, w in sorted(rows)]
    return [*lines, ""]


def _doc_of(fuentes: tuple[str, ...]) -> str:
    docs = sorted({f.split(":", 1)[0] for f in fuentes})
    return docs[0] if len(docs) == 1 else "varios documentos" if docs else "integradas"


def main() -> None:
    run, facts, rules, _ = validate(ROOT / "fixtures" / "reports", backend="pandera")
    status: dict[str, Counter[str]] = defaultdict(Counter)
    for f in run.findings:
        status[f.rule][f.status] += 1
    s = run.summary()
    lines = [
        "# Catálogo de reglas", "",
        "Generado por `tools/rules_doc.py` (`nox -s docs`) a partir de `rules/*.yaml` y de la validación del "
        "conjunto incluido (`fixtures/reports/`). No editar a mano.", "",
        f"**{len(rules)} reglas (catálogo y plantillas) + 3 familias integradas; {s['instances']} instancias: "
        f"{s['pass']} pass, {s['fail']} fail, {s['indeterminate']} indeterminate, {s['waived']} waived, "
        f"{s['error']} error.**", "",
    ]
    lines += _coverage(rules, run.findings)
    lines += _vocabulary(facts)
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
    lines += ["", *_unused(facts, rules, run.findings)]
    out = ROOT / "docs" / "rules.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(rules)} rules)")


if __name__ == "__main__":
    main()
