"""``cuadra init DIR``: a steward's workspace, ready for ``cuadra validate`` with no options.

One job: write the files a steward edits (``cuadra.toml``, ``concepts.yaml``, ``rules/``,
``waivers.yaml``), the folders for their data and texts, a noxfile whose sessions run validate,
gate and docs, a CI workflow and a README with the commands. It never overwrites a file.
"""

from __future__ import annotations

from pathlib import Path

from cuadra.engine import ROOT
from cuadra.errors import InputError

__all__ = ["init_workspace", "FILES"]

_TOML = """\
# cuadra workspace (README.md). Paths are relative to this file. Every list ADDS to what cuadra
# bundles (the IMSS registry, catalogue and waivers); `solo = true` uses only what is listed here.
[cuadra]
dataset = "datos"
concepts = ["concepts.yaml"]
rules = ["rules"]
waivers = ["waivers.yaml"]
fuentes = ["fuentes"]
solo = false
"""

_CONCEPTS = """\
# Your concepts, added to cuadra's registry (units: MXN, personas, unidades, porcentaje,
# puntos_porcentuales, dias, ... are already registered). One id means one thing.
concepts: {}
#  boletin.puestos_trabajo.total:
#    label: Puestos de trabajo afiliados al IMSS
#    definition: Puestos de trabajo registrados ante el IMSS al cierre del mes.
#    unit: personas
#    kind: stock
"""

_RULES = """\
# Your rules, added to cuadra's catalogue (README: "The rule language").
# `fuentes` cites the lines a rule comes from: any document name or URL, with ':LINE';
# write `fuentes: []` for a rule no document states.
rules: []
#  - id: boletin.puestos_trabajo.total.suma
#    titulo: Los puestos de trabajo son la suma de permanentes y eventuales
#    expr: boletin.puestos_trabajo.total == boletin.puestos_trabajo.permanentes + boletin.puestos_trabajo.eventuales
#    kind: suma
#    fuentes: ["boletin.txt:3"]
"""

_WAIVERS = """\
# Accepted findings, never deleted: rule, period (the instance key), values, justificacion (in Spanish),
# aprobado_por (a role), fecha and vence (YYYY-MM-DD; the waiver expires after vence). README: waivers.
waivers: []
"""

_NOXFILE = '''\
"""Sessions of this cuadra workspace: validate, gate, docs (README.md)."""

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["validate"]
# Where cuadra is installed from: this path was written by `cuadra init`; CUADRA_SPEC overrides it.
CUADRA = os.environ.get("CUADRA_SPEC", {spec!r})


@nox.session(python="3.11")
def validate(session: nox.Session) -> None:
    """Validate the dataset of cuadra.toml: findings in out/, exit 1 on findings."""
    session.install(CUADRA)
    session.run("cuadra", "validate", "--json", "out/findings.json", "--junit", "out/junit.xml", *session.posargs)


@nox.session(python="3.11")
def gate(session: nox.Session) -> None:
    """Compare two versions: nox -s gate -- BASE HEAD (only new findings fail)."""
    session.install(CUADRA)
    if len(session.posargs) < 2:
        session.error("usage: nox -s gate -- BASE HEAD")
    session.run("cuadra", "gate", *session.posargs, "--markdown", "out/gate.md")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Data Docs into out/site (open out/site/index.html from disk)."""
    session.install(CUADRA)
    session.run("cuadra", "validate", "--docs", "out/site", "--quiet", *session.posargs, success_codes=[0, 1])
'''

_WORKFLOW = """\
# CI for this workspace: validate on every push; on a pull request, gate against the target branch.
name: cuadra
on: [push, pull_request]
jobs:
  cuadra:
    runs-on: ubuntu-latest
    env:
      GX_ANALYTICS_ENABLED: "false"
      CUADRA_SPEC: ${{{{ vars.CUADRA_SPEC || '{spec}' }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install nox uv
      - name: validate
        run: nox -s validate
      - name: gate against the target branch
        if: github.event_name == 'pull_request'
        run: |
          mkdir -p out/base
          git archive "$(git merge-base origin/${{{{ github.base_ref }}}} HEAD)" datos | tar -x -C out/base
          nox -s gate -- out/base/datos datos
      - name: Data Docs
        if: always()
        run: nox -s docs
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: cuadra
          path: out/
"""

_README = """\
# {name}: figures checked with cuadra

```
cuadra extraer fuentes/boletin.txt --out candidatos.csv   # candidate facts from a release's text
cuadra validate                                           # validate datos/ with cuadra.toml
cuadra validate --docs out/site                           # Data Docs: open out/site/index.html
cuadra gate BASE HEAD                                     # only new findings fail
nox -s validate | nox -s docs | nox -s gate -- BASE HEAD  # the same through nox, as CI runs them
```

- `fuentes/`: the texts of your documents (a release's text, or `pdftotext` of its PDF). A fact's
  `source` is the file name here (or a URL whose last segment is the file name).
- `candidatos.csv`: what `cuadra extraer` proposes; check each row, fill or correct `concept`
  (suggested with its `concept_score`), `period`, `unit`, then move the rows you keep to `datos/`.
- `concepts.yaml`, `rules/`, `waivers.yaml`: yours, added to the ones cuadra bundles
  (`solo = true` in `cuadra.toml` uses only yours).
- `.github/workflows/cuadra.yml`: CI (validate, gate on pull requests, Data Docs as an artifact).

The full walk-through: cuadra's `docs/tutorial.md`.
"""

_FORMATTED = {"noxfile.py", ".github/workflows/cuadra.yml", "README.md"}
#: Relative path → template. Folders end with "/".
FILES: dict[str, str] = {
    "cuadra.toml": _TOML,
    "concepts.yaml": _CONCEPTS,
    "rules/reglas.yaml": _RULES,
    "waivers.yaml": _WAIVERS,
    "noxfile.py": _NOXFILE,
    ".github/workflows/cuadra.yml": _WORKFLOW,
    "README.md": _README,
    "datos/": "",
    "fuentes/": "",
    ".gitignore": "out/\n.nox/\n",
}


def init_workspace(folder: Path, *, force: bool = False) -> int:
    """Write the workspace; refuse a non-empty folder unless ``force`` (and even then, never overwrite)."""
    if folder.exists() and not folder.is_dir():
        raise InputError(str(folder), None, None, "exists and is not a folder: choose a new folder name")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(str(folder), None, None, "folder is not empty: choose a new one, or add --force "
                                                  "(existing files are kept)")
    spec = str(ROOT) if (ROOT / "pyproject.toml").is_file() else "cuadra"
    written = []
    for rel, template in FILES.items():
        path = folder / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = template.format(spec=spec, name=folder.resolve().name) if rel in _FORMATTED else template
        path.write_text(text, encoding="utf-8")
        written.append(rel)
    print(f"espacio de trabajo en {folder}: {', '.join(written) or 'nada nuevo'}\n"
          f"siguiente: cd {folder} && cuadra extraer fuentes/TU_TEXTO.txt --out candidatos.csv")
    return 0
