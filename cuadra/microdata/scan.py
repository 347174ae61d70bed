"""What an engine returns for one file: counts per rule, example rows, sums of the measures.

One job: the engine-neutral result values (and reading a file's header and digest, which every
engine needs before it starts). The engines fill a :class:`FileScan`; findings and facts are built
from it, so both engines are judged by the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cuadra.errors import InputError, InputErrors
from cuadra.microdata.layout import Layout, RowRule

__all__ = ["Example", "RuleOutcome", "FileScan", "Progress", "check_header", "is_parquet",
           "ENCODING", "DELIMITER"]

ENCODING = "latin-1"   # the published files' encoding (issue 18, "The data")
DELIMITER = "|"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Example:
    fila: int                       # 1-based data row (the header is row 0)
    valores: dict[str, str | None]  # the raw text of the columns the rule reads

    def to_json(self) -> dict[str, object]:
        return {"fila": self.fila, "valores": self.valores}


@dataclass(frozen=True)
class RuleOutcome:
    rule: RowRule
    filas: int
    ejemplos: tuple[Example, ...]


@dataclass(frozen=True)
class FileScan:
    path: Path
    rows: int
    outcomes: tuple[RuleOutcome, ...]
    sums: dict[str, int]  # counts as they are; masa_sal_* in cents (exact on every engine)
    engine: str
    #: rules whose verdict from a second lowering (Pandera's pyspark backend) differs from the counts
    disagreements: tuple[str, ...] = ()
    #: how the counting pass read the file: "tipos" (a CSV read with the layout's types), "texto"
    #: (as text, then cast), "parquet"; "" when the engine does not say
    lectura: str = ""



def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def check_header(path: Path, found: list[str], layout: Layout) -> None:
    """Every dictionary column must be present (extra columns are allowed: releases add some)."""
    missing = [c for c in layout.names if c not in found]
    if missing:
        raise InputErrors([InputError(str(path), 1, c, f"falta la columna '{c}' del diccionario de datos "
                                      f"(columnas leídas: {', '.join(found[:30])})") for c in missing])
