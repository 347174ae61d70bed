"""Issue 17, memory: a rule's results kept as codes read back as the very strings they replaced.

``cuadra.rules.results`` keeps statuses, reasons, keys and periods as integer codes and computes the
imbalance when read; ``cuadra.textcolumn`` reads a frame's text at a few positions whatever its dtype
(object, categorical, ``string[pyarrow]``). Each must give back exactly what the spelt columns gave.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_vectorised import CONCEPTS, RULES, fact_tables  # the differential tests' tables and rules

from cuadra import intervals as iv
from cuadra.engine import FactRefs
from cuadra.rules import evaluate
from cuadra.rules.catalogue import Rule, load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rules, instance_key, instances
from cuadra.rules.results import VERDICTS, Coded, RuleResult, small_ints, verdict_codes
from cuadra.textcolumn import TextColumn

TEXT = st.text(alphabet=st.sampled_from("ab|@ñ:0 "), max_size=4)


@given(st.lists(TEXT, max_size=40), st.data())
def test_coded_reads_back_every_text(values: list[str], data: st.DataObject) -> None:
    coded = Coded.of(values)
    assert coded.tolist() == values
    a = data.draw(st.integers(0, len(values)))
    b = data.draw(st.integers(a, len(values)))
    assert coded.at(slice(a, b)) == values[a:b]
    assert coded.at(np.arange(a, b)) == values[a:b]


@given(st.lists(st.tuples(st.integers(0, 19), TEXT), max_size=10))
def test_sparse_reasons_read_back(rows: list[tuple[int, str]]) -> None:
    """Rows not given read ``""``; the others their text (the last given for a row wins, as assignment)."""
    expected = [""] * 20
    for j, text in rows:
        expected[j] = text
    assert Coded.sparse(20, [j for j, _ in rows], [t for _, t in rows]).tolist() == expected


@given(st.lists(st.sampled_from(VERDICTS), max_size=30))
def test_status_codes_read_back(statuses: list[str]) -> None:
    assert [VERDICTS[c] for c in verdict_codes(statuses).tolist()] == statuses


def test_small_ints_keeps_wide_values() -> None:
    assert small_ints(np.arange(3)).dtype == np.int32
    assert small_ints(np.array([1 << 40])).dtype == np.int64
    assert small_ints(np.array([1 << 40]))[0] == 1 << 40


def _frames(values: list[str]) -> list[pd.Series]:
    plain = pd.Series(values, dtype=object)
    return [plain, plain.astype("category"), plain.astype("string[pyarrow]")]


@given(st.lists(TEXT, min_size=1, max_size=30), st.data())
def test_text_column_reads_any_dtype(values: list[str], data: st.DataObject) -> None:
    pos = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=10))
    for series in _frames(values):
        assert TextColumn(series).strings(np.asarray(pos, dtype=np.int32)) == [values[p] for p in pos], series.dtype


@given(fact_tables())
def test_fact_refs_same_on_categorical_and_arrow_frames(df: pd.DataFrame) -> None:
    """FactRefs reads a fact's fields the same whether the text columns are objects, categories or arrow."""
    text = [c for c in FactRefs.COLUMNS if df[c].dtype == object]
    df = df.astype({"value": "Float64", "lo": "Float64"}) if len(df) % 2 else df  # nullable numbers too
    expected = [FactRefs(df).one(i) for i in range(len(df))]
    for dtype in ("category", "string[pyarrow]"):
        other = df.astype(dict.fromkeys(text, dtype))
        assert [FactRefs(other).one(i) for i in reversed(range(len(df)))] == expected[::-1], dtype


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Rule]:
    text = "".join(f"- id: r{i}\n  titulo: t\n  expr: \"{e}\"\n  kind: formula\n"
                   f"  fuentes: [\"000_18269b3800bc8850.txt:1\"]\n" + (f"  periodos: {p}\n" if p else "")
                   for i, (e, p) in enumerate(RULES))
    path: Path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalogue([path], set(CONCEPTS))


