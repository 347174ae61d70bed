"""The hostile corpus, generated (no committed binaries): a tiny project and the inputs an attacker writes.

One job: write, into a temporary folder, a three-concept registry, a one-rule catalogue and facts
files in every format, each of which any test can spoil in one way (a path as ``source``, markup
in a quote, a YAML bomb in a title, a zip bomb, UTF-16, NUL bytes, …). Also the in-process runner
every hostile test uses: exit code and stderr, with the checks common to all of them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from cuadra.cli import main

HEADER = ["concept", "period", "value", "unit", "scale", "decimals", "rounding", "status", "source", "locator",
          "quote", "published", "lectura"]
DOC = "000_18269b3800bc8850.txt"
#: A passing instance: 1.2 + 2.3 = 3.5 stated as 3.4, within rounding.
ROWS = [
    {"concept": "h.a", "period": "2020", "value": "1.2"},
    {"concept": "h.b", "period": "2020", "value": "2.3"},
    {"concept": "h.total", "period": "2020", "value": "3.4"},
]
XSS = "<script>alert('cuadra-xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
JS = "javascript:alert(1)"
#: What must never appear raw in any page, Markdown or JUnit written from the hostile corpus.
FORBIDDEN = ("<script>alert", "<img src=x", "javascript:alert")

REGISTRY = """units:
  unidades: {label: unidades}
concepts:
  h.a: {label: parte a, unit: unidades}
  h.b: {label: parte b, unit: unidades}
  h.total: {label: total, unit: unidades}
"""


def rule_yaml(titulo: str = "El total es la suma de sus partes", expr: str = "h.total == h.a + h.b") -> str:
    return (f"- id: h.suma\n  titulo: {titulo}\n  expr: '{expr}'\n  kind: suma\n"
            f"  fuentes: ['{DOC}:1']\n")


def row(**cells: str) -> dict[str, str]:
    base = {"unit": "unidades", "scale": "0", "decimals": "1", "rounding": "nearest", "status": "final",
            "source": DOC, "locator": "1", "quote": "cifra", "published": "", "lectura": ""}
    return {**base, **cells}


def rows(first: dict[str, str] | None = None, **every: str) -> list[dict[str, str]]:
    """The three facts: ``every`` cell given changed in all of them, ``first`` in the first only."""
    out = [{**row(**r), **every} for r in ROWS]
    out[0] = {**out[0], **(first or {})}
    return out


def csv_text(records: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(records)
    return buf.getvalue()


class Project:
    """A temporary project: ``inputs/`` (registry, rules, facts) and ``out/`` (everything written)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "inputs"
        self.out = root / "out"
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.concepts = self.write("concepts.yaml", REGISTRY)
        self.rules = self.write("rules.yaml", rule_yaml())
        self.write("no-waivers.yaml", "[]\n")

    def write(self, name: str, text: str | bytes) -> Path:
        p = self.inputs / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    def facts(self, records: Sequence[dict[str, str]] | None = None, name: str = "facts.csv") -> Path:
        return self.write(name, csv_text(records if records is not None else rows()))

    def args(self, *extra: str, backend: str = "pandera") -> list[str]:
        return ["--solo", "--rules", str(self.rules), "--concepts", str(self.concepts),
                "--waivers", str(self.inputs / "no-waivers.yaml"), "--no-reference", "--backend", backend,
                "--quiet", *extra]

    def validate(self, data: Path, *extra: str, backend: str = "pandera") -> list[str]:
        return ["validate", str(data), *self.args(*extra, backend=backend)]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(argv: list[str], capsys: pytest.CaptureFixture[str], project: Project) -> tuple[int, str]:
    """Run the CLI in-process; check what every hostile case must hold, return (exit code, stderr).

    No traceback; the inputs unchanged; nothing written outside ``out/`` (no temporary left either).
    """
    before = snapshot(project.root)
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    after = snapshot(project.root)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    outside = sorted(k for k in changed if not k.startswith("out/"))
    assert not outside, f"written outside out/ or input changed: {outside}"
    leftovers = sorted(k for k in after if ".tmp" in k or ".old" in k)
    assert not leftovers, f"temporary files left: {leftovers}"
    return code, err


def zip_bomb(path: Path, inflated: int = 256 << 20) -> Path:
    """An XLSX whose sheet inflates ~1000× (``inflated`` bytes from a few hundred KB)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                chunk = b"<row><c t='inlineStr'><is><t>0</t></is></c></row>" * 20_000
                with out.open(item.filename, "w", force_zip64=True) as fh:
                    for _ in range(inflated // len(chunk)):
                        fh.write(chunk)
            else:
                out.writestr(item, src.read(item.filename))
    return path
