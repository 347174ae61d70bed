"""Renderers of a :class:`cuadra.findings.Run`: JSON, JUnit XML, terminal, and the evidence site (``site/``)."""
