"""The facts frame without a Python object per fact (issue 17, 10 M facts in 4 GB): duplicates found from
typed arrays after the stream, exactly as the per-fact dict found them; text columns categorical, scale and
decimals int8, ``fact_id`` Arrow strings; the helpers that read a few ids or the distinct tuples."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract import facts as contract
from cuadra.contract.facts import (
    OPTIONAL,
    REQUIRED,
    distinct_rows,
    facts_from_records,
    from_files,
    load_facts,
)
from cuadra.contract.registry import Registry, load_registry
from cuadra.engine import project_paths
from cuadra.errors import InputErrors
from cuadra.textcolumn import TextColumn

KEY = ("concept", "period", "source", "locator", "quote")
CONCEPTS = ("poblacion_derechohabiente.adscrita", "prestaciones_economicas.indemnizaciones_globales.trabajadores")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(project_paths().registry)


_REGISTRY = load_registry(project_paths().registry)

cells = st.fixed_dictionaries({
    "concept": st.sampled_from(CONCEPTS), "period": st.sampled_from(["2020", "2021"]),
    "value": st.sampled_from(["1", "2.5", "3"]), "unit": st.just("personas"), "scale": st.sampled_from(["0", "3"]),
    "decimals": st.sampled_from(["0", "1"]), "rounding": st.sampled_from(["nearest", "exact"]),
    "status": st.just("final"), "source": st.sampled_from(["a.txt", "b.txt"]), "locator": st.sampled_from(["1", "2"]),
    "quote": st.sampled_from(["q", "r"]), "published": st.just(""), "lectura": st.just(""),
})
streams = st.lists(st.tuples(st.sampled_from(["x.csv", "dir/y.csv"]), cells), max_size=30)


def _records(stream: list[tuple[str, dict[str, str]]]) -> list[tuple[str, int, dict[str, str]]]:
    rows: dict[str, int] = {}
    out = []
    for file, c in stream:
        rows[file] = rows.get(file, 1) + 1
        out.append((file, rows[file], dict(c)))
    return out


def _by_dict(records: list[tuple[str, int, dict[str, str]]]) -> tuple[list[str], list[str]]:
    """The per-fact dict the frame used to keep: (duplicate errors, fact ids kept), in reading order."""
    seen: dict[tuple[str, ...], tuple[str, int, tuple[str, ...]]] = {}
    errors, kept = [], []
    for file, row, c in records:
        key, full = tuple(c[k] for k in KEY), tuple(c.get(k, "") for k in REQUIRED + OPTIONAL)
        first = seen.get(key)
        if first is None:
            seen[key] = (file, row, full)
        elif first[2] == full:
            continue
        else:
            errors.append(f"{file}:{row}:concept: duplicate fact: same concept, period, source, locator and quote "
                          f"as {first[0]}:{first[1]} but other values; state each figure once")
        kept.append(f"{Path(file).name}:{row}")
    return errors, kept


def _by_arrays(records: list[tuple[str, int, dict[str, str]]]) -> tuple[list[str], list[str]]:
    try:
        df = facts_from_records(records, _REGISTRY)
    except InputErrors as exc:
        return [str(e) for e in exc.errors], []
    return [], df["fact_id"].tolist()


@given(streams)
def test_duplicates_found_as_the_dict_found_them(stream: list[tuple[str, dict[str, str]]]) -> None:
    records = _records(stream)
    errors, kept = _by_dict(records)
    assert _by_arrays(records) == (errors, [] if errors else kept)


@given(streams)
def test_a_row_hash_collision_is_never_a_lost_or_reported_fact(stream: list[tuple[str, dict[str, str]]]) -> None:
    """Every row hashing alike (the worst collision): the stored columns decide, so the outcome is the same."""
    records = _records(stream)
    errors, kept = _by_dict(records)
    real = contract._row_hash
    contract._row_hash = lambda cells: 0
    try:
        assert _by_arrays(records) == (errors, [] if errors else kept)
    finally:
        contract._row_hash = real


@given(streams, st.sampled_from(["all", "by_length"]))
def test_a_quote_hash_collision_never_merges_two_quotes(stream: list[tuple[str, dict[str, str]]], how: str) -> None:
    """Quotes hashed alike (all of them, or every quote of one length): the duplicate key falls back to exact
    codes, so two different quotes are never one key and the outcome is the dict's."""
    records = _records([(f, {**c, "quote": c["quote"] * (1 + i % 3)}) for i, (f, c) in enumerate(stream)])
    errors, kept = _by_dict(records)
    real = contract.string_hashes
    contract.string_hashes = (lambda array: np.zeros(len(array), dtype=np.uint64)) if how == "all" else \
        (lambda array: np.asarray(pc.binary_length(array).to_numpy(zero_copy_only=False), dtype=np.uint64))
    try:
        assert _by_arrays(records) == (errors, [] if errors else kept)
    finally:
        contract.string_hashes = real


