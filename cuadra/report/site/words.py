"""A rule in Spanish words, as a formula, and with each operand's interval in place.

One job: turn a rule tree (``cuadra.rules.syntax``) and the facts of one instance into text an
auditor reads: "Población cubierta es igual a Población adscrita más Beneficiarios no adscritos",
the formula with one letter per operand (A = B + C), the same formula with the published figures
and with their intervals, and how each interval follows from the published precision. Returns
escaped HTML fragments (every label and value goes through :func:`common.e`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cuadra.findings import FactRef
from cuadra.report.site.common import ROUNDING_ES, SCALE_ES, e, interval, num
from cuadra.rules import periods
from cuadra.rules.syntax import Call, Compare, Neg, Node, Num, Ref, RuleSyntaxError, parse_expr, refs

__all__ = ["Operand", "parse_or_none", "operands", "in_words", "formula", "formula_side", "precision"]

_CMP_WORDS = {"==": "es igual a", "<=": "es menor o igual que", "<": "es menor que",
              ">=": "es mayor o igual que", ">": "es mayor que"}
_CMP_SYMBOL = {"==": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}
_OP_WORDS = {"+": "más", "-": "menos", "*": "por", "/": "entre"}
_OP_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷"}
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}
_FN_WORDS = {"sum": "la suma de", "abs": "el valor absoluto de", "min": "el mínimo de", "max": "el máximo de"}


@dataclass(frozen=True)
class Operand:
    """One reference of the rule at this instance: its letter, period, and the facts that state it."""

    letter: str
    ref: Ref
    period: str
    facts: tuple[FactRef, ...]


def parse_or_none(expr: str) -> Compare | None:
    """Built-in families carry a descriptive pseudo-formula, not the rule language: no tree then."""
    try:
        return parse_expr(expr)
    except RuleSyntaxError:
        return None


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"X{i}"


def operands(tree: Compare, period: str, facts: Sequence[FactRef]) -> list[Operand]:
    """Match every reference of the rule to the facts of the instance by concept and period."""
    out = []
    for i, r in enumerate(refs(tree)):
        p = periods.target(r, period) or ""
        mine = tuple(f for f in facts if f.concept == r.concept and f.period == p)
        out.append(Operand(_letter(i), r, p, mine))
    return out


def _ref_words(r: Ref, labels: Mapping[str, str]) -> str:
    label = labels.get(r.concept, r.concept)
    if r.fixed is not None:
        return f"{label} de {r.fixed}"
    if r.relative:
        return f"{label} {periods.describe(r.lag, r.step, r.fin)}"
    return label


def _render(node: Node, leaf: Callable[[Ref], str], words: bool, parent: int = 0) -> str:
    if isinstance(node, Ref):
        return leaf(node)
    if isinstance(node, Num):
        return e(num(float(node.value)))
    if isinstance(node, Neg):
        inner = _render(node.operand, leaf, words, 3)
        return f"menos {inner}" if words else f"−{inner}"
    if isinstance(node, Call):
        args = [_render(a, leaf, words) for a in node.args]
        if words:
            joined = ", ".join(args[:-1]) + f" y {args[-1]}" if len(args) > 1 else args[0]
            return f"{_FN_WORDS[node.fn]} {joined}"
        return f"{node.fn}({', '.join(args)})"
    prec = _PREC[node.op]
    # Right operand of − and ÷ binds tighter: a − (b + c) keeps its parentheses.
    left = _render(node.left, leaf, words, prec)
    right = _render(node.right, leaf, words, prec + (node.op in "-/"))
    text = f"{left} {_OP_WORDS[node.op] if words else _OP_SYMBOL[node.op]} {right}"
    return f"({text})" if prec < parent else text


def in_words(tree: Compare, labels: Mapping[str, str]) -> str:
    """The rule as a Spanish sentence, with concept labels (escaped HTML)."""
    def leaf(r: Ref) -> str:
        return f"<em>{e(_ref_words(r, labels))}</em>"

    left = _render(tree.left, leaf, True)
    right = _render(tree.right, leaf, True)
    return f"{left} {_CMP_WORDS[tree.op]} {right}."


def formula(tree: Compare, leaf: Callable[[Ref], str]) -> str:
    """The rule as a formula whose leaves are drawn by ``leaf`` (a letter, a figure, an interval)."""
    return (f"{_render(tree.left, leaf, False)} <span class='cmp'>{_CMP_SYMBOL[tree.op]}</span> "
            f"{_render(tree.right, leaf, False)}")


def formula_side(node: Node, leaf: Callable[[Ref], str]) -> str:
    """One side of a rule as a formula (escaped HTML, ``leaf`` draws each reference)."""
    return _render(node, leaf, False)


_APPROX_ES = {
    "approx": "Cifra aproximada («cercano a», «alrededor de», «casi»): ± una unidad de su último dígito significativo",
    "above": "Cota inferior («más de»): hasta una unidad de su último dígito significativo por encima",
    "below": "Cota superior («menos de»): hasta una unidad de su último dígito significativo por debajo",
}


def precision(f: FactRef, unit_label: str = "") -> str:
    """How the interval of a figure follows from the way it is printed (escaped HTML)."""
    scale = SCALE_ES.get(f.scale, f"× 10^{f.scale}")
    where = f" {scale}" if scale else ""
    comma_where = f", en {scale}" if scale else ""
    unit = f" {unit_label}" if unit_label else ""
    if f.value is None or f.lo is None or f.hi is None:
        return "Sin valor (NA/ND): no hay intervalo, por eso la instancia no puede decidirse."
    step = 10.0 ** -f.decimals
    digits = f"{f.decimals} decimal{'es' if f.decimals != 1 else ''}" if f.decimals else "sin decimales"
    full = f" = {e(interval(f.lo, f.hi))}{e(unit)}" if f.scale else f"{e(unit)}"
    if f.rounding == "exact":
        return f"Cifra exacta (un conteo completo): el intervalo es el punto {e(num(f.value))}{e(where)}{full}."
    if f.rounding == "truncate":
        band = (f"[{e(num(f.value))}, {e(num(f.value + step))})" if f.value >= 0
                else f"({e(num(f.value - step))}, {e(num(f.value))}]")
        return (f"Publicada con {digits}{e(comma_where)}, {ROUNDING_ES['truncate']}: el valor verdadero está en "
                f"{band}{e(where)}{full}.")
    if f.rounding in _APPROX_ES:  # issue 14: the band is one unit of the last significant digit
        p = 10.0 ** f.scale
        return (f"{_APPROX_ES[f.rounding]}: el valor verdadero está en "
                f"[{e(num(f.lo / p))}, {e(num(f.hi / p))}]{e(where)}{full}.")
    half = step / 2
    return (f"Publicada con {digits}{e(comma_where)}, {ROUNDING_ES['nearest']}: ± {e(num(half))}{e(where)}, "
            f"el valor verdadero está en [{e(num(f.value - half))}, {e(num(f.value + half))}]{e(where)}{full}.")
