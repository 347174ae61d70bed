"""Pandera backend: the facts contract as a DataFrameModel, and one dataframe check per rule.

One job: adapt the catalogue to Pandera. The checks do not compute anything themselves; each one
asks the numpy interval evaluator (``cuadra.rules.evaluate``) for its rule's instances, keeps
them for the findings, and answers Pandera with a boolean per fact: ``False`` for every fact that
takes part in a failing instance, so that ``lazy=True`` failure cases point at those facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Category
from pandera.typing.pandas import Series

from cuadra.contract.facts import ROUNDINGS
from cuadra.rules.builtins import duplicates, published, ranges
from cuadra.rules.catalogue import Rule
from cuadra.rules.evaluate import FactIndex, RuleResult, evaluate_rule, evaluate_rules, evaluate_rules_isolated
from cuadra.rules.results import FAIL
from cuadra.textcolumn import non_empty, repeated

__all__ = ["FactsModel", "build_schema", "run_pandera"]


class FactsModel(pa.DataFrameModel):
    """The facts contract (DESIGN.md), as Pandera checks it after loading."""

    # The frame's own dtypes (cuadra.contract.facts): a dtype check, not Pandera's isinstance(x, str) per fact
    # (``Series[str]`` maps every value: ~300 bytes a fact at its peak on Arrow strings).
    fact_id: Series[pd.StringDtype] = pa.Field(dtype_kwargs={"storage": "pyarrow"})
    concept: Series[Category] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    period: Series[Category] = pa.Field(str_matches=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[Category]
    scale: Series[np.int8] = pa.Field(isin=[0, 3, 6, 9, 12])  # int8: the contract bounds it (facts.py _TYPED)
    decimals: Series[np.int8] = pa.Field(ge=0, le=12)
    rounding: Series[Category] = pa.Field(isin=list(ROUNDINGS))
    status: Series[Category] = pa.Field(isin=["final", "preliminar", "NA", "ND"])
    source: Series[Category]
    locator: Series[Category] = pa.Field(str_matches=r"^\d+(-\d+)?$")
    # Arrow strings as fact_id: nearly one quote a fact, no Python str each (cuadra.contract.facts.quote_column).
    quote: Series[pd.StringDtype] = pa.Field(dtype_kwargs={"storage": "pyarrow"})
    published: Series[Category]
    lectura: Series[Category]
    lo: Series[float] = pa.Field(nullable=True)
    hi: Series[float] = pa.Field(nullable=True)

    @pa.check("fact_id", name="field_uniqueness")
    def unique_ids(cls, ids: Series[str]) -> Series[bool] | bool:
        """Every id once. Pandera's ``unique=True`` makes a Python str per fact and Arrow's distinct
        count a table of every id (~300 and ~190 bytes a fact at their peaks): ``repeated`` hashes
        the Arrow buffers instead (issue 17); only a repeat builds the per-fact answer."""
        twice = repeated(ids)
        return True if not twice.any() else pd.Series(~twice, index=ids.index)

    @pa.check("source", "quote", name="str_length")
    def not_empty(cls, text: Series[Any]) -> Series[bool]:
        """Provenance text is never empty: once per distinct source (categorical), on the Arrow buffers for quotes."""
        return pd.Series(non_empty(text), index=text.index)

    @pa.dataframe_check(name="contrato.valor_segun_estado")
    def value_only_when_available(cls, df: pd.DataFrame) -> Series[bool]:
        """NA/ND facts carry no value; every other fact carries one."""
        na = df["status"].isin(["NA", "ND"])
        return na == df["value"].isna()

    class Config:
        strict = False
        coerce = False


Collector = dict[str, RuleResult]

#: Failing facts Pandera reports per rule check (its failure cases); the findings have them all.
FAILURE_CASES = 20


def _mask(facts: pd.DataFrame, result: RuleResult) -> pd.Series | bool:
    """``True`` when no instance fails (Pandera takes a scalar verdict as is: no per-fact Series to
    build and scan for the hundreds of rules that pass), else ``False`` on every fact of a failing one."""
    failing = result.codes == FAIL
    if not failing.any():
        return True
    ok = np.ones(len(facts), dtype=bool)
    ok[result.fact_positions(failing)] = False
    return pd.Series(ok, index=facts.index)


def _check(name: str, evaluate: Callable[[pd.DataFrame], RuleResult], collector: Collector, error: str,
           done: Callable[[], None]) -> pa.Check:
    def fn(df: pd.DataFrame) -> pd.Series | bool:
        result = evaluate(df)
        collector[name] = result
        done()
        return _mask(df, result)

    # ignore_na=False: the mask is the evaluator's verdict per fact; with the default, Pandera would
    # also compute ``isna().all(axis=1)`` over the whole frame for every rule (issue 17 profile).
    # n_failure_cases: the findings list every failing instance with its facts; Pandera's own report
    # keeps a sample per rule, because it melts each failing row over every column (a 100 k-fact run
    # spent half its time there).
    return pa.Check(fn, name=name, error=error, ignore_na=False, n_failure_cases=FAILURE_CASES)


def build_schema(rules: Sequence[Rule], collector: Collector,
                 progress: Callable[[int, int], None] | None = None, *, total: int | None = None,
                 index: FactIndex | None = None) -> pa.DataFrameSchema:
    """The contract schema plus one check per rule and per built-in family.

    ``index``: the facts already grouped (used when the validated frame is its frame); ``total``:
    the progress total when some rules were settled before validation (see :func:`run_pandera`).
    """
    cache: dict[int, FactIndex] = {id(index.facts): index} if index is not None else {}
    total = len(rules) + 3 if total is None else total

    def done() -> None:
        if progress is not None:
            progress(len(collector), total)

    def index_for(df: pd.DataFrame) -> FactIndex:
        # One grouping of the facts per validated frame, shared by every check (built again only for
        # a built-in checked after the rules' batch released it: Pandera runs them first).
        if id(df) not in cache or cache[id(df)].released:
            cache.clear()
            cache[id(df)] = FactIndex(df)
        return cache[id(df)]

    def builtin(family: Callable[[FactIndex], RuleResult]) -> Callable[[pd.DataFrame], RuleResult]:
        return lambda df: family(index_for(df))

    checks = [
        _check("duplicado", builtin(duplicates), collector, "duplicados inconsistentes", done),
        _check("publicado", builtin(lambda ix: published(ix.facts, ix.fact_na)), collector,
               "texto publicado ≠ valor", done),
        _check("rango", builtin(lambda ix: ranges(ix.facts, ix.fact_na)), collector, "fuera de rango", done),
    ]
    batch: dict[str, object] = {}

    def result_of(rule: Rule, df: pd.DataFrame) -> RuleResult:
        # Every rule check of the schema is evaluated in one batch, once per validated frame (issue 17:
        # rules of one shape are walked together); each check then takes its own result. The batch done,
        # the grouping's lookups are released: the checks that follow read results only (FactIndex.release).
        if batch.get("") != id(df):
            batch.clear()
            ix = index_for(df)
            # A rule that cannot run must not take the others with it: it then fails its own check, alone.
            batch.update(zip((r.id for r in rules), evaluate_rules_isolated(rules, ix), strict=True))
            batch[""] = id(df)
            ix.release()
        found = batch.get(rule.id)
        if isinstance(found, Exception):
            raise found
        return found if isinstance(found, RuleResult) else evaluate_rule(rule, index_for(df))

    for rule in rules:
        checks.append(_check(rule.id, lambda df, rule=rule: result_of(rule, df), collector,
                             f"{rule.titulo}: {rule.expr}", done))
    schema = FactsModel.to_schema()
    return pa.DataFrameSchema(schema.columns, checks=[*schema.checks, *checks], strict=False,
                              name="cuadra.hechos")


def _may_apply(rule: Rule, index: FactIndex) -> bool:
    """Whether ``rule`` can have an instance here: some unshifted (else shifted) operand is stated,
    or it names fixed periods only (its one instance exists even when the facts are missing)."""
    refs = rule.refs
    moving = [r for r in refs if r.fixed is None and r.lag == 0] or [r for r in refs if r.fixed is None]
    if not moving:
        return bool(refs)
    return any(r.concept in index.concept_code for r in moving)


def run_pandera(facts: pd.DataFrame, rules: Sequence[Rule],
                progress: Callable[[int, int], None] | None = None) -> tuple[list[RuleResult], pd.DataFrame]:
    """Validate lazily; return every rule's instances and Pandera's failure cases (may be empty)."""
    collector: Collector = {}
    index = FactIndex(facts)
    # A rule none of whose operands is stated anywhere in the dataset has no instance: it is settled
    # here (an empty result, still reported) instead of costing a Pandera check. On a small
    # submission that is most of the catalogue, and most of the run (issue 17, start-up).
    live = [r for r in rules if _may_apply(r, index)]
    idle = [r for r in rules if not _may_apply(r, index)]
    collector.update(zip((r.id for r in idle), evaluate_rules(idle, index), strict=True))
    schema = build_schema(live, collector, progress, total=len(rules) + 3, index=index)
    failure_cases = pd.DataFrame()
    try:
        # inplace: the schema coerces nothing, so Pandera's defensive copy of the frame would only
        # double it (and the grouping built for ``facts`` would be built again for the copy).
        schema.validate(facts, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        failure_cases = exc.failure_cases
    order = ["duplicado", "publicado", "rango", *(r.id for r in rules)]
    return [collector[k] for k in order if k in collector], failure_cases
