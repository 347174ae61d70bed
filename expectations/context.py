"""The GX data context cuadra uses, one way for every suite (facts catalogue and microdata rows).

One job: a context that writes nothing unless Data Docs are asked for. Without ``docs_dir`` it is
ephemeral (TOOLING.md pitfall 7: never let GX pick a file context from the working folder); with it,
a file context rooted in a scratch folder whose one Data Docs site writes into ``docs_dir/gx``.
Progress bars are off: they would interleave with cuadra's own on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["gx_context"]


def gx_context(root: Path, docs_dir: Path | None, site_name: str) -> Any:
    """A GX context rooted at ``root``; its Data Docs site (``site_name``) writes into ``docs_dir/gx``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if docs_dir is not None:
        ctx = gx.get_context(mode="file", project_root_dir=str(root))
        ctx.add_data_docs_site(site_name=site_name, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(docs_dir).resolve() / "gx")},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    else:
        ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx
