"""Rule shapes: a rule tree with its operands and literals taken out as parameters.

One job: compile each rule into its *shape* (the tree's operators, functions and comparison, with
every reference and number replaced by a numbered slot) and the values of those slots. Rules of one
shape differ only in which concepts they read, at which periods, and which literals they write, so
the evaluator (``cuadra.rules.evaluate``) walks a shape's tree once over the instances of all its
rules together (issue 17: the cost was a fixed numpy overhead per rule, not the data). The walk is
the same interval arithmetic in the same order as for one rule, so every bound is bit-identical.

Slots are numbered in the order the tree walk (``evaluate._eval``) visits the leaves: a comparison's
left side before its right, an operator's left operand before its right, a call's arguments in
order. Imports nothing from numpy, pandas or the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cuadra.errors import UnsupportedRule
from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["Plan", "PeriodSpec", "compile_rule", "period_spec", "spec_id", "SPEC_REFS"]

#: How a reference chooses its period, without the concept: two references with the same spec read
#: the same period at every instance.
PeriodSpec = tuple[int, str, bool, str | None]


def period_spec(ref: Ref) -> PeriodSpec:
    return (ref.lag, ref.step, ref.fin, ref.fixed)


#: Every period spec compiled in this process, numbered in order of appearance, and a reference
#: reading each (``SPEC_REFS[spec_id(r)]`` reads the same period as ``r`` at every instance).
_SPEC_IDS: dict[PeriodSpec, int] = {}
SPEC_REFS: list[Ref] = []


def spec_id(ref: Ref) -> int:
    """The number of ``ref``'s period spec (a rule's are numbered once, when it is compiled)."""
    key = period_spec(ref)
    k = _SPEC_IDS.get(key)
    if k is None:
        SPEC_REFS.append(ref)
        k = _SPEC_IDS[key] = len(SPEC_REFS) - 1
    return k


@dataclass(frozen=True)
class Plan:
    """One rule, compiled: its shape and the values of the shape's slots."""

    #: The tree with leaves abstracted (``R`` a reference, ``N`` a number), e.g. ``R==((R/R)*N)``.
    shape: str
    #: The references, in walk order (slot k of the shape is ``refs[k]``).
    refs: tuple[Ref, ...]
    #: The literals, in walk order.
    nums: tuple[float, ...]
    #: The period spec number (:func:`spec_id`) of each reference slot.
    specs: tuple[int, ...]
    #: The distinct references (a reference written twice is one operand), and their spec numbers.
    distinct: tuple[Ref, ...]
    distinct_specs: tuple[int, ...]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Spec numbers belong to this process (a rule may be pickled in the catalogue cache and read
        # by another): the plan is rebuilt, and its references numbered again, where it is unpickled.
        return (_plan, (self.shape, self.refs, self.nums))


def _plan(shape: str, refs: tuple[Ref, ...], nums: tuple[float, ...]) -> Plan:
    distinct = tuple(dict.fromkeys(refs))
    return Plan(shape, refs, nums, tuple(spec_id(r) for r in refs), distinct, tuple(spec_id(r) for r in distinct))


def _signature(node: Node | Compare, refs: list[Ref], nums: list[float]) -> Iterator[str]:
    """Yield the shape's text while collecting the leaves in the order ``_eval`` visits them."""
    if isinstance(node, Ref):
        refs.append(node)
        yield "R"
    elif isinstance(node, Num):
        nums.append(float(node.value))
        yield "N"
    elif isinstance(node, BinOp | Compare):
        yield "("
        yield from _signature(node.left, refs, nums)
        yield node.op
        yield from _signature(node.right, refs, nums)
        yield ")"
    elif isinstance(node, Neg):
        yield "-"
        yield from _signature(node.operand, refs, nums)
    elif isinstance(node, Call):
        yield f"{node.fn}("
        for i, a in enumerate(node.args):
            if i:
                yield ","
            yield from _signature(a, refs, nums)
        yield ")"
    else:
        raise UnsupportedRule(f"the numpy evaluator does not know {type(node).__name__}")


def compile_rule(tree: Compare) -> Plan:
    """The shape of ``tree`` and its slots' values."""
    refs: list[Ref] = []
    nums: list[float] = []
    shape = "".join(_signature(tree, refs, nums))
    return _plan(shape, tuple(refs), tuple(nums))
