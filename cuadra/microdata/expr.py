"""Row expressions: the one tree a row rule is written in, and its two lowerings.

One job: a tiny, closed expression language over the columns of one row (columns, numbers,
``+ - * /``, comparisons, ``and``/``or``, null tests, membership, cents). A rule is declared once as a
tree; :func:`to_sql` lowers it to portable SQL (DuckDB, Spark SQL and SQLite read the same text) and
:func:`to_pandas` to a vectorised numpy mask for Pandera. SQL's three-valued logic is the semantics:
a comparison with a null operand is not a violation, in both lowerings (a missing measure is caught
by its own rule, ``tipo``). Imports nothing from cuadra.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Expr", "col", "lit", "to_sql", "to_pandas", "columns_of", "code_number_columns", "NUM"]

NUM = "__num"  # suffix of a column holding a code's number, computed once per row (to_sql ``hoisted``)


class Expr:
    """Base node; operators build new nodes (never evaluate)."""

    def __add__(self, o: Expr | float) -> Expr:
        return Bin("+", self, _e(o))

    def __sub__(self, o: Expr | float) -> Expr:
        return Bin("-", self, _e(o))

    def __mul__(self, o: Expr | float) -> Expr:
        return Bin("*", self, _e(o))

    def __truediv__(self, o: Expr | float) -> Expr:
        return Bin("/", self, _e(o))

    def __and__(self, o: Expr) -> Expr:
        return Bool("AND", self, o)

    def __or__(self, o: Expr) -> Expr:
        return Bool("OR", self, o)

    def ne(self, o: Expr | float) -> Expr:
        return Cmp("<>", self, _e(o))

    def eq(self, o: Expr | float) -> Expr:
        return Cmp("=", self, _e(o))

    def lt(self, o: Expr | float) -> Expr:
        return Cmp("<", self, _e(o))

    def le(self, o: Expr | float) -> Expr:
        return Cmp("<=", self, _e(o))

    def gt(self, o: Expr | float) -> Expr:
        return Cmp(">", self, _e(o))

    def ge(self, o: Expr | float) -> Expr:
        return Cmp(">=", self, _e(o))

    def isnull(self) -> Expr:
        return Null(self, True)

    def notnull(self) -> Expr:
        return Null(self, False)

    def notin(self, values: tuple[object, ...]) -> Expr:
        return NotIn(self, tuple(values))

    def cents(self) -> Expr:
        """The amount in whole cents: money compared "to the cent", exactly, on every engine."""
        return Cents(self)

    def rounded(self) -> Expr:
        """The nearest integer (a number equals it exactly when it is an integer)."""
        return Round(self)

    def code_number(self) -> Expr:
        """The number after a code's one-letter prefix ('W12' -> 12); null when it is not a number."""
        return CodeNumber(self)


@dataclass(frozen=True, eq=False)
class Col(Expr):
    name: str


@dataclass(frozen=True, eq=False)
class Lit(Expr):
    value: float


@dataclass(frozen=True, eq=False)
class Bin(Expr):
    op: str
    a: Expr
    b: Expr


@dataclass(frozen=True, eq=False)
class Cmp(Expr):
    op: str
    a: Expr
    b: Expr


@dataclass(frozen=True, eq=False)
class Bool(Expr):
    op: str
    a: Expr
    b: Expr


@dataclass(frozen=True, eq=False)
class Null(Expr):
    a: Expr
    is_null: bool


@dataclass(frozen=True, eq=False)
class NotIn(Expr):
    a: Expr
    values: tuple[object, ...]


@dataclass(frozen=True, eq=False)
class Cents(Expr):
    a: Expr


@dataclass(frozen=True, eq=False)
class Round(Expr):
    a: Expr


@dataclass(frozen=True, eq=False)
class CodeNumber(Expr):
    a: Expr


def col(name: str) -> Col:
    return Col(name)


def lit(value: float) -> Lit:
    return Lit(value)


def _e(x: Expr | float) -> Expr:
    return x if isinstance(x, Expr) else Lit(x)


def _sql_lit(v: object) -> str:
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return repr(v) if isinstance(v, float) else str(v)


def _int_range(values: tuple[object, ...]) -> tuple[int, int] | None:
    """``(lo, hi)`` when the values are exactly the whole numbers lo..hi (three or more), else None."""
    if len(values) < 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    lo, hi = min(values), max(values)  # type: ignore[type-var]
    return (lo, hi) if sorted(values) == list(range(lo, hi + 1)) else None  # type: ignore[arg-type]


