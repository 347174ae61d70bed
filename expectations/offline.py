"""Make GX Data Docs self-contained: vendored assets instead of CDN links, no tracking beacon.

One job: rewrite the HTML that GX writes so that an auditor on an offline machine sees the same
styled pages. GX 1.24 links bootstrap, jquery, popper, bootstrap-table, datepicker, font-awesome,
bootstrap-dark and vega from CDNs, and every page loads a logo from GX's S3 bucket with the data
context id in the query string (TOOLING.md §2). The same versions ship in
``expectations/static/vendor`` (MIT/OFL/BSD licensed, from the npm registry); this module copies
them beside the pages, points every reference at them, and replaces the beacon with GX's own
bundled logo; stylesheets (files and inline) lose their remote ``url()`` images and imports.
Passive links to GX's documentation are left: they fetch nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

__all__ = ["VENDOR", "ASSETS", "make_offline", "remote_assets", "remote_css", "offline_css"]

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

#: CDN URL pattern → vendored file (relative to the vendor folder).
ASSETS: dict[str, str] = {
    r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.3\.1/css/bootstrap\.min\.css": "bootstrap.min.css",
    r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.3\.1/js/bootstrap\.min\.js": "bootstrap.min.js",
    r"https://code\.jquery\.com/jquery-3\.7\.1\.min\.js": "jquery-3.7.1.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/1\.12\.9/umd/popper\.min\.js": "popper.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/css/bootstrap-datepicker\.min\.css":
        "bootstrap-datepicker.min.css",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/js/bootstrap-datepicker\.min\.js":
        "bootstrap-datepicker.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/6\.6\.0/css/all\.min\.css":
        "fontawesome/css/all.min.css",
    r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/bootstrap-table\.min\.css": "bootstrap-table.min.css",
    r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/bootstrap-table\.min\.js": "bootstrap-table.min.js",
    r"https://unpkg\.com/bootstrap-table@1\.19\.[01]/dist/extensions/filter-control/"
    r"bootstrap-table-filter-control(?:\.min)?\.css": "bootstrap-table-filter-control.min.css",
    r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/extensions/filter-control/"
    r"bootstrap-table-filter-control\.min\.js": "bootstrap-table-filter-control.min.js",
    r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@1\.1\.0/dist/css/bootstrap-prefers-dark\.css":
        "bootstrap-prefers-dark.css",
    r"https://cdn\.jsdelivr\.net/npm/vega@5": "vega.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-lite@5": "vega-lite.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-embed@6": "vega-embed.min.js",
}
_BEACON = re.compile(r"https://great-expectations-web-assets\.s3[^\"']*logo-long\.png[^\"']*")
_ASSET_REF = re.compile(r"""<(?:script|link|img)\b[^>]*?(?:src|href)\s*=\s*["'](https?://[^"']+)["']""", re.I)
#: A stylesheet's own fetches: ``url(http…)`` / ``url(//…)`` and ``@import "http…"`` (GX's CSS loads its
#: dark-mode logo from S3 this way). ``data:`` URLs fetch nothing and are left alone.
_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^)"'\s]*)["']?\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?((?:https?:)?//[^"')\s;]*)[^;]*;""", re.I)
#: Where CSS sits inside a page: ``<style>`` blocks and ``style="…"`` attributes.
_STYLE = re.compile(r"""(<style\b[^>]*>)(.*?)(</style>)|(\bstyle\s*=\s*)(["'])(.*?)\5""", re.I | re.S)


def remote_css(css: str) -> list[str]:
    """Every URL a stylesheet would fetch from the network."""
    return _CSS_IMPORT.findall(css) + _CSS_URL.findall(css)


def offline_css(css: str) -> str:
    """The stylesheet without network fetches: imports dropped, remote ``url()`` images become ``none``."""
    return _CSS_URL.sub("none", _CSS_IMPORT.sub("", css))


def _styles(html: str) -> list[str]:
    return [m[2] if m[1] else m[6] for m in _STYLE.finditer(html)]


def remote_assets(html: str) -> list[str]:
    """Every ``http(s)`` URL that a browser would fetch by itself (scripts, styles, images, CSS ``url()``)."""
    return _ASSET_REF.findall(html) + [u for css in _styles(html) for u in remote_css(css)]


def _offline_styles(html: str) -> str:
    def fix(m: re.Match[str]) -> str:
        if m[1]:
            return m[1] + offline_css(m[2]) + m[3]
        return m[4] + m[5] + offline_css(m[6]) + m[5]

    return _STYLE.sub(fix, html)


def make_offline(site: Path) -> list[Path]:
    """Rewrite every page under ``site``; return the pages changed. Raises if a CDN link remains."""
    vendor_dst = site / "static" / "vendor"
    shutil.copytree(VENDOR, vendor_dst, dirs_exist_ok=True)
    changed = []
    for sheet in sorted(site.rglob("*.css")):
        css = sheet.read_text(encoding="utf-8", errors="surrogateescape")
        if remote_css(css):
            sheet.write_text(offline_css(css), encoding="utf-8", errors="surrogateescape")
            changed.append(sheet)
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        prefix = os.path.relpath(vendor_dst, page.parent).replace(os.sep, "/")
        new = html
        for pattern, local in ASSETS.items():
            new = re.sub(pattern, f"{prefix}/{local}", new)
        logo = os.path.relpath(site / "static" / "images" / "logo-long.png", page.parent).replace(os.sep, "/")
        new = _offline_styles(_BEACON.sub(logo, new))
        left = remote_assets(new)
        if left:
            raise RuntimeError(f"{page}: remote assets left after vendoring: {left}")
        if new != html:
            page.write_text(new, encoding="utf-8")
            changed.append(page)
    return changed
