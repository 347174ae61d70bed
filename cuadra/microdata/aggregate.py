"""``cuadra microdatos agregar``: a file's aggregates as facts in the cuadra contract.

One job: turn the sums of an asegurados file into facts (counts exact, scale 0), national and by
entidad, each with its provenance: the file name (source), the lines summed (locator) and its SHA-256 with the SQL that
computed the figure (quote). The facts enter ``cuadra validate`` like any dataset, where the
duplicate family compares them with the reports' own figures within rounding (docs/microdatos.md).
Concept ids: the reports' where they exist (afiliacion.puestos_trabajo, salario_base_cotizacion.diario),
fixtures/concepts/microdatos.yaml for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd

from cuadra.digest import file_sha256
from cuadra.errors import InputError, InputErrors
from cuadra.microdata.engines.duckdb import connect, source_sql
from cuadra.microdata.layout import file_date, load_layout
from cuadra.microdata.scan import check_header, is_parquet
from cuadra.microdata.sql import typed_select

__all__ = ["aggregate_facts", "MEASURE_CONCEPTS", "ENTITY_CONCEPTS", "entity_concept"]

Q = '"'
# concept -> (SQL of the figure over the typed rows, unit)
MEASURE_CONCEPTS: dict[str, tuple[str, str]] = {
    "afiliacion.puestos_trabajo": ('SUM("ta")', "personas"),
    "afiliacion.puestos_trabajo.permanentes": ('SUM("tpu" + "tpc")', "personas"),
    "afiliacion.puestos_trabajo.eventuales": ('SUM("teu" + "tec")', "personas"),
    "afiliacion.asegurados": ('SUM("asegurados")', "personas"),
}
SALARY = "salario_base_cotizacion.diario"
SALARY_SQL = ('SUM(CAST(ROUND("masa_sal_ta" * 100) AS BIGINT))', 'SUM("ta_sal")')
ENTITY_CONCEPTS = (*MEASURE_CONCEPTS, SALARY)


def entity_concept(concept: str, entidad: int) -> str:
    return f"{concept}.entidad_{entidad:02d}"


@dataclass(frozen=True)
class _Figure:
    concept: str
    value: Decimal
    unit: str
    decimals: int
    rounding: str
    query: str


def _figures(con: object, where: str, suffix: str, group: str | None) -> list[tuple[int | None, _Figure]]:
    sel = [f"{sql} AS \"{c}\"" for c, (sql, _) in MEASURE_CONCEPTS.items()]
    sel += [f"{SALARY_SQL[0]} AS masa_centavos", f"{SALARY_SQL[1]} AS ta_sal"]
    by = f'"{group}" AS g, ' if group else "NULL AS g, "
    tail = f' WHERE "{group}" IS NOT NULL GROUP BY g ORDER BY g' if group else ""
    query = f"SELECT {by}{', '.join(sel)} FROM filas{tail}"
    rows = con.sql(query).fetchall()  # type: ignore[attr-defined]
    out = []
    for r in rows:
        g = None if r[0] is None else int(r[0])
        for (c, (sql, unit)), v in zip(MEASURE_CONCEPTS.items(), r[1:], strict=False):
            cid = entity_concept(c, g) if g is not None else c
            q = f"SELECT {sql} FROM {where}" + (f' WHERE "{group}" = {g}' if g is not None else "")
            out.append((g, _Figure(cid, Decimal(int(v or 0)), unit, 0, "exact", q)))
        masa, n = r[-2], r[-1]
        if n:
            mean = (Decimal(int(masa)) / Decimal(int(n)) / 100).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
            cid = entity_concept(SALARY, g) if g is not None else SALARY
            q = (f"SELECT {SALARY_SQL[0]} / 100.0 / {SALARY_SQL[1]} FROM {where}"
                 + (f' WHERE "{group}" = {g}' if g is not None else ""))
            out.append((g, _Figure(cid, mean, "MXN", 2, "nearest", q)))
    return out


def aggregate_facts(paths: Sequence[Path]) -> pd.DataFrame:
    """The facts of every file (a month per file; two files of one date are two sources)."""
    layout = load_layout()
    rows: list[dict[str, object]] = []
    for path in paths:
        fecha = file_date(path)
        if fecha is None:
            raise InputErrors([InputError(str(path), None, None, "el nombre del archivo debe llevar su fecha de "
                                          "corte AAAA-MM-DD (como asg-2020-12-31.csv)")])
        digest = file_sha256(path)
        con = connect()
        try:
            src = source_sql(path)
            check_header(path, [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()], layout)
            con.sql(f"CREATE TEMP VIEW filas AS "
                    f"{typed_select(layout, src, q=Q, text_source=not is_parquet(path))}")
            where = f"'{path.name}' (tipado como cuadra.microdata.sql.typed_select)"
            figs = _figures(con, where, "", None) + _figures(con, where, "", "cve_entidad")
            n_rows = int(con.sql("SELECT COUNT(*) FROM filas").fetchone()[0])  # type: ignore[index]
        finally:
            con.close()
        for _, f in figs:
            rows.append({"concept": f.concept, "period": fecha.isoformat(), "value": format(f.value, "f"),
                         "unit": f.unit, "scale": 0, "decimals": f.decimals, "rounding": f.rounding,
                         "status": "final", "source": path.name, "locator": f"2-{n_rows + 1}",
                         "quote": f"sha256:{digest} | {f.query}", "published": "", "lectura": ""})
    return pd.DataFrame(rows)
