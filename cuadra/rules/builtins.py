"""The built-in families, numpy side: duplicates, published text, ranges.

One job: evaluate the checks every dataset gets without a catalogue entry, over the facts frame,
with the same instance keys and statuses as their SQL twins in ``to_sql.py``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from cuadra import intervals as iv
from cuadra.contract.numbers import format_cifra
from cuadra.rules.catalogue import BUILTINS
from cuadra.rules.evaluate import NA_STATUSES, FactIndex, RuleResult

__all__ = ["duplicates", "published", "ranges", "evaluate_builtins", "truncation_reading"]


def _result(kind: str, keys: list[str], periods: list[str], status: list[str], reason: list[str],
            lhs: iv.Bounds, rhs: iv.Bounds, op: str, facts: list[list[int]]) -> RuleResult:
    with np.errstate(invalid="ignore"):
        g = iv.gap(lhs, rhs, op) if len(keys) else np.zeros(0)
        rel = iv.relative_gap(lhs, rhs, g) if len(keys) else np.zeros(0)
    return RuleResult(BUILTINS[kind], keys, periods, np.asarray(status, dtype=str), reason, lhs, rhs,
                      g, rel, facts)


def _figure(value: float, scale: int, decimals: int) -> str:
    """The figure as the reports print it (the contract's printer, inverse of its parser)."""
    return format_cifra(Decimal(repr(float(value))), decimals=decimals, scale=scale)


def truncation_reading(facts: pd.DataFrame, members: list[int] | np.ndarray) -> str:
    """Name the rounding convention when it explains a failing duplicate, else ``""``.

    Why: "253.9 miles" in one report and 253,957 in another disagree if 253.9 is rounded (it
    stands for 253,850-253,950) but agree if it is truncated (253,900-254,000): the figure was cut,
    not rounded, and a steward needs that named, not just "the two figures differ". The status
    stays ``fail`` (the published precision says otherwise); a waiver may accept the convention.
    """
    rows = facts.iloc[list(members)]
    # One report states the figure (perhaps more than once) cut to its precision: read every rounded
    # statement of one source as truncated and see whether they now meet the others.
    for _, cut in rows[rows["rounding"] == "nearest"].groupby("source", sort=True):
        trunc = iv.bounds_from_published(cut["value"].to_numpy(), cut["decimals"].to_numpy(), cut["scale"].to_numpy(),
                                         np.full(len(cut), "truncate", dtype=object))
        others = rows.drop(index=cut.index)
        if others.empty:
            continue
        lo = max(float(trunc.lo.max()), float(others["lo"].max()))
        hi = min(float(trunc.hi.min()), float(others["hi"].min()))
        if lo > hi:
            continue
        r = cut.iloc[0]
        precise = others.loc[(others["hi"] - others["lo"]).idxmin()]
        exact = float(precise["value"]) * 10.0 ** int(precise["scale"])
        nearest = float((Decimal(repr(exact)) / Decimal(10) ** int(r["scale"])).quantize(
            Decimal(1).scaleb(-int(r["decimals"])), rounding=ROUND_HALF_UP))
        return (f"convención de redondeo: {_figure(r['value'], int(r['scale']), int(r['decimals']))} "
                f"({r['source']}:{r['locator']}) es el truncamiento de "
                f"{_figure(precise['value'], int(precise['scale']), int(precise['decimals']))} "
                f"({precise['source']}:{precise['locator']}), no su redondeo, que sería "
                f"{_figure(nearest, int(r['scale']), int(r['decimals']))}")
    return ""


def duplicates(index: FactIndex) -> RuleResult:
    keys, periods, status, reason, facts = [], [], [], [], []
    lo, hi = [], []
    for concept, period, i in index.global_groups():
        members, glo, ghi, na = index.members[i], index.lo[i], index.hi[i], index.n_na[i]
        if len(members) < 2:
            continue
        keys.append(f"{concept}|{period}")
        periods.append(period)
        facts.append([int(m) for m in members])
        if na > 0:
            status.append("indeterminate")
            reason.append("una de las declaraciones es NA/ND")
        elif glo <= ghi:
            status.append("pass")
            reason.append("")
        else:
            status.append("fail")
            reason.append(truncation_reading(index.facts, members))
        # lhs: the highest lower bound; rhs: the lowest upper bound (they must meet).
        lo.append(glo)
        hi.append(ghi)
    lo_a, hi_a = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    return _result("duplicado", keys, periods, status, reason, iv.Bounds(lo_a, lo_a.copy()),
                   iv.Bounds(hi_a, hi_a.copy()), "<=", facts)


def published(facts: pd.DataFrame) -> RuleResult:
    sel = facts[(facts["published"] != "") & ~facts["status"].isin(NA_STATUSES)]
    status, reason = [], []
    for lectura, err, pv, ps, pd_, v, s, d in zip(
            sel["lectura"], sel["pub_error"], sel["pub_value"], sel["pub_scale"], sel["pub_decimals"],
            sel["value"], sel["scale"], sel["decimals"], strict=True):
        reads = not err and pv == v and (np.isnan(ps) or ps == s) and pd_ == d
        if reads:
            status.append("pass")
            reason.append("")
        elif lectura:
            # The printed text does not read as the value, and the row says why (an OCR correction).
            status.append("waived")
            reason.append(f"lectura: {lectura}")
        elif err:
            status.append("fail")
            reason.append(err)
        else:
            status.append("fail")
            read = _figure(pv, 0 if np.isnan(ps) else int(ps), int(pd_))  # as printed, never %g (issue 19)
            reason.append(f"el texto se lee como {read}; la fila registra {_figure(v, int(s), int(d))}")
    pv = sel["pub_value"].to_numpy(dtype=float)
    v = sel["value"].to_numpy(dtype=float)
    return _result("publicado", list(sel["fact_id"]), list(sel["period"]), status, reason,
                   iv.Bounds(pv, pv.copy()), iv.Bounds(v, v.copy()), "==",
                   [[int(i)] for i in sel.index])


def ranges(facts: pd.DataFrame) -> RuleResult:
    sel = facts[facts["rango_min"].notna() & ~facts["status"].isin(NA_STATUSES)]
    lhs = iv.Bounds(sel["lo"].to_numpy(dtype=float), sel["hi"].to_numpy(dtype=float))
    rhs = iv.Bounds(sel["rango_min"].to_numpy(dtype=float), sel["rango_max"].to_numpy(dtype=float))
    ok = (lhs.lo <= rhs.hi) & (lhs.hi >= rhs.lo)
    status = ["pass" if x else "fail" for x in ok]
    reason = ["" if x else "fuera del rango del concepto" for x in ok]
    return _result("rango", list(sel["fact_id"]), list(sel["period"]), status, reason, lhs, rhs, "==",
                   [[int(i)] for i in sel.index])


def evaluate_builtins(index: FactIndex) -> list[RuleResult]:
    return [duplicates(index), published(index.facts), ranges(index.facts)]
