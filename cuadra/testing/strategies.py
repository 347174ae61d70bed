"""Hypothesis strategies: facts that satisfy a rule *by construction*, published as the reports do.

One job: generate test data for the rules without rejection sampling. Pandera's own synthesis is
per column and falls back to filtering for dataframe-level checks (pandera #538, #561), which
cannot produce a balanced total; here the true values are drawn first, the dependent figure is
computed exactly (``fractions.Fraction``), and only then is every figure *published*: a random
scale (pesos, miles, millones), number of decimals and rounding mode, with its Spanish printed
text ("$1,234.5 miles", "(846)"). Because every published interval contains its true value, a sound
evaluator must never report such data as failing (no false alarm).

Edge cases are drawn on purpose: zeros, negatives, magnitudes above 10^12, no decimals, truncation,
NA/ND operands, a single-period series (``[t-1]`` missing), divisors near zero.

Names are plural nouns; defaulted arguments are keyword-only (hypothesis guides/api-style.rst).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from cuadra.contract.facts import FACT_COLUMNS, _finish
from cuadra.contract.numbers import format_cifra, parse_cifra
from cuadra.rules import periods
from cuadra.rules.catalogue import Rule
from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["true_values", "publications", "balanced_facts", "kind_rules", "rules_of_every_kind", "facts_frame",
           "solvable", "SOURCE"]

SOURCE = "sintetico.txt"

#: One template rule per catalogue kind; the strategies below make any of them hold.
KIND_RULES: dict[str, str] = {
    "suma": "x.total == x.a + x.b - x.c",
    "razon": "x.porcentaje == x.a / x.b * 100",
    "diferencia": "x.diferencia == x.a - x.a[t-1]",
    "crecimiento": "x.crecimiento == (x.a / x.a[t-1] - 1) * 100",
    "real_nominal": "x.nominal == ((1 + x.real / 100) * (1 + x.inflacion / 100) - 1) * 100",
    "unidad": "x.en_miles * 1000 == x.en_unidades",
    "conteo": "x.declarados == x.listados",
    "cota": "x.parte <= x.todo",
    "formula": "x.resultado == (x.a - x.b) / x.c * 100 + abs(x.d)",
    "cruce": 'x.a == x.b["2019"] + x.diferencia',
}


def kind_rules() -> dict[str, str]:
    return dict(KIND_RULES)


def true_values(*, allow_zero: bool = True, allow_negative: bool = True, max_exponent: int = 13) -> st.SearchStrategy[
        Fraction]:
    """True values across magnitudes, zeros and negatives included, as exact fractions."""
    mantissa = st.integers(min_value=1, max_value=999_999)
    exponent = st.integers(min_value=-4, max_value=max_exponent - 6)
    base = st.builds(lambda m, e: Fraction(m) * Fraction(10) ** e, mantissa, exponent)
    if allow_negative:
        base = st.builds(lambda x, neg: -x if neg else x, base, st.booleans())
    return st.one_of(st.just(Fraction(0)), base) if allow_zero else base


def _publish(true: Fraction, scale: int, decimals: int, rounding: str) -> Decimal:
    """Round the true value as the report would print it at this scale and precision."""
    shifted = Decimal(true.numerator) / Decimal(true.denominator) / (Decimal(10) ** scale)
    mode = ROUND_DOWN if rounding == "truncate" else ROUND_HALF_EVEN
    return shifted.quantize(Decimal(1).scaleb(-decimals), rounding=mode)


@st.composite
def publications(draw: st.DrawFn, true: Fraction, *, percent: bool = False) -> dict[str, object]:
    """Publish one true value: scale, decimals, rounding mode and the Spanish printed text.

    Decimal arithmetic runs at 28 digits; the published value is exact for every magnitude drawn.
    """
    scale = 0 if percent else draw(st.sampled_from([0, 3, 6]))
    decimals = draw(st.integers(0, 3))
    if Fraction(true) == Fraction(int(true)) and draw(st.booleans()) and not percent and scale == 0:
        return {"value": Decimal(int(true)), "scale": 0, "decimals": 0, "rounding": "exact",
                "published": format_cifra(Decimal(int(true)), decimals=0)}
    rounding = draw(st.sampled_from(["nearest", "nearest", "truncate"]))
    value = _publish(true, scale, decimals, rounding)
    text = format_cifra(value, decimals=decimals, scale=scale, percent=percent,
                        currency=draw(st.booleans()) and not percent, parens=draw(st.booleans()))
    return {"value": value, "scale": scale, "decimals": decimals, "rounding": rounding, "published": text}


def _exact(node: Node, env: dict[Ref, Fraction]) -> Fraction:
    if isinstance(node, Ref):
        return env[node]
    if isinstance(node, Num):
        return Fraction(node.value)
    if isinstance(node, Neg):
        return -_exact(node.operand, env)
    if isinstance(node, BinOp):
        a, b = _exact(node.left, env), _exact(node.right, env)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else Fraction(0)}[node.op]
    if isinstance(node, Call):
        args = [_exact(x, env) for x in node.args]
        return {"sum": sum(args, Fraction(0)), "abs": abs(args[0]), "min": min(args), "max": max(args)}[node.fn]
    raise TypeError(node)


def solvable(tree: Compare) -> tuple[Ref, Node] | None:
    """The side that is a single concept (not used on the other side), and the other side."""
    for mine, other in ((tree.left, tree.right), (tree.right, tree.left)):
        if isinstance(mine, Ref) and mine not in _refs(other) and mine.concept not in {r.concept for r in
                                                                                       _refs(other)}:
            return mine, other
    return None


def _refs(node: Node) -> list[Ref]:
    from cuadra.rules.syntax import refs

    return refs(node)


def _row(concept: str, period: str, pub: dict[str, object], unit: str, i: int) -> dict[str, object]:
    return {"fact_id": f"sint.csv:{i + 2}", "concept": concept, "period": period, "value": float(pub["value"]),
            "unit": unit, "scale": pub["scale"], "decimals": pub["decimals"], "rounding": pub["rounding"],
            "status": "final", "source": SOURCE, "locator": "1", "quote": str(pub["published"]),
            "published": pub["published"], "lectura": "", "pub_value": np.nan, "pub_scale": np.nan,
            "pub_decimals": np.nan, "pub_error": "", "rango_min": np.nan, "rango_max": np.nan}


def facts_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Rows (with ``published``) → the facts frame the evaluators read, published text parsed."""
    for r in rows:
        if r.get("published"):
            c = parse_cifra(str(r["published"]))
            r["pub_value"], r["pub_decimals"] = float(c.value), c.decimals
            r["pub_scale"] = c.scale if c.scale_word else np.nan
    df = _finish(rows)
    return df[FACT_COLUMNS]


