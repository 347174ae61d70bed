"""The one error hierarchy of cuadra: every error a user can cause points at where it is.

The CLI turns any :class:`CuadraError` into ``file:row:column: what was expected`` and exit 2;
anything else is a bug in cuadra and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CuadraError", "InputError", "InputErrors", "RuleError", "UnsupportedRule"]


class CuadraError(Exception):
    """Base of every error caused by what the user supplied."""


@dataclass
class InputError(CuadraError):
    """A cell of a supplied dataset that breaks the facts contract."""

    file: str
    row: int | None
    column: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.expected}"


class InputErrors(CuadraError):
    """Every contract error of a dataset at once: a steward fixes them all in one pass."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class RuleError(CuadraError):
    """A rule of the catalogue that cannot be used: bad syntax, unknown concept, bad field."""

    file: str
    line: int
    message: str
    col: int | None = None

    def __str__(self) -> str:
        col = f":{self.col}" if self.col is not None else ""
        return f"{self.file}:{self.line}{col}: {self.message}"


class UnsupportedRule(CuadraError):
    """A node of a rule tree that an evaluator does not know: fail loudly, never guess."""
