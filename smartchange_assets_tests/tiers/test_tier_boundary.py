"""The open/closed boundary on the real server, after one materialisation of the tier assets
and everything upstream of them from the seed (Jakarta CRM sample, Berlin Ordnungsamt
snapshot, admin areas, LOR, the air-quality chain).

Connected *as* the open reader (a login role with a password), Postgres denies every
``restricted`` table and serves every ``open`` one; the analyst reads both. Every text column
the open reader can see is scanned for personal data. Pseudonyms are re-derived from the closed
tier's ids, stay identical when the tables are rebuilt with the same key and all change with
another key. The aggregate's suppression is held against counts made from the closed tier.
"""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from smartchange_assets.platform.pii import pseudonymise
from smartchange_assets.tiers import scan
from smartchange_assets.tiers.assets import OPEN_TABLES, TIER_ASSETS
from smartchange_assets.tiers.open_reports import (
    AGGREGATE_OPEN,
    BERLIN_OPEN,
    JAKARTA_OPEN,
    MIN_CELL_REPORTS,
)
from smartchange_assets.tiers.pseudonym import KEY_ENV
from smartchange_assets.tiers.restricted import (
    BERLIN_NAMESPACE,
    JAKARTA_NAMESPACE,
    RESTRICTED_TABLES,
)
from smartchange_assets.tiers.roles import ANALYST, OPEN_READER

from ..source_harness import check_results
from .harness import (
    WARNINGS_BY_DESIGN,
    connect_as,
    failed_checks,
    materialise,
    module_database,
    rematerialise,
)

pytestmark = pytest.mark.slow

KEY_1, KEY_2 = "first-pseudonym-key", "another-pseudonym-key"
PASSWORDS = {OPEN_READER: "open-reader-test-pw", ANALYST: "analyst-test-pw"}
TARGETS = [a.key for a in TIER_ASSETS]
REPORT_TABLES = [*RESTRICTED_TABLES, JAKARTA_OPEN, BERLIN_OPEN, AGGREGATE_OPEN]


@pytest.fixture(scope="module")
def tiers(database_urls):
    with pytest.MonkeyPatch.context() as mp, module_database(database_urls) as wh:
        mp.setenv(KEY_ENV, KEY_1)
        mp.setenv("SMARTCHANGE_OPEN_READER_PASSWORD", PASSWORDS[OPEN_READER])
        mp.setenv("SMARTCHANGE_ANALYST_PASSWORD", PASSWORDS[ANALYST])
        result = materialise(wh.url, TIER_ASSETS, [], TARGETS)
        yield wh, result, mp


@pytest.fixture(scope="module")
def reader(tiers):
    engine = connect_as(tiers[0], OPEN_READER, PASSWORDS[OPEN_READER])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def analyst(tiers):
    engine = connect_as(tiers[0], ANALYST, PASSWORDS[ANALYST])
    yield engine
    engine.dispose()


def _tables(wh, schema: str) -> set[str]:
    return set(wh.read_frame("SELECT table_name FROM information_schema.tables WHERE "
                             "table_schema = :s", s=schema)["table_name"])


def test_materialisation_succeeds_with_every_check_passed(tiers):
    wh, result, _ = tiers
    assert result.success
    checks = check_results(result)
    assert checks and failed_checks(result) == WARNINGS_BY_DESIGN
    for spec in [*RESTRICTED_TABLES, *OPEN_TABLES]:
        assert f"{spec.key.to_user_string()}:gx_suite" in checks
    for spec in OPEN_TABLES:
        assert checks[f"{spec.key.to_user_string()}:no_personal_data"]
    # every seed payload behind the tiers reconciles
    recon = wh.read_frame("SELECT source, file_name, source_rows, staged, no_data, quarantined,"
                          " error FROM raw.payload_reconciliation")
    assert recon["error"].isna().all()
    assert (recon["source_rows"] == recon["staged"] + recon["no_data"]
            + recon["quarantined"]).all()
    assert {"jakarta/citizen_reports", "berlin/citizen_reports"} <= set(recon["source"])


