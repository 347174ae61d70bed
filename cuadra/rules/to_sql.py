"""The SQL compiler: a rule tree → one SQLite query that decides every instance.

One job: lower the same tree that ``evaluate.py`` walks into SQL, for GX's
``UnexpectedRowsExpectation`` over the facts loaded into SQLite. It is an independent
implementation of the same semantics, on purpose: Hypothesis compares the two on generated data.

The query reads the raw contract columns (value, decimals, scale, rounding, status) and derives
each fact's interval itself, performing exactly the IEEE operations of ``cuadra.intervals`` in the
same order (the constants are spelt as quotients of exact integers, never as decimal literals that
SQLite might read differently), so the two evaluators reach bit-identical bounds.

Every query returns ``key, status, lhs_lo, lhs_hi, rhs_lo, rhs_hi``; ``key`` is the instance
period for catalogue rules, ``concept|period`` for the duplicate family and the fact id for the
per-fact families. ``{batch}`` stands for the facts table, as GX expects.
"""

from __future__ import annotations

from decimal import Decimal

from cuadra.errors import UnsupportedRule
from cuadra.intervals import SIGNIFICANT_MAX
from cuadra.rules.catalogue import Rule
from cuadra.rules.periods import MONTHS_PER_STEP
from cuadra.rules.syntax import BinOp, Call, Neg, Node, Num, Ref

__all__ = ["rule_sql", "groups_sql", "duplicate_sql", "published_sql", "range_sql", "unexpected", "TABLE"]

TABLE = "{batch}"
_SLACK = "(1.0/1125899906842624.0)"


def _pow10(col: str) -> str:
    whens = " ".join(f"WHEN {k} THEN {10**k}.0" for k in range(23))
    return f"(CASE {col} {whens} END)"


def _exact(x: str, operands: tuple[str, ...]) -> str:
    whole = " AND ".join(f"{o} = ROUND({o})" for o in operands)
    return f"ABS({x}) < 9007199254740992.0 AND {whole}"


def _down(x: str, *operands: str) -> str:
    """Mirror of ``intervals.down``: widen unless every operand is whole and the result below 2^53."""
    widened = f"(({x}) - ABS({x}) * {_SLACK})"
    return f"(CASE WHEN {_exact(x, operands)} THEN ({x}) ELSE {widened} END)" if operands else widened


def _up(x: str, *operands: str) -> str:
    widened = f"(({x}) + ABS({x}) * {_SLACK})"
    return f"(CASE WHEN {_exact(x, operands)} THEN ({x}) ELSE {widened} END)" if operands else widened


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _facts_cte(where: str = "") -> str:
    """The facts with their bounds, as three small CTE layers (``f0`` → ``f1`` → ``f``).

    Why layers: written as one expression, the bounds repeat the power-of-ten tables a dozen times
    per bound (26 KB of SQL per rule), and SQLite spent nearly all of the GX backend's query time
    compiling that text, not running it. Each layer names its intermediate values once; MATERIALIZED
    keeps SQLite from flattening the layers back into one expression. The arithmetic is the same IEEE
    sequence as ``intervals.bounds_from_published``, so bounds stay bit-identical.
    """
    keep = "fact_id, concept, period, source, status, rango_min, rango_max"
    f0 = (f"f0 AS MATERIALIZED (SELECT {keep}, value, decimals, rounding, (5.0 / {_pow10('decimals + 1')}) AS half, "
          f"(1.0 / {_pow10('decimals')}) AS step, {_pow10('scale')} AS p "
          f"FROM {TABLE}{(' WHERE ' + where) if where else ''})")
    # Approximate figures (issue 14): u is one unit of the last significant digit, the mirror of
    # intervals.significant_unit (largest power of ten up to 10^12 that divides a whole value).
    whens = " ".join(f"WHEN CAST(ABS(value) AS INTEGER) % {10**k} = 0 THEN {10**k}.0"
                     for k in range(SIGNIFICANT_MAX, 0, -1))
    u = (f"(CASE WHEN decimals = 0 AND value <> 0 AND value = ROUND(value) AND ABS(value) < 9.0e18 "
         f"THEN (CASE {whens} ELSE step END) ELSE step END)")
    lo0 = ("(CASE WHEN rounding = 'exact' THEN value WHEN rounding = 'truncate' THEN "
           "(CASE WHEN value > 0 THEN value ELSE value - step END) WHEN rounding IN ('approx', 'below') "
           "THEN value - u WHEN rounding = 'above' THEN value ELSE value - half END)")
    hi0 = ("(CASE WHEN rounding = 'exact' THEN value WHEN rounding = 'truncate' THEN "
           "(CASE WHEN value < 0 THEN value ELSE value + step END) WHEN rounding IN ('approx', 'above') "
           "THEN value + u WHEN rounding = 'below' THEN value ELSE value + half END)")
    fu = f"fu AS MATERIALIZED (SELECT *, {u} AS u FROM f0)"
    f1 = f"f1 AS MATERIALIZED (SELECT {keep}, p, {lo0} AS lo0, {hi0} AS hi0 FROM fu)"
    f = f"f AS MATERIALIZED (SELECT {keep}, {_down('lo0 * p', 'lo0')} AS lo, {_up('hi0 * p', 'hi0')} AS hi FROM f1)"
    return f"{f0}, {fu}, {f1}, {f}"


