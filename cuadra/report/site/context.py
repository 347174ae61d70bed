"""What every page of the evidence site needs to know beyond the Run itself.

One job: gather, once, the lookups the page modules share (concept labels and units from the
registry, the catalogue's rules by id, the source texts, where the GX Data Docs are) so that each
page module is a pure function of a finding or a document plus this context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cuadra.contract.registry import Registry
from cuadra.findings import Finding
from cuadra.report.site.common import NO_DOC
from cuadra.report.site.sources import Sources
from cuadra.rules.catalogue import BUILTINS, BuiltinRule, Rule

__all__ = ["SiteContext", "documents_of"]


def documents_of(f: Finding) -> list[str]:
    """The documents whose figures an instance involves (a cross-document duplicate has several)."""
    docs = sorted({x.source for x in f.facts if x.source})
    return docs or [NO_DOC]


@dataclass
class SiteContext:
    labels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule | BuiltinRule] = field(default_factory=dict)
    sources: Sources = field(default_factory=lambda: Sources(None, ()))
    #: Paths relative to the site root, or None when GX did not write its Data Docs.
    gx_index: str | None = None
    gx_validation: str | None = None

    @classmethod
    def build(cls, registry: Registry | None, rules: Sequence[Rule], sources: Sources,
              gx_index: str | None, gx_validation: str | None) -> SiteContext:
        labels: dict[str, str] = {}
        units: dict[str, str] = {}
        if registry is not None:
            for cid, c in registry.concepts.items():
                labels[cid] = c.label
                u = registry.units.get(c.unit)
                units[cid] = u.label if u is not None else c.unit
        return cls(labels=labels, units=units, rules={**BUILTINS, **{r.id: r for r in rules}},
                   sources=sources, gx_index=gx_index, gx_validation=gx_validation)

    def label(self, concept: str) -> str:
        return self.labels.get(concept, concept)