def test_the_tables_of_each_tier_are_there_with_rows(tiers):
    wh, _, _ = tiers
    assert _tables(wh, "restricted") == {t.table.name for t in RESTRICTED_TABLES}
    assert _tables(wh, "open") == {t.table.name for t in OPEN_TABLES}
    counts = {t.table.label: wh.row_count(t.table) for t in REPORT_TABLES}
    assert counts == {
        "restricted.jakarta_citizen_reports": 15,      # the CRM seed sample: 15 reports
        # the two seed snapshots (2023-11-22, 2024-01-18): 10,894 reports, 265 of which
        # changed status between them (two spells)
        "restricted.berlin_citizen_reports": 10_894,
        "restricted.berlin_citizen_report_status_history": 10_894 + 265,
        "open.jakarta_citizen_reports": 15,
        "open.berlin_citizen_reports": 10_894,
        "open.citizen_reports_by_area_category": 15 + 99,
    }


def test_the_open_reader_is_denied_every_restricted_table(tiers, reader):
    for spec in RESTRICTED_TABLES:
        with reader.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as denied:
            conn.execute(sa.text(f"SELECT * FROM {spec.table.qualified} LIMIT 1"))
        assert isinstance(denied.value.orig, psycopg.errors.InsufficientPrivilege)
        assert "permission denied" in str(denied.value.orig)
    # nor can it go around the tier to staging or raw, where the same data lives
    for table in ("staging.jakarta_citizen_reports", "staging.berlin_citizen_reports",
                  "raw.quarantine", "raw.landing_payload"):
        with reader.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as denied:
            conn.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1"))
        assert isinstance(denied.value.orig, psycopg.errors.InsufficientPrivilege)


def test_the_open_reader_reads_every_open_table(tiers, reader):
    wh, _, _ = tiers
    with reader.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == OPEN_READER
        for name in _tables(wh, "open"):
            rows = conn.execute(sa.text(f'SELECT count(*) FROM "open"."{name}"')).scalar()
            assert rows == wh.scalar(f'SELECT count(*) FROM "open"."{name}"') > 0, name


def test_the_analyst_reads_both_tiers(tiers, analyst):
    wh, _, _ = tiers
    with analyst.connect() as conn:
        for schema in ("open", "restricted"):
            for name in _tables(wh, schema):
                assert conn.execute(sa.text(
                    f'SELECT count(*) FROM "{schema}"."{name}"')).scalar() > 0


def test_no_text_column_of_the_open_tier_holds_personal_data(tiers, reader):
    wh, _, _ = tiers
    with reader.connect() as conn:
        findings, columns = scan.scan_schema(conn, "open")
    expected = sum(1 for t in OPEN_TABLES for c in t.table.columns if c.sql_type == "text")
    assert columns == expected > 20
    assert findings == []


def test_nothing_personal_from_the_closed_tier_appears_in_the_open_tier(tiers, reader):
    """Value-level: no report id, reporter reference, free text or written place of the
    closed tier is a value anywhere in the open tier. (A value that a public column of the
    closed tier holds too is not personal: Berlin titles that are just the topic, 'Abfall'.)"""
    wh, _, _ = tiers

    def values(spec, column) -> set[str]:
        return {str(v) for v in wh.read_frame(
            f'SELECT DISTINCT "{column.name}" AS v FROM {spec.table.qualified} '
            f'WHERE "{column.name}" IS NOT NULL')["v"]}

    closed, public = set(), set()
    for spec in RESTRICTED_TABLES:
        for column in spec.table.columns:
            if column.classification == "personal" or column.name == "kelurahan_name":
                closed |= values(spec, column)
            elif column.sql_type == "text" and column.name != "report_pid":
                public |= values(spec, column)
    closed -= public | {""}
    assert len(closed) > 10_000
    with reader.connect() as conn:
        for table, column in scan.text_columns(conn, "open"):
            values = set(conn.execute(sa.text(
                f'SELECT DISTINCT "{column}"::text FROM "open"."{table}"')).scalars())
            assert not values & closed, f"open.{table}.{column}"


