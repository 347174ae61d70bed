"""Write a facts frame back in the contract, in any supported format.

One job: the inverse of the loader, so that a dataset read, written and read again is unchanged
(a property the tests prove). Values are written in their shortest exact decimal form; the
precision travels in ``decimals`` and ``scale``, never in float formatting.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd

from cuadra.contract.facts import OPTIONAL, REQUIRED
from cuadra.escape import spreadsheet_cell

__all__ = ["write_facts"]

COLUMNS = list(REQUIRED + OPTIONAL)


def _value(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return format(Decimal(repr(float(v))), "f")


def write_facts(facts: pd.DataFrame, path: Path) -> None:
    out = facts[COLUMNS].copy()
    out["value"] = out["value"].map(_value)
    out["scale"] = out["scale"].astype(int).astype(str)
    out["decimals"] = out["decimals"].astype(int).astype(str)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        # A quote or source starting with = + - @ would run as a formula in a spreadsheet: neutralised,
        # and the reader undoes it (cuadra.escape.spreadsheet_cell), so the round trip still holds.
        out = out.map(lambda v: spreadsheet_cell(v) if isinstance(v, str) else v)
    if suffix == ".csv":
        out.to_csv(path, index=False, encoding="utf-8")
    elif suffix == ".xlsx":
        out.to_excel(path, index=False)
    elif suffix == ".parquet":
        out.to_parquet(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps({"facts": out.to_dict(orient="records")}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    else:
        raise ValueError(f"{path}: expected .csv, .xlsx, .parquet or .json")
