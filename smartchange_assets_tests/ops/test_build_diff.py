"""What did this build change? Two builds of the whole warehouse from the seed, with one real
payload corrected in between, and ``marts/build_diff`` held against the tables themselves.

The planted change (made up for this test, on a real file): the 2024 ISPU export with one
value changed (DKI3 Jagakarsa, 2024-01-21, PM10 sub-index 51 → 52), landed by hand as a
corrected file while the original is rejected, as an operator would. The expected differences
are computed here without the platform's hashes: each table is copied aside before the second
build and compared row by row (``EXCEPT ALL`` on the rows as text, provenance columns left
out), and the indicator tables are compared with pandas.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from smartchange_assets.definitions import LOCATION
from smartchange_assets.jakarta.ispu.source import SOURCE as ISPU
from smartchange_assets.marts.tables import CITY_TABLE, DISTRICT_TABLE
from smartchange_assets.ops.build_diff import DROPS_CHECK, KEY, indicator_changes
from smartchange_assets.ops.build_history import PROVENANCE
from smartchange_assets.platform.every_table import TABLES_METADATA
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..conftest import new_database
from ..marts.conftest import materialize_upstream_of
from ..seed_files import seed_bytes, seed_entries

pytestmark = pytest.mark.slow

ISPU_2024 = ("data-indeks-standar-pencemar-udara-(ispu)-di-provinsi-dki-jakarta-komponen-data-"
             "2024.csv")
PLANTED_FROM = "202401,DKI3 Jagakarsa,51.0,65.0,45.0,9.0,8.0,79.0,79.0,,SEDANG,2024-01-21"
PLANTED_TO = "202401,DKI3 Jagakarsa,52.0,65.0,45.0,9.0,8.0,79.0,79.0,,SEDANG,2024-01-21"
TOLERANCE = 1e-6
UNRELATED = ["staging.berlin_air_quality_hourly", "staging.jakarta_population",
             "staging.berlin_citizen_report_snapshots", "core.dim_date",
             "core.fact_population", "core.fact_flood_events"]


def corrected_ispu_2024() -> bytes:
    text = seed_bytes(ISPU.source_id, ISPU_2024).decode("utf-8")
    assert text.count(PLANTED_FROM) == 1
    return text.replace(PLANTED_FROM, PLANTED_TO).encode("utf-8")


def build(wh) -> list[dg.ExecuteInProcessResult]:
    """A refresh: the build diff and everything upstream (every table), all partitions."""
    resources = {"warehouse": WarehouseResource(url=wh.url),
                 "portal": PortalResource(mode="replay")}
    results = materialize_upstream_of([KEY], LOCATION.assets, LOCATION.checks, resources)
    assert all(r.success for r in results)
    return results


def diff_of(results) -> dict:
    [mat] = [m for r in results for m in r.get_asset_materialization_events()
             if m.asset_key == KEY]
    return {k: getattr(v, "value", v) for k, v in mat.materialization.metadata.items()}


def tables() -> list[str]:
    [asset] = LOCATION.assets_for(KEY)
    return list(asset.specs_by_key[KEY].metadata[TABLES_METADATA].value)


def content_columns(wh, label: str) -> list[str]:
    schema, name = label.split(".")
    columns = wh.read_frame(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND "
        "table_name = :t ORDER BY ordinal_position", s=schema, t=name)["column_name"]
    return [c for c in columns if c not in PROVENANCE]


def indicator_frame(wh) -> pd.DataFrame:
    frames = []
    for table in (CITY_TABLE, DISTRICT_TABLE):
        df = wh.read_frame(f"SELECT * FROM {table.qualified}")
        df["row_key"] = df[list(table.primary_key)].astype(str).agg("|".join, axis=1)
        df["table_label"] = table.label
        frames.append(df[["table_label", "row_key", "value", "null_reason"]])
    return pd.concat(frames).set_index(["table_label", "row_key"])


def expected_indicator_changes(before: pd.DataFrame, after: pd.DataFrame) -> set:
    joined = before.join(after, how="outer", lsuffix="_b", rsuffix="_a", sort=True)
    out = set()
    for key, row in joined.iterrows():
        old, new = row["value_b"], row["value_a"]
        in_before = key in before.index
        in_after = key in after.index
        if not in_after:
            kind = "removed"
        elif pd.isna(new) and (not in_before or not pd.isna(old)):
            kind = "new_null"
        elif not in_before:
            kind = "added"
        elif pd.isna(old) and not pd.isna(new):
            kind = "filled"
        elif not pd.isna(new) and abs(new - old) > max(1e-9, TOLERANCE * abs(old)):
            kind = "changed"
        else:
            continue
        out.add((*key, kind))
    return out


@pytest.fixture(scope="module")
def two_builds(database_urls):
    with new_database(database_urls) as wh:
        first = build(wh)
        present = [t for t in tables() if wh.scalar("SELECT to_regclass(:t) IS NOT NULL", t=t)]
        before_values = indicator_frame(wh)
        # every table as it was, set aside for the row-by-row comparison
        with wh.transaction() as conn:
            conn.execute(sa.text("CREATE SCHEMA snap"))
            for label in present:
                conn.execute(sa.text(f'CREATE TABLE snap."{label}" AS TABLE {label}'))
            # a leftover shadow and a version kept for inspection: never read by the diff
            conn.execute(sa.text("CREATE TABLE staging.jakarta_ispu_daily__wap_deadbeef_0000 "
                                 "AS TABLE staging.jakarta_ispu_daily WITH NO DATA"))
            conn.execute(sa.text("CREATE TABLE audit.staging__jakarta_ispu_daily__deadbeef "
                                 "AS TABLE staging.jakarta_ispu_daily"))
        archive = LandingArchive(wh)
        [original] = [e for e in seed_entries(ISPU.source_id) if e.file == ISPU_2024]
        archive.reject(original.sha256, "replaced by the corrected file")
        archive.land(ISPU.source_id, corrected_ispu_2024(),
                     origin="file:///downloads/ispu-2024-corrected.csv",
                     file_name="ispu-2024-corrected.csv", landed_by="manual",
                     period_start=original.period_start, period_end=original.period_end)
        second = build(wh)
        yield {"wh": wh, "first": diff_of(first), "second": diff_of(second), "present": present,
               "second_results": second, "before_values": before_values,
               "after_values": indicator_frame(wh)}


def test_first_build_has_nothing_to_compare_with(two_builds):
    first, wh = two_builds["first"], two_builds["wh"]
    assert first["previous_build"] == 0
    assert first["changed_tables"] == "first build: nothing to compare with"
    assert first["tables_compared"] == len(two_builds["present"])
    recorded = wh.read_frame("SELECT table_label, present FROM ops.build_table WHERE "
                             "build_id = :b", b=first["build_id"])
    assert set(recorded["table_label"]) == set(tables())
    assert set(recorded[recorded["present"]]["table_label"]) == set(two_builds["present"])


def test_second_build_shows_exactly_the_rows_that_changed(two_builds):
    wh, second = two_builds["wh"], two_builds["second"]
    recorded = wh.read_frame(
        "SELECT table_label, rows_added, rows_removed, row_count, rows_before FROM "
        "ops.build_table WHERE build_id = :b", b=second["build_id"]).set_index("table_label")
    assert second["previous_build"] == two_builds["first"]["build_id"]
    assert len(recorded) == len(tables())
    absent = set(tables()) - set(two_builds["present"])
    assert len(absent) <= 5, absent  # tables no seed source fills (see the report)
    for label in two_builds["present"]:
        cols = ", ".join(f'"{c}"::text' for c in content_columns(wh, label))
        schema, name = label.split(".")
        old = f'snap."{label}"'
        added = wh.scalar(f"SELECT count(*) FROM (SELECT {cols} FROM {label} EXCEPT ALL "
                          f"SELECT {cols} FROM {old}) AS d")
        removed = wh.scalar(f"SELECT count(*) FROM (SELECT {cols} FROM {old} EXCEPT ALL "
                            f"SELECT {cols} FROM {label}) AS d")
        row = recorded.loc[label]
        assert (row.rows_added, row.rows_removed) == (added, removed), label
        assert row.row_count == wh.scalar(f"SELECT count(*) FROM {label}"), label
    # the planted value: one row out, one row in, in the staging table and the fact table
    assert tuple(recorded.loc["staging.jakarta_ispu_daily", ["rows_added", "rows_removed"]]) \
        == (1, 1)
    assert tuple(recorded.loc["core.fact_air_quality_daily", ["rows_added", "rows_removed"]]) \
        == (1, 1)
    for label in UNRELATED:
        assert tuple(recorded.loc[label, ["rows_added", "rows_removed"]]) == (0, 0), label
    changed = recorded[(recorded.rows_added > 0) | (recorded.rows_removed > 0)]
    assert second["tables_changed"] == len(changed)
    assert second["rows_added"] == int(recorded.rows_added.sum())
    assert "| staging.jakarta_ispu_daily | " in second["changed_tables"]
    assert "staging.berlin_air_quality_hourly" not in second["changed_tables"]


def test_second_build_shows_exactly_the_indicator_values_that_changed(two_builds):
    wh, second = two_builds["wh"], two_builds["second"]
    found = indicator_changes(wh, second["build_id"], second["previous_build"], TOLERANCE)
    got = set(zip(found["table_label"], found["row_key"], found["kind"]))
    expected = expected_indicator_changes(two_builds["before_values"],
                                          two_builds["after_values"])
    assert got == expected
    # a PM10 value of one Jakarta day changed: Jakarta's (and Jakarta Selatan's, where DKI3
    # Jagakarsa stands) figures of 2024 move, nothing of Berlin's
    assert expected and {k for _, _, k in expected} == {"changed"}
    for table, key, _ in expected:
        if table == "marts.district_scorecard":
            assert key.startswith("jakarta:kemendagri_2025:31.74|"), key
        else:
            assert key.startswith("jakarta|"), key
        assert "|2024-" in key, key
    assert {("marts.city_indicators", "jakarta|pm10_mean|all|year|2024-01-01", "changed"),
            ("marts.city_indicators", "jakarta|pm10_mean|all|month|2024-01-01", "changed"),
            ("marts.district_scorecard",
             "jakarta:kemendagri_2025:31.74|pm10_mean|all|year|2024-01-01", "changed")} \
        <= expected
    assert second["indicator_values_changed"] == len(expected)
    assert "jakarta\\|pm10_mean\\|all\\|year\\|2024-01-01" in second["indicator_changes"]
    assert second["new_nulls"] == 0


def test_drop_check_passes_when_nothing_dropped(two_builds):
    [evaluation] = [e for r in two_builds["second_results"]
                    for e in r.get_asset_check_evaluations() if e.check_name == DROPS_CHECK]
    assert evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN


# -- the history and the drop check on small tables made up for the purpose -----------------

def _demo_tables(wh) -> None:
    with wh.transaction() as conn:
        conn.execute(sa.text("CREATE TABLE staging.demo_counts (payload_sha256 text, site text, "
                             "n integer)"))
        conn.execute(sa.text("INSERT INTO staging.demo_counts SELECT CASE WHEN g <= 100 THEN "
                             ":a ELSE :b END, 'site' || g, g FROM generate_series(1, 200) g"),
                     {"a": "a" * 64, "b": "b" * 64})
        conn.execute(sa.text("CREATE TABLE core.demo_totals AS SELECT g AS id, g * 2 AS total "
                             "FROM generate_series(1, 100) g"))


def test_drops_explained_by_a_rejected_payload_pass_unexplained_ones_warn(fresh_database):
    from smartchange_assets.ops.build_diff import _drops_result, drops
    from smartchange_assets.ops.build_history import record_build

    wh = fresh_database
    _demo_tables(wh)
    labels = ["staging.demo_counts", "core.demo_totals", "marts.not_built_yet"]
    first = record_build(wh, "run-1", labels, [], keep=2)
    assert first.previous is None
    assert [(s.label, s.present, s.rows) for s in first.tables] == [
        ("staging.demo_counts", True, 200), ("core.demo_totals", True, 100),
        ("marts.not_built_yet", False, None)]

    # payload a is rejected and its rows restaged away; half of the totals vanish unexplained,
    # and one total changes its value
    archive = LandingArchive(wh)
    landed = archive.land("demo/source", b"made-up payload a", origin="test://a",
                          landed_by="test")
    with wh.transaction() as conn:
        conn.execute(sa.text("UPDATE staging.demo_counts SET payload_sha256 = :s "
                             "WHERE payload_sha256 = :a"), {"s": landed.sha256, "a": "a" * 64})
    build_between = record_build(wh, "run-2", labels, [], keep=2)
    assert all(s.added == 0 and s.removed == 0 for s in build_between.tables if s.present)
    archive.reject(landed.sha256, "wrong units")
    with wh.transaction() as conn:
        conn.execute(sa.text("DELETE FROM staging.demo_counts WHERE payload_sha256 = :s"),
                     {"s": landed.sha256})
        conn.execute(sa.text("DELETE FROM core.demo_totals WHERE id > 50"))
        conn.execute(sa.text("UPDATE core.demo_totals SET total = -1 WHERE id = 1"))
    latest = record_build(wh, "run-3", labels, [], keep=2)
    states = {s.label: s for s in latest.tables}
    assert (states["staging.demo_counts"].added, states["staging.demo_counts"].removed) == \
        (0, 100)
    assert (states["core.demo_totals"].added, states["core.demo_totals"].removed) == (1, 51)
    found = drops(wh, latest, 0.2).set_index("table")
    assert found.loc["staging.demo_counts", "explained_by_rejections"] == 100
    assert not found.loc["staging.demo_counts", "unexplained"]
    assert found.loc["core.demo_totals", "unexplained"]
    result = _drops_result(found.reset_index(), 0.2, first=False)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert "core.demo_totals (100 → 50)" in result.description
    assert "staging.demo_counts" not in result.description

    # history: the newest two builds; the row hashes of the newest one only
    assert list(wh.read_frame("SELECT build_id FROM ops.build ORDER BY 1")["build_id"]) == [
        build_between.build_id, latest.build_id]
    assert wh.scalar("SELECT count(*) FROM ops.build_rows") == 100 + 50