def test_pseudonyms_are_the_keyed_hmac_of_the_closed_ids(tiers):
    wh, _, _ = tiers
    for table, namespace in (("jakarta_citizen_reports", JAKARTA_NAMESPACE),
                             ("berlin_citizen_reports", BERLIN_NAMESPACE)):
        pairs = wh.read_frame(f"SELECT DISTINCT report_id, report_pid FROM restricted.{table}")
        expected = [pseudonymise(f"{namespace}:{rid}", KEY_1.encode())
                    for rid in pairs["report_id"]]
        assert list(pairs["report_pid"]) == expected
        open_pids = set(wh.read_frame(f'SELECT report_pid FROM "open".{table}')["report_pid"])
        assert open_pids == set(pairs["report_pid"])


def _pids(wh) -> dict[str, list[str]]:
    return {t: list(wh.read_frame(f'SELECT r.report_pid FROM restricted.{t} r '
                                  f'ORDER BY r.report_id, r.report_pid')["report_pid"])
            for t in ("jakarta_citizen_reports", "berlin_citizen_reports")}


def test_pseudonyms_are_stable_for_a_key_and_change_with_another(tiers, reader):
    wh, _, mp = tiers
    first = _pids(wh)
    targets = [t.key for t in REPORT_TABLES]
    again = rematerialise(wh.url, TIER_ASSETS, [], targets)
    assert again.success
    assert _pids(wh) == first                               # same key: identical
    mp.setenv(KEY_ENV, KEY_2)
    try:
        other = rematerialise(wh.url, TIER_ASSETS, [], targets)
        assert other.success
        changed = _pids(wh)
        for table, pids in first.items():
            assert len(changed[table]) == len(pids)
            assert not set(changed[table]) & set(pids), table   # another key: all differ
    finally:
        mp.setenv(KEY_ENV, KEY_1)
        assert rematerialise(wh.url, TIER_ASSETS, [], targets).success
    assert _pids(wh) == first
    # the tables were swapped three times: default privileges kept them readable
    with reader.connect() as conn:
        assert conn.execute(sa.text(
            f"SELECT count(*) FROM {JAKARTA_OPEN.table.qualified}")).scalar() == 15


def test_aggregate_suppresses_cells_below_five_against_the_closed_tier(tiers):
    wh, _, _ = tiers
    published = wh.read_frame(f"SELECT * FROM {AGGREGATE_OPEN.table.qualified}")
    truth = wh.read_frame("""
        SELECT 'berlin' AS city, bezirk AS area_name, coalesce(category_main, '(none)') AS
               category, count(*) AS n FROM restricted.berlin_citizen_reports GROUP BY 1, 2, 3
        UNION ALL
        SELECT 'jakarta', initcap(kelurahan_name), category, count(DISTINCT report_id)
        FROM restricted.jakarta_citizen_reports GROUP BY 1, 2, 3""")
    merged = published.merge(truth, on=["city", "area_name", "category"], how="outer",
                             indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    small = merged["n"] < MIN_CELL_REPORTS
    assert merged.loc[small, "suppressed"].all() and merged.loc[small, "reports"].isna().all()
    assert (merged.loc[~small, "reports"] == merged.loc[~small, "n"]).all()
    assert not merged.loc[~small, "suppressed"].any()
    # the real figures: every Jakarta cell is one report (15 kelurahan x category cells)
    assert (published["city"] == "jakarta").sum() == 15
    assert published.loc[published["city"] == "jakarta", "suppressed"].all()
    berlin = published[published["city"] == "berlin"]
    assert (len(berlin), int(berlin["suppressed"].sum()), int(berlin["reports"].sum())) == (
        99, 49, 10_801)