@st.composite
def balanced_facts(draw: st.DrawFn, rule: Rule, *, period: str | None = None,
                   percent_concepts: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Facts for one instance of ``rule`` that satisfy it exactly before publication.

    The free operands get true values; the solvable side's concept is computed from them; for an
    inequality it is moved by a non-negative amount in the allowed direction. Then every figure is
    published with its own precision.
    """
    tree = rule.tree
    solved = solvable(tree)
    if solved is None:
        raise ValueError(f"{rule.id}: no side is a single concept; cannot balance by construction")
    target, other = solved
    t = period or (rule.periodos[0] if rule.periodos else draw(st.sampled_from(["2019", "2020", "2020-12"])))
    env: dict[Ref, Fraction] = {}
    by_key: dict[tuple[str, str], Fraction] = {}
    for r in _refs(other):
        key = (r.concept, periods.target(r, t) or "")
        if key not in by_key:
            by_key[key] = draw(true_values())
        env[r] = by_key[key]
    value = _exact(other, env)
    op = tree.op if tree.left is target else {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "=="}[tree.op]
    slack = draw(true_values(allow_negative=False)) if op != "==" else Fraction(0)
    if op in ("<", ">") and slack == 0:
        slack = Fraction(1)
    value = value - slack if op in ("<=", "<") else value + slack
    by_key[(target.concept, periods.target(target, t) or "")] = value
    rows = []
    for i, ((concept, p), true) in enumerate(sorted(by_key.items())):
        pub = draw(publications(true, percent=concept in percent_concepts))
        rows.append(_row(concept, p, pub, "unidades", i))
    return facts_frame(rows)


def rules_of_every_kind() -> dict[str, Rule]:
    """The template rule of each kind as catalogue rules (built without a YAML file)."""
    from cuadra.rules.syntax import parse_expr

    return {k: Rule(id=f"plantilla.{k}", titulo=k, expr=e, tree=parse_expr(e), kind=k, severity="error",
                    ess_level=1, fuentes=("000_18269b3800bc8850.txt:1",), origin="strategies")
            for k, e in KIND_RULES.items()}
