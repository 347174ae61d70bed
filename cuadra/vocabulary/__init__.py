"""The vocabulary: what each registered concept is, and the relations declared on concepts.

A concept declares its kind (stock, flow, rate, share, index, change), its unit, its direction
(indicators) and its relations: components (``total = Σ parts`` with ±1 weights, nested like an XBRL
calculation linkbase or R validate's ``hierarchy``), numerator/denominator/factor (rates and shares),
and the base, lag, step and form of a change. Relations are declared once, on concepts, and apply to
every dataset that uses them; ``cuadra.rules.templates`` expands them into ordinary rules.

Imports neither pandas, pandera nor GX (declaration never imports execution).
"""

from cuadra.vocabulary.build import build_vocabulary
from cuadra.vocabulary.model import (
    CHANGE_FORMS,
    DIRECTIONS,
    Change,
    Hierarchy,
    Indicator,
    Ratio,
    Vocabulary,
)

__all__ = ["CHANGE_FORMS", "DIRECTIONS", "Change", "Hierarchy", "Indicator", "Ratio", "Vocabulary",
           "build_vocabulary"]