def _shift(col: str, years: int, step: str = "año") -> str:
    """Mirror of ``periods.shift``: years keep the rest of the text; months and quarters count on
    ``year * 12 + month`` and keep a month-end date at the month's end (NULL where Python gives None)."""
    if not years:
        return col
    if step == "año":
        return f"(CAST(CAST(substr({col}, 1, 4) AS INTEGER) + ({years}) AS TEXT) || substr({col}, 5))"
    n = years * MONTHS_PER_STEP[step]
    k = f"(CAST(substr({col}, 1, 4) AS INTEGER) * 12 + CAST(substr({col}, 6, 2) AS INTEGER) - 1 + ({n}))"
    ym = f"printf('%04d-%02d', {k} / 12, {k} % 12 + 1)"
    day = f"({ym} || '-' || substr({col}, 9, 2))"
    return (f"(CASE WHEN length({col}) = 7 AND substr({col}, 5, 1) = '-' THEN {ym} "
            f"WHEN length({col}) = 10 AND substr(date({col}, '+1 day'), 9, 2) = '01' "
            f"THEN date({ym} || '-01', '+1 month', '-1 day') "
            f"WHEN length({col}) = 10 AND date({day}, '+0 days') = {day} THEN {day} END)")


def _end(col: str) -> str:
    """Mirror of ``periods.end_of``."""
    return (f"(CASE length({col}) WHEN 4 THEN {col} || '-12-31' "
            f"WHEN 7 THEN date({col} || '-01', '+1 month', '-1 day') ELSE {col} END)")


def _target(r: Ref, t: str) -> str:
    """Mirror of ``periods.target``: the period a reference reads at instance period ``t``."""
    if r.fixed is not None:
        return _q(r.fixed)
    p = _shift(t, r.lag, r.step)
    return _end(p) if r.fin else p


def _source(r: Ref, col: str) -> str:
    """Mirror of ``periods.source``: the instance period at which ``r`` reads ``col`` (NULL if none)."""
    if not r.fin:
        return _shift(col, -r.lag, r.step)
    base = f"substr({col}, 1, {4 if r.step == 'año' else 7})"
    return f"(CASE WHEN length({col}) = 10 AND {_end(base)} = {col} THEN {_shift(base, -r.lag, r.step)} END)"


def _num_sql(value: Decimal) -> str:
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    n = int("".join(map(str, digits)) or "0")
    text = f"{'-' if sign else ''}{n}.0"
    return f"({text} / {10 ** (-exp)}.0)" if exp < 0 else f"({text} * {10 ** exp}.0)" if exp else f"({text})"


