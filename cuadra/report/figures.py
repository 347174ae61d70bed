"""Figures and intervals in plain text, as the reports print them (terminal, Markdown, JUnit).

One job: the words a steward reads for a number. A figure is its published text when it has one
("57,073.9 miles"), else the contract's own printer (:func:`cuadra.contract.numbers.format_cifra`)
at its scale and decimals; an interval is its two ends with thousands commas
(:func:`cuadra.report.site.common.num`, the Data Docs' printer), never ``%g`` (``7e+07``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from cuadra.contract.numbers import format_cifra
from cuadra.report.site.common import interval, num

__all__ = ["cifra", "figure", "interval", "num", "STATUS_ES"]

#: Status words as the terminal and the Markdown print them (the JSON keeps the English codes).
STATUS_ES = {"pass": "cumple", "fail": "no cumple", "indeterminate": "indeterminada", "waived": "dispensada",
             "error": "error", "absent": "ya no existe"}


class _Figure(Protocol):
    """A fact as a FactRef or a gate FactState carries it (read-only: both are frozen)."""

    @property
    def value(self) -> float | None: ...
    @property
    def scale(self) -> int: ...
    @property
    def decimals(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def published(self) -> str: ...
    @property
    def unit(self) -> str: ...


def cifra(value: float | None, scale: int, decimals: int, status: str = "", unit: str = "") -> str:
    """The registered figure at its scale and decimals (``57,073.9 miles``, ``8.7%``); NA/ND by status."""
    if value is None:
        return status or "—"
    try:
        text = format_cifra(Decimal(repr(float(value))), decimals=max(0, int(decimals)), scale=int(scale),
                            percent=unit == "porcentaje")
    except ValueError:  # a scale without a Spanish word (not one of 0, 3, 6, 9, 12)
        text = f"{num(value)} × 10^{scale}"
    return text + (" p/" if status == "preliminar" else "")


def figure(f: _Figure) -> str:
    """The figure as published when the row has its printed text, else as registered."""
    return f.published or cifra(f.value, f.scale, f.decimals, f.status, f.unit)
