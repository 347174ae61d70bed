"""The built-in families, numpy side: duplicates, published text, ranges.

One job: evaluate the checks every dataset gets without a catalogue entry, over the facts frame,
with the same instance keys and statuses as their SQL twins in ``to_sql.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.contract.numbers import format_cifra
from cuadra.rules.catalogue import BUILTINS
from cuadra.rules.evaluate import NA_STATUSES, FactIndex, FactLists, GroupFacts, RuleResult

__all__ = ["duplicates", "published", "ranges", "evaluate_builtins", "truncation_reading"]


class OneFact(FactLists):
    """Per-fact families: instance ``j`` is the single fact at position ``positions[j]``."""

    def __init__(self, positions: npt.NDArray[np.int64]) -> None:
        self.positions_ = np.asarray(positions, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.positions_)

    def __getitem__(self, j: int) -> list[int]:  # type: ignore[override]
        return [int(self.positions_[j])]

    def __iter__(self) -> Iterator[list[int]]:
        return ([int(p)] for p in self.positions_)

    def positions(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.unique(self.positions_[mask])


def _result(kind: str, keys: list[str], periods: list[str], status: list[str], reason: list[str],
            lhs: iv.Bounds, rhs: iv.Bounds, op: str, facts: Sequence[list[int]]) -> RuleResult:
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
    m = np.asarray(members, dtype=np.int64)
    col = {c: facts[c].to_numpy()[m] for c in ("value", "decimals", "scale", "rounding", "source", "locator",
                                                "lo", "hi")}
    nearest = col["rounding"] == "nearest"
    # One report states the figure (perhaps more than once) cut to its precision: read every rounded
    # statement of one source as truncated and see whether they now meet the others.
    for src in sorted(set(col["source"][nearest])):
        cut = nearest & (col["source"] == src)
        others = ~cut
        if not others.any():
            continue
        trunc = iv.bounds_from_published(col["value"][cut], col["decimals"][cut], col["scale"][cut],
                                         np.full(int(cut.sum()), "truncate", dtype=object))
        lo = max(float(np.fmax.reduce(trunc.lo)), float(np.fmax.reduce(col["lo"][others].astype(float))))
        hi = min(float(np.fmin.reduce(trunc.hi)), float(np.fmin.reduce(col["hi"][others].astype(float))))
        if lo > hi:
            continue
        r = int(np.flatnonzero(cut)[0])
        o = np.flatnonzero(others)
        widths = col["hi"][o].astype(float) - col["lo"][o].astype(float)
        p = int(o[np.argmin(np.where(np.isnan(widths), np.inf, widths))])
        exact = float(col["value"][p]) * 10.0 ** int(col["scale"][p])
        nearest_text = float((Decimal(repr(exact)) / Decimal(10) ** int(col["scale"][r])).quantize(
            Decimal(1).scaleb(-int(col["decimals"][r])), rounding=ROUND_HALF_UP))
        return (f"convención de redondeo: {_figure(col['value'][r], int(col['scale'][r]), int(col['decimals'][r]))} "
                f"({col['source'][r]}:{col['locator'][r]}) es el truncamiento de "
                f"{_figure(col['value'][p], int(col['scale'][p]), int(col['decimals'][p]))} "
                f"({col['source'][p]}:{col['locator'][p]}), no su redondeo, que sería "
                f"{_figure(nearest_text, int(col['scale'][r]), int(col['decimals'][r]))}")
    return ""


def duplicates(index: FactIndex) -> RuleResult:
    """Every figure stated more than once (all documents together) must meet its other statements.

    Vectorised over the index's all-documents groups; only a failing group's facts are read (to
    name a truncation convention).
    """
    g = index.global_pos
    sizes = index.indptr[g + 1] - index.indptr[g]
    g = g[sizes >= 2]
    glo, ghi, na = index.lo[g], index.hi[g], index.n_na[g]
    periods = index.period_of(g)
    keys = index.concept_of(g) + "|" + periods if len(g) else periods
    status = np.where(na > 0, "indeterminate", np.where(glo <= ghi, "pass", "fail"))
    reason = np.where(na > 0, "una de las declaraciones es NA/ND", "").astype(object)
    for j in np.flatnonzero(status == "fail"):
        reason[j] = truncation_reading(index.facts, index.members[g[j]])
    facts = GroupFacts(index.members, g.reshape(1, -1))
    # lhs: the highest lower bound; rhs: the lowest upper bound (they must meet).
    return _result("duplicado", keys.tolist(), periods.tolist(), status.tolist(), reason.tolist(),
                   iv.Bounds(glo, glo.copy()), iv.Bounds(ghi, ghi.copy()), "<=", facts)


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
                   iv.Bounds(pv, pv.copy()), iv.Bounds(v, v.copy()), "==", OneFact(sel.index.to_numpy()))


def ranges(facts: pd.DataFrame) -> RuleResult:
    sel = facts[facts["rango_min"].notna() & ~facts["status"].isin(NA_STATUSES)]
    lhs = iv.Bounds(sel["lo"].to_numpy(dtype=float), sel["hi"].to_numpy(dtype=float))
    rhs = iv.Bounds(sel["rango_min"].to_numpy(dtype=float), sel["rango_max"].to_numpy(dtype=float))
    ok = (lhs.lo <= rhs.hi) & (lhs.hi >= rhs.lo)
    status = ["pass" if x else "fail" for x in ok]
    reason = ["" if x else "fuera del rango del concepto" for x in ok]
    return _result("rango", list(sel["fact_id"]), list(sel["period"]), status, reason, lhs, rhs, "==",
                   OneFact(sel.index.to_numpy()))


def evaluate_builtins(index: FactIndex) -> list[RuleResult]:
    return [duplicates(index), published(index.facts), ranges(index.facts)]
