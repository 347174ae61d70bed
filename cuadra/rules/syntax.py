"""The rule language: parse ``expr`` with :mod:`ast` into cuadra's own small, whitelisted tree.

One job: text → tree. Nothing is ever evaluated here (no ``eval``); Python's ``ast`` is only a
tokenizer and precedence parser, and every node it returns is either translated into one of the
dataclasses below or rejected with the column where it stands.

The language::

    rule     := expr CMP expr            CMP in == <= < >= >
    expr     := expr (+|-|*|/) expr | -expr | NUMBER | ref | call | (expr)
    ref      := concept.id | concept.id[period]
    period   := t | t-1 | t+2 | m-1 | q-1 | fin(t) | fin(t-1) | fin(m-1) | "2019-12"

``t-N`` counts years (the same period N years earlier), ``m-N`` months and ``q-N`` quarters;
``fin(...)`` takes the end date of the period it lands on (``cuadra.rules.periods`` has the table).
    call     := sum(expr, ...) | abs(expr) | min(expr, expr, ...) | max(expr, expr, ...)

Imports nothing from pandas, pandera or GX (STYLE.md move 1: declaration never imports execution).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal

from cuadra.limits import current
from cuadra.rules.periods import LETTERS

__all__ = ["Node", "Ref", "Num", "BinOp", "Neg", "Call", "Compare", "RuleSyntaxError", "parse_expr",
           "refs", "unparse", "FUNCTIONS", "COMPARISONS"]

FUNCTIONS = ("sum", "abs", "min", "max")
COMPARISONS = {ast.Eq: "==", ast.LtE: "<=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">"}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class RuleSyntaxError(ValueError):
    """Bad ``expr`` text; ``col`` is the 0-based column in the expression."""

    def __init__(self, message: str, col: int | None = None) -> None:
        super().__init__(message)
        self.col = col


@dataclass(frozen=True)
class Ref:
    """A concept at the instance period shifted by ``lag`` steps (years unless ``step`` says months
    or quarters), then taken at its end date when ``fin``; or at a ``fixed`` period."""

    concept: str
    lag: int = 0
    fixed: str | None = None
    step: str = "año"
    fin: bool = False

    @property
    def relative(self) -> bool:
        """True for ``x[t-1]``, ``x[m-1]``, ``x[fin(t)]``...: anything read relative to ``t`` but not ``t`` itself."""
        return self.fixed is None and (self.lag != 0 or self.fin)


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


Node = Ref | Num | BinOp | Neg | Call


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


#: The largest shift a reference may write (a thousand years or months is already no relation).
MAX_LAG = 1000
_PERIOD_HELP = 'a period reference reads [t], [t-1], [m-1], [q-1], [fin(t)], [fin(t-1)] or ["2019-12"]'


def _shifted(node: ast.expr) -> tuple[int, str]:
    """``t``, ``t-1``, ``m-1``, ``q+2`` → (lag, step)."""
    if isinstance(node, ast.Name) and node.id in LETTERS:
        return 0, "año"
    if (isinstance(node, ast.BinOp) and isinstance(node.left, ast.Name) and node.left.id in LETTERS
            and isinstance(node.op, ast.Add | ast.Sub) and isinstance(node.right, ast.Constant)
            and type(node.right.value) is int):
        lag = node.right.value if isinstance(node.op, ast.Add) else -node.right.value
        if abs(lag) > MAX_LAG:
            raise RuleSyntaxError(f"a period shift must lie within ±{MAX_LAG} steps", node.col_offset)
        return lag, LETTERS[node.left.id] if lag else "año"
    raise RuleSyntaxError(_PERIOD_HELP, getattr(node, "col_offset", None))


def _period(node: ast.expr) -> dict[str, object]:
    """The subscript of a reference → the :class:`Ref` fields it sets."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {"fixed": node.value}
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "fin"
            and len(node.args) == 1 and not node.keywords):
        lag, step = _shifted(node.args[0])
        return {"lag": lag, "step": step, "fin": True}
    lag, step = _shifted(node)
    return {"lag": lag, "step": step}


#: The largest literal a rule may write: far above any published figure, far below float overflow
#: (``1e400`` is ``inf`` to numpy and SQLite alike, and the two backends must see the same number).
MAX_LITERAL = Decimal(10) ** 30


def _number(n: ast.Constant) -> Num:
    try:
        value = Decimal(str(n.value))
    except ValueError:  # an integer literal with more digits than Python converts to text
        value = Decimal("Infinity")
    if not value.is_finite() or abs(value) > MAX_LITERAL:
        raise RuleSyntaxError("number out of range: a literal must lie within ±10^30", n.col_offset)
    return Num(value)


