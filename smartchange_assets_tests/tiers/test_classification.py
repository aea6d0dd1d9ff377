"""Column classification: every column is public, personal or sensitive, and only public
columns can be defined into the open tier."""

from __future__ import annotations

import pytest

from smartchange_assets.berlin.citizen_reports.history import REPORTS as BERLIN_REPORTS
from smartchange_assets.berlin.citizen_reports.source import SOURCE as BERLIN_SNAPSHOTS
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA_REPORTS
from smartchange_assets.platform.tables import PERSONAL, PUBLIC, SENSITIVE, Column, TableSpec
from smartchange_assets.tiers.assets import OPEN_TABLES, TIER_ASSETS, TIER_TABLES
from smartchange_assets.tiers.open_copies import open_copy
from smartchange_assets.tiers.restricted import RESTRICTED_TABLES
from smartchange_assets.tiers.table import PERSONAL_DATA_CHECK, TierTable


def _classes(table: TableSpec) -> dict[str, str]:
    return {c.name: c.classification for c in table.columns if c.classification != PUBLIC}


def test_citizen_reports_mark_ids_free_text_exact_times_and_written_places():
    assert _classes(JAKARTA_REPORTS.staging) == {
        "report_id": PERSONAL, "description_redacted": PERSONAL,
        "created_at_local": SENSITIVE, "created_at_utc": SENSITIVE,
        "kelurahan_name": SENSITIVE, "area_note": SENSITIVE}
    berlin = {"report_id": PERSONAL, "betreff_raw": PERSONAL, "report_numbers": PERSONAL,
              "description_redacted": PERSONAL, "created_at_local": SENSITIVE,
              "created_at_utc": SENSITIVE, "category_sub": SENSITIVE}
    assert _classes(BERLIN_SNAPSHOTS.staging) == berlin
    assert _classes(BERLIN_REPORTS.table) == berlin


def test_an_unknown_classification_is_refused():
    with pytest.raises(ValueError, match="classification"):
        Column("x", "text", classification="secret")


def test_the_open_tier_refuses_a_personal_column_at_definition_time():
    table = TableSpec("open", "leaky", (Column("report_id", "text", classification=PERSONAL),))
    with pytest.raises(ValueError, match="public columns only"):
        TierTable(table=table, select_sql="SELECT 1", deps=(), description="", expectations=())
    with pytest.raises(ValueError, match="schema"):
        TierTable(table=TableSpec("staging", "x", ()), select_sql="SELECT 1", deps=(),
                  description="", expectations=())


def test_every_open_table_is_all_public_and_keeps_no_personal_column_name():
    closed_names = {c.name for t in RESTRICTED_TABLES for c in t.table.columns
                    if c.classification != PUBLIC}
    for spec in OPEN_TABLES:
        assert spec.table.schema == "open"
        assert all(c.classification == PUBLIC for c in spec.table.columns), spec.table.label
    # no open column carries the name of a closed one except where it was rebuilt from the
    # official reference (kelurahan_name: official Kemendagri name) or thinned (category_sub:
    # only values at least 5 reports share)
    rebuilt = {"kelurahan_name", "category_sub"}
    for spec in OPEN_TABLES:
        assert not (set(spec.table.column_names) & closed_names) - rebuilt, spec.table.label


def test_open_copy_withholds_non_public_columns():
    source = TableSpec("marts", "m", (
        Column("city", "text", nullable=False), Column("report_id", "text",
                                                       classification=PERSONAL),
        Column("written_place", "text", classification=SENSITIVE),
        Column("payloads", "text[]")), ("city", "report_id"), "a mart")
    import dagster as dg

    copy = open_copy(source, key=dg.AssetKey(["marts", "m"]))
    assert copy.table.column_names == ["city", "payloads"]
    assert copy.table.primary_key == ("city",)
    assert "report_id" not in copy.select_sql and "written_place" not in copy.select_sql
    assert "array_to_string(\"payloads\", ';')" in copy.select_sql
    assert "Withheld (personal or sensitive): report_id, written_place" in copy.description


def test_every_tier_table_has_an_asset_and_open_tables_a_personal_data_check():
    keys = {k for a in TIER_ASSETS for k in a.keys}
    assert {t.key for t in TIER_TABLES} <= keys
    # each tier asset runs its checks on the version it writes (write-audit-publish)
    specs = [c for a in TIER_ASSETS for c in a.check_specs]
    scanned = {c.asset_key for c in specs if c.name == PERSONAL_DATA_CHECK}
    assert scanned == {t.key for t in OPEN_TABLES}
    assert specs and all(c.blocking for c in specs)
