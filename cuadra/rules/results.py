"""A rule's instances as compact columns: codes and numbers, spelt into strings only when read.

One job: hold what the evaluator decided about every instance of one rule in as few bytes as the
decision needs, until a finding is written. Why (issue 17, 10 M facts in under 4 GB): a result is
kept for every instance of every rule until the JSON is written, so each byte per instance is 15 MB
on 10 M facts. A status is a one-byte code (:data:`VERDICTS`), a reason a code into the few texts
the rule produced, an instance's key and period a pair of integer codes (or the position of its
fact) spelt on reading, and the imbalance a function of both sides computed on reading.

:class:`RuleResult` still offers the whole columns as Python values (``keys``, ``periods``,
``status``, ``reason``, ``gap``, ``rel_gap``) for tests and small callers; the findings
(:mod:`cuadra.findingset`) read chunks of rows (:meth:`RuleResult.rows`) and the status codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.textcolumn import TextColumn

__all__ = ["VERDICTS", "PASS", "FAIL", "INDETERMINATE", "WAIVED", "Coded", "Names", "Spelt", "Vocabulary",
           "ScopedNames", "GroupNames", "FactNames", "FactLists", "GroupMembers", "GroupFacts", "RuleResult",
           "verdict_codes", "small_ints", "index_ranges", "Rows"]

Ints = npt.NDArray[np.int64]
#: Which instances to read: a slice, or their positions (an integer array).
Rows = slice | npt.NDArray[np.integer]

#: Every status the evaluator decides, by code (``RuleResult.codes``); ``error`` is never a column's.
VERDICTS = ("pass", "fail", "indeterminate", "waived")
PASS, FAIL, INDETERMINATE, WAIVED = range(len(VERDICTS))
_VERDICT_TEXT = np.array(VERDICTS)
_VERDICT_CODE = {v: i for i, v in enumerate(VERDICTS)}


def verdict_codes(statuses: Sequence[str] | np.ndarray) -> npt.NDArray[np.int8]:
    """The code of each status (a ``KeyError`` on one the evaluator never decides)."""
    return np.asarray([_VERDICT_CODE[str(s)] for s in statuses], dtype=np.int8)


def small_ints(values: npt.ArrayLike) -> np.ndarray:
    """``values`` as int32 when every one fits (positions and codes: half the bytes), else int64."""
    a = np.asarray(values)
    if a.dtype == np.int32:
        return a
    if not a.size or (int(a.min()) >= -(1 << 31) and int(a.max()) < (1 << 31)):
        return a.astype(np.int32)
    return a.astype(np.int64)


class Coded:
    """A column of few distinct strings: a small integer code per row and the texts once."""

    def __init__(self, codes: np.ndarray, texts: Sequence[str]) -> None:
        self.codes, self.texts = codes, list(texts)

    @classmethod
    def of(cls, values: Sequence[str] | np.ndarray) -> Coded:
        """Code ``values`` (in order of first appearance; ``""`` is as good a text as any)."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        dtype = np.int8 if len(uniques) < 128 else np.int32
        return cls(codes.astype(dtype), [str(u) for u in uniques])

    @classmethod
    def sparse(cls, n: int, where: npt.ArrayLike, texts: Sequence[str]) -> Coded:
        """``n`` rows, all ``""`` but rows ``where``, which read ``texts`` (in that order): a reason
        only some instances have, coded without an object array of ``n`` rows."""
        rows = np.asarray(where, dtype=np.int64)
        codes, uniques = pd.factorize(np.asarray(["", *texts], dtype=object))
        dtype = np.int8 if len(uniques) < 128 else np.int32
        out = np.zeros(n, dtype=dtype)
        out[rows] = codes[1:]
        return cls(out, [str(u) for u in uniques])

    def __len__(self) -> int:
        return len(self.codes)

    def at(self, rows: Rows) -> list[str]:
        texts = self.texts
        return [texts[c] for c in self.codes[rows].tolist()]

    def tolist(self) -> list[str]:
        return self.at(slice(None))


class Names(Protocol):
    """Spells the key and period of the instances ``rows`` (a slice, or positions)."""

    def __len__(self) -> int: ...

    def keys(self, rows: Rows) -> list[str]: ...

    def periods(self, rows: Rows) -> list[str]: ...


