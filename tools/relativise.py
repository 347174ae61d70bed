"""Pin a period only where the report does (issue 13): rewrite pinned rules as relative ones.

For every catalogue rule tied to a period (``periodos:`` or a fixed reference such as
``x["2019-12-31"]``), build the relative form: the instance period ``t`` stays the period the rule
is evaluated at today, and each fixed reference becomes ``x[t-1]``, ``x[fin(t-1)]``, ``x[m-3]``...
read from ``t``. The rewrite is kept only when it changes nothing the report says:

* every instance the bundle decides today keeps its key and its verdict;
* the relative form adds no instance that is not a pass on the bundle (a new failure or an
  indeterminate instance means the relation is about that date: it stays pinned);
* on the bundle moved one year later (reference tables too), the rule decides the moved instances
  alike (the point of the exercise).

The YAML is edited in place, value by value (``expr``; ``periodos`` removed), so comments, order
and the rule's ``fuentes`` stay as written. ``--dry-run`` only reports. Rules whose ``expr`` uses
``definiciones`` are left as they are (the definitions name their own periods).

    python tools/relativise.py [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import textwrap
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.facts import load_facts  # noqa: E402
from cuadra.contract.registry import load_registry  # noqa: E402
from cuadra.engine import project_paths  # noqa: E402
from cuadra.rules import periods  # noqa: E402
from cuadra.rules.catalogue import Rule, load_catalogue  # noqa: E402
from cuadra.rules.evaluate import FactIndex, evaluate_rule  # noqa: E402
from cuadra.rules.syntax import Ref, parse_expr  # noqa: E402
from cuadra.testing.edition import shift_csv_periods  # noqa: E402


def _relative(p: str, t: str) -> str | None:
    """The subscript that reads period ``p`` from instance period ``t`` ("" for ``t`` itself)."""
    if p == t:
        return ""
    candidates = []
    k = int(p[:4]) - int(t[:4])
    candidates += [f"t{k:+d}", f"fin(t{k:+d})" if k else "fin(t)"]
    if len(t) >= 7 and len(p) >= 7:
        # The previous month or quarter only: "February against December" is about those dates.
        months = (int(p[:4]) * 12 + int(p[5:7])) - (int(t[:4]) * 12 + int(t[5:7]))
        shifted = {-1: "m-1", 1: "m+1", -3: "q-1", 3: "q+1"}.get(months)
        if shifted:
            candidates += [shifted, f"fin({shifted})"]
    for c in candidates:
        ref = parse_expr(f"a.b[{c}] == 0").left
        assert isinstance(ref, Ref)
        if periods.target(ref, t) == p:
            return c
    return None


def _statuses(rule: Rule, index: FactIndex) -> dict[str, str]:
    res = evaluate_rule(rule, index)
    return dict(zip(res.keys, map(str, res.status), strict=True))


def _shift_key(key: str) -> str:
    period, at, scope = key.partition("@")
    return f"{periods.shift(period, 1)}{at}{scope}"


def _candidate(rule: Rule, old: dict[str, str]) -> str | None:
    """The relative expression text, or None when the fixed references do not line up."""
    written = str(rule.meta.get("expr_escrita", rule.expr))
    if "definiciones" in rule.meta:
        return None
    fixed = [r for r in rule.refs if r.fixed is not None]
    ts = sorted({k.partition("@")[0] for k in old})
    if not fixed:
        return written if rule.periodos is not None else None
    if len(ts) != 1:
        return None
    t = ts[0]
    text = written
    for r in fixed:
        sub = _relative(str(r.fixed), t)
        if sub is None:
            return None
        pattern = re.compile(re.escape(r.concept) + r"\s*\[\s*[\"']" + re.escape(str(r.fixed)) + r"[\"']\s*\]")
        text = pattern.sub(r.concept + (f"[{sub}]" if sub else ""), text)
    return text


def _scalar(text: str, indent: int) -> str:
    """The expression as a YAML value: plain or quoted on one line, or folded ``>-`` when long."""
    if len(text) + indent + 6 <= 110:
        special = text[0] in "!&*[]{}|>'\"%@`#,?:-" or ": " in text or " #" in text
        return json.dumps(text, ensure_ascii=False) if special else text
    lines = textwrap.wrap(text, 110 - indent - 2, break_long_words=False, break_on_hyphens=False)
    pad = " " * (indent + 2)
    return ">-\n" + "\n".join(pad + ln for ln in lines)


def _edit(path: Path, changes: dict[str, tuple[str, bool]]) -> int:
    """Rewrite ``expr`` and ``periodos`` for the rules in ``changes`` (id → (expr, completos))."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    seq = root
    if isinstance(root, yaml.MappingNode):
        seq = next(v for k, v in root.value if k.value == "rules")
    edits: list[tuple[int, int, str]] = []
    for item in seq.value:
        keys = {k.value: (k, v) for k, v in item.value}
        rid = keys["id"][1].value
        if rid not in changes:
            continue
        k, v = keys["expr"]
        end = v.end_mark.index
        expr, completos = changes[rid]
        same = " ".join(str(v.value).split()) == " ".join(expr.split())
        new = text[v.start_mark.index:end].rstrip("\n") if same else _scalar(expr, k.start_mark.column)
        if completos:  # one line after the expression, with the key's indentation
            new += "\n" + " " * k.start_mark.column + "periodos: completos"
        if v.style in (">", "|") and text[end - 1:end] == "\n":
            new += "\n"
        edits.append((v.start_mark.index, end, new))
        if "periodos" in keys:
            pk, pv = keys["periodos"]
            start = text.rfind("\n", 0, pk.start_mark.index) + 1
            stop = pv.end_mark.index
            following = [kk for kk, _ in item.value if kk.start_mark.index > pk.start_mark.index]
            if following:
                stop = text.rfind("\n", 0, following[0].start_mark.index) + 1
            else:  # the last key: up to the end of the line of its last item
                last = pv.value[-1] if isinstance(pv, yaml.SequenceNode) and pv.value and not pv.flow_style else pv
                stop = text.find("\n", last.end_mark.index) + 1 if last.end_mark.column else last.end_mark.index
            edits.append((start, stop, ""))
    for a, b, new in sorted(edits, reverse=True):
        text = text[:a] + new + text[b:]
    path.write_text(text, encoding="utf-8")
    return len(changes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    p = project_paths()
    reg = load_registry(p.registry)
    rules = load_catalogue(p.rules, reg.concepts)
    index = FactIndex(load_facts(ROOT / "fixtures" / "reports", reg, extra=p.reference).facts)
    with tempfile.TemporaryDirectory() as d:
        moved = Path(d)
        shift_csv_periods(ROOT / "fixtures" / "reports", moved / "reports", 1)
        ref = shift_csv_periods(ROOT / "fixtures" / "reference", moved / "reference", 1)
        index_next = FactIndex(load_facts(moved / "reports", reg, extra=tuple(ref)).facts)
    by_file: dict[str, dict[str, str]] = {}
    tally = {"pinned": 0, "no_form": 0, "changes_bundle": 0, "adds_instances": 0, "not_carried": 0, "relative": 0,
             "completos": 0}
    for rule in rules:
        if rule.periodos is None and all(r.fixed is None for r in rule.refs):
            continue
        tally["pinned"] += 1
        old = _statuses(rule, index)
        text = _candidate(rule, old)
        if text is None:
            tally["no_form"] += 1
            continue
        new_rule = replace(rule, expr=text, tree=parse_expr(text), periodos=None)
        new = _statuses(new_rule, index)
        if any(new.get(k) != s for k, s in old.items()):
            tally["changes_bundle"] += 1
            continue
        completos = False
        if any(s != "pass" for k, s in new.items() if k not in old):
            # Periods where an operand is missing: the relation carries to the periods that state
            # every operand (``periodos: completos``), if that adds nothing else.
            new_rule = replace(new_rule, completos=True)
            new = _statuses(new_rule, index)
            if any(s != "pass" for k, s in new.items() if k not in old) or any(
                    new.get(k) != s for k, s in old.items()):
                tally["adds_instances"] += 1
                continue
            completos = True
            tally["completos"] += 1
        after = _statuses(new_rule, index_next)
        if any(after.get(_shift_key(k)) != s for k, s in old.items() if s != "indeterminate"):
            tally["not_carried"] += 1
            continue
        tally["relative"] += 1
        by_file.setdefault(rule.origin.rpartition(":")[0], {})[rule.id] = (text, completos)
    print(" ".join(f"{k}={v}" for k, v in tally.items()))
    if not args.dry_run:
        for name, changes in sorted(by_file.items()):
            _edit(ROOT / "rules" / name, changes)
        load_catalogue(p.rules, reg.concepts)  # the edited catalogue must still load
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
