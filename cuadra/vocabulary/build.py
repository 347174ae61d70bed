"""The vocabulary from the registry: read each concept's declared relations, then derive the rest.

One job: turn the relation attributes the registry kept as written (``Concept.relations``) into
checked values, with every problem reported as ``file:line: what was expected`` (exit 2), and add
what ``derive.py`` infers from the concept ids where nothing is declared.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cuadra.contract.registry import Concept, Registry
from cuadra.errors import InputError, InputErrors
from cuadra.rules.periods import STEPS
from cuadra.vocabulary.derive import derive
from cuadra.vocabulary.model import CHANGE_FORMS, DIRECTIONS, Change, Hierarchy, Indicator, Ratio, Vocabulary

__all__ = ["build_vocabulary", "UNIT_FACTORS", "indicator_parts"]

#: The factor a rate's unit implies when the concept does not state one.
UNIT_FACTORS = {"porcentaje": 100, "tasa_por_100": 100, "tasa_por_1000": 1000, "tasa_por_10000": 10000,
                "tasa_por_100000": 100000}


def _where(c: Concept) -> tuple[str, int | None]:
    file, _, line = c.origin.rpartition(":")
    return file, int(line) if line.isdigit() else None


def _components(c: Concept, raw: object, known: dict[str, Concept]) -> tuple[tuple[int, str], ...]:
    if isinstance(raw, dict):
        items = [(int(w), str(k)) if w in (1, -1) else (0, str(k)) for k, w in raw.items()]
    elif isinstance(raw, list):
        items = [(-1, str(x)[1:].strip()) if str(x).startswith("-") else (1, str(x).strip()) for x in raw]
    else:
        raise ValueError("components: expected a list of concept ids ('-id' subtracts) or {id: 1 | -1}")
    for w, k in items:
        if w == 0:
            raise ValueError(f"components: weight of {k} must be 1 or -1")
        if k not in known:
            raise ValueError(f"components: unknown concept {k!r}")
        if k == c.id:
            raise ValueError("components: a concept cannot be its own component")
    if len(items) < 2:
        raise ValueError("components: a total needs at least two components")
    return tuple(items)


def _factor(c: Concept, raw: object) -> Decimal:
    if raw is None:
        return Decimal(UNIT_FACTORS.get(c.unit, 1))
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"factor: expected a number (100, 1000, 100000), got {raw!r}") from None


def _fuentes(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    return (str(raw),) if isinstance(raw, str) else tuple(str(x) for x in raw)  # type: ignore[union-attr]


def indicator_parts(concept: str, known: dict[str, Concept]) -> tuple[str | None, str | None]:
    """The baseline and target of an indicator sheet, by the sheet's naming: ``<ficha>.linea_base``,
    ``<ficha>.meta`` beside ``<ficha>.valor`` (or beside the indicator id itself)."""
    head, _, last = concept.rpartition(".")
    prefix = head if last in ("valor", "meta", "linea_base") else concept
    base, target = f"{prefix}.linea_base", f"{prefix}.meta"
    return (base if base in known else None), (target if target in known else None)


def _declared(c: Concept, known: dict[str, Concept], vocab: Vocabulary) -> None:
    r = c.relations
    fuentes = _fuentes(r.get("fuentes"))
    if "components" in r:
        raw = r["components"]
        # Several breakdowns of one total (by contract type, by sector): a list of lists.
        for one in raw if isinstance(raw, list) and raw and isinstance(raw[0], list) else [raw]:
            vocab.hierarchies.append(Hierarchy(c.id, _components(c, one, known), c.origin, fuentes))
    if "numerator" in r or "denominator" in r:
        num, den = r.get("numerator"), r.get("denominator")
        if not num or not den:
            raise ValueError("a rate declares both numerator and denominator")
        for k in (num, den):
            if str(k) not in known:
                raise ValueError(f"unknown concept {k!r} as numerator/denominator")
        vocab.ratios.append(Ratio(c.id, str(num), str(den), _factor(c, r.get("factor")), c.kind == "share",
                                  c.origin, fuentes))
    if "of" in r:
        base = str(r["of"])
        if base not in known:
            raise ValueError(f"of: unknown concept {base!r}")
        lag, step = r.get("lag", 1), str(r.get("step", "año"))
        if not isinstance(lag, int) or lag <= 0:
            raise ValueError(f"lag: expected a positive whole number of steps, got {lag!r}")
        if step not in STEPS:
            raise ValueError(f"step: expected one of {', '.join(STEPS)}, got {step!r}")
        default = "porcentaje" if c.unit == "porcentaje" and known[base].unit != "porcentaje" else "diferencia"
        form = str(r.get("form", default))
        if form not in CHANGE_FORMS:
            raise ValueError(f"form: expected one of {', '.join(CHANGE_FORMS)}, got {form!r}")
        vocab.changes.append(Change(c.id, base, lag, step, form, c.origin, fuentes))
    elif any(k in r for k in ("lag", "step", "form")):
        raise ValueError("lag/step/form describe a change: declare its base with 'of'")
    if "direction" in r:
        d = str(r["direction"])
        if d not in DIRECTIONS:
            raise ValueError(f"direction: expected ascendente or descendente, got {d!r}")
        base, target = indicator_parts(c.id, known)
        vocab.indicators.append(Indicator(c.id, d, base, target, c.origin, fuentes))


def build_vocabulary(registry: Registry, *, derived: bool = True) -> Vocabulary:
    """Every declared relation, checked; then (``derived``) the relations the concept ids imply."""
    vocab = Vocabulary(concepts=dict(registry.concepts))
    errors: list[InputError] = []
    for c in registry.concepts.values():
        if not c.relations:
            continue
        try:
            _declared(c, registry.concepts, vocab)
        except ValueError as exc:
            file, line = _where(c)
            errors.append(InputError(file, line, None, f"concept {c.id}: {exc}"))
    if errors:
        raise InputErrors(errors)
    if derived:
        derive(vocab)
    return vocab
