"""Synthetic asegurados files: seeded rows at the published layout, for tests and benchmarks only.

One job: write a file that looks like an IMSS asegurados month and is labelled synthetic three ways
(the file name starts with ``sintetico-``, a sidecar ``<file>.sintetico.json`` says so and records the
seed, the calibration and every planted fault). It is never IMSS data.

Calibration: Σ ta equals the bundle's figure of ``afiliacion.puestos_trabajo`` at the cut-off date,
read from the report facts (fixtures/reports), times ``1 + desfase`` (a planted mismatch with the
reports). Every other share (eventual/permanent, campo, salaries) is a stated synthetic assumption
(``SUPUESTOS``), not a figure from a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from cuadra.contract.readers import dataset_files, read_records
from cuadra.errors import CuadraError
from cuadra.microdata.layout import ROOT, load_layout
from cuadra.microdata.layout import _reference as reference_salaries
from cuadra.microdata.scan import DELIMITER, ENCODING

__all__ = ["write_synthetic", "calibration", "SUPUESTOS", "FAULTS", "sidecar_path", "Calibration"]

CONCEPT = "afiliacion.puestos_trabajo"
CHUNK = 1_000_000
SUPUESTOS = {
    "reparto_ta": {"tpu": 0.845, "teu": 0.135, "tpc": 0.006, "tec": 0.014},
    "sin_salario_por_trabajador": 0.002,
    "salario_diario_mediana_pesos": 420.0,
    "salario_diario_sigma_log": 0.55,
    "filas_no_trabajadores": 0.02,
    "no_trabajadores_por_fila_media": 25,
}
# Each planted fault breaks exactly one rule (the tests assert it, rows and counts).
FAULTS = ("microdatos.suma.ta", "microdatos.suma.masa_sal_ta", "microdatos.suma.asegurados",
          "microdatos.cota.tpu_sal", "microdatos.cero.masa_sal_tec", "microdatos.no_negativo.no_trabajadores",
          "microdatos.lista.cve_entidad", "microdatos.lista.sexo", "microdatos.tipo.ta",
          "microdatos.lista.rango_edad", "microdatos.rango_salarial")


@dataclass(frozen=True)
class Calibration:
    concept: str
    period: str
    total: int
    source: str
    locator: str
    quote: str


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".sintetico.json")


def calibration(fecha: date, reports: Path = ROOT / "fixtures" / "reports") -> Calibration:
    """The bundle's puestos de trabajo at ``fecha`` (the figure a synthetic month is scaled to)."""
    for f in dataset_files(reports):
        for _, rec in read_records(f):
            if rec.get("concept") == CONCEPT and rec.get("period") == fecha.isoformat():
                total = int(Decimal(rec["value"]) * (Decimal(10) ** int(rec["scale"])))
                return Calibration(CONCEPT, fecha.isoformat(), total, rec["source"], rec["locator"], rec["quote"])
    raise CuadraError(f"{reports}: no hay cifra de {CONCEPT} para {fecha.isoformat()} con la que calibrar "
                      f"(fechas con cifra: las de los reportes, p. ej. 2020-12-31)")


def _salary_refs(fecha: date) -> tuple[float, float]:
    ref = reference_salaries()
    sm = ref["salario_minimo"].get(fecha.year)
    uma = ref["uma"].get(fecha.year if fecha.month >= 2 else fecha.year - 1)
    if not sm or not uma:
        raise CuadraError(f"fixtures/microdata/referencia_salarios.yaml: sin salario mínimo o UMA para {fecha}")
    return float(sm["general"]), float(uma["diario"])


