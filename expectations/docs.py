"""The Data Docs site: GX's pages made self-contained, and cuadra's evidence pages beside them.

One job: assemble ``DIR/`` for an auditor with no network: ``DIR/gx/`` (written by GX during the
run, rewritten by :mod:`expectations.offline` to use vendored assets) and cuadra's own pages
(:mod:`cuadra.report.site`: index, one page per finding, per-document pages, the source texts with
line anchors), which link to the GX pages.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cuadra.contract.registry import Registry
from cuadra.engine import ROOT, Project
from cuadra.findings import Run
from cuadra.report.documents import load_documents
from cuadra.report.manifest import build_manifest, write_manifest
from cuadra.report.site import render_site
from cuadra.rules.catalogue import Rule, split_fuente
from cuadra.waivers import load_waivers
from expectations.offline import make_offline

__all__ = ["build_site", "DEFAULT_SOURCES", "DEFAULT_DOCUMENTS"]

#: Where the bundled source texts live (the quotes' line anchors point into them): the reports', then
#: the reference tables' (INEGI's INPC).
DEFAULT_SOURCES = (ROOT / "fixtures" / "sources", ROOT / "fixtures" / "reference" / "sources")
#: The document registers: titles, original URLs and page maps of those texts.
DEFAULT_DOCUMENTS = (ROOT / "fixtures" / "documents.yaml", ROOT / "fixtures" / "reference" / "documents.yaml")


def _latest_validation(gx: Path) -> Path | None:
    """GX names each validation page by run time; the newest is this run's."""
    pages = sorted((gx / "validations").rglob("*.html"), key=lambda p: (p.parent.name, p.name))
    return pages[-1] if pages else None


_BACK = "<!-- cuadra:back -->"
_RULE_REF = re.compile(r"\[([A-Za-z0-9_.\-]+)\](?=\s*</span>)")

#: The note at the top of every GX page: what GX shows, in Spanish, and how it agrees with cuadra.
_NOTE = ("Estas páginas las genera Great Expectations; su interfaz está en inglés, y las descripciones, "
         "en español. Cada familia de reglas de cuadra (un archivo del catálogo, una plantilla o una regla "
         "integrada) es una expectativa: falla solo si alguna instancia de alguna de sus reglas no cumple; "
         "las instancias indeterminadas y las dispensadas no son fallas aquí. La descripción de una familia "
         "tiene una línea por regla, con sus cuentas (✗ si alguna instancia no cumple) y su enlace desde las "
         "páginas de cuadra; el valor observado suma la familia. Las cuentas por regla coinciden con el índice "
         "de cuadra; lo que GX no puede expresar está descrito en docs/specs/data-docs.md.")


def _anchor_rules(html: str) -> str:
    """``id="regla-<rule id>"`` on each rule in an expectation's description (a family's has one line
    per rule), so cuadra's pages link to it."""
    seen: set[str] = set()

    def mark(m: re.Match[str]) -> str:
        if m[1] in seen:
            return m[0]
        seen.add(m[1])
        return f"<span id='regla-{m[1]}'></span>{m[0]}"

    return _RULE_REF.sub(mark, html)


_LOCAL_REF = re.compile(r"""(\s(?:href|src)\s*=\s*["'])((?:\.\./)+)([^"'#:]+)""")


def _repair_links(html: str, page: Path, gx: Path) -> str:
    """Point GX's relative links that miss (the validation page's favicon is one ``../`` short) at the
    file of that name under ``gx/``; links that resolve are left alone."""
    def fix(m: re.Match[str]) -> str:
        target = (page.parent / (m[2] + m[3])).resolve()
        # Only GX's own links inside gx/ (cuadra's pages beside gx/ may not be written yet).
        if target.exists() or not target.is_relative_to(gx.resolve()) or not (gx / m[3]).exists():
            return m[0]
        return m[1] + os.path.relpath(gx / m[3], page.parent).replace(os.sep, "/")

    return _LOCAL_REF.sub(fix, html)


