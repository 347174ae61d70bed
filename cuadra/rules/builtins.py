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
from cuadra.rules.evaluate import NA_STATUSES, FactIndex, FactLists, GroupFacts, Ints, RuleResult
from cuadra.rules.results import (
    FAIL,
    INDETERMINATE,
    PASS,
    WAIVED,
    Coded,
    FactNames,
    GroupNames,
    Names,
    index_ranges,
    small_ints,
)
from cuadra.textcolumn import TextColumn, non_empty

__all__ = ["duplicates", "published", "ranges", "evaluate_builtins", "truncation_reading"]


class OneFact(FactLists):
    """Per-fact families: instance ``j`` is the single fact at position ``positions[j]``."""

    def __init__(self, positions: npt.NDArray[np.integer]) -> None:
        self.positions_ = small_ints(positions)

    def __len__(self) -> int:
        return len(self.positions_)

    def __getitem__(self, j: int) -> list[int]:  # type: ignore[override]
        return [int(self.positions_[j])]

    def __iter__(self) -> Iterator[list[int]]:
        return ([int(p)] for p in self.positions_)

    def positions(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.unique(self.positions_[mask])


def _result(kind: str, names: Names, status: npt.NDArray[np.integer], reason: Coded,
            lhs: iv.Bounds, rhs: iv.Bounds, op: str, facts: Sequence[list[int]]) -> RuleResult:
    """A family's result: status codes (``cuadra.rules.results.VERDICTS``), reasons coded, the
    imbalance computed when read."""
    return RuleResult(BUILTINS[kind], names, np.asarray(status, dtype=np.int8), reason, lhs, rhs, op, facts)


def _figure(value: float, scale: int, decimals: int) -> str:
    """The figure as the reports print it (the contract's printer, inverse of its parser)."""
    return format_cifra(Decimal(repr(float(value))), decimals=decimals, scale=scale)


def truncation_reading(facts: pd.DataFrame, members: list[int] | np.ndarray) -> str:
    """Name the rounding convention when it explains a failing duplicate, else ``""``.

    Why: "253.9 miles" in one report and 253,957 in another disagree if 253.9 is rounded (it
    stands for 253,850-253,950) but agree if it is truncated (253,900-254,000): the figure was cut,
    not rounded, and a steward needs that named, not just "the two figures differ". The status
    stays ``fail`` (the published precision says otherwise); a waiver may accept the convention.

    One group at a time; :func:`duplicates` reads every failing group at once (``_conventions``),
    and ``tests/test_vectorised.py`` holds the two to the same text.
    """
    m = np.asarray(members, dtype=np.int64)
    col = {c: facts[c].to_numpy()[m] for c in ("value", "decimals", "scale", "rounding", "source", "lo", "hi")}
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
        return _convention(facts, int(m[r]), int(m[p]))
    return ""


def _convention(facts: pd.DataFrame, r: int, p: int,
                cols: dict[str, np.ndarray] | None = None) -> str:
    """The text naming fact ``r`` (rounded) as the truncation of fact ``p`` (the narrowest other);
    ``cols``: the frame's columns as arrays, when the caller has them."""
    col = cols or _text_columns(facts)
    value, scale, decimals, source, locator = (col[c] for c in ("value", "scale", "decimals", "source", "locator"))
    exact = float(value[p]) * 10.0 ** int(scale[p])
    nearest_text = float((Decimal(repr(exact)) / Decimal(10) ** int(scale[r])).quantize(
        Decimal(1).scaleb(-int(decimals[r])), rounding=ROUND_HALF_UP))
    return (f"convención de redondeo: {_figure(value[r], int(scale[r]), int(decimals[r]))} "
            f"({source[r]}:{locator[r]}) es el truncamiento de "
            f"{_figure(value[p], int(scale[p]), int(decimals[p]))} "
            f"({source[p]}:{locator[p]}), no su redondeo, que sería "
            f"{_figure(nearest_text, int(scale[r]), int(decimals[r]))}")


def _text_columns(facts: pd.DataFrame) -> dict[str, np.ndarray]:
    return {c: facts[c].to_numpy() for c in ("value", "scale", "decimals", "source", "locator")}


def _others_best(group: Ints, *keys: npt.NDArray[np.float64]) -> tuple[Ints, Ints]:
    """For cells sorted by group: the best and the second-best cell of each cell's group, in the
    order ``np.lexsort(keys)`` (its last key first; ties by cell order), -1 where there is none."""
    order = np.lexsort((*keys, group))
    starts = np.searchsorted(group[order], group)
    first = order[starts]
    nxt = starts + 1
    second = np.where((nxt < len(order)) & (group[order[np.minimum(nxt, len(order) - 1)]] == group),
                      order[np.minimum(nxt, len(order) - 1)], -1)
    return first, second


def _conventions(index: FactIndex, groups: Ints) -> npt.NDArray[np.object_]:
    """:func:`truncation_reading` of every group in ``groups`` at once (their members hold no NA/ND).

    Members are split into cells (group, source, rounded or not); a source's rounded statements read
    as truncated meet the others when the truncated interval meets the intersection of every other
    cell of the group. That intersection is the best of the other cells, so each cell needs only its
    group's best and second best (the latter for the best cell itself)."""
    out = np.full(len(groups), "", dtype=object)
    if not len(groups):
        return out
    facts = index.facts
    starts = index.indptr[groups]
    counts = index.indptr[groups + 1] - starts
    pos = index.indices[index_ranges(starts, counts)]  # each group's members in fact order
    grp = np.repeat(np.arange(len(groups), dtype=np.int64), counts)
    src, _ = pd.factorize(facts["source"].to_numpy()[pos], sort=True)
    near = (facts["rounding"].to_numpy()[pos] == "nearest").astype(np.int64)
    lo = facts["lo"].to_numpy(dtype=np.float64)[pos]
    hi = facts["hi"].to_numpy(dtype=np.float64)[pos]
    t = iv.bounds_from_published(facts["value"].to_numpy()[pos], facts["decimals"].to_numpy()[pos],
                                 facts["scale"].to_numpy()[pos], np.full(len(pos), "truncate", dtype=object))
    width = np.where(np.isnan(hi - lo), np.inf, hi - lo)
    cell_key = (grp * (int(src.max()) + 1) + src) * 2 + near
    order = np.lexsort((pos, cell_key))  # cells in (group, source, rounded) order, members by position
    key = cell_key[order]
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    cell_group = grp[order][first]
    rounded = near[order][first] == 1
    with np.errstate(invalid="ignore"):
        c_lo = np.fmax.reduceat(lo[order], first)
        c_hi = np.fmin.reduceat(hi[order], first)
        t_lo = np.fmax.reduceat(t.lo[order], first)
        t_hi = np.fmin.reduceat(t.hi[order], first)
    # The narrowest member of each cell (the first by position on a tie).
    cell_of = np.repeat(np.arange(len(first)), np.diff(np.append(first, len(key))))
    narrow = order[np.lexsort((pos[order], width[order], cell_of))[first]]
    c_width, c_pos = width[narrow], pos[narrow]
    cell = np.arange(len(first))

    def others(best: Ints, second: Ints) -> Ints:
        return np.where(best == cell, second, best)

    o_lo = others(*_others_best(cell_group, -np.where(np.isnan(c_lo), -np.inf, c_lo)))
    o_hi = others(*_others_best(cell_group, np.where(np.isnan(c_hi), np.inf, c_hi)))
    o_narrow = others(*_others_best(cell_group, c_pos.astype(np.float64), c_width))
    has_others = o_lo >= 0
    c_lo, c_hi = np.where(np.isnan(c_lo), -np.inf, c_lo), np.where(np.isnan(c_hi), np.inf, c_hi)
    with np.errstate(invalid="ignore"):
        meet_lo = np.maximum(t_lo, np.where(has_others, c_lo[np.maximum(o_lo, 0)], -np.inf))
        meet_hi = np.minimum(t_hi, np.where(has_others, c_hi[np.maximum(o_hi, 0)], np.inf))
        explained = rounded & has_others & ~(meet_lo > meet_hi)
    hit = np.flatnonzero(explained)
    g, at = np.unique(cell_group[hit], return_index=True)  # the first source (in name order) that explains
    cols = _text_columns(facts)
    for gi, c in zip(g.tolist(), hit[at].tolist(), strict=True):
        out[gi] = _convention(facts, int(pos[order[first[c]]]), int(c_pos[o_narrow[c]]), cols)
    return out


def duplicates(index: FactIndex) -> RuleResult:
    """Every figure stated more than once (all documents together) must meet its other statements.

    Vectorised over the index's all-documents groups, the failing groups' conventions included."""
    g = index.global_pos
    sizes = index.indptr[g + 1] - index.indptr[g]
    g = g[sizes >= 2]
    glo, ghi, na = index.lo[g], index.hi[g], index.n_na[g]
    key = index.keys[g]
    names = GroupNames(index.vocab, small_ints(key // max(index.n_periods * index.n_scopes, 1)),
                       small_ints((key // index.n_scopes) % max(index.n_periods, 1)))
    status = np.where(na > 0, INDETERMINATE, np.where(glo <= ghi, PASS, FAIL)).astype(np.int8)
    failing, unknown = np.flatnonzero(status == FAIL), np.flatnonzero(na > 0)
    texts = ["una de las declaraciones es NA/ND"] * len(unknown) + _conventions(index, g[failing]).tolist()
    reason = Coded.sparse(len(g), np.concatenate([unknown, failing]), texts)
    facts = GroupFacts(index.members, small_ints(g).reshape(1, -1))
    # lhs: the highest lower bound; rhs: the lowest upper bound (they must meet); each a point, its
    # lower and upper bound one array (never written to).
    return _result("duplicado", names, status, reason, iv.Bounds(glo, glo), iv.Bounds(ghi, ghi), "<=", facts)


def _na(facts: pd.DataFrame, na: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.bool_]:
    return facts["status"].isin(NA_STATUSES).to_numpy() if na is None else na


def published(facts: pd.DataFrame, na: npt.NDArray[np.bool_] | None = None) -> RuleResult:
    """Every figure with printed text must read as its value, scale and decimals (``na``: which facts
    are NA/ND, when the caller knows, as ``FactIndex.fact_na`` does)."""
    # Read at the masked facts only and compared in the columns' own dtypes (float32 pub_scale against
    # int8 scale, text by "empty or not"), a text spelt only for a failing or waived fact: the values kept
    # for the findings are the only arrays of a float64 per instance (issue 17: this family was the peak
    # of 10 M facts, ~50 bytes an instance of float64 and object temporaries).
    at = np.flatnonzero(non_empty(facts["published"]) & ~_na(facts, na))
    pv = facts["pub_value"].to_numpy()[at].astype(np.float64, copy=False)
    v = facts["value"].to_numpy()[at].astype(np.float64, copy=False)
    reads = pv == v
    for printed, stored in (("pub_scale", "scale"), ("pub_decimals", "decimals")):
        p, q = facts[printed].to_numpy()[at], facts[stored].to_numpy()[at]
        reads &= (np.isnan(p) | (p == q)) if printed == "pub_scale" else p == q
        del p, q
    no_err = ~non_empty(facts["pub_error"])[at]
    reads &= no_err
    has_lectura = non_empty(facts["lectura"])[at]
    # The printed text does not read as the value, and the row says why (an OCR correction).
    status = np.where(reads, PASS, np.where(has_lectura, WAIVED, FAIL)).astype(np.int8)
    waived = np.flatnonzero(~reads & has_lectura)
    failing = np.flatnonzero(~reads & ~has_lectura)
    texts = [f"lectura: {x}" for x in TextColumn(facts["lectura"]).strings(at[waived])]
    err = TextColumn(facts["pub_error"]).strings(at[failing])
    ps, pd_ = (facts[c].to_numpy()[at[failing]].astype(np.float64) for c in ("pub_scale", "pub_decimals"))
    s, d = (facts[c].to_numpy()[at[failing]] for c in ("scale", "decimals"))
    for i, j in enumerate(failing.tolist()):
        if not no_err[j]:
            texts.append(err[i])
        else:
            read = _figure(pv[j], 0 if np.isnan(ps[i]) else int(ps[i]), int(pd_[i]))  # as printed, never %g (issue 19)
            texts.append(f"el texto se lee como {read}; la fila registra {_figure(v[j], int(s[i]), int(d[i]))}")
    reason = Coded.sparse(len(pv), np.concatenate([waived, failing]), texts)
    one = OneFact(at)
    return _result("publicado", FactNames(facts, one.positions_), status, reason, iv.Bounds(pv, pv), iv.Bounds(v, v),
                   "==", one)


def ranges(facts: pd.DataFrame, na: npt.NDArray[np.bool_] | None = None) -> RuleResult:
    """Every figure with a range (a percentage, say) must admit a value inside it."""
    mask = facts["rango_min"].notna().to_numpy() & ~_na(facts, na)
    lo, hi, rmin, rmax = (facts[c].to_numpy(dtype=np.float64)[mask] for c in ("lo", "hi", "rango_min", "rango_max"))
    lhs, rhs = iv.Bounds(lo, hi), iv.Bounds(rmin, rmax)
    ok = (lhs.lo <= rhs.hi) & (lhs.hi >= rhs.lo)
    status = np.where(ok, PASS, FAIL).astype(np.int8)
    reason = Coded(np.where(ok, 0, 1).astype(np.int8), ["", "fuera del rango del concepto"])
    one = OneFact(np.flatnonzero(mask))
    return _result("rango", FactNames(facts, one.positions_), status, reason, lhs, rhs, "==", one)


def evaluate_builtins(index: FactIndex) -> list[RuleResult]:
    return [duplicates(index), published(index.facts, index.fact_na), ranges(index.facts, index.fact_na)]
