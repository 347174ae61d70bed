"""Figures out of a report's text: candidate facts in the data contract (issue 14).

One job: read a release (plain text or PDF) and propose one candidate fact per printed figure, with
its precision, provenance, a unit and period guess and a suggested concept; everything that looks
like a number but is not a figure (years, dates, page and list numbers, ordinals) goes to a second
list with its reason. Nothing below this package depends on it (DESIGN.md, "Wave 2").
"""

from cuadra.extract.candidates import Candidate, NonFigure, extract_lines
from cuadra.extract.suggest import Suggester, VocabEntry, entries_from_registry
from cuadra.extract.text import read_document

__all__ = ["Candidate", "NonFigure", "extract_lines", "Suggester", "VocabEntry", "entries_from_registry",
           "read_document"]
