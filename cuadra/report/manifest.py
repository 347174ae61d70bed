"""The run's manifest: what an auditor needs to re-run a validation and compare, byte for byte.

One job: name every input file with its full SHA-256 (the facts, the reference tables, the source
texts, the rule catalogue, the concept registry, the waiver register, the document register), the
tool's version, the command line and the options that change a verdict (``--fail-on``, the
backends). The Data Docs show it on ``manifiesto.html`` and write it beside the site as
``manifest.json``. Reads the files it is handed; imports nothing of the site.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cuadra.contract.readers import dataset_files
from cuadra.digest import file_sha256
from cuadra.errors import CuadraError
from cuadra.findings import Run

__all__ = ["InputFile", "Manifest", "build_manifest", "write_manifest", "ROLES_ES"]

#: The inputs' roles, in the order the manifest lists them, and how the site names them.
ROLES_ES = {"hechos": "hechos (el conjunto validado)", "referencia": "tablas de referencia",
            "fuentes": "textos fuente", "reglas": "catálogo de reglas", "registro": "registro de conceptos",
            "dispensas": "registro de dispensas", "documentos": "registro de documentos"}



@dataclass(frozen=True)
class InputFile:
    role: str
    path: str
    sha256: str
    bytes: int


@dataclass
class Manifest:
    version: str
    started: str
    dataset: str
    command: list[str]
    options: dict[str, str]
    inputs: list[InputFile] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"herramienta": "cuadra", "version": self.version, "inicio": self.started, "conjunto": self.dataset,
                "linea_de_comandos": self.command, "opciones": self.options, "algoritmo": "sha256",
                "entradas": [{"rol": i.role, "ruta": i.path, "sha256": i.sha256, "bytes": i.bytes}
                             for i in self.inputs]}


def _shown(path: Path, root: Path | None) -> str:
    """A path as the auditor re-runs it: relative to the project when inside it, else absolute."""
    p = path.resolve()
    try:
        return p.relative_to(root.resolve()).as_posix() if root is not None else p.as_posix()
    except ValueError:
        return p.as_posix()


def build_manifest(run: Run, inputs: Mapping[str, Iterable[Path]], *, root: Path | None = None,
                   command: Sequence[str] = (), options: Mapping[str, str] | None = None) -> Manifest:
    """Hash every input of ``run``: ``inputs`` by role (see :data:`ROLES_ES`); the dataset's own files
    (role ``hechos``) are found again from ``run.dataset`` when not given."""
    groups = dict(inputs)
    if "hechos" not in groups:
        try:
            groups["hechos"] = dataset_files(Path(run.dataset))
        except CuadraError:
            groups["hechos"] = []
    seen: set[Path] = set()
    files = []
    for role in ROLES_ES:
        for p in sorted(groups.get(role, ()), key=str):
            if p.resolve() in seen or not p.is_file():
                continue
            seen.add(p.resolve())
            files.append(InputFile(role, _shown(p, root), file_sha256(p), p.stat().st_size))
    opts = {"backends": ",".join(run.backends), **(options or {})}
    return Manifest(version=run.version, started=run.started, dataset=run.dataset,
                    command=list(command), options=opts, inputs=files)


def write_manifest(manifest: Manifest, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
