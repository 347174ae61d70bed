"""Relations the concept ids imply, for concepts that declare none.

One job: the registry's 1,346 bundled concepts were written before the vocabulary; their ids follow
conventions the reports' transcribers kept (``<x>.crecimiento_anual`` beside ``<x>``,
``<ficha>.numerador`` / ``<ficha>.denominador`` beside ``<ficha>.valor``). Each convention below is
one derivation, recorded as the relation's origin so that docs/rules.md can say how much of the
vocabulary is declared and how much derived. A declared relation always wins.
"""

from __future__ import annotations

from cuadra.vocabulary.model import Change, Ratio, Vocabulary

__all__ = ["derive", "CHANGE_SUFFIXES"]

#: Suffix → (form when the change is a percentage, form when it is in the base's unit). Annual
#: changes only: the ids say "anual" or nothing (a report's growth of a yearly figure).
CHANGE_SUFFIXES = {
    "crecimiento_anual": ("porcentaje", "diferencia"),
    "crecimiento_nominal": ("porcentaje", None),
    "variacion_anual": ("porcentaje", "diferencia"),
    "variacion_anual_pct": ("porcentaje", None),
    "var_pct_anual": ("porcentaje", None),
    "var_abs_anual": (None, "diferencia"),
    "diferencia_anual": (None, "diferencia"),
    "incremento_anual": ("porcentaje", "diferencia"),
    "disminucion_anual": ("disminucion_porcentaje", "disminucion"),
    "decremento_anual": ("disminucion_porcentaje", "disminucion"),
    "disminucion_anual_pct": ("disminucion_porcentaje", None),
    "aumento_anual": ("porcentaje", "diferencia"),
}


def _changes(vocab: Vocabulary) -> None:
    declared = {c.concept for c in vocab.changes}
    for cid, c in vocab.concepts.items():
        base, _, suffix = cid.rpartition(".")
        forms = CHANGE_SUFFIXES.get(suffix)
        if cid in declared or forms is None or base not in vocab.concepts:
            continue
        b = vocab.concepts[base]
        pct, same = forms
        if c.unit == b.unit and same is not None:
            form = same
        elif c.unit == "porcentaje" and b.unit != "porcentaje" and pct is not None:
            form = pct
        else:
            continue
        vocab.changes.append(Change(cid, base, 1, "año", form, f"derivado: sufijo .{suffix}"))


def _ratios(vocab: Vocabulary) -> None:
    from cuadra.vocabulary.build import UNIT_FACTORS

    declared = {r.concept for r in vocab.ratios}
    for cid in vocab.concepts:
        if not cid.endswith(".numerador"):
            continue
        ficha = cid.rpartition(".")[0]
        den = f"{ficha}.denominador"
        value = next((v for v in (f"{ficha}.valor", ficha, f"{ficha}.porcentaje") if v in vocab.concepts), None)
        if den not in vocab.concepts or value is None or value in declared:
            continue
        unit = vocab.concepts[value].unit
        if unit not in UNIT_FACTORS and unit != "razon":
            continue
        from decimal import Decimal

        vocab.ratios.append(Ratio(value, cid, den, Decimal(UNIT_FACTORS.get(unit, 1)), False,
                                  "derivado: ficha .numerador/.denominador"))


def derive(vocab: Vocabulary) -> None:
    """Add the derivable relations to ``vocab`` in place."""
    _changes(vocab)
    _ratios(vocab)
