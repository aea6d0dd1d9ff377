"""Atomic table swaps and the landing archive, against a real Postgres."""

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

from smartchange_assets.platform import warehouse as warehouse_module
from smartchange_assets.platform.landing import LandingArchive, sha256_of
from smartchange_assets.platform.tables import Column, TableSpec

from ..seed_files import seed_entries

TABLE = TableSpec("staging", "swap_test", (
    Column("id", "bigint", nullable=False),
    Column("label", "text"),
), ("id",))


def _frame(n: int, label: str) -> pd.DataFrame:
    return pd.DataFrame({"id": range(n), "label": [f"{label}{i}" for i in range(n)]})


def test_replace_table_swaps_in_new_version(fresh_database):
    wh = fresh_database
    assert wh.replace_table(TABLE, _frame(5, "a")) == 5
    assert wh.replace_table(TABLE, _frame(3, "b")) == 3  # second swap: key name reused
    rows = wh.read_frame("SELECT id, label FROM staging.swap_test ORDER BY id")
    assert rows["label"].tolist() == ["b0", "b1", "b2"]
    assert wh.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' "
                     "AND tablename LIKE 'swap_test__new%'") == 0


def test_failure_mid_copy_keeps_previous_version(fresh_database, monkeypatch):
    wh = fresh_database
    wh.replace_table(TABLE, _frame(4, "old"))
    real_copy = warehouse_module.copy_frame_sqlalchemy

    def copy_then_crash(conn, table, df):
        real_copy(conn, table, df.head(2))  # half the rows are in the shadow table …
        raise RuntimeError("injected crash mid-load")  # … when the process dies

    monkeypatch.setattr(warehouse_module, "copy_frame_sqlalchemy", copy_then_crash)
    with pytest.raises(RuntimeError, match="injected"):
        wh.replace_table(TABLE, _frame(10, "new"))
    rows = wh.read_frame("SELECT label FROM staging.swap_test ORDER BY id")
    assert rows["label"].tolist() == ["old0", "old1", "old2", "old3"]
    assert wh.scalar("SELECT count(*) FROM pg_tables WHERE tablename LIKE "
                     "'swap_test__new%'") == 0


def test_bad_row_in_later_chunk_rolls_back_everything(fresh_database):
    wh = fresh_database
    wh.replace_table(TABLE, _frame(3, "keep"))
    bad = _frame(250_000, "x").astype({"id": "Int64"})
    bad.loc[200_000, "id"] = pd.NA  # NOT NULL violated deep in the load
    with pytest.raises((sa.exc.DBAPIError, psycopg.Error), match="not-null"):
        wh.replace_table(TABLE, bad)
    assert wh.row_count(TABLE) == 3


def test_bookkeeping_failure_rolls_back_the_swap(fresh_database):
    wh = fresh_database
    wh.replace_table(TABLE, _frame(2, "before"))

    def failing_bookkeeping(conn):
        conn.execute(sa.text("SELECT 1/0"))

    with pytest.raises(sa.exc.DBAPIError):
        wh.replace_table(TABLE, _frame(7, "after"), also=failing_bookkeeping)
    assert wh.row_count(TABLE) == 2


def test_readers_see_old_version_until_commit(fresh_database):
    wh = fresh_database
    wh.replace_table(TABLE, _frame(2, "v1"))
    target = sa.text("SELECT count(*) FROM staging.swap_test")
    with wh.engine.connect() as reader, wh.engine.begin() as writer:
        tmp = wh._create_shadow(writer, TABLE)
        warehouse_module.copy_frame_sqlalchemy(writer, f"staging.{tmp}", _frame(9, "v2"))
        assert reader.execute(target).scalar() == 2  # not swapped yet: old version readable
        reader.rollback()
        wh._swap(writer, TABLE, tmp)
    assert wh.row_count(TABLE) == 9


def test_replace_from_sql_is_atomic_too(fresh_database):
    wh = fresh_database
    wh.replace_table(TABLE, _frame(3, "x"))
    with pytest.raises(sa.exc.DBAPIError):
        wh.replace_table_from_sql(TABLE, "SELECT g, 'y' || (10 / (g - 5)) FROM "
                                         "generate_series(1, 8) g")
    assert wh.row_count(TABLE) == 3
    assert wh.replace_table_from_sql(TABLE, "SELECT g, 'z' FROM generate_series(1, 6) g") == 6


def test_landing_stores_bytes_once_and_replays_them(fresh_database):
    archive = LandingArchive(fresh_database)
    content = b"periode_data,tanggal\r\n201001,2010-01-01\r\n"
    first = archive.land("jakarta/ispu", content, origin="https://example.org/a.csv",
                         landed_by="live", http_status=200, content_type="text/csv")
    again = archive.land("jakarta/ispu", content, origin="https://example.org/a.csv",
                         landed_by="live")
    other_origin = archive.land("jakarta/ispu", content, origin="file:///tmp/a.csv",
                                landed_by="manual")
    assert first.sha256 == sha256_of(content) and first.new_blob and first.new_manifest_row
    assert not again.new_blob and not again.new_manifest_row
    assert not other_origin.new_blob and other_origin.new_manifest_row
    assert fresh_database.scalar("SELECT count(*) FROM raw.landing_payload") == 1
    payloads = archive.active_payloads("jakarta/ispu")
    assert len(payloads) == 1 and payloads[0].read() == content  # byte for byte (CRLF kept)
    assert archive.active_payloads("berlin/blume_air_quality") == []


def test_rejected_payload_stays_archived_but_is_not_replayed(fresh_database):
    archive = LandingArchive(fresh_database)
    good = archive.land("s", b"good", origin="u1", landed_by="manual")
    bad = archive.land("s", b"broken", origin="u2", landed_by="manual")
    with pytest.raises(ValueError):
        archive.reject(bad.sha256[:4], "too short a prefix")
    archive.reject(bad.sha256[:12], "truncated download")
    assert [p.sha256 for p in archive.active_payloads("s")] == [good.sha256]
    manifest = archive.manifest("s")
    assert manifest.set_index("sha256").loc[bad.sha256, "rejected_reason"] == \
        "truncated download"
    assert fresh_database.scalar("SELECT count(*) FROM raw.landing_payload") == 2
    with pytest.raises(LookupError):
        archive.reject("deadbeefdeadbeef", "nothing there")


def test_seed_archive_lands_every_seed_file_once(fresh_database):
    archive = LandingArchive(fresh_database)
    for source in ("jakarta/ispu", "berlin/blume_air_quality"):
        entries = seed_entries(source)
        assert archive.sync_seed(entries) == len(entries) > 0
        assert archive.sync_seed(entries) == 0  # idempotent
        payloads = archive.active_payloads(source)
        assert {p.sha256 for p in payloads} == {e.sha256 for e in entries}
        assert all(p.period_start and p.period_end for p in payloads)