def _link_back(gx: Path, site: Path) -> None:
    """Give every GX page a way back to cuadra's index, a Spanish note, an anchor per rule, and links
    that resolve (once)."""
    for page in gx.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if _BACK in html:
            continue
        href = os.path.relpath(site / "index.html", page.parent).replace(os.sep, "/")
        link = (f"{_BACK}<div lang='es' style='background:#0b5d75;color:#fff;padding:.4rem 1rem;"
                f"font:14px system-ui,sans-serif'><a style='color:#fff' href='{href}'>← cuadra: índice de la "
                f"evidencia, en español</a><p style='margin:.3rem 0 0;font-size:13px'>{_NOTE}</p></div>")
        m = re.search(r"<body\b[^>]*>", html)
        if m:
            html = _repair_links(_anchor_rules(html[:m.end()] + link + html[m.end():]), page, gx)
            page.write_text(html, encoding="utf-8")


def _source_files(sources_dir: Path | Sequence[Path] | None, run: Run) -> list[Path]:
    """The source texts the site cites (for the manifest): those of the run's documents that exist."""
    folders = [sources_dir] if isinstance(sources_dir, Path) else list(sources_dir or ())
    docs = {x.source for f in run.findings for x in f.facts} | {split_fuente(fu)[0] for f in run.findings
                                                                  for fu in f.fuentes}
    return sorted({folder / d for folder in folders for d in docs if d and (folder / d).is_file()})


def build_site(run: Run, docs_dir: Path, *, registry: Registry | None = None, rules: Sequence[Rule] = (),
               sources_dir: Path | Sequence[Path] | None = DEFAULT_SOURCES, project: Project | None = None,
               facts: Any = None, command: Sequence[str] = (), fail_on: str = "error",
               documents: Sequence[Path] = DEFAULT_DOCUMENTS) -> Path:
    """Make ``docs_dir/gx`` offline (when GX wrote it) and write cuadra's pages; return the index.

    With ``project`` (the inputs the run read) the site shows the waiver register and a manifest of
    every input's SHA-256, also written as ``docs_dir/manifest.json``; ``command`` is the command line.
    """
    docs_dir.mkdir(parents=True, exist_ok=True)
    gx = docs_dir / "gx"
    gx_index = gx_validation = None
    if (gx / "index.html").exists():
        make_offline(gx)
        _link_back(gx, docs_dir)
        gx_index = "gx/index.html"
        latest = _latest_validation(gx)
        gx_validation = latest.relative_to(docs_dir).as_posix() if latest else None
    manifest = None
    waivers = []
    if project is not None:
        registers = [*([project.waivers] if project.waivers else []), *project.extra_waivers]
        waivers = [w for p in registers for w in load_waivers(p)]
        inputs = {"fuentes": _source_files(sources_dir, run), "referencia": project.reference,
                  "reglas": project.rules, "registro": project.registry, "dispensas": registers,
                  "documentos": documents}
        manifest = build_manifest(run, inputs, root=ROOT, command=command, options={"fail_on": fail_on})
    index = render_site(run, docs_dir, registry=registry, rules=rules, sources_dir=sources_dir,
                        gx_index=gx_index, gx_validation=gx_validation, documents=load_documents(documents),
                        waivers=waivers, facts=facts, manifest=manifest, fail_on=fail_on)
    if manifest is not None:
        write_manifest(manifest, docs_dir / "manifest.json")
    return index


def offline_problems(site: Path) -> list[str]:
    """Every page or stylesheet of a built site that would fetch something from the network (should be none)."""
    from expectations.offline import remote_assets, remote_css

    return ([f"{page}: {url}" for page in sorted(site.rglob("*.html"))
             for url in remote_assets(page.read_text(encoding="utf-8"))]
            + [f"{sheet}: {url}" for sheet in sorted(site.rglob("*.css"))
               for url in remote_css(sheet.read_text(encoding="utf-8", errors="surrogateescape"))])


def main(argv: Sequence[str]) -> int:
    """``python -m expectations.docs SITE``: check a built site is self-contained (used by ``nox -s docs``)."""
    if len(argv) != 1 or not (Path(argv[0]) / "index.html").is_file():
        print("usage: python -m expectations.docs SITE (a folder written by cuadra validate --docs)",
              file=sys.stderr)
        return 2
    site = Path(argv[0])
    problems = offline_problems(site)
    for p in problems:
        print(p)
    pages = list(site.rglob("*.html"))
    print(f"{site / 'index.html'}: {len(pages)} pages, index {(site / 'index.html').stat().st_size / 1024:.0f} KB, "
          f"{'self-contained' if not problems else f'{len(problems)} remote asset(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