class Spelt:
    """Keys and periods already spelt (the loop evaluator, tests)."""

    def __init__(self, keys: Sequence[str], periods: Sequence[str]) -> None:
        self._keys, self._periods = list(keys), list(periods)

    def __len__(self) -> int:
        return len(self._periods)

    def keys(self, rows: Rows) -> list[str]:
        return self._keys[rows] if isinstance(rows, slice) else [self._keys[i] for i in rows.tolist()]

    def periods(self, rows: Rows) -> list[str]:
        return self._periods[rows] if isinstance(rows, slice) else [self._periods[i] for i in rows.tolist()]


@dataclass
class Vocabulary:
    """The texts behind a grouping's codes. ``periods`` is the index's own list: it grows when a
    rule names a period no fact has, and codes given out before stay valid."""

    concepts: np.ndarray
    periods: list[str]
    sources: list[str]


class _PeriodCoded:
    """Names whose instances carry a period code into the grouping's vocabulary."""

    vocab: Vocabulary
    period: np.ndarray

    def __len__(self) -> int:
        return len(self.period)

    def periods(self, rows: Rows) -> list[str]:
        per = self.vocab.periods
        return [per[p] for p in self.period[rows].tolist()]


class ScopedNames(_PeriodCoded):
    """A catalogue rule's instances: ``period`` across documents, ``period@source`` inside one
    (scope 0 is every document, ``1 + s`` the ``s``-th source)."""

    def __init__(self, vocab: Vocabulary, period: np.ndarray, scope: np.ndarray) -> None:
        self.vocab, self.period, self.scope = vocab, period, scope

    def keys(self, rows: Rows) -> list[str]:
        per, src = self.vocab.periods, self.vocab.sources
        return [per[p] if s == 0 else f"{per[p]}@{src[s - 1]}"
                for p, s in zip(self.period[rows].tolist(), self.scope[rows].tolist(), strict=True)]


class GroupNames(_PeriodCoded):
    """The duplicate family's instances: ``concept|period`` of each all-documents group."""

    def __init__(self, vocab: Vocabulary, concept: np.ndarray, period: np.ndarray) -> None:
        self.vocab, self.concept, self.period = vocab, concept, period

    def keys(self, rows: Rows) -> list[str]:
        con, per = self.vocab.concepts, self.vocab.periods
        return [f"{con[c]}|{per[p]}" for c, p in zip(self.concept[rows].tolist(), self.period[rows].tolist(),
                                                      strict=True)]


class FactNames:
    """A per-fact family's instances: the key is the fact's id, the period its period."""

    def __init__(self, facts: pd.DataFrame, positions: np.ndarray) -> None:
        self.ids, self.per, self.positions = TextColumn(facts["fact_id"]), TextColumn(facts["period"]), positions

    def __len__(self) -> int:
        return len(self.positions)

    def keys(self, rows: Rows) -> list[str]:
        return self.ids.strings(self.positions[rows])

    def periods(self, rows: Rows) -> list[str]:
        return self.per.strings(self.positions[rows])


class FactLists(Sequence[list[int]]):
    """The facts of each instance, as sorted position lists, built only when one is asked for."""

    def positions(self, mask: npt.NDArray[np.bool_]) -> np.ndarray:  # pragma: no cover - interface
        """Every fact of the instances where ``mask`` holds, sorted and unique."""
        raise NotImplementedError


def index_ranges(starts: np.ndarray, counts: np.ndarray) -> Ints:
    """``concat(arange(s, s + c) for s, c in zip(starts, counts))``, without the Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts, dtype=np.int64)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total, dtype=np.int64)


class GroupMembers:
    """``members[g]``: the fact positions of group ``g`` (a compressed list of lists)."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray) -> None:
        self.indptr, self.indices = indptr, indices

    def __getitem__(self, g: int) -> np.ndarray:
        return self.indices[self.indptr[g]:self.indptr[g + 1]]

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def union(self, groups: np.ndarray) -> np.ndarray:
        """Every fact of any of ``groups`` (-1 entries ignored), sorted and unique."""
        groups = groups[groups >= 0]
        starts = self.indptr[groups]
        return np.unique(self.indices[index_ranges(starts, self.indptr[groups + 1] - starts)])


