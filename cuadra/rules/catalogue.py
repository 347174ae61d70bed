"""The rule catalogue: ``rules/*.yaml`` read into frozen :class:`Rule` values.

One job: load, check and stamp each rule with the file and line it came from (R validate's
``origin``), so that a bad rule is reported where it is written, and so that the Data Docs can cite
it. Imports neither pandas, pandera nor GX.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cuadra.errors import RuleError
from cuadra.rules.shapes import Plan, compile_rule
from cuadra.rules.syntax import Compare, Ref, RuleSyntaxError, parse_expr, refs
from cuadra.yamlload import YamlError, load_yaml

if TYPE_CHECKING:
    import yaml

__all__ = ["Rule", "BuiltinRule", "BUILTINS", "KINDS", "SEVERITIES", "load_catalogue", "catalogue_hash", "split_fuente",
           "expand_definitions", "read_yaml", "check_header"]

#: Rule kinds of the catalogue (issue 4) and the built-in families (no YAML entry needed).
KINDS = ("suma", "razon", "diferencia", "crecimiento", "real_nominal", "unidad", "conteo", "cota",
         "formula", "cruce")
BUILTIN_KINDS = ("duplicado", "publicado", "rango")
SEVERITIES = ("error", "warning")
_ID = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")
#: A rule's source: any document name or URL, optionally ``:LINE`` or ``:FIRST-LAST`` (issue 14).
_FUENTE = re.compile(r"^(?P<doc>\S(?:.*?\S)??)(?::(?P<loc>\d+(?:-\d+)?))?$")


def split_fuente(fuente: str) -> tuple[str, str]:
    """``"000_x.txt:49-56"`` → ("000_x.txt", "49-56"); a URL keeps its colons: ``"https://a/b.pdf:3"``."""
    m = _FUENTE.match(fuente.strip())
    return (m["doc"], m["loc"] or "") if m else (fuente, "")


@dataclass(frozen=True)
class Rule:
    id: str
    titulo: str
    expr: str
    tree: Compare
    kind: str
    severity: str
    ess_level: int
    fuentes: tuple[str, ...]
    origin: str
    descripcion: str = ""
    periodos: tuple[str, ...] | None = None
    #: ``periodos: completos``: instances only at the periods where every operand is stated (the
    #: relation a report states once, carried to whatever periods a dataset states it for).
    completos: bool = False
    meta: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def refs(self) -> list[Ref]:
        """The tree's references, walked once per rule (the evaluator asks on every call)."""
        return refs(self.tree)

    @cached_property
    def plan(self) -> Plan:
        """The tree's shape and slot values, compiled once per rule (the evaluator batches by shape)."""
        return compile_rule(self.tree)

    @property
    def concepts(self) -> list[str]:
        out: list[str] = []
        for r in self.refs:
            if r.concept not in out:
                out.append(r.concept)
        return out


@dataclass(frozen=True)
class BuiltinRule:
    """A family every dataset gets without a catalogue entry (DESIGN.md "Built-in families")."""

    id: str
    titulo: str
    expr: str
    kind: str
    severity: str = "error"
    ess_level: int = 1
    fuentes: tuple[str, ...] = ()
    origin: str = "built-in"
    descripcion: str = ""


BUILTINS = {
    "duplicado": BuiltinRule(
        "duplicado", "La misma cifra declarada más de una vez concuerda dentro del redondeo",
        "∩ intervalos(concepto, periodo) ≠ ∅", "duplicado",
        descripcion="Mismo concepto y periodo, en uno o varios documentos: los intervalos que su "
                    "redondeo publicado permite deben compartir al menos un valor."),
    "publicado": BuiltinRule(
        "publicado", "La cifra publicada se lee como el valor registrado",
        "lectura(texto publicado) = (valor, escala, decimales)", "publicado",
        descripcion="El texto impreso, leído en formato mexicano, da el mismo valor, escala y "
                    "decimales que la fila; una lectura corregida (OCR) se documenta en 'lectura'."),
    "rango": BuiltinRule(
        "rango", "Un porcentaje (o cifra con rango) admite un valor dentro de su rango",
        "intervalo de la cifra ∩ [mínimo, máximo del rango del concepto] ≠ ∅", "rango",
        descripcion="Los porcentajes caen entre 0 y 100 salvo que el concepto declare 'rango: libre' "
                    "(variaciones) u otro rango."),
}