def test_duplicates_keep_their_place_among_other_errors() -> None:
    a = {"concept": CONCEPTS[0], "period": "2020", "value": "1", "unit": "personas", "scale": "0", "decimals": "0",
         "rounding": "nearest", "status": "final", "source": "a.txt", "locator": "1", "quote": "q"}
    records = [("x.csv", 2, a), ("x.csv", 3, {**a, "value": "2"}), ("x.csv", 4, {**a, "period": "dic"}),
               ("x.csv", 5, {**a, "value": "3"})]
    with pytest.raises(InputErrors) as exc:
        facts_from_records(records, _REGISTRY)
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "concept"), (4, "period"), (5, "concept")]


def test_the_frame_holds_no_python_object_per_fact(registry: Registry) -> None:
    p = project_paths()
    df = load_facts(Path(__file__).resolve().parent.parent / "fixtures" / "reports", registry,
                    extra=p.reference).facts
    for c in contract._TEXT:
        if c != "quote":
            assert isinstance(df[c].dtype, pd.CategoricalDtype), c
    assert df["quote"].dtype == pd.StringDtype("pyarrow")  # nearly one a fact: Arrow bytes, not a str each
    quotes = df["quote"].astype(object).to_numpy()
    assert TextColumn(df["quote"]).strings([9, 2]) == [quotes[9], quotes[2]]
    assert df["scale"].dtype == np.int8 and df["decimals"].dtype == np.int8
    assert df["fact_id"].dtype == pd.StringDtype("pyarrow")
    assert df["lo"].dtype == np.float64 and df["value"].dtype == np.float64
    assert df["pub_scale"].dtype == np.float32 and df["pub_decimals"].dtype == np.float32  # small ints or NaN
    ids = df["fact_id"].astype(object).to_numpy()
    assert TextColumn(df["fact_id"]).one(7) == ids[7]  # a few ids read without spelling the column
    assert TextColumn(df["fact_id"]).strings([3, 0, 5]) == [ids[3], ids[0], ids[5]]
    names = {f.name for f in p.reference}
    assert (from_files(df, names) == np.array([i.rsplit(":", 1)[0] in names for i in ids])).all()
    cols = ["concept", "period", "source", "locator"]
    assert distinct_rows(df, cols) == list(df[cols].astype(str).drop_duplicates().itertuples(index=False, name=None))
    assert distinct_rows(df.astype({c: object for c in cols}), cols) == distinct_rows(df, cols)
    rango = [registry.concepts[c].rango for c in df["concept"].astype(object)]
    assert np.array_equal(df["rango_min"].to_numpy(), np.array([r[0] if r else np.nan for r in rango]), equal_nan=True)
    assert np.array_equal(df["rango_max"].to_numpy(), np.array([r[1] if r else np.nan for r in rango]), equal_nan=True)
    assert list(df["source"].cat.categories) == sorted(df["source"].cat.categories)  # sorting sorts as text



# -- fact_id uniqueness without a table of every id (checks.schema.FactsModel.unique_ids) ----------------

ids_text = st.text(alphabet=st.sampled_from("ab:1ñ\x00é"), max_size=6)


@given(values=st.lists(st.one_of(ids_text, st.none()), max_size=40), cuts=st.lists(st.integers(0, 40), max_size=4),
       large=st.booleans(), start=st.integers(0, 3))
def test_repeated_is_pandas_duplicated_on_arrow_chunks_and_slices(values: list[str | None], cuts: list[int],
                                                                  large: bool, start: int) -> None:
    """Any chunking, offset (a sliced array) or offset width: the same rows as ``duplicated(keep=False)``."""
    import pyarrow as pa

    from cuadra.textcolumn import repeated

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(["pad"] * start + values, type=kind).slice(start)  # a non-zero offset into the buffers
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    chunked = pa.chunked_array([whole.slice(a, b - a) for a, b in itertools.pairwise(bounds)] or
                               [whole], type=kind)
    series = pd.Series(pd.arrays.ArrowStringArray(chunked))
    expected = pd.Series(values, dtype=object).duplicated(keep=False).to_numpy()
    assert repeated(series).tolist() == expected.tolist()
    assert repeated(pd.Series(values, dtype=object)).tolist() == expected.tolist()  # other dtypes: pandas' own


def test_repeated_confirms_a_hash_collision_as_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every id hashed alike: only the ids really repeated are reported."""
    from cuadra import textcolumn

    monkeypatch.setattr(textcolumn, "string_hashes", lambda array: np.zeros(len(array), dtype=np.uint64))
    series = pd.Series(["a.csv:2", "a.csv:3", "a.csv:2", "b.csv:2"], dtype="string[pyarrow]")
    assert textcolumn.repeated(series).tolist() == [True, False, True, False]


def test_facts_model_refuses_a_repeated_fact_id(registry: Registry) -> None:
    """The contract's uniqueness still fails on a frame that states an id twice, naming that id."""
    import pandera.pandas as pa

    from checks.schema import FactsModel

    bundle = sorted((project_paths().rules[0].parent.parent / "fixtures" / "reports").glob("*.csv"))[0]
    once = load_facts(bundle, registry).facts
    FactsModel.validate(once, lazy=True)  # every id once
    twice = pd.concat([once, once.iloc[[3]]], ignore_index=True)
    assert twice["fact_id"].dtype == pd.StringDtype("pyarrow")
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        FactsModel.validate(twice, lazy=True)
    cases = exc.value.failure_cases
    assert set(cases["check"]) == {"field_uniqueness"}
    assert set(cases["failure_case"].astype(str)) == {once["fact_id"].iloc[3]}