class _Compiler:
    def __init__(self, refs: list[Ref]) -> None:
        self.refs = refs
        self.ctes: list[str] = []
        self.divisors: list[tuple[str, str]] = []
        self.prev = "j"
        self.count = 0

    def col(self, node: Node) -> tuple[str, str]:
        fn = getattr(self, "_" + type(node).__name__.lower(), None)
        if fn is None:
            raise UnsupportedRule(f"the SQL compiler does not know {type(node).__name__}")
        return fn(node)  # type: ignore[no-any-return]

    def _layer(self, lo: str, hi: str) -> tuple[str, str]:
        self.count += 1
        name = f"n{self.count}"
        # MATERIALIZED: SQLite would otherwise flatten the chain and inline each bound twice per
        # layer (x - ABS(x) * slack), an expression that doubles with every node of the rule.
        self.ctes.append(f"{name} AS MATERIALIZED (SELECT *, {lo} AS {name}_lo, {hi} AS {name}_hi FROM {self.prev})")
        self.prev = name
        return f"{name}_lo", f"{name}_hi"

    def _ref(self, node: Ref) -> tuple[str, str]:
        i = self.refs.index(node)
        return f"r{i}_lo", f"r{i}_hi"

    def _num(self, node: Num) -> tuple[str, str]:
        v = _num_sql(node.value)
        return v, v

    def _binop(self, node: BinOp) -> tuple[str, str]:
        (al, ah), (bl, bh) = self.col(node.left), self.col(node.right)
        if node.op == "+":
            return self._layer(_down(f"{al} + {bl}", al, bl), _up(f"{ah} + {bh}", ah, bh))
        if node.op == "-":
            return self._layer(_down(f"{al} - {bh}", al, bh), _up(f"{ah} - {bl}", ah, bl))
        if node.op in ("*", "/"):
            o = node.op
            ps = f"{al} {o} {bl}, {al} {o} {bh}, {ah} {o} {bl}, {ah} {o} {bh}"
            if o == "/":
                self.divisors.append((bl, bh))
                return self._layer(_down(f"MIN({ps})"), _up(f"MAX({ps})"))
            ops = (al, ah, bl, bh)
            return self._layer(_down(f"MIN({ps})", *ops), _up(f"MAX({ps})", *ops))
        raise UnsupportedRule(f"operator {node.op!r}")

    def _neg(self, node: Neg) -> tuple[str, str]:
        lo, hi = self.col(node.operand)
        return self._layer(f"(-({hi}))", f"(-({lo}))")

    def _call(self, node: Call) -> tuple[str, str]:
        args = [self.col(a) for a in node.args]
        if node.fn == "abs":
            lo, hi = args[0]
            return self._layer(f"(CASE WHEN {lo} >= 0 THEN {lo} WHEN {hi} <= 0 THEN -({hi}) ELSE 0.0 END)",
                               f"MAX(ABS({lo}), ABS({hi}))")
        if node.fn == "sum":
            acc = args[0]
            for lo, hi in args[1:]:
                acc = self._layer(_down(f"{acc[0]} + {lo}", acc[0], lo), _up(f"{acc[1]} + {hi}", acc[1], hi))
            return acc
        if node.fn in ("min", "max"):
            agg = node.fn.upper()
            acc = args[0]
            for lo, hi in args[1:]:
                acc = self._layer(f"{agg}({acc[0]}, {lo})", f"{agg}({acc[1]}, {hi})")
            return acc
        raise UnsupportedRule(f"function {node.fn!r}")


