"""Unit consistency of a rule: adding or comparing figures of different units is a modelling error.

One job: infer the unit of every node of a rule tree from the concept registry and report where a
``+``, ``-``, ``sum``/``min``/``max`` or the comparison mixes two different units (pesos with
personas, unidades with personas). Products and quotients make a derived unit that is not tracked
(a share, a rate per 1,000), so a figure times a number keeps its unit but ``a / b`` does not.
A rule may accept a mix on purpose with ``unidades_mixtas: <why>`` (for instance "4,393.8 miles
de pensiones" whose parts count pensionados: one person, one pension). Imports no dataframe library.
"""

from __future__ import annotations

from collections.abc import Mapping

from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["unit_mismatches", "comparison_unit", "dimension"]

_DERIVED = "derivada"
#: Units that measure the same dimension for this check: people are counted things, and a rate per
#: 100 is a per cent. A bound between a count of people and a count of services is a claim the
#: rule's text states ("pacientes ≤ llamadas"), not a unit error.
_DIMENSION = {"personas": "conteo", "unidades": "conteo", "tasa_por_100": "porcentaje"}


def _unit(node: Node, units: Mapping[str, str], problems: list[str]) -> str | None:
    """The node's unit; ``None`` for a pure number, ``derivada`` for an untracked product/quotient."""
    if isinstance(node, Ref):
        u = units.get(node.concept)
        return _DIMENSION.get(u, u) if u else u
    if isinstance(node, Num):
        return None
    if isinstance(node, Neg):
        return _unit(node.operand, units, problems)
    if isinstance(node, BinOp):
        a, b = _unit(node.left, units, problems), _unit(node.right, units, problems)
        if node.op == "-" and a == b == "porcentaje":
            return "puntos_porcentuales"  # the difference of two percentages is in points
        if node.op == "+" and {a, b} == {"porcentaje", "puntos_porcentuales"}:
            return "porcentaje"
        if node.op in ("+", "-"):
            return _join(a, b, problems)
        if node.op == "*" and (a is None or b is None):
            return a if b is None else b
        if node.op == "/" and b is None:
            return a
        return _DERIVED
    if isinstance(node, Call):
        out: str | None = None
        for arg in node.args:
            out = _join(out, _unit(arg, units, problems), problems)
        return out
    return _DERIVED


def _join(a: str | None, b: str | None, problems: list[str]) -> str | None:
    if a is None or a == _DERIVED:
        return b if a is None else a
    if b is None or b == _DERIVED:
        return a
    if a != b:
        problems.append(f"{a} con {b}")
    return a


def unit_mismatches(tree: Compare, units: Mapping[str, str]) -> list[str]:
    """Every place where the rule adds or compares two different units (empty when consistent)."""
    problems: list[str] = []
    _join(_unit(tree.left, units, problems), _unit(tree.right, units, problems), problems)
    return problems


def comparison_unit(tree: Compare, units: Mapping[str, str]) -> str | None:
    """The unit both sides of a rule are compared in (its imbalance's unit): a unit id, ``derivada``
    for an untracked product or quotient, ``None`` for pure numbers. Used to label figures."""
    problems: list[str] = []
    return _join(_unit(tree.left, units, problems), _unit(tree.right, units, problems), problems)


def dimension(unit: str) -> str:
    """What a unit measures for this check (``personas`` → ``conteo``); most units are their own."""
    return _DIMENSION.get(unit, unit)