def test_facts_model_checks_the_quote_dtype_and_that_quotes_are_not_empty(registry: Registry) -> None:
    """The quote column must be Arrow strings (as read), each quote non-empty."""
    import pandera.pandas as pa

    from checks.schema import FactsModel

    bundle = sorted((project_paths().rules[0].parent.parent / "fixtures" / "reports").glob("*.csv"))[0]
    df = load_facts(bundle, registry).facts
    FactsModel.validate(df, lazy=True)
    as_category = df.assign(quote=df["quote"].astype("category"))
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        FactsModel.validate(as_category, lazy=True)
    assert set(exc.value.failure_cases["check"]) == {"dtype('string[pyarrow]')"}
    quotes = df["quote"].astype(object).to_numpy()
    quotes[[4, 6]] = ""
    blank = df.assign(quote=pd.array(quotes, dtype=pd.StringDtype("pyarrow")))
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        FactsModel.validate(blank, lazy=True)
    cases = exc.value.failure_cases
    assert set(cases["check"]) == {"str_length"} and sorted(cases["index"]) == [4, 6]


@given(st.lists(st.tuples(*[st.integers(0, 299)] * 8), min_size=1, max_size=40))
def test_distinct_rows_past_int64_radix(rows: list[tuple[int, ...]]) -> None:
    """Eight columns of 300 categories each (301^8 > 2^63): the codes are renumbered before the mixed
    radix overflows, and the distinct tuples are still exactly drop_duplicates'."""
    cats = [f"c{i:03d}" for i in range(300)]
    cols = [f"k{j}" for j in range(8)]
    df = pd.DataFrame({c: pd.Categorical.from_codes([r[j] for r in rows], categories=cats)
                       for j, c in enumerate(cols)})
    assert distinct_rows(df, cols) == list(df[cols].astype(str).drop_duplicates().itertuples(index=False, name=None))


def test_bounds_in_slices_are_the_bounds_at_once(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frame's bounds are computed a slice at a time: any slice size gives the one-shot bounds."""
    from cuadra.intervals import bounds_from_published

    reports = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
    monkeypatch.setattr(contract, "_BOUND_SLICE", 7)
    df = load_facts(reports, registry).facts
    once = bounds_from_published(df["value"].to_numpy(), df["decimals"].to_numpy(np.int64),
                                 df["scale"].to_numpy(np.int64), df["rounding"].to_numpy(dtype=object))
    assert np.array_equal(df["lo"].to_numpy(), once.lo, equal_nan=True)
    assert np.array_equal(df["hi"].to_numpy(), once.hi, equal_nan=True)


def test_glibc_gives_freed_memory_back() -> None:
    """On Linux with glibc the thresholds are fixed (mallopt answers 1); elsewhere nothing is touched."""
    import platform
    import sys

    from cuadra.allocator import return_freed_memory

    assert return_freed_memory() is (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc")


def test_the_grouping_is_released_after_the_rules_and_results_still_read(registry: Registry) -> None:
    """Once the rules' batch is evaluated, the grouping drops its lookups (issue 17); a second validation
    of the same frame rebuilds it for the built-ins and reads every rule's result as the first did."""
    import pandera.pandas as pa

    from checks.schema import build_schema, run_pandera
    from cuadra.engine import load_project
    from cuadra.rules.evaluate import FactIndex

    reg, rules = load_project(project_paths())
    df = load_facts(Path(__file__).resolve().parent.parent / "fixtures" / "reports", reg).facts
    results = run_pandera(df, rules)[0]
    statuses = {r.rule.id: r.codes.tolist() for r in results}
    members = {r.rule.id: [list(m) for m in r.facts] for r in results}
    collector: dict = {}
    index = FactIndex(df)
    schema = build_schema(rules, collector, index=index)
    for _ in range(2):
        with pytest.raises(pa.errors.SchemaErrors):  # the bundle has failing rules
            schema.validate(df, lazy=True, inplace=True)
        assert index.released and not hasattr(index, "keys")
        assert {k: r.codes.tolist() for k, r in collector.items() if k in statuses} == \
            {k: v for k, v in statuses.items() if k in collector}
        assert {k: [list(m) for m in r.facts] for k, r in collector.items() if k in members} == \
            {k: v for k, v in members.items() if k in collector}