def _candidates(rule: Rule) -> str:
    refs = rule.refs
    plain = sorted({r.concept for r in refs if r.fixed is None and not r.relative})
    lagged = [r for r in refs if r.relative]
    if plain:
        sql = f"SELECT DISTINCT period AS t FROM g WHERE scope = '*' AND concept IN ({', '.join(map(_q, plain))})"
    elif lagged:
        sql = "SELECT t FROM (" + " UNION ".join(
            f"SELECT DISTINCT {_source(r, 'period')} AS t FROM g WHERE scope = '*' AND concept = {_q(r.concept)}"
            for r in lagged) + ") WHERE t IS NOT NULL"
    else:
        stated = " OR ".join(f"(concept = {_q(r.concept)} AND period = {_q(r.fixed or '')})" for r in refs)
        sql = f"SELECT {_q(refs[0].fixed or '')} AS t WHERE EXISTS (SELECT 1 FROM g WHERE scope = '*' AND ({stated}))"
    if rule.periodos is not None:
        sql = f"SELECT t FROM ({sql}) WHERE t IN ({', '.join(map(_q, rule.periodos))})"
    if rule.completos:
        stated = " AND ".join(f"EXISTS (SELECT 1 FROM g AS x WHERE x.scope = '*' AND x.concept = {_q(r.concept)} "
                              f"AND x.period = {_target(r, 'c.t')})" for r in refs)
        sql = f"SELECT c.t AS t FROM ({sql}) AS c WHERE {stated}"
    return sql


def _holds(op: str, a: tuple[str, str], b: tuple[str, str]) -> str:
    (al, ah), (bl, bh) = a, b
    return {
        "==": f"({al} <= {bh} AND {bl} <= {ah})",
        "<=": f"({al} <= {bh})",
        "<": f"({al} < {bh})",
        ">=": f"({bl} <= {ah})",
        ">": f"({bl} < {ah})",
    }[op]


_NA = "SUM(CASE WHEN status IN ('NA', 'ND') THEN 1 ELSE 0 END)"


def _groups(where: str = "") -> str:
    """Each (concept, period) across documents (scope ``*``) and inside each document: the
    intersection of its statements' intervals and how many are NA/ND."""
    return (f"SELECT concept, period, '*' AS scope, MAX(lo) AS lo, MIN(hi) AS hi, {_NA} AS na FROM f "
            f"GROUP BY concept, period UNION ALL SELECT concept, period, source AS scope, MAX(lo) AS lo, "
            f"MIN(hi) AS hi, {_NA} AS na FROM f GROUP BY concept, period, source")


def groups_sql() -> str:
    """The groups of every fact, once: a table that :func:`rule_sql` can read instead of grouping
    the facts again for every rule (``rule_sql(rule, groups=TABLE)``; the GX backend does this)."""
    return f"WITH {_facts_cte()} {_groups()}"


