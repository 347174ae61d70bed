"""What every page of the evidence site needs to know beyond the Run itself.

One job: gather, once, the lookups the page modules share (concept labels and units from the
registry, the catalogue's rules by id, the source texts and the document register with its page
maps, the waiver register's states, the manifest, where the GX Data Docs are) so that each page
module is a pure function of a finding or a document plus this context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cuadra.contract.registry import Registry
from cuadra.findings import Finding
from cuadra.report.documents import Document, cite
from cuadra.report.manifest import Manifest
from cuadra.report.site.common import NO_DOC, e
from cuadra.report.site.sources import Sources
from cuadra.rules.catalogue import BUILTINS, BuiltinRule, Rule
from cuadra.rules.syntax import Compare, refs
from cuadra.rules.units import comparison_unit, dimension
from cuadra.waivers import WaiverState

__all__ = ["SiteContext", "documents_of", "gx_anchor"]


def documents_of(f: Finding) -> list[str]:
    """The documents whose figures an instance involves (a cross-document duplicate has several)."""
    docs = sorted({x.source for x in f.facts if x.source})
    return docs or [NO_DOC]


def gx_anchor(rule_id: str) -> str:
    """The fragment that lands on a rule's expectation in the GX pages (expectations.pages adds it)."""
    return f"regla-{rule_id}"


@dataclass
class SiteContext:
    labels: dict[str, str] = field(default_factory=dict)
    #: Concept → unit label ("personas"), and concept → unit id ("personas", "MXN") for unit inference.
    units: dict[str, str] = field(default_factory=dict)
    unit_ids: dict[str, str] = field(default_factory=dict)
    unit_labels: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule | BuiltinRule] = field(default_factory=dict)
    sources: Sources = field(default_factory=lambda: Sources(None, ()))
    documents: Mapping[str, Document] = field(default_factory=dict)
    waivers: Sequence[WaiverState] = ()
    manifest: Manifest | None = None
    fail_on: str = "error"
    #: Paths relative to the site root, or None when GX did not write its Data Docs.
    gx_index: str | None = None
    gx_validation: str | None = None

    @classmethod
    def build(cls, registry: Registry | None, rules: Sequence[Rule], sources: Sources,
              gx_index: str | None, gx_validation: str | None, **kw: object) -> SiteContext:
        labels: dict[str, str] = {}
        units: dict[str, str] = {}
        unit_ids: dict[str, str] = {}
        unit_labels: dict[str, str] = {}
        if registry is not None:
            unit_labels = {uid: u.label for uid, u in registry.units.items()}
            for cid, c in registry.concepts.items():
                labels[cid] = c.label
                unit_ids[cid] = c.unit
                units[cid] = unit_labels.get(c.unit, c.unit)
        return cls(labels=labels, units=units, unit_ids=unit_ids, unit_labels=unit_labels,
                   rules={**BUILTINS, **{r.id: r for r in rules}}, sources=sources, gx_index=gx_index,
                   gx_validation=gx_validation, **kw)  # type: ignore[arg-type]

    def label(self, concept: str) -> str:
        return self.labels.get(concept, concept)

    def title(self, doc: str) -> str:
        d = self.documents.get(doc)
        return d.title if d is not None else ""

    def doc_html(self, doc: str, *, short: bool = False) -> str:
        """A document id with its title beside it (escaped HTML)."""
        title = self.title(doc)
        if not title:
            return f"<code>{e(doc)}</code>"
        if short and len(title) > 70:
            title = title[:68].rstrip() + "…"
        return f"<code>{e(doc)}</code> <span class='doctitle'>{e(title)}</span>"

    def cite(self, doc: str, locator: str) -> str:
        """"p. 334, línea 2245" or "página no disponible, línea 38" (plain text)."""
        return cite(self.documents, doc, locator)

    def unit_of(self, f: Finding, tree: Compare | None) -> str:
        """The unit of a finding's two sides and its imbalance, as a label ("personas", "por ciento")."""
        if tree is not None:
            uid = comparison_unit(tree, self.unit_ids)
            if uid == "derivada":
                return "unidad derivada de la fórmula"
            if uid is None:
                return ""
            if uid not in self.unit_labels:  # a dimension ("conteo"): name it by the rule's own units
                leaves = [self.unit_ids.get(r.concept, "") for r in refs(tree)]
                uid = next((u for u in leaves if u in self.unit_labels and dimension(u) == uid), uid)
        else:
            uid = next((self.unit_ids.get(x.concept) for x in f.facts if x.concept in self.unit_ids), None)
            if uid is None:
                uid = next((x.unit for x in f.facts if x.unit), None)
        return self.unit_labels.get(uid, uid or "")
