"""The row contract of IMSS's open-data asegurados files, declared once.

One job: read the data dictionary (fixtures/microdata/diccionario_asegurados.yaml) and the daily
reference salaries, and declare every row rule as an expression tree (cuadra.microdata.expr). The
engines (DuckDB, Spark, pandas/Pandera) and the GX suite are lowerings of these declarations; none of
them states a rule of its own. Imports no engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from cuadra.microdata.expr import Expr, col, columns_of

__all__ = ["Layout", "RowRule", "load_layout", "row_rules", "file_date", "RAW", "COUNTS", "MASSES",
           "MEASURES", "GROUPS", "DICTIONARY", "REFERENCE"]

ROOT = Path(__file__).resolve().parents[2]
DICTIONARY = ROOT / "fixtures" / "microdata" / "diccionario_asegurados.yaml"
REFERENCE = ROOT / "fixtures" / "microdata" / "referencia_salarios.yaml"
RAW = "__crudo"  # suffix of the raw text column beside each typed column (type rule)
GROUPS = ("ta", "teu", "tec", "tpu", "tpc")
COUNTS = ("asegurados", "no_trabajadores", *GROUPS, *(f"{g}_sal" for g in GROUPS))
MASSES = tuple(f"masa_sal_{g}" for g in GROUPS)
MEASURES = (*COUNTS, *MASSES)
FUENTE = "fixtures/microdata/diccionario_asegurados.yaml"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str          # BIGINT | DOUBLE | VARCHAR: the portable type every engine casts to
    nullable: bool
    codes: tuple[object, ...] | None = None
    code_list: str | None = None


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    lists: dict[str, dict[object, object]] = field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class RowRule:
    """One row rule: ``violation`` is true on an offending row (never on a row it cannot judge)."""

    id: str
    titulo: str
    severity: str
    kind: str
    violation: Expr
    fuentes: tuple[str, ...] = (FUENTE,)
    #: columns an example shows; default: those the violation reads
    show: tuple[str, ...] = ()
    #: why the rule cannot be judged for this file (a reference value missing): indeterminate
    indeterminate: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.show or tuple(c for c in columns_of(self.violation) if not c.endswith(RAW))


_TYPES = {"entero": "BIGINT", "texto": "VARCHAR"}


@lru_cache(maxsize=4)
def load_layout(path: Path = DICTIONARY) -> Layout:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    lists = {name: dict(spec["codigos"]) if isinstance(spec["codigos"], dict)
             else {c: None for c in spec["codigos"]} for name, spec in raw["listas"].items()}
    cols = []
    for name, spec in raw["dimensiones"].items():
        lst = spec.get("lista")
        cols.append(Column(name=name, sql_type=_TYPES[spec["tipo"]], nullable=bool(spec.get("nulo", False)),
                           codes=tuple(lists[lst]) if lst else None, code_list=lst))
    for name in raw["medidas"]:
        cols.append(Column(name=name, sql_type="DOUBLE" if name in MASSES else "BIGINT", nullable=False))
    if tuple(raw["medidas"]) != MEASURES:
        raise ValueError(f"{path}: medidas must be {MEASURES}, got {tuple(raw['medidas'])}")
    return Layout(columns=tuple(cols), lists=lists)


@lru_cache(maxsize=4)
def _reference(path: Path = REFERENCE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def file_date(path: Path | str) -> date | None:
    """The cut-off date in an asegurados file name (``asg-2020-12-31.csv``), or None."""
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", Path(path).name)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _band_rule(column: str, bands: dict[object, object], low: float, high: float) -> Expr:
    """Violation: the row's mean daily salary (masa_sal_ta / ta_sal) lies outside the range its code
    names, ``[(k-1)·low, k·high]`` for code ``Wk`` (the last code has no ceiling). Written without a
    division (``masa < lo·ta_sal``) so that no engine divides by zero: a row with ``ta_sal = 0`` has no
    mean and is not judged; a code outside the list is the list rule's finding, not this one's."""
    masa, n, k = col("masa_sal_ta"), col("ta_sal"), col(column).code_number()
    last = len(bands)
    if [str(c) for c in bands] != [f"W{i}" for i in range(1, last + 1)] or list(bands.values())[-1] is not None:
        raise ValueError(f"{column}: expected codes W1..W{last}, the last without ceiling")
    below = masa.lt(n * ((k - 1) * low))
    above = k.lt(last) & masa.gt(n * (k * high))
    return n.gt(0) & k.ge(1) & k.le(last) & (below | above)


def row_rules(fecha: date | None, layout: Layout | None = None) -> tuple[RowRule, ...]:
    """Every row rule for a file with cut-off ``fecha`` (None: salary-band rules indeterminate)."""
    lay = layout or load_layout()
    rules: list[RowRule] = []
    for c in lay.columns:
        unreadable = col(c.name + RAW).notnull() & col(c.name).isnull()
        if c.sql_type == "BIGINT":  # read as a number; an integer column takes only whole numbers
            unreadable = col(c.name + RAW).notnull() & (col(c.name).isnull() | col(c.name).ne(col(c.name).rounded()))
        rules.append(RowRule(f"microdatos.tipo.{c.name}", f"{c.name} es {c.sql_type.lower()} o vacío",
                             "error", "tipo", unreadable, show=(c.name,)))
        if not c.nullable:
            rules.append(RowRule(f"microdatos.requerido.{c.name}", f"{c.name} no puede venir vacío", "error",
                                 "requerido", col(c.name + RAW).isnull(), show=(c.name,)))
    for m in MEASURES:
        rules.append(RowRule(f"microdatos.no_negativo.{m}", f"{m} no es negativo", "error", "cota",
                             col(m).lt(0)))
    g = {x: col(x) for x in (*MEASURES,)}
    rules += [
        RowRule("microdatos.suma.ta", "ta = teu + tec + tpu + tpc", "error", "suma",
                g["ta"].ne(g["teu"] + g["tec"] + g["tpu"] + g["tpc"])),
        RowRule("microdatos.suma.ta_sal", "ta_sal = teu_sal + tec_sal + tpu_sal + tpc_sal", "error", "suma",
                g["ta_sal"].ne(g["teu_sal"] + g["tec_sal"] + g["tpu_sal"] + g["tpc_sal"])),
        RowRule("microdatos.suma.masa_sal_ta",
                "masa_sal_ta = masa_sal_teu + masa_sal_tec + masa_sal_tpu + masa_sal_tpc (al centavo)", "error", "suma",
                g["masa_sal_ta"].cents().ne(g["masa_sal_teu"].cents() + g["masa_sal_tec"].cents()
                                            + g["masa_sal_tpu"].cents() + g["masa_sal_tpc"].cents())),
        RowRule("microdatos.suma.asegurados", "asegurados = ta + no_trabajadores", "error", "suma",
                g["asegurados"].ne(g["ta"] + g["no_trabajadores"])),
    ]
    for x in GROUPS:
        rules.append(RowRule(f"microdatos.cota.{x}_sal", f"{x}_sal ≤ {x}", "error", "cota",
                             g[f"{x}_sal"].gt(g[x])))
        rules.append(RowRule(f"microdatos.cero.masa_sal_{x}", f"masa_sal_{x} = 0 cuando {x}_sal = 0", "error", "cota",
                             g[f"{x}_sal"].eq(0) & g[f"masa_sal_{x}"].cents().ne(0)))
    for name, severity in (("cve_entidad", "error"), ("sexo", "error"), ("tamaño_patron", "warning"),
                           ("rango_edad", "warning"), ("rango_salarial", "warning"), ("rango_uma", "warning"),
                           ("sector_economico_1", "warning")):
        c = lay.column(name)
        assert c.codes is not None
        rules.append(RowRule(f"microdatos.lista.{name}", f"{name} está en la lista del diccionario ({c.code_list})",
                             severity, "lista", col(name).notin(c.codes)))
    s1, s2, s4 = col("sector_economico_1"), col("sector_economico_2"), col("sector_economico_4")
    rules += [
        RowRule("microdatos.jerarquia.sector_economico_2", "el grupo (sector_economico_2) empieza por su división",
                "warning", "lista", s2.lt(s1 * 10) | s2.gt(s1 * 10 + 9)),
        RowRule("microdatos.jerarquia.sector_economico_4", "la fracción (sector_economico_4) empieza por su grupo",
                "warning", "lista", s4.lt(s2 * 100) | s4.gt(s2 * 100 + 99)),
    ]
    rules += _salary_rules(fecha, lay)
    return tuple(rules)


def _salary_rules(fecha: date | None, lay: Layout) -> list[RowRule]:
    ref = _reference()
    sm = ref["salario_minimo"].get(fecha.year) if fecha else None
    uma_year = (fecha.year if fecha.month >= 2 else fecha.year - 1) if fecha else None
    uma = ref["uma"].get(uma_year) if uma_year else None
    fuente = "fixtures/microdata/referencia_salarios.yaml"
    why = "sin fecha de corte en el nombre del archivo" if fecha is None else ""
    out = []
    for column, bounds, missing in (
            ("rango_salarial", (sm["general"], sm["zlfn"]) if sm else None,
             f"sin salario mínimo de {fecha and fecha.year}"),
            ("rango_uma", (uma["diario"], uma["diario"]) if uma else None, f"sin UMA vigente en {fecha}")):
        titulo = f"el salario medio de la fila (masa_sal_ta / ta_sal) cae en su {column}"
        if bounds:
            violation, reason = _band_rule(column, lay.lists[column], *bounds), ""
        else:  # never evaluated: the finding is indeterminate with the reason
            violation, reason = col("ta_sal").lt(0), why or missing
        out.append(RowRule(f"microdatos.{column}", titulo, "warning", "rango_salarial", violation,
                           fuentes=(FUENTE, fuente), show=(column, "ta_sal", "masa_sal_ta"), indeterminate=reason))
    return out