def to_sql(e: Expr, quote: str = '"', *, try_cast: bool = True, hoisted: frozenset[str] = frozenset(),
           duckdb: bool = False) -> str:
    """Portable SQL text of ``e``; ``quote`` is the identifier quote (``"`` ANSI, ````` Spark).
    ``try_cast=False`` for SQLite, which has no TRY_CAST (its CAST never raises). ``hoisted``: columns
    whose code number the source already carries as ``<column>__num`` (the same SQL text, computed
    once per row instead of at each use: the salary-band rules use it five times). ``duckdb``: a
    text code list as ``list_contains`` (one lookup, a fifth of ``NOT IN``'s comparisons on DuckDB)."""
    def q(name: str) -> str:
        return f"{quote}{name}{quote}"

    def sub(x: Expr) -> str:
        return to_sql(x, quote, try_cast=try_cast, hoisted=hoisted, duckdb=duckdb)

    match e:
        case Col(name):
            return q(name)
        case Lit(value):
            return _sql_lit(value)
        case Bin(op, a, b):
            if op == "/":  # a true division on every engine (SQLite divides integers exactly otherwise)
                return f"(CAST({sub(a)} AS DOUBLE) / {sub(b)})"
            return f"({sub(a)} {op} {sub(b)})"
        case Cmp(op, a, b):
            return f"({sub(a)} {op} {sub(b)})"
        case Bool(op, a, b):
            return f"({sub(a)} {op} {sub(b)})"
        case Null(a, is_null):
            return f"({sub(a)} IS {'' if is_null else 'NOT '}NULL)"
        case NotIn(a, values) if _int_range(values):
            # A run of whole numbers lo..hi (entidad 1-32): three comparisons instead of 32, the same
            # truth value (a null operand stays unknown, a fraction is outside the list).
            x, (lo, hi) = sub(a), _int_range(values)  # type: ignore[misc]
            return f"(NOT (({x} >= {lo}) AND ({x} <= {hi}) AND ({x} = ROUND({x}))))"
        case NotIn(a, values) if duckdb and all(isinstance(v, str) for v in values):
            x = sub(a)  # list_contains(l, NULL) is not unknown as NOT IN's is: the null test keeps it so
            return f"({x} IS NOT NULL AND NOT list_contains([{', '.join(_sql_lit(v) for v in values)}], {x}))"
        case NotIn(a, values):
            return f"({sub(a)} NOT IN ({', '.join(_sql_lit(v) for v in values)}))"
        case Cents(a):
            return f"ROUND({sub(a)} * 100)"
        case Round(a):
            return f"ROUND({sub(a)})"
        case CodeNumber(Col(name)) if name in hoisted:
            return q(name + NUM)
        case CodeNumber(a):
            return f"{'TRY_CAST' if try_cast else 'CAST'}(SUBSTR({sub(a)}, 2) AS DOUBLE)"
    raise TypeError(f"unsupported row expression node {type(e).__name__}")


_CMP = {"<>": np.not_equal, "=": np.equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
        ">=": np.greater_equal}


def to_pandas(e: Expr, df: pd.DataFrame) -> np.ndarray:
    """Evaluate ``e`` on ``df``: numbers as float64 with NaN for null, predicates as a boolean mask
    where null means "unknown" (kept apart so that ``OR`` and ``AND`` follow SQL)."""
    value, known = _eval(e, df)
    if value.dtype == bool:
        return value & known
    return value


def _eval(e: Expr, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = len(df)
    match e:
        case Col(name):
            s = df[name]
            known = s.notna().to_numpy()
            if pd.api.types.is_numeric_dtype(s):
                return s.to_numpy(dtype="float64", na_value=np.nan), known
            return s.to_numpy(dtype=object), known
        case Lit(value):
            return np.full(n, value, dtype=object if isinstance(value, str) else "float64"), np.ones(n, bool)
        case Bin(op, a, b):
            (x, kx), (y, ky) = _eval(a, df), _eval(b, df)
            with np.errstate(divide="ignore", invalid="ignore"):
                out = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[op](x, y)
            known = kx & ky
            if op == "/":
                known = known & (y != 0)
            return out, known
        case Cmp(op, a, b):
            (x, kx), (y, ky) = _eval(a, df), _eval(b, df)
            known = kx & ky
            out = np.zeros(n, bool)
            out[known] = _CMP[op](x[known], y[known])
            return out, known
        case Bool(op, a, b):
            (x, kx), (y, ky) = _eval(a, df), _eval(b, df)
            x_t, x_f, y_t, y_f = x & kx, ~x & kx, y & ky, ~y & ky
            if op == "AND":
                true, false = x_t & y_t, x_f | y_f
            else:
                true, false = x_t | y_t, x_f & y_f
            return true, true | false
        case Null(a, is_null):
            _, k = _eval(a, df)
            return (~k if is_null else k), np.ones(n, bool)
        case NotIn(a, values):
            x, k = _eval(a, df)
            allowed = {float(v) for v in values} if x.dtype != object else set(values)
            out = np.zeros(n, bool)
            out[k] = ~pd.Series(x[k]).isin(allowed).to_numpy()
            return out, k
        case Cents(a):
            x, k = _eval(a, df)
            return np.round(x * 100), k
        case Round(a):
            x, k = _eval(a, df)
            return np.round(x), k
        case CodeNumber(a):
            x, k = _eval(a, df)
            num = pd.to_numeric(pd.Series(x).str[1:], errors="coerce").to_numpy(dtype="float64")
            return num, k & ~np.isnan(num)
    raise TypeError(f"unsupported row expression node {type(e).__name__}")


def _nodes(e: Expr) -> Iterator[Expr]:
    """Every node of ``e``, depth first, left to right (first-use order)."""
    yield e
    match e:
        case Bin(_, a, b) | Cmp(_, a, b) | Bool(_, a, b):
            yield from _nodes(a)
            yield from _nodes(b)
        case Null(a, _) | NotIn(a, _) | Cents(a) | Round(a) | CodeNumber(a):
            yield from _nodes(a)


def code_number_columns(e: Expr) -> tuple[str, ...]:
    """The columns whose code number ``e`` reads (``col(c).code_number()``), in first-use order."""
    return tuple(dict.fromkeys(x.a.name for x in _nodes(e) if isinstance(x, CodeNumber) and isinstance(x.a, Col)))


def columns_of(e: Expr) -> tuple[str, ...]:
    """The columns an expression reads, in first-use order (the values an example row shows)."""
    return tuple(dict.fromkeys(x.name for x in _nodes(e) if isinstance(x, Col)))
