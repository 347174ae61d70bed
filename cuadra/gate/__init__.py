"""The CI gate (issue 8): compare two versions of a dataset; only new findings block.

``run_gate(base, head)`` returns a :class:`GateResult`; ``cuadra gate BASE HEAD`` is its command
line and ``docs/gate.md`` documents the identities and the outputs.
"""

from cuadra.gate.run import GateResult, run_gate

__all__ = ["GateResult", "run_gate"]
