"""Rule templates: one relation written once, expanded over the vocabulary and the facts present.

One job: read templates (``rules/plantillas/*.yaml``) and expand them, at run time, into plain
:class:`Rule` values. A template ranges over one family of vocabulary relations (``sobre``:
jerarquias, razones, cambios, tasas, participaciones, indicadores, metas), optionally narrowed by attribute
(``donde: {form: porcentaje}``) or by a concept pattern (``patron: "afiliacion.*"``). Its ``expr`` is
rule text with ``{placeholders}`` that each binding fills with concept ids and relative periods;
the result is parsed by the ordinary parser, so the numpy evaluator and the SQL compiler receive
an ordinary tree and stay the two lowerings of one language (R validate's ``expand_groups`` pass,
done before evaluation, is the model).

Expansion binds a relation only where every concept it names has facts, lines periods up from the
shapes present (a yearly change of a stock dated at year ends reads ``x[fin(t)] - x[fin(t-1)]``),
and skips a binding whose concepts a catalogue rule already relates (that relation is checked once,
by the rule that cites the report). Each instance keeps its template and bindings in ``meta``
(``plantilla``, ``vinculos``), which the findings JSON and the Data Docs show.

Imports neither pandas, pandera nor GX.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cuadra.errors import RuleError
from cuadra.rules import periods
from cuadra.rules.catalogue import Rule, check_header, read_yaml
from cuadra.rules.syntax import Compare, RuleSyntaxError, parse_expr
from cuadra.rules.syntax import refs as syntax_refs
from cuadra.vocabulary.model import Change, Ratio, Vocabulary

__all__ = ["Template", "Binding", "Expansion", "FAMILIES", "load_templates", "expand_templates", "bindings"]

FAMILIES = ("jerarquias", "razones", "cambios", "tasas", "participaciones", "indicadores", "metas")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
#: How many of the bound facts' locators an instance cites when the relation declares no fuentes.
MAX_FUENTES = 8


@dataclass(frozen=True)
class Template:
    """A rule that ranges over a family of relations; data, like a rule (R validate's ``rule``)."""

    id: str
    titulo: str
    expr: str
    sobre: str
    kind: str
    severity: str
    ess_level: int
    origin: str
    descripcion: str = ""
    donde: tuple[tuple[str, str], ...] = ()
    patron: str | None = None


@dataclass(frozen=True)
class Binding:
    """One relation of a family, with the text each placeholder takes and its attributes."""

    key: str
    values: Mapping[str, str]
    attrs: Mapping[str, str]
    concepts: tuple[str, ...]
    origin: str
    fuentes: tuple[str, ...] = ()


@dataclass
class Expansion:
    """What the templates produced: the instances, and the bindings left out with the reason."""

    rules: list[Rule] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (template id, binding key, reason)


def _shape(period: str) -> str:
    return {4: "año", 7: "mes", 10: "fecha"}.get(len(period), "otro")


def _hierarchies(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    for h in vocab.hierarchies:
        text = " ".join(("+ " if w > 0 else "- ") + c for w, c in h.parts).removeprefix("+ ")
        yield Binding(h.total, {"total": h.total, "partes": text, "n": str(len(h.parts))},
                      {"kind": vocab.kind_of(h.total)}, h.concepts, h.origin, h.fuentes)


def _ratios(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    for r in vocab.ratios:
        yield Binding(r.concept, {"razon": r.concept, "numerador": r.numerator, "denominador": r.denominator,
                                  "factor": str(r.factor)},
                      {"kind": "share" if r.share else vocab.kind_of(r.concept)}, r.concepts, r.origin, r.fuentes)


def _aligned(c: Change, present: Mapping[str, set[str]]) -> tuple[str, str, str] | None:
    """(current, previous, alignment) for a change, from the period shapes present.

    The same shape: ``x`` and ``x[t-1]`` (``m-1``, ``q-1``). A change over a year or a month of a
    stock dated at period ends: ``x[fin(t)]`` and ``x[fin(t-1)]`` (``fin(m-1)``).
    """
    letter = {"año": "t", "mes": "m", "trimestre": "q"}[c.step]
    mine = {_shape(p) for p in present.get(c.concept, ())}
    base = {_shape(p) for p in present.get(c.of, ())}
    usable = mine if c.step == "año" else mine - {"año"}
    if usable & base:
        return c.of, f"{c.of}[{letter}-{c.lag}]", "mismo periodo"
    if "fecha" in base and usable & {"año", "mes"}:
        return f"{c.of}[fin(t)]", f"{c.of}[fin({letter}-{c.lag})]", "saldos al cierre"
    return None


def _changes(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    for c in vocab.changes:
        aligned = _aligned(c, present)
        if aligned is None:
            continue
        now, prev, how = aligned
        yield Binding(c.concept, {"cambio": c.concept, "base": c.of, "actual": now, "anterior": prev},
                      {"form": c.form, "step": c.step, "alineacion": how, "kind": vocab.kind_of(c.concept)},
                      c.concepts, c.origin, c.fuentes)


def _rates_of_change(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    """A change stated both ways (difference d and percentage p, same base, lag and step): the rate
    follows from the change and the current level, p = d / (x − d) × 100, even when the earlier
    level is not published (a monthly release states the stock, the change and the rate)."""
    diffs: dict[tuple[str, int, str], list[Change]] = {}
    for c in vocab.changes:
        if c.form == "diferencia":
            diffs.setdefault((c.of, c.lag, c.step), []).append(c)
    pairs = [(p, d) for p in vocab.changes if p.form == "porcentaje" for d in diffs.get((p.of, p.lag, p.step), ())]
    for p, d in pairs:
        aligned = _aligned(p, {**present, p.concept: present.get(p.concept, set()) & present.get(d.concept, set())})
        if aligned is None:
            continue
        now = aligned[0]
        key = f"{p.concept}.{d.concept.rpartition('.')[2]}"
        yield Binding(key, {"tasa": p.concept, "cambio": d.concept, "base": p.of, "actual": now},
                      {"step": p.step, "alineacion": aligned[2], "kind": vocab.kind_of(p.concept)},
                      (p.concept, d.concept, p.of), p.origin, p.fuentes)


def _shares(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    """A hierarchy whose every part has a share of the total: the shares add up to the factor."""
    by: dict[tuple[str, str], Ratio] = {(r.numerator, r.denominator): r for r in vocab.ratios}
    for h in vocab.hierarchies:
        shares = [by.get((part, h.total)) for w, part in h.parts if w > 0]
        if len(shares) != len(h.parts) or any(s is None for s in shares):
            continue
        factors = {s.factor for s in shares if s}
        if len(factors) != 1:
            continue
        names = [s.concept for s in shares if s]
        yield Binding(h.total, {"total": h.total, "participaciones": " + ".join(names), "factor": str(factors.pop())},
                      {"kind": "share"}, tuple(names), h.origin, h.fuentes)


def _indicators(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    """An indicator sheet's target against its baseline. A sheet states each once, at its own year
    (baseline 2018, target 2024): the lag between them is bound from the facts present, so the
    instance reads ``meta`` at ``t`` and ``linea_base[t-6]``, and carries to a sheet moved in time."""
    for i in vocab.indicators:
        if i.baseline is None or i.target is None:
            continue
        (target, *more_t), (base, *more_b) = sorted(present.get(i.target, {""})), sorted(present.get(i.baseline, {""}))
        if more_t or more_b or len(target) != 4 or len(base) != 4:
            continue
        lag = int(base) - int(target)
        baseline = f"{i.baseline}[t{lag:+d}]" if lag else i.baseline
        yield Binding(i.concept, {"indicador": i.concept, "linea_base": baseline, "meta": i.target},
                      {"direction": i.direction, "kind": vocab.kind_of(i.concept)},
                      (i.baseline, i.target), i.origin, i.fuentes)


def _targets(vocab: Vocabulary, present: Mapping[str, set[str]]) -> Iterable[Binding]:
    """A target against the latest result stated before the target's year: a sheet whose verb is
    "Incrementar"/"Aumentar" (ascendente) sets a target not below it, "Reducir" (descendente) not
    above it. As for the baseline, the lag is bound from the facts present (``valor[t-4]`` for a
    2024 target and a 2020 result), so the instance carries to a sheet moved in time."""
    for i in vocab.indicators:
        targets, results = sorted(present.get(i.target or "", ())), present.get(i.concept, set())
        if len(targets) != 1 or len(targets[0]) != 4:
            continue
        before = sorted(p for p in results if len(p) == 4 and p < targets[0])
        if not before:
            continue
        lag = int(before[-1]) - int(targets[0])
        yield Binding(i.concept, {"indicador": i.concept, "meta": str(i.target), "ultimo": f"{i.concept}[t{lag:+d}]"},
                      {"direction": i.direction, "kind": vocab.kind_of(i.concept)},
                      (str(i.target), i.concept), i.origin, i.fuentes)


_FAMILY = {"jerarquias": _hierarchies, "razones": _ratios, "cambios": _changes, "tasas": _rates_of_change,
           "participaciones": _shares, "indicadores": _indicators, "metas": _targets}


def bindings(family: str, vocab: Vocabulary, present: Mapping[str, set[str]]) -> list[Binding]:
    """Every relation of a family, with the period alignment the facts present call for."""
    return list(_FAMILY[family](vocab, present))


def load_templates(paths: Iterable[Path]) -> list[Template]:
    """Read template files; the first error stops with file and line, as for rules."""
    import yaml  # lazily: a warm start parses no YAML (issue 17)

    out: list[Template] = []
    seen: dict[str, str] = {}
    for path in paths:
        root, data = read_yaml(path)
        if data is None:
            continue
        items = data.get("plantillas") if isinstance(data, dict) else None
        node = next((v for k, v in root.value if k.value == "plantillas"), None) if isinstance(
            root, yaml.MappingNode) else None
        if not isinstance(items, list) or not isinstance(node, yaml.SequenceNode):
            raise RuleError(str(path), 1, "expected plantillas: [ {id, titulo, sobre, expr, kind}, ... ]")
        for item, n in zip(items, node.value, strict=True):
            lines = {k.value: k.start_mark.line + 1 for k, _ in n.value} if isinstance(n, yaml.MappingNode) else {}
            start = n.start_mark.line + 1
            out.append(_template(item, path, lines, start, seen))
    return out


def _template(item: object, path: Path, lines: dict[str, int], start: int, seen: dict[str, str]) -> Template:
    def fail(key: str, msg: str) -> RuleError:
        return RuleError(str(path), lines.get(key, start), msg)

    if not isinstance(item, dict):
        raise RuleError(str(path), start, "each template is a mapping with id, titulo, sobre, expr, kind")
    tid, kind, severity, ess = check_header(item, fail, seen, ("id", "titulo", "sobre", "expr", "kind"), "template")
    sobre = str(item["sobre"])
    if sobre not in FAMILIES:
        raise fail("sobre", f"sobre {sobre!r}: expected one of {', '.join(FAMILIES)}")
    donde = item.get("donde") or {}
    if not isinstance(donde, dict):
        raise fail("donde", "donde: expected attribute: value")
    expr = " ".join(str(item["expr"]).split())
    try:  # the text must parse once every placeholder names a concept
        parse_expr(_PLACEHOLDER.sub(lambda m: "a.b" if m.group(1) != "factor" else "1", expr))
    except RuleSyntaxError as exc:
        raise fail("expr", f"template expr: {exc}") from None
    origin = f"{path.name}:{start}"
    seen[tid] = origin
    return Template(id=tid, titulo=str(item["titulo"]), expr=expr, sobre=sobre, kind=kind, severity=severity,
                    ess_level=ess, origin=origin, descripcion=str(item.get("descripcion", "")),
                    donde=tuple((str(k), str(v)) for k, v in donde.items()),
                    patron=str(item["patron"]) if item.get("patron") else None)


def _fill(text: str, values: Mapping[str, str], template: Template) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise RuleError(template.origin.rpartition(":")[0], int(template.origin.rpartition(":")[2]),
                            f"template {template.id}: {{{m.group(1)}}} is not a placeholder of {template.sobre} "
                            f"(those are {', '.join(sorted(values))})")
        return values[m.group(1)]

    return _PLACEHOLDER.sub(repl, text)


def _cited(b: Binding, locators: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    if b.fuentes:
        return b.fuentes
    out: list[str] = []
    for c in b.concepts:
        for loc in locators.get(c, ()):
            if loc not in out:
                out.append(loc)
    return tuple(out[:MAX_FUENTES])


def _covered_by(b: Binding, catalogue: Sequence[Rule]) -> str | None:
    """The catalogue rule that already checks this relation, if any.

    A rule whose concepts include all of the binding's relates them already (the relation is
    checked once, by the rule that cites the report). A *derived* relation also defers to any rule
    that relates two or more of its concepts: there the transcriber wrote the report's own method
    (a ficha that subtracts a deduction from numerator / denominator, a real growth with its deflator).
    """
    mine = set(b.concepts)
    derived = b.origin.startswith("derivado")
    for r in catalogue:
        theirs = set(r.concepts)
        if mine <= theirs or (derived and len(mine & theirs) >= 2):
            return r.id
    return None


def _periods(tree: Compare, present: Mapping[str, set[str]]) -> tuple[str, ...]:
    """The instance periods where every operand is present: the binding of ``t`` to the facts.

    A template ranges over the facts present, so a period without the previous month's stock has no
    instance (rather than an indeterminate one): instances are rules with ``completos`` (the
    evaluators keep these periods themselves); a binding with no such period is not expanded.
    """
    refs = syntax_refs(tree)
    plain = [r for r in refs if r.fixed is None and not r.relative]
    starts: set[str] = set()
    for r in plain or refs:
        for p in present.get(r.concept, ()):
            t = p if r in plain else periods.source(r, p)
            if t:
                starts.add(t)
    return tuple(sorted(t for t in starts if all(periods.target(r, t) in present.get(r.concept, ()) for r in refs)))


def expand_templates(templates: Sequence[Template], vocab: Vocabulary, facts: Iterable[tuple[str, str, str, str]],
                     catalogue: Sequence[Rule] = ()) -> Expansion:
    """Instances of every template over the facts present (``(concept, period, source, locator)``).

    Deterministic: templates in file order, bindings in vocabulary order, so rule ids and the
    catalogue of instances are the same on every run over the same facts.
    """
    present: dict[str, set[str]] = {}
    locators: dict[str, list[str]] = {}
    for concept, period, source, locator in facts:
        present.setdefault(concept, set()).add(period)
        ref = f"{source}:{locator}"
        seen = locators.setdefault(concept, [])
        if ref not in seen:
            seen.append(ref)
    out = Expansion()
    ids: set[str] = set()
    by_family: dict[str, list[Binding]] = {}
    for t in templates:
        family = by_family.setdefault(t.sobre, bindings(t.sobre, vocab, present))
        for b in family:
            if any(b.attrs.get(k) != v for k, v in t.donde):
                continue
            if t.patron and not fnmatch.fnmatchcase(b.key, t.patron):
                continue
            if not all(c in present for c in b.concepts):
                continue
            rid = f"plantilla.{t.id}.{b.key}"
            if rid in ids:
                continue
            if (other := _covered_by(b, catalogue)) is not None:
                out.skipped.append((t.id, b.key, f"la regla {other} ya relaciona estos conceptos"))
                continue
            expr = _fill(t.expr, b.values, t)
            tree = parse_expr(expr)
            at = _periods(tree, present)
            if not at:
                out.skipped.append((t.id, b.key, "ningún periodo tiene todos los operandos"))
                continue
            ids.add(rid)
            out.rules.append(Rule(
                id=rid, titulo=_fill(t.titulo, b.values, t), expr=expr, tree=tree, kind=t.kind,
                severity=t.severity, ess_level=t.ess_level, fuentes=_cited(b, locators), origin=t.origin,
                descripcion=t.descripcion, completos=True,
                meta={"plantilla": t.id, "vinculos": dict(b.values), "relacion": b.origin,
                      **{f"atributo_{k}": v for k, v in b.attrs.items()}}))
    return out