def _depth(tree: ast.AST) -> tuple[int, int]:
    """Nesting of a parsed tree and the column of its deepest node, without recursion."""
    best, col = 0, 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        if d > best:
            best, col = d, getattr(node, "col_offset", col)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(node))
    return best, col


def _node(n: ast.expr) -> Node:
    if isinstance(n, ast.Constant) and type(n.value) in (int, float):
        return _number(n)
    if isinstance(n, ast.Attribute | ast.Name):
        name = _dotted(n)
        if name is None or "." not in name:
            raise RuleSyntaxError(f"expected a dotted concept id such as pensiones.total.monto, got "
                                  f"{ast.unparse(n)!r}", n.col_offset)
        return Ref(name)
    if isinstance(n, ast.Subscript):
        name = _dotted(n.value)
        if name is None or "." not in name:
            raise RuleSyntaxError("only a concept id can take a period [t-1]", n.col_offset)
        return Ref(name, **_period(n.slice))  # type: ignore[arg-type]
    if isinstance(n, ast.BinOp) and type(n.op) in _BINOPS:
        return BinOp(_BINOPS[type(n.op)], _node(n.left), _node(n.right))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
        inner = _node(n.operand)
        return Num(-inner.value) if isinstance(inner, Num) else Neg(inner)
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.UAdd):
        return _node(n.operand)
    if isinstance(n, ast.Call):
        fn = n.func.id if isinstance(n.func, ast.Name) else None
        if fn not in FUNCTIONS or n.keywords:
            raise RuleSyntaxError(f"unknown function {ast.unparse(n.func)!r}; allowed: {', '.join(FUNCTIONS)}",
                                  n.col_offset)
        args = tuple(_node(a) for a in n.args)
        if not args or (fn == "abs" and len(args) != 1) or (fn in ("min", "max") and len(args) < 2):
            raise RuleSyntaxError(f"{fn}() got {len(args)} argument(s)", n.col_offset)
        return Call(fn, args)
    raise RuleSyntaxError(f"not allowed in a rule: {ast.unparse(n)!r} (use + - * /, numbers, concept ids, "
                          f"{', '.join(FUNCTIONS)})", getattr(n, "col_offset", None))


def parse_expr(text: str) -> Compare:
    """Parse a rule expression; raise :class:`RuleSyntaxError` pointing at the bad column."""
    lim = current()
    if len(text) > lim.max_expr_chars:
        raise RuleSyntaxError(f"expression of {len(text):,} characters, above the limit of "
                              f"{lim.max_expr_chars:,}: split the rule or use sum()", 0)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleSyntaxError(f"syntax error: {exc.msg.split(';')[0]}", (exc.offset or 1) - 1) from None
    except (RecursionError, MemoryError, ValueError):  # the parser's own stack, or a 5,000-digit integer
        raise RuleSyntaxError(f"expression nested too deep (more than {lim.max_expr_depth} levels)", 0) from None
    depth, col = _depth(tree)
    if depth > lim.max_expr_depth:
        raise RuleSyntaxError(f"expression nested {depth} levels deep, above the limit of {lim.max_expr_depth}: "
                              "write a long sum as sum(a, b, ...)", col)
    body = tree.body
    if not isinstance(body, ast.Compare) or len(body.ops) != 1 or type(body.ops[0]) not in COMPARISONS:
        raise RuleSyntaxError("a rule is one comparison: left (== <= < >= >) right", 0)
    return Compare(COMPARISONS[type(body.ops[0])], _node(body.left), _node(body.comparators[0]))


def refs(node: Node | Compare) -> list[Ref]:
    """Every concept reference, left to right (duplicates kept once, order kept)."""
    found: list[Ref] = []

    def walk(n: Node | Compare) -> None:
        if isinstance(n, Ref):
            if n not in found:
                found.append(n)
        elif isinstance(n, BinOp | Compare):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Neg):
            walk(n.operand)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)

    walk(node)
    return found


def unparse(node: Node | Compare) -> str:
    """The canonical text of a tree; ``parse_expr(unparse(t)) == t``."""
    if isinstance(node, Compare):
        return f"{unparse(node.left)} {node.op} {unparse(node.right)}"
    if isinstance(node, Ref):
        if node.fixed is not None:
            return f'{node.concept}["{node.fixed}"]'
        letter = next(k for k, v in LETTERS.items() if v == node.step)
        shifted = f"{letter}{node.lag:+d}" if node.lag else "t"
        if node.fin:
            return f"{node.concept}[fin({shifted})]"
        if node.lag:
            return f"{node.concept}[{shifted}]"
        return node.concept
    if isinstance(node, Num):
        return str(node.value) if node.value >= 0 else f"({node.value})"
    if isinstance(node, Neg):
        return f"-({unparse(node.operand)})"
    if isinstance(node, BinOp):
        return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
    return f"{node.fn}({', '.join(unparse(a) for a in node.args)})"
