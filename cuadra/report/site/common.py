"""Shared vocabulary of the evidence site: escaping, Spanish labels, numbers, paths, the page shell.

One job: the small helpers every page module uses, so that each page module only decides *what* a
page says. Every value that reaches HTML goes through :func:`e` (quotes and values are untrusted
input, issue 6); no helper emits an ``http`` reference, and every asset link is relative so the
site works from ``file://`` on a machine with no network.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable

from cuadra.escape import html_text

__all__ = ["e", "plural", "status_count", "STATUS_ES", "SEVERITY_ES", "SCALE_ES", "ROUNDING_ES", "ATTENTION", "num",
           "interval", "percent", "finding_slug", "doc_slug", "page", "status_badge", "NO_DOC"]

#: Status labels as an auditor reads them (the JSON keeps the English codes).
STATUS_ES = {"pass": "cumple", "fail": "no cumple", "indeterminate": "indeterminado", "waived": "dispensado",
             "error": "error de evaluación"}
#: Instance counts in words: "3 no cumplen", "1 dispensada" (an instance is feminine).
STATUS_COUNT_ES = {"pass": ("cumple", "cumplen"), "fail": ("no cumple", "no cumplen"),
                   "indeterminate": ("indeterminada", "indeterminadas"), "waived": ("dispensada", "dispensadas"),
                   "error": ("con error de evaluación", "con error de evaluación")}


def status_count(n: int, status: str) -> str:
    one, many = STATUS_COUNT_ES.get(status, (status, status))
    return f"{n:,} {one if n == 1 else many}"


SEVERITY_ES = {"error": "error", "warning": "advertencia"}
SCALE_ES = {0: "", 3: "miles", 6: "millones", 9: "miles de millones", 12: "billones"}
ROUNDING_ES = {"nearest": "redondeada al más cercano", "truncate": "truncada", "exact": "exacta"}
#: Statuses that get a page of their own (everything an auditor must look at), worst first.
ATTENTION = ("error", "fail", "waived", "indeterminate")
#: The site's fixed pages beside the index, linked from every page's header.
PAGES = (("cobertura.html", "Qué no se verificó"), ("dispensas.html", "Dispensas"), ("manifiesto.html", "Manifiesto"))
#: The document bucket of findings that involve no fact (a backend error, a contract failure).
NO_DOC = "(sin documento)"


def plural(n: int, one: str, many: str) -> str:
    """``1 instancia cumple`` / ``3 instancias cumplen``: Spanish agreement instead of "instancia(s)"."""
    return f"{n:,} {one if n == 1 else many}"


def e(x: object) -> str:
    """Escape for text and for quoted attribute values alike (cuadra.escape: one escaper per medium)."""
    return html_text(x)


def num(x: float | None, *, digits: int = 12) -> str:
    """A number as the reports print it (``57,073.9``): thousands commas, decimal point.

    Rounded to ``digits`` significant digits so that float noise from outward rounding
    (``69232349.99999993``) does not reach the auditor; trailing zeros are dropped.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    places = max(0, min(15, digits - 1 - math.floor(math.log10(abs(x)))))
    text = f"{x:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


def interval(lo: float | None, hi: float | None) -> str:
    """``[a, b]``, ``{a}`` for a point, ``∅`` when the bounds cross.

    Crossed bounds are what intersecting inconsistent duplicates leaves (the greatest lower bound
    above the least upper bound): no value satisfies every statement, so the interval is empty,
    never "[78.25, 70.85]".
    """
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)) \
            or (isinstance(hi, float) and math.isnan(hi)):
        return "—"
    if lo > hi and num(lo) != num(hi):
        return "∅ (las declaraciones de la cifra no comparten ningún valor)"
    if num(lo) == num(hi):
        return f"{{{num(lo)}}}"
    return f"[{num(lo)}, {num(hi)}]"


def percent(x: float | None) -> str:
    if x is None or math.isnan(x) or math.isinf(x):
        return "—"
    return f"{num(x * 100, digits=3)} %"


def _safe(text: str, limit: int = 60) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:limit].strip("_.") or "x"


def finding_slug(rule: str, key: str) -> str:
    """A stable file name for one rule instance (same rule and key → same page across runs)."""
    digest = hashlib.sha1(f"{rule}\x00{key}".encode()).hexdigest()[:10]
    return f"{_safe(rule)}--{_safe(key, 40)}-{digest}.html"


def doc_slug(doc: str) -> str:
    """A readable stem plus a short hash of the whole id: ``/etc/passwd`` and ``../../etc/passwd``
    share a stem but never a page, so no document's page silently overwrites another's."""
    digest = hashlib.sha1(doc.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{_safe(doc.removesuffix('.txt'), 60)}-{digest}.html"


def status_badge(status: str) -> str:
    return f"<span class='badge st-{e(status)}'>{e(STATUS_ES.get(status, status))}</span>"


def page(title: str, body: str, *, depth: int, crumbs: Iterable[tuple[str, str]] = ()) -> str:
    """The shell of every page: Spanish, UTF-8, our stylesheet and script by relative path only."""
    up = "../" * depth
    nav = " › ".join([f"<a href='{up}index.html'>Índice</a>",
                      *(f"<a href='{e(href)}'>{e(text)}</a>" if href else e(text) for text, href in crumbs)])
    more = "".join(f"<a href='{up}{href}'>{text}</a>" for href, text in PAGES)
    return (f"<!doctype html>\n<html lang='es'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{e(title)}</title><link rel='stylesheet' href='{up}assets/cuadra.css'></head>"
            f"<body><header class='top'><span class='brand'>cuadra</span> <nav>{nav}</nav>"
            f"<nav class='pages'>{more}</nav></header>"
            f"<main>{body}</main><script src='{up}assets/cuadra.js'></script></body></html>\n")