def rule_sql(rule: Rule, groups: str | None = None) -> str:
    """All instances of a catalogue rule with their status, in one query.

    Instances mirror ``evaluate.instances``: one per (period, document) where that document states
    every operand, else one per period across documents (scope ``*``). ``groups``: a table holding
    :func:`groups_sql`'s rows; by default the query groups the facts of ``{batch}`` itself.
    """
    refs = rule.refs
    concepts = sorted({r.concept for r in refs})

    joins, cols, bad, exists = [], [], [], []
    for i, r in enumerate(refs):
        joins.append(f"LEFT JOIN g AS r{i} ON r{i}.concept = {_q(r.concept)} AND r{i}.period = {_target(r, 'i.t')} "
                     f"AND r{i}.scope = i.scope")
        cols.append(f"r{i}.lo AS r{i}_lo, r{i}.hi AS r{i}_hi, r{i}.na AS r{i}_na")
        bad.append(f"r{i}_na IS NULL OR r{i}_na > 0 OR r{i}_lo > r{i}_hi")
        exists.append(f"EXISTS (SELECT 1 FROM g WHERE g.scope = s.scope AND g.concept = {_q(r.concept)} "
                      f"AND g.period = {_target(r, 't.t')})")
    comp = _Compiler(refs)
    lhs = comp.col(rule.tree.left)
    rhs = comp.col(rule.tree.right)
    bad += [f"({lo} <= 0 AND {hi} >= 0)" for lo, hi in comp.divisors]
    mine = f"concept IN ({', '.join(map(_q, concepts))})"
    grouped = ([_facts_cte(mine), f"g AS MATERIALIZED ({_groups()})"] if groups is None else
               [f"g AS MATERIALIZED (SELECT * FROM {groups} WHERE {mine})"])
    ctes = [
        *grouped,
        f"t AS ({_candidates(rule)})",
        "s AS (SELECT DISTINCT scope FROM g WHERE scope != '*')",
        f"ps AS (SELECT t.t AS t, s.scope AS scope FROM t CROSS JOIN s WHERE {' AND '.join(exists)})",
        "i AS (SELECT t, scope FROM ps UNION ALL SELECT t, '*' AS scope FROM t WHERE t NOT IN (SELECT t FROM ps))",
        f"j AS (SELECT i.t AS t, i.scope AS scope, {', '.join(cols)} FROM i {' '.join(joins)})",
        *comp.ctes,
    ]
    status = (f"CASE WHEN {' OR '.join(f'({b})' for b in bad)} THEN 'indeterminate' "
              f"WHEN {_holds(rule.tree.op, lhs, rhs)} THEN 'pass' ELSE 'fail' END")
    key = "CASE WHEN scope = '*' THEN t ELSE t || '@' || scope END"
    return (f"WITH {', '.join(ctes)} SELECT {key} AS key, {status} AS status, {lhs[0]} AS lhs_lo, "
            f"{lhs[1]} AS lhs_hi, {rhs[0]} AS rhs_lo, {rhs[1]} AS rhs_hi FROM {comp.prev}")


def duplicate_sql() -> str:
    """Same concept and period stated more than once: the statements must share a true value."""
    return (f"WITH {_facts_cte()} SELECT concept || '|' || period AS key, CASE "
            "WHEN SUM(CASE WHEN status IN ('NA', 'ND') THEN 1 ELSE 0 END) > 0 THEN 'indeterminate' "
            "WHEN MAX(lo) <= MIN(hi) THEN 'pass' ELSE 'fail' END AS status, "
            "MAX(lo) AS lhs_lo, MAX(lo) AS lhs_hi, MIN(hi) AS rhs_lo, MIN(hi) AS rhs_hi "
            "FROM f GROUP BY concept, period HAVING COUNT(*) >= 2")


def published_sql() -> str:
    """``published`` must read as the recorded value, scale and decimals (unless a lectura explains)."""
    reads = ("pub_error = '' AND pub_value = value AND (pub_scale IS NULL OR pub_scale = scale) "
             "AND pub_decimals = decimals")
    return (f"SELECT fact_id AS key, CASE WHEN {reads} THEN 'pass' WHEN lectura != '' THEN 'waived' "
            "ELSE 'fail' END AS status, pub_value AS lhs_lo, pub_value AS lhs_hi, value AS rhs_lo, "
            f"value AS rhs_hi FROM {TABLE} WHERE published != '' AND status NOT IN ('NA', 'ND')")


def range_sql() -> str:
    """A figure whose concept has a range (percentages: 0–100) must admit a value inside it."""
    where = "rango_min IS NOT NULL AND status NOT IN ('NA', 'ND')"
    return (f"WITH {_facts_cte(where)} SELECT fact_id AS key, CASE WHEN lo <= rango_max AND "
            "hi >= rango_min THEN 'pass' ELSE 'fail' END AS status, lo AS lhs_lo, hi AS lhs_hi, "
            "rango_min AS rhs_lo, rango_max AS rhs_hi FROM f")


def unexpected(sql: str) -> str:
    """Wrap an instance query for ``UnexpectedRowsExpectation``: only the rows that are findings."""
    return f"SELECT * FROM ({sql}) WHERE status NOT IN ('pass', 'waived')"
