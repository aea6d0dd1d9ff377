"""Tests for smartchange_assets.platform.quality: GX 1.x suites evaluated inside Postgres
(frames of the tests are loaded into tables first) -> Dagster-friendly outcomes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import (
    Expect,
    between,
    columns_exist,
    compound_unique,
    dates_between,
    in_set,
    json_safe,
    not_null,
    row_count_equals,
    unique,
)
from smartchange_assets.platform.tables import Column, TableSpec

_SQL_TYPES = {"Int64": "bigint", "int64": "bigint", "float64": "double precision",
              "bool": "boolean", "boolean": "boolean"}
_DB: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _database(database_urls):
    from ..conftest import new_database

    with new_database(database_urls) as wh:
        _DB["wh"] = wh
        yield wh
        _DB.clear()


def _sql_type(series: pd.Series) -> str:
    dtype = str(series.dtype)
    if dtype in _SQL_TYPES:
        return _SQL_TYPES[dtype]
    if dtype.startswith("datetime64") and "," in dtype:
        return "timestamptz"
    if dtype.startswith("datetime64"):
        return "timestamp"
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], dt.date):
        return "date"
    return "text"


def run_suite(frame: pd.DataFrame, expectations, name, **kwargs) -> q.SuiteOutcome:
    """Load ``frame`` into a new table of the module's database and run the suite on it."""
    wh = _DB["wh"]
    spec = TableSpec("public", f"frame_{len(_DB)}", tuple(
        Column(c, _sql_type(frame[c])) for c in frame.columns))
    _DB[spec.name] = spec
    wh.replace_table(spec, frame)
    return q.run_suite(wh.url, q.table(spec.schema, spec.name), expectations, name, **kwargs)

COLUMNS = ["station_id", "station", "ts", "day", "pm10", "category"]


def good_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "station_id": [1, 2, 3, 4, 5, 6],
        "station": ["MC010", "MC010", "MC042", "MC042", "MC117", "MC117"],
        "ts": pd.to_datetime([
            "2024-03-01 00:00", "2024-03-01 01:00", "2024-03-01 00:00",
            "2024-03-01 01:00", "2024-03-01 00:00", "2024-03-01 01:00",
        ]).tz_localize("Europe/Berlin"),
        "day": [dt.date(2024, 3, 1)] * 6,
        "pm10": [12.5, 30.0, 0.0, 54.1, 1000.0, 7.0],
        "category": ["good", "moderate", "good", "unhealthy", "hazardous", "good"],
    })


def bad_frame() -> pd.DataFrame:
    return pd.DataFrame({
        # one null key, one duplicated key (5 twice)
        "station_id": pd.array([1, 2, None, 4, 5, 5], dtype="Int64"),
        # (MC042, 00:00) twice
        "station": ["MC010", "MC010", "MC042", "MC042", "MC042", "MC117"],
        "ts": pd.to_datetime([
            "2024-03-01 00:00", "2024-03-01 01:00", "2024-03-01 00:00",
            "2024-03-01 00:00", "2031-07-04 12:00", "2024-03-01 01:00",
        ]).tz_localize("Europe/Berlin"),
        "day": [dt.date(2024, 3, 1)] * 5 + [dt.date(1999, 12, 31)],
        "pm10": [12.5, -3.0, 0.0, 54.1, 1234.5, np.nan],
        "category": ["good", "moderate", "toxic", "unhealthy", "hazardous", "good"],
    })


CATEGORIES = ["good", "moderate", "unhealthy", "very_unhealthy", "hazardous"]


