"""Write fixtures/notes/sin_regla.csv: every bundled fact that takes part in no rule, with the reason.

Run `python tools/sin_regla.py` (it validates the bundle with the numpy backend) or
`python tools/sin_regla.py findings.json` (the JSON of `cuadra validate --json`). A fact takes part
in a rule when it stands among the facts of a finding of a written or template rule (the built-in
families `publicado`, `rango` and `duplicado` do not relate it to another figure; the same list, with
coarser reasons, is in docs/rules.md). The reason is given by group, from what the fact is (its
concept id and unit), not written fact by fact: the first group that matches names why nothing in
the five reports relates the figure to another.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "fixtures" / "notes" / "sin_regla.csv"
BUILTINS = ("publicado", "rango", "duplicado")

#: (test on concept id and unit, reason); the first that matches gives the reason.
GROUPS: tuple[tuple[str, str | None, str], ...] = (
    (r"\.meta($|\.)", None,
     "meta sin resultado del mismo indicador en el paquete con que compararla"),
    (r"(crecimiento|decremento|disminucion|variacion|incremento|aumento|reduccion)[a-z_]*$", None,
     "variación sin los niveles que compara: el informe no publica la cifra del periodo de referencia"),
    (r"(edad|umbral|duracion|antiguedad|plazo|horizonte|dias_|anios|gavetas|maximo)", None,
     "parámetro descriptivo (edad, umbral, plazo, capacidad): ninguna otra cifra se relaciona con él"),
    (r".", "anios|minutos|horas|dias",
     "duración o tiempo aislado: el informe no da los tiempos parciales ni el total que lo contrasten"),
    (r".", "porcentaje",
     "porcentaje sin numerador ni denominador publicados: nada contra qué recalcularlo (el rango 0-100 "
     "lo comprueba la familia integrada)"),
    (r"promedio", None,
     "promedio sin el total ni el número de casos o días con que recalcularlo"),
    (r".", "MXN",
     "importe aislado: el informe no da total, desglose ni precio unitario que lo contraste"),
    (r".", "razon|tasa_por_.*",
     "razón o tasa sin numerador ni denominador publicados"),
    (r".", None,
     "cifra aislada: no hay total, componentes ni cifra afín que la contrasten"),
)


def reason(concept: str, unit: str, in_rules: set[str], twice: bool = False) -> str:
    if concept in in_rules:
        return "el concepto entra en reglas, pero ninguna instancia cubre este periodo"
    if twice:
        return "ninguna relación con otra cifra; sólo se contrasta con la misma cifra dicha en otro lugar (duplicado)"
    for pattern, units, why in GROUPS:
        if re.search(pattern, concept.rpartition(".")[2] if pattern != "." else concept) and (
                units is None or re.fullmatch(units, unit)):
            return why
    raise AssertionError("the last group matches every fact")


def _facts_of(findings: list[dict[str, object]], rules: tuple[str, ...], inside: bool) -> set[str]:
    out: set[str] = set()
    for f in findings:
        if (f["rule"] in rules) == inside:
            out.update(str(x["fact_id"]) for x in f["facts"])  # type: ignore[index, union-attr]
    return out


def main(argv: list[str]) -> None:
    from cuadra.contract.registry import default_registry_paths, load_registry
    from cuadra.engine import project_paths
    from cuadra.rules.catalogue import load_catalogue

    if argv:
        findings = json.loads(Path(argv[0]).read_text(encoding="utf-8"))["findings"]
    else:
        from cuadra.engine import validate

        run, *_ = validate(ROOT / "fixtures" / "reports", backend="pandera")
        findings = [{"rule": f.rule, "facts": [{"fact_id": x.fact_id} for x in f.facts]} for f in run.findings]
    taking_part = _facts_of(findings, BUILTINS, inside=False)
    twice = _facts_of(findings, ("duplicado",), inside=True)
    registry = load_registry(default_registry_paths(ROOT / "fixtures"))
    in_rules = {c for r in load_catalogue(project_paths(ROOT).rules, registry.concepts) for c in r.concepts}
    rows = []
    for path in sorted((ROOT / "fixtures" / "reports").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for line, fact in enumerate(csv.DictReader(fh), start=2):
                fact_id = f"{path.name}:{line}"
                if fact_id not in taking_part:
                    rows.append([fact_id, fact["concept"], fact["period"], fact["source"], fact["locator"],
                                 reason(fact["concept"], fact["unit"], in_rules, fact_id in twice)])
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["fact_id", "concept", "period", "source", "locator", "razon"])
        w.writerows(rows)
    print(f"{len(rows)} hechos sin regla → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