class GroupFacts(FactLists):
    """Instance ``j`` involves the facts of groups ``groups[:, j]`` (a row per operand, -1 = none)."""

    def __init__(self, members: GroupMembers, groups: np.ndarray) -> None:
        self.members, self.groups = members, groups

    def __len__(self) -> int:
        return int(self.groups.shape[1])

    def __getitem__(self, j: int) -> list[int]:  # type: ignore[override]
        # One instance has a few groups: Python sets beat a dozen numpy calls on tiny arrays (the
        # JSON asks this of every instance).
        ptr, ind = self.members.indptr, self.members.indices
        out: set[int] = set()
        for g in self.groups[:, j].tolist():
            if g >= 0:
                out.update(ind[ptr[g]:ptr[g + 1]].tolist())
        return sorted(out)

    def __iter__(self) -> Iterator[list[int]]:
        return (self[j] for j in range(len(self)))

    def positions(self, mask: npt.NDArray[np.bool_]) -> np.ndarray:
        return self.members.union(self.groups[:, mask].ravel())


class RuleResult:
    """The instances of one rule: parallel columns, one element per instance.

    ``codes``: each status's code in :data:`VERDICTS`; ``reasons``: the reason of each, coded;
    ``names``: spells keys and periods; ``lhs``/``rhs``: both sides' bounds; ``op``: the comparison,
    of which the imbalance is a function (``gaps``: the imbalance and its relative, when a caller
    computed them its own way and wants them kept, as the loop evaluator does)."""

    def __init__(self, rule: object, names: Names, codes: npt.NDArray[np.int8], reasons: Coded, lhs: iv.Bounds,
                 rhs: iv.Bounds, op: str, facts: Sequence[list[int]],
                 gaps: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.rule, self.names, self.codes, self.reasons = rule, names, codes, reasons
        self.lhs, self.rhs, self.op, self.facts, self._gaps = lhs, rhs, op, facts, gaps

    @classmethod
    def spelt(cls, rule: object, keys: Sequence[str], periods: Sequence[str], status: Sequence[str] | np.ndarray,
              reason: Sequence[str], lhs: iv.Bounds, rhs: iv.Bounds, op: str, facts: Sequence[list[int]],
              gaps: tuple[np.ndarray, np.ndarray] | None = None) -> RuleResult:
        """A result from columns of strings (the loop evaluator's, tests')."""
        return cls(rule, Spelt(keys, periods), verdict_codes(status), Coded.of(list(reason)), lhs, rhs, op, facts,
                   gaps)

    def __len__(self) -> int:
        return len(self.codes)

    # -- chunks, for the findings -------------------------------------------------------------------
    def imbalance(self, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
        """The absolute and relative imbalance of instances ``rows`` (elementwise: the same floats as
        over the whole column)."""
        if self._gaps is not None:
            return self._gaps[0][rows], self._gaps[1][rows]
        lhs = iv.Bounds(self.lhs.lo[rows], self.lhs.hi[rows])
        rhs = iv.Bounds(self.rhs.lo[rows], self.rhs.hi[rows])
        with np.errstate(invalid="ignore", over="ignore"):
            g = iv.gap(lhs, rhs, self.op)
            return g, iv.relative_gap(lhs, rhs, g)

    def rows(self, rows: Rows) -> tuple[list, ...]:
        """Instances ``rows`` (a slice, or positions) as Python values: keys, periods, statuses, lhs
        lo/hi, rhs lo/hi, imbalance, relative imbalance, reasons."""
        g, rel = self.imbalance(rows)
        return (self.names.keys(rows), self.names.periods(rows), _VERDICT_TEXT[self.codes[rows]].tolist(),
                self.lhs.lo[rows].tolist(), self.lhs.hi[rows].tolist(), self.rhs.lo[rows].tolist(),
                self.rhs.hi[rows].tolist(), g.tolist(), rel.tolist(), self.reasons.at(rows))

    def fact_positions(self, mask: npt.NDArray[np.bool_]) -> np.ndarray:
        """Every fact of the instances where ``mask`` holds (sorted, unique)."""
        if isinstance(self.facts, FactLists):
            return self.facts.positions(mask)
        return np.unique(np.asarray([x for m, f in zip(mask, self.facts, strict=True) if m for x in f],
                                    dtype=np.int64))

    # -- whole columns, spelt (tests, small callers) ------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return self.names.keys(slice(None))

    @property
    def periods(self) -> list[str]:
        return self.names.periods(slice(None))

    @property
    def status(self) -> npt.NDArray[np.str_]:
        return _VERDICT_TEXT[self.codes]

    @property
    def reason(self) -> list[str]:
        return self.reasons.tolist()

    @property
    def gap(self) -> np.ndarray:
        return self.imbalance(slice(None))[0]

    @property
    def rel_gap(self) -> np.ndarray:
        return self.imbalance(slice(None))[1]