def suite() -> list[Expect]:
    """One expectation of every convenience kind, plus a missing column."""
    return [
        columns_exist(COLUMNS),
        row_count_equals(6),
        not_null("station_id"),
        unique("station_id"),
        compound_unique(["station", "ts"]),
        between("pm10", 0, 1000),
        in_set("category", CATEGORIES),
        dates_between("ts", "2024-01-01", "2024-12-31 23:59"),
        dates_between("day", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ]


@pytest.fixture(scope="module")
def good_outcome() -> q.SuiteOutcome:
    return run_suite(good_frame(), suite(), "good")


@pytest.fixture(scope="module")
def bad_outcome() -> q.SuiteOutcome:
    bad = bad_frame()
    assert len(bad) == 6  # row_count_equals(7) below must fail on the count, not on the data
    return run_suite(bad, [*suite(), row_count_equals(7), not_null("no2"),
                           columns_exist([*COLUMNS, "no2"])], "bad")


def by_label(outcome: q.SuiteOutcome) -> dict[str, q.ExpectationOutcome]:
    labels = [r.expectation for r in outcome.results]
    assert len(labels) == len(set(labels)), labels
    return {r.expectation: r for r in outcome.results}


# -- describing expectations -------------------------------------------------------------------


def test_labels_and_kinds():
    assert between("pm10", 0, 1).label == "values_between(pm10)"
    assert not_null("id").label == "values_not_null(id)"
    assert unique("id").label == "values_unique(id)"
    assert compound_unique(["a", "b"]).label == "compound_columns_unique(a,b)"
    assert in_set("c", {"x"}).label == "values_in_set(c)"
    assert row_count_equals(3).label == "row_count_equal(3)"
    assert columns_exist(["a", "b"]).label == "columns_exist(a,b)"
    assert dates_between("d", "2024-01-01", "2024-02-01").label == "dates_between(d)"
    assert compound_unique(["a", "b"]).kind == "ExpectCompoundColumnsToBeUnique"
    assert row_count_equals(3).kind == "ExpectTableRowCountToEqual"
    assert Expect("ExpectColumnValuesToNotBeNull", "x").kwargs == {}
    # plain data: bounds of dates_between are ISO strings
    assert dates_between("d", dt.date(2024, 1, 1), pd.Timestamp("2024-02-01")).kwargs == {
        "min_value": "2024-01-01", "max_value": "2024-02-01T00:00:00"}


def test_module_import_does_not_import_great_expectations():
    code = textwrap.dedent("""
        import sys
        import smartchange_assets.platform.quality
        assert "great_expectations" not in sys.modules, "GX imported at module import"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# -- good data ---------------------------------------------------------------------------------


def test_good_frame_passes_every_kind(good_outcome):
    assert good_outcome.success, good_outcome.to_markdown()
    assert good_outcome.failed == []
    kinds = {r.kind for r in good_outcome.results}
    assert kinds == {
        "ExpectTableColumnsToMatchSet", "ExpectTableRowCountToEqual",
        "ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeUnique",
        "ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeBetween",
        "ExpectColumnValuesToBeInSet",
    }
    assert [r.expectation for r in good_outcome.results] == [e.label for e in suite()]
    for r in good_outcome.results:
        assert r.exception is None
        assert r.unexpected_count in (None, 0)
        assert r.partial_unexpected == []
    assert by_label(good_outcome)["row_count_equal(6)"].observed_value == 6


# -- bad data ----------------------------------------------------------------------------------


def test_bad_frame_fails_exactly_the_right_expectations(bad_outcome):
    assert bad_outcome.success is False
    assert {r.expectation for r in bad_outcome.failed} == {
        "values_not_null(station_id)",
        "values_unique(station_id)",
        "compound_columns_unique(station,ts)",
        "values_between(pm10)",
        "values_in_set(category)",
        "dates_between(ts)",
        "dates_between(day)",
        "row_count_equal(7)",
        "values_not_null(no2)",
        "columns_exist(station_id,station,ts,day,pm10,category,no2)",
    }
    passed = {r.expectation for r in bad_outcome.results if r.success}
    assert passed == {"columns_exist(station_id,station,ts,day,pm10,category)",
                      "row_count_equal(6)"}


def test_bad_frame_counts_and_examples(bad_outcome):
    r = by_label(bad_outcome)

    assert r["values_not_null(station_id)"].unexpected_count == 1
    assert r["values_not_null(station_id)"].partial_unexpected == [None]

    assert r["values_unique(station_id)"].unexpected_count == 2  # both rows holding 5
    assert r["values_unique(station_id)"].partial_unexpected == [5]

    compound = r["compound_columns_unique(station,ts)"]
    assert compound.unexpected_count == 2
    # timestamptz values come back in the session's time zone, UTC
    assert compound.partial_unexpected == [
        {"station": "MC042", "ts": "2024-02-29T23:00:00+00:00"}]

    pm10 = r["values_between(pm10)"]
    assert pm10.unexpected_count == 2  # -3.0 and 1234.5; the NaN is "missing", not unexpected
    assert sorted(pm10.partial_unexpected) == [-3.0, 1234.5]
    assert pm10.element_count == 6

    assert r["values_in_set(category)"].unexpected_count == 1
    assert r["values_in_set(category)"].partial_unexpected == ["toxic"]

    assert r["dates_between(ts)"].unexpected_count == 1
    assert r["dates_between(ts)"].partial_unexpected == ["2031-07-04T10:00:00+00:00"]
    assert r["dates_between(day)"].unexpected_count == 1
    assert r["dates_between(day)"].partial_unexpected == ["1999-12-31"]

    count = r["row_count_equal(7)"]
    assert count.success is False and count.observed_value == 6 and count.exception is None

    cols = r["columns_exist(station_id,station,ts,day,pm10,category,no2)"]
    assert cols.partial_unexpected == ["no2"] and cols.unexpected_count == 1


def test_missing_column_fails_without_breaking_the_suite(bad_outcome):
    missing = by_label(bad_outcome)["values_not_null(no2)"]
    assert missing.success is False
    assert "no2" in missing.exception
    # the other expectations still ran and produced real results
    assert by_label(bad_outcome)["values_in_set(category)"].exception is None


@pytest.mark.parametrize("exp", [
    not_null("ghost"), unique("ghost"), between("ghost", 0, 1), in_set("ghost", ["a"]),
    dates_between("ghost", "2024-01-01", "2024-12-31"), compound_unique(["station", "ghost"]),
    columns_exist(["ghost"]),
])
def test_every_kind_fails_on_a_missing_column(exp):
    outcome = run_suite(good_frame(), [exp, not_null("station_id")], "ghost")
    assert outcome.success is False
    assert [r.success for r in outcome.results] == [False, True]


def test_gx_errors_fail_the_expectation_not_the_suite():
    frame = good_frame()
    outcome = run_suite(frame, [
        Expect("ExpectNoSuchThing", "pm10"),                       # unknown class
        Expect("ExpectColumnValuesToBeInSet", "category"),         # required kwarg missing
        between("category", 0, 10),                                # GX raises while computing
        dates_between("station", "2024-01-01", "2024-12-31"),      # text column: not a date
        not_null("pm10"),
    ], "errors")
    results = outcome.results
    assert [r.success for r in results] == [False, False, False, False, True]
    assert all(r.exception for r in results[:4])
    assert results[4].exception is None
    assert "ExpectNoSuchThing" in results[0].exception


def test_mostly_is_passed_through():
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 100]})
    assert run_suite(frame, [between("x", 0, 10, mostly=0.8)], "mostly").success
    assert not run_suite(frame, [between("x", 0, 10, mostly=0.9)], "mostly").success


def test_examples_are_capped_and_distinct():
    frame = pd.DataFrame({"x": list(range(100, 150)) + [101] * 10})
    outcome = run_suite(frame, [between("x", 0, 10)], "cap")
    res = outcome.results[0]
    assert res.unexpected_count == 60
    assert len(res.partial_unexpected) == q.MAX_EXAMPLES
    assert len(set(res.partial_unexpected)) == q.MAX_EXAMPLES


def test_repeated_calls_see_new_data_not_cached_metrics():
    exps = [between("x", 0, 10), row_count_equals(3)]
    assert run_suite(pd.DataFrame({"x": [1, 2, 3]}), exps, "s").success
    second = run_suite(pd.DataFrame({"x": [1, 2, 99]}), exps, "s")
    assert [r.success for r in second.results] == [False, True]
    assert second.results[0].partial_unexpected == [99]
    third = run_suite(pd.DataFrame({"x": [1, 2]}), exps, "s")
    assert [r.success for r in third.results] == [True, False]
    assert run_suite(pd.DataFrame({"x": [1, 2, 3]}), exps, "s").success


def test_complete_result_format():
    outcome = run_suite(bad_frame(), suite(), "complete", result_format="COMPLETE")
    r = by_label(outcome)
    assert r["values_between(pm10)"].unexpected_count == 2
    assert sorted(r["values_between(pm10)"].partial_unexpected) == [-3.0, 1234.5]
    with pytest.raises(ValueError):
        run_suite(bad_frame(), suite(), "x", result_format="BOOLEAN_ONLY")


def test_empty_suite_is_vacuous_success():
    outcome = run_suite(good_frame(), [], "empty")
    assert outcome.success is True and outcome.results == []


def test_first_call_leaves_no_current_gx_context_behind():
    wh = _DB["wh"]
    wh.replace_table(TableSpec("public", "one_row", (Column("x", "bigint"),)),
                     pd.DataFrame({"x": [1]}))
    code = textwrap.dedent("""
        import os
        from smartchange_assets.platform.quality import not_null, run_suite, table
        assert run_suite(os.environ["PROBE_URL"], table("public", "one_row"), [not_null("x")],
                         "s").success
        from great_expectations.data_context.data_context.context_factory import project_manager
        from great_expectations.exceptions import DataContextRequiredError
        try:
            project_manager.get_current_project()
        except DataContextRequiredError:
            print("none")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "PROBE_URL": wh.url})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "none"