#: A definition's name has no dot, so it can never be mistaken for (or shadow) a concept id.
_DEF_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def expand_definitions(expr: str, defs: Mapping[str, str]) -> str:
    """Replace every defined name in ``expr`` by its text in parentheses.

    Why a textual macro: the rule stays one comparison in the language every backend already
    compiles (numpy, SQL, the exact evaluator, the Data Docs' words), so a definition adds no
    semantics of its own and cannot make the backends disagree. A name takes no period: a
    definition names fixed periods itself (``promedio_2019`` sums ``x["2019-01"]`` .. ``x["2019-12"]``).
    """
    if not defs:
        return expr

    def repl(m: re.Match[str]) -> str:
        if m.group(2):
            raise RuleSyntaxError(f"definition {m.group(1)!r} takes no period: it names its own", m.start(2))
        return f"({defs[m.group(1)]})"

    return _names(defs).sub(repl, expr)


def _names(defs: Mapping[str, str]) -> re.Pattern[str]:
    """A defined name as a whole word: not part of a concept id (``a.x``, ``x.total``) or a longer name;
    group 2 catches a period subscript after it."""
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(defs, key=len, reverse=True)))
                      + r")(?![\w.])(\s*\[)?")


def _used(expr: str, defs: Mapping[str, str]) -> dict[str, str]:
    """The definitions an expression names, with their expanded text (for the rules page)."""
    found = {m.group(1) for m in _names(defs).finditer(expr)} if defs else set()
    return {n: t for n, t in defs.items() if n in found}


def _definitions(path: Path, data: dict, root: yaml.Node) -> dict[str, str]:
    """The file's ``definiciones:`` (name → expression), each checked and expanded in order."""
    import yaml  # lazily: a warm start parses no YAML (issue 17)

    raw = data.get("definiciones") or {}
    node = next((v for k, v in root.value if k.value == "definiciones"), None)  # type: ignore[attr-defined]
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
    if not isinstance(raw, dict):
        raise RuleError(str(path), node.start_mark.line + 1 if node else 1, "definiciones: expected name: expression")
    defs: dict[str, str] = {}
    for name, text in raw.items():
        line = lines.get(str(name), 1)
        if not _DEF_NAME.match(str(name)):
            raise RuleError(str(path), line, f"definition name {name!r}: expected snake_case without dots")
        try:
            expanded = expand_definitions(" ".join(str(text).split()), defs)
            parse_expr(f"{expanded} == 0")
        except RuleSyntaxError as exc:
            raise RuleError(str(path), line, f"definition {name}: {exc}", exc.col) from None
        defs[str(name)] = expanded
    return defs


def read_yaml(path: Path) -> tuple[yaml.Node | None, object]:
    """The file's node tree (for line numbers) and its data; bad YAML is reported at its line."""
    try:
        data, root = load_yaml(path)  # bounded: size, nesting, alias expansion (issue 15)
    except YamlError as exc:
        raise RuleError(str(path), exc.line or 1, exc.message, exc.col) from None
    return root, data