def _chunk(rng: np.random.Generator, n: int, ta_total: int, sm: float, uma: float) -> pd.DataFrame:
    s = SUPUESTOS
    nt = rng.random(n) < s["filas_no_trabajadores"]
    weights = rng.lognormal(0.0, 1.0, n) * ~nt
    ta = rng.multinomial(ta_total, weights / weights.sum()) if weights.sum() > 0 else np.zeros(n, np.int64)
    share = s["reparto_ta"]
    tpu = rng.binomial(ta, share["tpu"])
    rest = ta - tpu
    teu = rng.binomial(rest, share["teu"] / (1 - share["tpu"]))
    rest2 = rest - teu
    tpc = rng.binomial(rest2, share["tpc"] / (share["tpc"] + share["tec"]))
    tec = rest2 - tpc
    ent = rng.integers(1, 33, n)
    s1 = rng.integers(0, 10, n)
    # Workers "del campo" only in division 0 (agriculture): elsewhere they count as urban.
    urban = s1 != 0
    teu, tpu = teu + tec * urban, tpu + tpc * urban
    tec, tpc = tec * ~urban, tpc * ~urban
    groups = {"teu": teu, "tec": tec, "tpu": tpu, "tpc": tpc}
    sal = {g: v - rng.binomial(v, s["sin_salario_por_trabajador"]) for g, v in groups.items()}
    # The mean daily salary in whole cents, kept 1 peso away from every range edge so that a cent
    # of rounding never moves a row across a band (the planted rango fault must be the only one).
    cents = np.round(rng.lognormal(np.log(s["salario_diario_mediana_pesos"]), s["salario_diario_sigma_log"], n)
                     * 100).astype(np.int64)
    cents = np.maximum(cents, int(sm * 100) // 2)
    for unit in (sm, uma):
        edge = np.round(np.ceil(cents / (unit * 100)) * unit * 100).astype(np.int64)
        cents = np.where(np.abs(cents - edge) < 100, edge - 100, cents)
        edge_lo = np.round(np.floor(cents / (unit * 100)) * unit * 100).astype(np.int64)
        cents = np.where(np.abs(cents - edge_lo) < 100, edge_lo + 100, cents)
    mean = cents / 100
    w = np.minimum(np.ceil(mean / sm), 11).astype(int)
    u = np.minimum(np.ceil(mean / uma), 25).astype(int)
    s2 = s1 * 10 + rng.integers(0, 10, n)
    s4 = s2 * 100 + rng.integers(1, 30, n)
    no_trab = np.where(nt, rng.poisson(s["no_trabajadores_por_fila_media"], n) + 1, 0)
    df = pd.DataFrame({
        "cve_delegacion": ent, "cve_subdelegacion": rng.integers(1, 6, n), "cve_entidad": ent,
        "cve_municipio": [f"M{x:03d}" for x in rng.integers(1, 200, n)],
        "sector_economico_1": pd.array(np.where(nt, -1, s1), dtype="Int64"),
        "sector_economico_2": pd.array(np.where(nt, -1, s2), dtype="Int64"),
        "sector_economico_4": pd.array(np.where(nt, -1, s4), dtype="Int64"),
        "tamaño_patron": np.where(nt, None, np.array([f"S{x}" for x in range(1, 8)])[rng.integers(0, 7, n)]),
        "sexo": rng.integers(1, 3, n),
        "rango_edad": np.array([f"E{x}" for x in range(1, 15)])[rng.integers(1, 13, n)],
        "rango_salarial": np.where(nt, None, np.char.add("W", w.astype(str))),
        "rango_uma": np.where(nt, None, np.char.add("W", u.astype(str))),
    })
    for c in ("sector_economico_1", "sector_economico_2", "sector_economico_4"):
        df.loc[nt, c] = pd.NA
    df["asegurados"] = ta + no_trab
    df["no_trabajadores"] = no_trab
    df["ta"] = ta
    for g in ("teu", "tec", "tpu", "tpc"):
        df[g] = groups[g]
    df["ta_sal"] = sum(sal.values())
    for g in ("teu", "tec", "tpu", "tpc"):
        df[f"{g}_sal"] = sal[g]
    masa = {g: sal[g] * cents for g in sal}  # cents: every mass is exact to the cent
    df["masa_sal_ta"] = sum(masa.values())
    for g in ("teu", "tec", "tpu", "tpc"):
        df[f"masa_sal_{g}"] = masa[g]
    return df


def _plant(df: pd.DataFrame, k: int, rng: np.random.Generator) -> list[dict[str, object]]:
    """Plant ``k`` faults (cycling through FAULTS) at distinct random rows that meet each one's
    precondition; return what was changed, with the 1-based data row."""
    used: set[int] = set()
    out = []
    order = rng.permutation(len(df))
    for i in range(k):
        rule = FAULTS[i % len(FAULTS)]
        need = {
            "microdatos.suma.masa_sal_ta": lambda: df["ta_sal"] > 0,
            "microdatos.cota.tpu_sal": lambda: df["tpu_sal"] > 0,
            "microdatos.cero.masa_sal_tec": lambda: (df["tec_sal"] == 0) & (df["tpu_sal"] > 0),
            "microdatos.no_negativo.no_trabajadores": lambda: (pd.to_numeric(df["ta"], errors="coerce") > 0)
            & (df["no_trabajadores"] == 0),
            "microdatos.rango_salarial": lambda: (df["ta_sal"] > 0) & df["rango_salarial"].notna(),
        }.get(rule, lambda: pd.Series(True, index=df.index))().to_numpy()
        row = next((int(j) for j in order if need[j] and int(j) not in used), None)
        if row is None:
            raise CuadraError(f"no hay filas donde plantar la falla {rule}: use más --filas")
        used.add(row)
        r = df.index[row]
        change = _apply(df, r, rule)
        out.append({"regla": rule, "fila": row + 1, "cambio": change})
    return sorted(out, key=lambda x: (str(x["regla"]), int(x["fila"])))  # type: ignore[call-overload]


def _apply(df: pd.DataFrame, r: int, rule: str) -> str:
    if rule == "microdatos.suma.ta":
        df.at[r, "tpu"] += 1
        return "tpu + 1 (ta ya no es la suma)"
    if rule == "microdatos.suma.masa_sal_ta":
        df.at[r, "masa_sal_ta"] -= 1
        return "masa_sal_ta - 0.01"
    if rule == "microdatos.suma.asegurados":
        df.at[r, "asegurados"] += 1
        return "asegurados + 1"
    if rule == "microdatos.cota.tpu_sal":
        df.at[r, "tpu"] = df.at[r, "tpu_sal"] - 1
        df.at[r, "teu"] += df.at[r, "ta"] - df.at[r, "teu"] - df.at[r, "tec"] - df.at[r, "tpc"] - df.at[r, "tpu"]
        return "tpu = tpu_sal - 1 y teu compensa (ta sigue siendo la suma)"
    if rule == "microdatos.cero.masa_sal_tec":
        df.at[r, "masa_sal_tec"] += 1
        df.at[r, "masa_sal_tpu"] -= 1
        return "masa_sal_tec + 0.01 con tec_sal = 0, masa_sal_tpu - 0.01"
    if rule == "microdatos.no_negativo.no_trabajadores":
        df.at[r, "no_trabajadores"] = -1
        df.at[r, "asegurados"] -= 1
        return "no_trabajadores = -1, asegurados - 1"
    if rule == "microdatos.lista.cve_entidad":
        df.at[r, "cve_entidad"] = 33
        return "cve_entidad = 33"
    if rule == "microdatos.lista.sexo":
        df.at[r, "sexo"] = 3
        return "sexo = 3"
    if rule == "microdatos.tipo.ta":
        df["ta"] = df["ta"].astype(object)
        df.at[r, "ta"] = "x"
        return "ta = 'x'"
    if rule == "microdatos.lista.rango_edad":
        df.at[r, "rango_edad"] = "E99"
        return "rango_edad = 'E99'"
    if rule == "microdatos.rango_salarial":
        k = int(str(df.at[r, "rango_salarial"])[1:])
        df.at[r, "rango_salarial"] = f"W{k + 3 if k <= 8 else k - 3}"
        return f"rango_salarial W{k} -> {df.at[r, 'rango_salarial']}"
    raise AssertionError(rule)


def _write(df: pd.DataFrame, fh: object) -> None:
    df = df.copy()
    for c in (c for c in df.columns if c.startswith("masa_sal_")):
        cents = df[c].astype(np.int64)
        sign = np.where(cents < 0, "-", "")
        a = np.abs(cents)
        df[c] = [f"{s}{q}.{m:02d}" for s, q, m in zip(sign, a // 100, a % 100, strict=True)]
    df.to_csv(fh, sep=DELIMITER, header=False, index=False, na_rep="", lineterminator="\n")


def write_synthetic(out: Path, *, filas: int, fecha: date, fallas: int = 0, semilla: int = 20201231,
                    desfase: float = 0.0) -> dict[str, object]:
    """Write ``filas`` synthetic rows to ``out`` (CSV, '|', latin-1) and its sidecar; return the sidecar."""
    if filas < 1:
        raise CuadraError("--filas debe ser al menos 1")
    if not out.name.startswith("sintetico"):
        out = out.with_name("sintetico-" + out.name)
    cal = calibration(fecha)
    sm, uma = _salary_refs(fecha)
    total = round(cal.total * (1 + desfase))
    rng = np.random.default_rng(semilla)
    n_chunks = -(-filas // CHUNK)
    sizes = [min(CHUNK, filas - i * CHUNK) for i in range(n_chunks)]
    per_chunk = rng.multinomial(total, np.array(sizes) / filas)
    planted: list[dict[str, object]] = []
    layout = load_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding=ENCODING, newline="") as fh:
        fh.write(DELIMITER.join(layout.names) + "\n")
        for i, (n, t) in enumerate(zip(sizes, per_chunk, strict=True)):
            df = _chunk(rng, n, int(t), sm, uma)
            if i == 0 and fallas:
                planted = _plant(df, fallas, rng)
            _write(df[list(layout.names)], fh)
    side = {
        "sintetico": True,
        "advertencia": "Datos SINTÉTICOS generados por cuadra para pruebas y mediciones; no son datos del IMSS.",
        "archivo": out.name, "filas": filas, "fecha": fecha.isoformat(), "semilla": semilla,
        "calibracion": {"concepto": cal.concept, "periodo": cal.period, "cifra_reportes": cal.total,
                        "fuente": f"{cal.source}:{cal.locator}", "cita": cal.quote,
                        "desfase": desfase, "suma_ta": total},
        "supuestos": SUPUESTOS, "referencias": {"salario_minimo_general": sm, "uma": uma},
        "fallas": planted,
    }
    sidecar_path(out).write_text(json.dumps(side, ensure_ascii=False, indent=1), encoding="utf-8")
    return side