def test_does_not_leak_the_gx_context_or_assets():
    from great_expectations.data_context.data_context.context_factory import project_manager

    sentinel = object()
    project_manager.set_project(sentinel)  # some other code's "current" GX context
    try:
        run_suite(good_frame(), [not_null("station_id")], "leak")
        assert project_manager.get_current_project() is sentinel
    finally:
        project_manager.set_project(None)
    # one SQL data source per warehouse (its engine reused); no table or query asset left in
    # any, and none holds a URL (it reads it from the environment)
    sources = list(q._context().data_sources.all().values())
    assert sources and all(s.assets == [] for s in sources)
    assert all("SMARTCHANGE_GX_WAREHOUSE_URL" in str(s.connection_string) for s in sources)


# -- reporting ---------------------------------------------------------------------------------


def test_outcome_is_json_serialisable(bad_outcome, good_outcome):
    for outcome in (bad_outcome, good_outcome):
        text = json.dumps(outcome.to_dict(), allow_nan=False)
        back = json.loads(text)
        assert back["success"] is outcome.success
        assert len(back["results"]) == len(outcome.results)


def test_markdown_shows_failures_and_values(bad_outcome):
    md = bad_outcome.to_markdown()
    assert "| expectation | success | observed | unexpected count | examples |" in md
    lines = {line.split(" | ")[0].lstrip("| "): line for line in md.splitlines()
             if line.startswith("| ") and "---" not in line}
    assert "toxic" in lines["values_in_set(category)"]
    assert "FAIL" in lines["values_in_set(category)"]
    assert "1234.5" in lines["values_between(pm10)"] and "-3.0" in lines["values_between(pm10)"]
    assert "2031-07-04" in lines["dates_between(ts)"]
    assert "MC042" in lines["compound_columns_unique(station,ts)"]
    assert "no2" in lines["values_not_null(no2)"] and "error" in lines["values_not_null(no2)"]
    assert "pass" in lines["row_count_equal(6)"] and "FAIL" not in lines["row_count_equal(6)"]
    assert "| 6 |" in lines["row_count_equal(7)"]
    assert "2/12 expectations passed" in md


