"""Relative periods: where a reference ``x[...]`` points, given the instance period ``t``.

One job: the calendar of the rule language, in pure Python (the SQL compiler lowers the same
arithmetic in ``to_sql.py``; the differential tests keep the two in step). Imports nothing.

Period shapes of the contract: a year ``2020`` (a flow over the year), a month ``2020-05`` (a flow
over the month, or a monthly level) and a date ``2020-05-31`` (a stock). A reference shifts ``t``
by a number of steps and may then take the end date of the period it lands on:

==================  =======================  ============================================
written             Ref fields               ``t = 2020-05`` → (``t = 2020`` →)
==================  =======================  ============================================
``x`` / ``x[t]``    lag 0                    2020-05 (2020)
``x[t-1]``          lag -1, step año         2019-05 (2019): the same period a year earlier
``x[m-1]``          lag -1, step mes         2020-04 (none: a year has no previous month)
``x[q-1]``          lag -1, step trimestre   2020-02 (none)
``x[fin(t)]``       fin                      2020-05-31 (2020-12-31): the end of ``t``
``x[fin(t-1)]``     lag -1, fin              2019-05-31 (2019-12-31): end of the previous year
``x[fin(m-1)]``     lag -1, step mes, fin    2020-04-30: end of the previous month
==================  =======================  ============================================

A flow over a year lines up with the stocks at its two ends: ``s[fin(t)] - s[fin(t-1)] == f``.
A shift that has no meaning for the period's shape gives ``None``: the operand is missing and the
instance is indeterminate, never a silent pass. A date keeps being the end of its month when
shifted by months (``2020-05-31`` one month back is ``2020-04-30``); another day keeps its number
when the target month has it, else the shift gives ``None``.
"""

from __future__ import annotations

import calendar

__all__ = ["STEPS", "LETTERS", "MONTHS_PER_STEP", "shift", "end_of", "target", "source", "describe"]

#: Steps a lag counts in; ``año`` is the default and the meaning ``x[t-1]`` always had.
STEPS = ("año", "mes", "trimestre")
#: The letter written before the lag: ``t-1`` years, ``m-1`` months, ``q-1`` quarters.
LETTERS = {"t": "año", "m": "mes", "q": "trimestre"}
MONTHS_PER_STEP = {"mes": 1, "trimestre": 3}


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift(period: str, lag: int, step: str = "año") -> str | None:
    """``period`` moved by ``lag`` steps; ``None`` when the step does not fit the period's shape."""
    if not lag:
        return period
    if step == "año":
        return f"{int(period[:4]) + lag}{period[4:]}"
    if len(period) < 7 or period[4] != "-":
        return None
    y, m = int(period[:4]), int(period[5:7])
    k = y * 12 + (m - 1) + lag * MONTHS_PER_STEP[step]
    ny, nm = divmod(k, 12)
    nm += 1
    if len(period) == 7:
        return f"{ny:04d}-{nm:02d}"
    d = int(period[8:10])
    if d == _last_day(y, m):
        return f"{ny:04d}-{nm:02d}-{_last_day(ny, nm):02d}"
    return f"{ny:04d}-{nm:02d}-{d:02d}" if d <= _last_day(ny, nm) else None


def end_of(period: str) -> str:
    """The last day of a year or month; a date is its own end."""
    if len(period) == 4:
        return f"{period}-12-31"
    if len(period) == 7:
        y, m = int(period[:4]), int(period[5:7])
        return f"{period}-{_last_day(y, m):02d}"
    return period


def target(concept_ref: object, t: str) -> str | None:
    """The period a reference reads at instance period ``t`` (fixed, or shifted, then its end)."""
    fixed = getattr(concept_ref, "fixed", None)
    if fixed is not None:
        return str(fixed)
    p = shift(t, getattr(concept_ref, "lag", 0), getattr(concept_ref, "step", "año"))
    if p is not None and getattr(concept_ref, "fin", False):
        return end_of(p)
    return p


def source(concept_ref: object, p: str) -> str | None:
    """The instance period ``t`` at which a relative reference reads ``p`` (for candidate periods).

    The inverse of :func:`target`; for ``fin`` it takes ``t`` to be a year when the lag counts in
    years (``2019-12-31`` read as ``fin(t-1)`` → ``2020``) and a month otherwise. ``None`` when
    ``p`` cannot be such a target.
    """
    lag, step = getattr(concept_ref, "lag", 0), getattr(concept_ref, "step", "año")
    if not getattr(concept_ref, "fin", False):
        return shift(p, -lag, step)
    if len(p) != 10:
        return None
    base = p[:4] if step == "año" else p[:7]
    if end_of(base) != p:
        return None
    return shift(base, -lag, step)


def describe(lag: int, step: str = "año", fin: bool = False) -> str:
    """Spanish words for a relative reference (the Data Docs and the rules page)."""
    unit = {"año": ("año", "años"), "mes": ("mes", "meses"), "trimestre": ("trimestre", "trimestres")}[step]
    if not lag:
        where = "del periodo"
    elif lag == -1:
        where = f"del {unit[0]} anterior"
    else:
        where = f"de {abs(lag)} {unit[1]} {'antes' if lag < 0 else 'después'}"
    return f"al cierre {where}" if fin else where