def check_header(item: dict, fail: Callable[[str, str], RuleError], seen: Mapping[str, str],
                 required: tuple[str, ...], what: str = "rule") -> tuple[str, str, str, int]:
    """The fields rules and templates share, checked alike: (id, kind, severity, ess_level)."""
    for key in required:
        if not item.get(key):
            raise fail(key, f"{what} is missing {key!r}")
    rid = str(item["id"])
    if not _ID.match(rid):
        raise fail("id", f"{what} id {rid!r}: expected dotted lowercase snake_case")
    if rid in seen:
        raise fail("id", f"{what} id {rid!r} already defined at {seen[rid]}")
    kind = str(item["kind"])
    if kind not in KINDS:
        raise fail("kind", f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    severity = str(item.get("severity", "error"))
    if severity not in SEVERITIES:
        raise fail("severity", f"severity {severity!r}: expected error or warning")
    ess = item.get("ess_level", 1)
    if not isinstance(ess, int) or not 0 <= ess <= 5:
        raise fail("ess_level", f"ess_level {ess!r}: expected 0 to 5")
    return rid, kind, severity, ess


def _items(path: Path) -> tuple[list[tuple[dict, dict[str, int], int]], dict[str, str]]:
    import yaml  # lazily: a warm start parses no YAML (issue 17)

    root, data = read_yaml(path)
    if data is None:
        return [], {}
    defs: dict[str, str] = {}
    if isinstance(data, dict) and "rules" in data:
        defs = _definitions(path, data, root)  # type: ignore[arg-type]
        data = data["rules"]
        root = next(v for k, v in root.value if k.value == "rules")  # type: ignore[union-attr]
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise RuleError(str(path), 1, "expected a list of rules (or rules: [...])")
    out = []
    for item, node in zip(data, root.value, strict=True):
        lines = {}
        if isinstance(node, yaml.MappingNode):
            lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
        out.append((item, lines, node.start_mark.line + 1))
    return out, defs


def load_catalogue(paths: Iterable[Path], known_concepts: Collection[str] | None = None) -> list[Rule]:
    """Load every rule file; the first error stops with file and line (a catalogue must be whole)."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in paths:
        items, defs = _items(path)
        for item, lines, start in items:
            if not isinstance(item, dict):
                raise RuleError(str(path), start, "each rule is a mapping with id, titulo, expr, kind, ...")

            def fail(key: str, msg: str, col: int | None = None, lines: dict[str, int] = lines,
                     start: int = start, path: Path = path) -> RuleError:
                return RuleError(str(path), lines.get(key, start), msg, col)

            if item.get("fuentes") is None:
                raise fail("fuentes", "rule is missing 'fuentes': cite the document lines it comes from "
                                      "(['boletin.txt:12']), or write 'fuentes: []' for a rule no document states")
            rid, kind, severity, ess = check_header(item, fail, seen, ("id", "titulo", "expr", "kind"))
            fuentes = item["fuentes"]
            if isinstance(fuentes, str):
                fuentes = [fuentes]
            if not isinstance(fuentes, list):
                raise fail("fuentes", "fuentes: expected a list of 'document:LINE' (or [])")
            for f in fuentes:
                if not isinstance(f, str) or not _FUENTE.match(f):
                    raise fail("fuentes", f"fuente {f!r}: expected a document name or URL, optionally "
                                          "with ':LINE' or ':FIRST-LAST'")
            try:
                written = str(item["expr"]).strip()
                expr = expand_definitions(written, defs)
                tree = parse_expr(expr)
            except RuleSyntaxError as exc:
                raise fail("expr", str(exc), exc.col) from None
            if known_concepts is not None:
                for r in refs(tree):
                    if r.concept not in known_concepts:
                        raise fail("expr", f"unknown concept {r.concept!r} in rule {rid}")
            periodos = item.get("periodos")
            completos = periodos == "completos"
            if completos:
                periodos = None
            elif periodos is not None and not isinstance(periodos, list):
                raise fail("periodos", "periodos: expected a list of periods or 'completos'")
            origin = f"{path.name}:{start}"
            seen[rid] = origin
            rules.append(Rule(
                id=rid, titulo=str(item["titulo"]), expr=expr, tree=tree, kind=kind,
                severity=severity, ess_level=ess, fuentes=tuple(str(f) for f in fuentes), origin=origin,
                descripcion=str(item.get("descripcion", "")),
                periodos=tuple(str(p) for p in periodos) if periodos else None, completos=completos,
                meta={**{k: v for k, v in item.items() if k not in Rule.__dataclass_fields__},
                      **({"expr_escrita": written, "definiciones": _used(written, defs)} if expr != written else {})},
            ))
    return rules


def catalogue_hash(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