@given(df=fact_tables(), chunk=st.integers(1, 5))
def test_rows_in_chunks_are_the_whole_columns(rules: list[Rule], df: pd.DataFrame, chunk: int) -> None:
    """Reading a result a chunk at a time gives the whole columns: keys as the old spelling, the
    imbalance bit for bit as computed over the whole arrays."""
    index = FactIndex(df)
    for rule, res in zip(rules, evaluate_rules(rules, index), strict=True):
        n = len(res)
        chunks = [res.rows(slice(a, min(a + chunk, n))) for a in range(0, n, chunk)]
        cols = [[x for c in chunks for x in c[k]] for k in range(10)]
        assert cols[0] == [instance_key(p, s) for p, s in instances(rule, index)]
        with np.errstate(invalid="ignore", over="ignore"):
            g = iv.gap(res.lhs, res.rhs, rule.tree.op)
            rel = iv.relative_gap(res.lhs, res.rhs, g)
        assert np.array_equal(np.asarray(cols[7]), g, equal_nan=True)
        assert np.array_equal(np.asarray(cols[8]), rel, equal_nan=True)
        assert cols[2] == list(map(str, res.status)) and cols[9] == res.reason and cols[1] == res.periods


def test_spelt_result_round_trips() -> None:
    b = iv.Bounds(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    res = RuleResult.spelt("r", ["k1", "k2"], ["p1", "p2"], ["pass", "waived"], ["", "why"], b, b, "==", [[0], [1]])
    assert (res.keys, res.periods, list(res.status), res.reason) == (["k1", "k2"], ["p1", "p2"], ["pass", "waived"],
                                                                     ["", "why"])
    assert res.rows(slice(1, 2))[0] == ["k2"] and res.rows(np.array([1, 0]))[0] == ["k2", "k1"]
    assert res.rows(slice(0, 2))[7] == [0.0, 0.0]


@given(df=fact_tables())
def test_batches_equal_one_batch(rules: list[Rule], df: pd.DataFrame) -> None:
    """The operand lookup cut into runs of shapes, and the rules into runs of instances (bounded
    memory), give what one batch gave."""
    index = FactIndex(df)
    whole = evaluate_rules(rules, index)
    with mock.patch.object(evaluate, "_SLOT_ROWS", 1):  # every shape a batch of its own
        cut = evaluate_rules(rules, index)
    with mock.patch.object(evaluate, "_INSTANCES", 3):  # rules taken a few instances at a time
        runs = evaluate_rules(rules, index)
    for a, b in [*zip(whole, cut, strict=True), *zip(whole, runs, strict=True)]:
        assert (a.keys, a.periods, list(a.status), a.reason, list(a.facts)) == (b.keys, b.periods, list(b.status),
                                                                               b.reason, list(b.facts))
        for x, y in ((a.lhs.lo, b.lhs.lo), (a.lhs.hi, b.lhs.hi), (a.rhs.lo, b.rhs.lo), (a.rhs.hi, b.rhs.hi)):
            assert np.array_equal(x, y, equal_nan=True)


@given(df=fact_tables())
def test_grouping_reads_categorical_and_arrow_frames_alike(rules: list[Rule], df: pd.DataFrame) -> None:
    """The facts' text as categories (in any order) or arrow strings groups and evaluates as objects do."""
    text = ["concept", "period", "source"]
    expected = [(r.keys, list(r.status), r.reason, list(r.facts)) for r in evaluate_rules(rules, FactIndex(df))]
    shuffled = {c: pd.CategoricalDtype(sorted(set(df[c]), reverse=True)) for c in text}  # not in string order
    for other in (df.astype(shuffled), df.astype(dict.fromkeys(text, "string[pyarrow]"))):
        got = [(r.keys, list(r.status), r.reason, list(r.facts)) for r in evaluate_rules(rules, FactIndex(other))]
        assert got == expected
