"""cuadra: make the figures IMSS publishes add up.

Validates a facts dataset (one row per published figure, with its precision and provenance)
against a catalogue of consistency rules, evaluated in interval arithmetic by two independent
backends, Pandera (numpy) and Great Expectations (SQL), that must agree.
"""

__version__ = "0.1.0"
