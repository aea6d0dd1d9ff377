"""CSV (UTF-8, RFC 4180) and Parquet from an open table, read as the open reader."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from smartchange_assets.platform.tables import Column, TableSpec
from smartchange_assets.publish.files import file_digest, write_table_files
from smartchange_assets.tiers.roles import ensure_roles

TABLE = TableSpec("open", "tricky", (
    Column("id", "integer", nullable=False), Column("label", "text"),
    Column("day", "date"), Column("flag", "boolean"), Column("value", "double precision"),
    Column("big", "bigint"),
), ("id",), "values CSV must quote")

ROWS = pd.DataFrame({
    "id": [2, 1, 3],
    "label": ['Grünanlage/Park, "Spielplatz"', "Kelurahan\nRambutan", None],
    "day": [dt.date(2023, 11, 22), None, dt.date(2017, 1, 18)],
    "flag": [True, False, None],
    "value": [0.1 + 0.2, None, 12.5],
    "big": [3171012345, None, 0],
})


@pytest.fixture()
def published(fresh_database, tmp_path):
    ensure_roles(fresh_database)
    fresh_database.replace_table(TABLE, ROWS)
    return write_table_files(fresh_database.engine, TABLE, tmp_path / "tricky")


def test_csv_is_utf8_rfc4180_in_key_order(published):
    csv_file, _ = published
    data = csv_file.path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")            # no BOM
    assert data.decode("utf-8") == (
        "id,label,day,flag,value,big\r\n"
        '1,"Kelurahan\nRambutan",,false,,\r\n'             # a newline inside quotes
        '2,"Grünanlage/Park, ""Spielplatz""",2023-11-22,true,0.30000000000000004,3171012345\r\n'
        "3,,2017-01-18,,12.5,0\r\n")
    assert csv_file.rows == 3
    assert (csv_file.byte_size, csv_file.sha256) == file_digest(csv_file.path)


def test_parquet_keeps_types_and_nulls(published):
    _, parquet_file = published
    table = pq.read_table(parquet_file.path)
    assert table.schema.types == [pa.int32(), pa.string(), pa.date32(), pa.bool_(),
                                  pa.float64(), pa.int64()]
    assert table.column("label").to_pylist() == ["Kelurahan\nRambutan",
                                                 'Grünanlage/Park, "Spielplatz"', None]
    assert table.column("day").to_pylist() == [None, dt.date(2023, 11, 22),
                                               dt.date(2017, 1, 18)]
    assert parquet_file.rows == table.num_rows == 3


def test_unchanged_data_gives_byte_identical_files(fresh_database, published, tmp_path):
    again = write_table_files(fresh_database.engine, TABLE, tmp_path / "again")
    assert [(f.sha256, f.byte_size) for f in again] == [(f.sha256, f.byte_size)
                                                        for f in published]
    assert not list((tmp_path / "tricky").glob(".*"))     # no temporary file left behind


def test_a_table_the_open_reader_cannot_see_is_never_written(fresh_database, tmp_path):
    ensure_roles(fresh_database)
    closed = TableSpec("restricted", "tricky", TABLE.columns, ("id",))
    fresh_database.replace_table(closed, ROWS)
    with pytest.raises(sa.exc.ProgrammingError) as denied:
        write_table_files(fresh_database.engine, closed, tmp_path / "closed")
    assert isinstance(denied.value.orig, psycopg.errors.InsufficientPrivilege)
    assert not list((tmp_path / "closed").iterdir())


def test_an_empty_table_gives_a_header_and_a_valid_parquet(fresh_database, tmp_path):
    ensure_roles(fresh_database)
    fresh_database.replace_table(TABLE, ROWS.iloc[0:0])
    csv_file, parquet_file = write_table_files(fresh_database.engine, TABLE, tmp_path / "e")
    assert csv_file.path.read_bytes() == b"id,label,day,flag,value,big\r\n"
    assert pq.read_table(parquet_file.path).num_rows == 0 == csv_file.rows
