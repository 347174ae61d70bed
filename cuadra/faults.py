"""Fault injectors: the errors that real submissions and OCR make, applied to one fact at a time.

One job: turn a correct facts frame into a faulty one, in a way that says what changed. Used by
the property tests (every fault beyond the rounding tolerance is caught by a rule that involves the
changed fact; a fault within tolerance is not reported) and by ``nox -s mutation``, which injects
each class into every fact of the bundled reports that takes part in a rule.

Each injector takes the frame, the row position and a ``random.Random`` and returns the new frame,
or ``None`` when the class does not apply to that fact (a one-digit value has no transposition, a
concept with no previous year cannot keep last year's value). The frame passed in is never changed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from cuadra.intervals import bounds_from_published

__all__ = ["FAULTS", "Fault", "inject", "digits_of"]

Injector = Callable[[pd.DataFrame, int, random.Random], "pd.DataFrame | None"]


@dataclass(frozen=True)
class Fault:
    name: str
    descripcion: str
    apply: Injector
    #: "value": the figure's number changes; "row": a fact appears or disappears; "contract": the
    #: loader must reject the dataset (caught by the contract, not by a rule).
    effect: str = "value"


def digits_of(value: float, decimals: int) -> str:
    """The printed digits of a value at its precision, without sign or point: 42.1 (d=1) → '421'."""
    q = Decimal(repr(abs(float(value)))).quantize(Decimal(1).scaleb(-decimals))
    return str(q).replace(".", "").lstrip("0") or "0"


def _with_digits(value: float, decimals: int, digits: str) -> float:
    v = Decimal(digits).scaleb(-decimals)
    return float(-v if value < 0 else v)


def _set(df: pd.DataFrame, i: int, **cols: object) -> pd.DataFrame:
    out = df.copy()
    for k, v in cols.items():
        col = out[k]
        if isinstance(col.dtype, pd.CategoricalDtype) and v not in col.cat.categories:
            out[k] = col.cat.add_categories([v])  # a categorical refuses a value it has no category for
        out.iloc[i, out.columns.get_loc(k)] = v
    b = bounds_from_published(out["value"].iloc[[i]].to_numpy(), out["decimals"].iloc[[i]].to_numpy(),
                              out["scale"].iloc[[i]].to_numpy(), out["rounding"].iloc[[i]].to_numpy(dtype=object))
    out.iloc[i, out.columns.get_loc("lo")] = b.lo[0]
    out.iloc[i, out.columns.get_loc("hi")] = b.hi[0]
    return out


def _valued(df: pd.DataFrame, i: int) -> bool:
    return not np.isnan(float(df["value"].iat[i]))


def transposicion(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    d = int(df["decimals"].iat[i])
    s = digits_of(df["value"].iat[i], d)
    pairs = [k for k in range(len(s) - 1) if s[k] != s[k + 1]]
    if not _valued(df, i) or not pairs:
        return None
    k = rng.choice(pairs)
    t = s[:k] + s[k + 1] + s[k] + s[k + 2:]
    return _set(df, i, value=_with_digits(df["value"].iat[i], d, t))


def errata(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    if not _valued(df, i):
        return None
    d = int(df["decimals"].iat[i])
    s = digits_of(df["value"].iat[i], d)
    k = rng.randrange(len(s))
    new = rng.choice([c for c in "0123456789" if c != s[k] and not (k == 0 and c == "0" and len(s) > 1)])
    return _set(df, i, value=_with_digits(df["value"].iat[i], d, s[:k] + new + s[k + 1:]))


def signo(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    v = float(df["value"].iat[i])
    return None if not _valued(df, i) or v == 0 else _set(df, i, value=-v)


def _escala(k: int) -> Injector:
    def inject(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
        v = float(df["value"].iat[i])
        if not _valued(df, i) or v == 0:
            return None
        return _set(df, i, value=v * 10**k)

    return inject


def componente_omitido(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    return df.drop(index=df.index[i]).reset_index(drop=True)


def componente_duplicado(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    """The figure is counted twice: its value doubles (a part entered in two cells of a total)."""
    v = float(df["value"].iat[i])
    return None if not _valued(df, i) or v == 0 else _set(df, i, value=v * 2)


def valor_anio_anterior(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    c, p = df["concept"].iat[i], str(df["period"].iat[i])
    prev = f"{int(p[:4]) - 1}{p[4:]}"
    same = df[(df["concept"] == c) & (df["period"] == prev) & df["value"].notna()]
    if same.empty or float(same["value"].iat[0]) == float(df["value"].iat[i]):
        return None
    r = same.iloc[0]
    return _set(df, i, value=float(r["value"]), scale=int(r["scale"]), decimals=int(r["decimals"]))


def deriva(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    """Drift by one unit of the last printed digit: just beyond the figure's own half-unit."""
    if not _valued(df, i) or (df["rounding"].iat[i] == "exact" and rng.random() < 0.5):
        return None
    d = int(df["decimals"].iat[i])
    step = float(Decimal(1).scaleb(-d))
    return _set(df, i, value=float(Decimal(repr(float(df["value"].iat[i]))) + Decimal(str(step)) *
                                   rng.choice([-1, 1])))


def unidad_erronea(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    units = ["MXN", "personas", "unidades", "porcentaje"]
    u = df["unit"].iat[i]
    return _set(df, i, unit=rng.choice([x for x in units if x != u]))


def punto_decimal_perdido(df: pd.DataFrame, i: int, rng: random.Random) -> pd.DataFrame | None:
    """OCR: "42.1" read as "421" — the value grows by 10^decimals and loses its decimals."""
    d = int(df["decimals"].iat[i])
    if not _valued(df, i) or d == 0:
        return None
    return _set(df, i, value=float(df["value"].iat[i]) * 10**d, decimals=0)


FAULTS: dict[str, Fault] = {f.name: f for f in (
    Fault("transposicion", "dos dígitos contiguos intercambiados", transposicion),
    Fault("errata", "un dígito equivocado", errata),
    Fault("signo", "signo invertido", signo),
    Fault("escala_1e3", "desliz de escala ×10³ (miles por unidades)", _escala(3)),
    Fault("escala_1e6", "desliz de escala ×10⁶ (millones por unidades)", _escala(6)),
    Fault("componente_omitido", "un componente omitido", componente_omitido, effect="row"),
    Fault("componente_duplicado", "un componente contado dos veces", componente_duplicado),
    Fault("valor_anio_anterior", "quedó el valor del año anterior", valor_anio_anterior),
    Fault("deriva", "deriva de una unidad del último dígito publicado", deriva),
    Fault("unidad_erronea", "etiqueta de unidad equivocada", unidad_erronea, effect="contract"),
    Fault("punto_decimal_perdido", "punto decimal perdido (OCR)", punto_decimal_perdido),
)}


def inject(name: str, df: pd.DataFrame, i: int, seed: int) -> pd.DataFrame | None:
    return FAULTS[name].apply(df, i, random.Random(seed))