def test_markdown_escapes_pipes():
    outcome = run_suite(pd.DataFrame({"c": ["a|b", "ok"]}), [in_set("c", ["ok"])], "pipes")
    row = outcome.to_markdown().splitlines()[-1]
    assert "a\\|b" in row
    assert row.count(" | ") == 4


def test_json_safe_converts_numpy_pandas_and_dates():
    value = {
        "i": np.int64(3), "f": np.float32(1.5), "nan": float("nan"), "inf": np.inf,
        "b": np.bool_(True), "ts": pd.Timestamp("2024-01-01", tz="UTC"), "nat": pd.NaT,
        "na": pd.NA, "d": dt.date(2024, 1, 2), "dec": Decimal("2.5"),
        "arr": np.array([1, 2]), "td": pd.Timedelta(hours=1), 5: ("x", None),
        "dt64": np.datetime64("2024-01-01T00:00"),
    }
    safe = json_safe(value)
    json.dumps(safe, allow_nan=False)
    assert safe["i"] == 3 and safe["f"] == 1.5 and safe["nan"] is None and safe["inf"] is None
    assert safe["b"] is True and safe["ts"] == "2024-01-01T00:00:00+00:00"
    assert safe["nat"] is None and safe["na"] is None and safe["d"] == "2024-01-02"
    assert safe["dec"] == 2.5 and safe["arr"] == [1, 2] and safe["5"] == ["x", None]
    assert safe["dt64"] == "2024-01-01T00:00:00"


# -- operational: no progress bars, no network -------------------------------------------------


def test_first_call_prints_no_progress_bar_and_makes_no_network_call():
    wh = _DB["wh"]
    wh.replace_table(TableSpec("public", "thousand", (Column("x", "bigint"),)),
                     pd.DataFrame({"x": range(1000)}))
    code = textwrap.dedent("""
        import os, socket
        # the test warehouse is reached over a Unix socket; anything else is the network
        _connect = socket.socket.connect
        def _guarded(self, address, *args, **kwargs):
            if self.family != socket.AF_UNIX:
                raise AssertionError(f"network call attempted: {address}")
            return _connect(self, address, *args, **kwargs)
        socket.socket.connect = _guarded
        socket.socket.connect_ex = _guarded
        socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(
            AssertionError("network call attempted"))

        from smartchange_assets.platform.quality import between, not_null, run_suite, table
        for _ in range(2):
            out = run_suite(os.environ["PROBE_URL"], table("public", "thousand"),
                            [not_null("x"), between("x", 0, 10)], "s")
        assert [r.success for r in out.results] == [True, False], out.results
        print("done")
    """)
    env = {k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"}
    env["PROBE_URL"] = wh.url
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "done"
    combined = out.stdout + out.stderr
    assert "Calculating Metrics" not in combined
    assert "it/s" not in combined and "%|" not in combined
