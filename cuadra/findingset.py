"""The findings of a run, kept as the evaluator's columns until someone reads them.

One job: hold every rule instance's finding in memory that grows with the evaluator's arrays, not
with Python objects. A million instances as :class:`~cuadra.findings.Finding` and
:class:`~cuadra.findings.FactRef` objects cost gigabytes (issue 15: 2.91 GiB peak on 1 M facts, most
of it the findings of passing instances); as the evaluator's arrays they cost what the arrays do.

A :class:`FindingSet` is a ``Sequence[Finding]``: reading an instance builds its finding (and its
facts) then, and nothing keeps it, so a streaming writer (the JSON) holds one at a time. The counts
and the instances of a few statuses (fail, error, indeterminate: what the terminal, JUnit and the
waivers need) are read from the status arrays, without building the passing ones. Findings that have
no columns (a rule that could not run, a backend disagreement) are kept as objects, and a finding that
changes (a waiver) is kept as an object beside the columns it replaces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Protocol, overload

import numpy as np

from cuadra.findings import FactRef, Finding
from cuadra.rules.results import VERDICTS

__all__ = ["Columns", "FindingSet", "Tally", "tally", "where"]

#: ``(rule, kind, severity, status)`` → how many instances: every count a renderer prints.
Tally = Counter[tuple[str, str, str, str]]
Refs = Callable[[Sequence[int]], tuple[FactRef, ...]]

#: Instances converted to Python values at a time while iterating (bounds the temporary lists).
_CHUNK = 8192


class _Names(Protocol):
    def keys(self, rows: slice | np.ndarray) -> list[str]: ...


class Columns(Protocol):
    """What a :class:`FindingSet` reads of a rule's result (``cuadra.rules.results.RuleResult``).

    ``codes``: each instance's status as its index in ``VERDICTS``; ``rows(sel)``: the instances
    ``sel`` (a slice or positions) as Python values (keys, periods, statuses, lhs lo/hi, rhs lo/hi,
    imbalance, relative imbalance, reasons), spelt then; ``names.keys(sel)``: only their keys."""

    rule: object
    codes: np.ndarray
    names: _Names
    facts: Sequence[Sequence[int]]

    def __len__(self) -> int: ...

    def rows(self, rows: slice | np.ndarray) -> tuple[list, ...]: ...


class _Listed:
    """Findings that exist as objects (errors, disagreements, a GX run's rows, a test's list)."""

    def __init__(self, items: list[Finding]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def finding(self, j: int) -> Finding:
        return self.items[j]

    def replace(self, j: int, f: Finding) -> None:
        self.items[j] = f

    def positions(self, statuses: Collection[str]) -> Iterator[int]:
        return (j for j, f in enumerate(self.items) if f.status in statuses)

    def found(self, statuses: Collection[str]) -> Iterator[tuple[int, Finding]]:
        return ((j, f) for j, f in enumerate(self.items) if f.status in statuses)

    def tally(self) -> Tally:
        return Counter((f.rule, f.kind, f.severity, f.status) for f in self.items)

    def pairs(self, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(f.rule, f.key) for f in self.items} & wanted

    def copy(self) -> _Listed:
        return _Listed(list(self.items))


class _Columnar:
    """One rule's instances as the evaluator left them; ``changed`` holds the instances replaced since."""

    def __init__(self, result: Columns, refs: Refs, changed: dict[int, Finding] | None = None) -> None:
        self.result, self.refs = result, refs
        self.changed: dict[int, Finding] = changed if changed is not None else {}
        rule = result.rule
        meta = getattr(rule, "meta", {}) or {}
        # What every instance of the rule shares, computed once.
        self.common = dict(rule=rule.id, kind=rule.kind, severity=rule.severity,  # type: ignore[attr-defined]
                           titulo=rule.titulo, expr=rule.expr, fuentes=tuple(rule.fuentes),  # type: ignore[attr-defined]
                           template=meta.get("plantilla"), bindings=tuple(sorted(meta.get("vinculos", {}).items())))

    def __len__(self) -> int:
        return len(self.result)

    def _make(self, key: str, period: str, status: str, llo: float, lhi: float, rlo: float, rhi: float,
              gap: float, rel: float, reason: str, members: Sequence[int]) -> Finding:
        return Finding(key=key, period=period, status=status, lhs=(llo, lhi), rhs=(rlo, rhi),
                       imbalance=gap, imbalance_rel=rel, reason=reason, facts=self.refs(members),
                       **self.common)  # type: ignore[arg-type]

    def finding(self, j: int) -> Finding:
        f = self.changed.get(j)
        if f is not None:
            return f
        row = [col[0] for col in self.result.rows(slice(j, j + 1))]
        return self._make(*row, self.result.facts[j])

    def found(self, statuses: Collection[str]) -> Iterator[tuple[int, Finding]]:
        """``(j, finding)`` of the instances whose status is in ``statuses``, read a chunk at a time."""
        js = np.fromiter(self.positions(statuses), dtype=np.int64)
        r = self.result
        for a in range(0, len(js), _CHUNK):
            part = js[a:a + _CHUNK]
            for j, row in zip(part.tolist(), zip(*r.rows(part), strict=True), strict=True):
                f = self.changed.get(j) if self.changed else None
                yield j, f if f is not None else self._make(*row, r.facts[j])

    def __iter__(self) -> Iterator[Finding]:
        r, n = self.result, len(self.result)
        for a in range(0, n, _CHUNK):
            b = min(a + _CHUNK, n)
            for j, row in enumerate(zip(*r.rows(slice(a, b)), strict=True), start=a):
                f = self.changed.get(j) if self.changed else None
                yield f if f is not None else self._make(*row, r.facts[j])

    def replace(self, j: int, f: Finding) -> None:
        self.changed[j] = f

    def positions(self, statuses: Collection[str]) -> Iterator[int]:
        hit = np.isin(self.result.codes, [c for c, v in enumerate(VERDICTS) if v in statuses])
        for j, f in self.changed.items():
            hit[j] = f.status in statuses
        return (int(j) for j in np.flatnonzero(hit))

    def tally(self) -> Tally:
        rule, kind, severity = self.common["rule"], self.common["kind"], self.common["severity"]
        counts = np.bincount(self.result.codes, minlength=len(VERDICTS)) if len(self.result) else ()
        out: Tally = Counter({(rule, kind, severity, VERDICTS[v]): int(c) for v, c in enumerate(counts) if c})
        for j, f in self.changed.items():
            out[(rule, kind, severity, VERDICTS[self.result.codes[j]])] -= 1
            out[(f.rule, f.kind, f.severity, f.status)] += 1
        return +out  # drop zero counts

    def pairs(self, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
        rule = self.common["rule"]
        keys = {k for r, k in wanted if r == rule}
        if not keys:
            return set()
        n, names = len(self.result), self.result.names
        return {(rule, k) for a in range(0, n, _CHUNK) for k in names.keys(slice(a, min(a + _CHUNK, n))) if k in keys}

    def copy(self) -> _Columnar:
        clone = _Columnar.__new__(_Columnar)
        clone.result, clone.refs, clone.common, clone.changed = self.result, self.refs, self.common, dict(self.changed)
        return clone


class FindingSet(Sequence[Finding]):
    """Every instance's finding, in order: blocks of columns (one per rule result) and of objects."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._blocks: list[_Listed | _Columnar] = []
        self.extend(findings)

    @classmethod
    def from_results(cls, results: Iterable[Columns], refs: Refs) -> FindingSet:
        """One block per rule result, in order; ``refs`` turns fact positions into :class:`FactRef`."""
        out = cls()
        for res in results:
            if len(res):
                out._blocks.append(_Columnar(res, refs))
        return out

    # -- Sequence ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(b) for b in self._blocks)

    def __iter__(self) -> Iterator[Finding]:
        for b in self._blocks:
            yield from b

    def _locate(self, i: int) -> tuple[_Listed | _Columnar, int]:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("finding index out of range")
        for b in self._blocks:
            if i < len(b):
                return b, i
            i -= len(b)
        raise IndexError("finding index out of range")  # pragma: no cover - guarded above

    @overload
    def __getitem__(self, i: int) -> Finding: ...

    @overload
    def __getitem__(self, i: slice) -> list[Finding]: ...

    def __getitem__(self, i: int | slice) -> Finding | list[Finding]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        block, j = self._locate(i)
        return block.finding(j)

    def __setitem__(self, i: int, f: Finding) -> None:
        block, j = self._locate(i)
        block.replace(j, f)

    def __bool__(self) -> bool:
        return any(len(b) for b in self._blocks)

    # -- growing ----------------------------------------------------------------------------------
    def append(self, f: Finding) -> None:
        if not self._blocks or not isinstance(self._blocks[-1], _Listed):
            self._blocks.append(_Listed([]))
        self._blocks[-1].items.append(f)  # type: ignore[union-attr]

    def extend(self, findings: Iterable[Finding]) -> None:
        if isinstance(findings, FindingSet):
            self._blocks += [b.copy() for b in findings._blocks]
            return
        for f in findings:
            self.append(f)

    def __iadd__(self, findings: Iterable[Finding]) -> FindingSet:
        self.extend(findings)
        return self

    def copy(self) -> FindingSet:
        """Another set over the same columns (a later :meth:`__setitem__` changes only the copy)."""
        out = FindingSet()
        out._blocks = [b.copy() for b in self._blocks]
        return out

    # -- reading without building every finding ---------------------------------------------------
    def enumerate_where(self, statuses: Collection[str],
                        rules: Collection[str] | None = None) -> Iterator[tuple[int, Finding]]:
        """``(position, finding)`` of every instance whose status is in ``statuses``, in order;
        ``rules``: only the instances of those rules (a column block of another rule builds nothing)."""
        base = 0
        for b in self._blocks:
            if rules is None or not isinstance(b, _Columnar) or b.common["rule"] in rules:
                for j, f in b.found(statuses):
                    if rules is None or f.rule in rules:
                        yield base + j, f
            base += len(b)

    def where(self, statuses: Collection[str]) -> Iterator[Finding]:
        return (f for _, f in self.enumerate_where(statuses))

    def tally(self) -> Tally:
        out: Tally = Counter()
        for b in self._blocks:
            out.update(b.tally())
        return out

    def counts(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for (_, _, _, status), n in self.tally().items():
            out[status] += n
        return out

    def evaluated(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which ``(rule, key)`` of ``pairs`` are instances here (reads only the keys of those rules)."""
        out: set[tuple[str, str]] = set()
        for b in self._blocks:
            out |= b.pairs(pairs)
        return out


def where(findings: Sequence[Finding], statuses: Collection[str]) -> Iterator[Finding]:
    """The findings whose status is in ``statuses``, in order (a :class:`FindingSet` builds only those)."""
    if isinstance(findings, FindingSet):
        return findings.where(statuses)
    return (f for f in findings if f.status in statuses)


def tally(findings: Sequence[Finding]) -> Tally:
    """``(rule, kind, severity, status)`` → count (a :class:`FindingSet` reads its status arrays)."""
    if isinstance(findings, FindingSet):
        return findings.tally()
    return Counter((f.rule, f.kind, f.severity, f.status) for f in findings)
