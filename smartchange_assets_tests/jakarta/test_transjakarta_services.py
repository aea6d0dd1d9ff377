"""jakarta/transjakarta_services: the quarterly buses-and-passengers-by-service file (seed copy),
faults built from it, and the source end to end through Dagster on a real Postgres."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.jakarta.transjakarta_services.parser import (
    parse_count,
    parse_quarter,
    parse_transjakarta_services,
)
from smartchange_assets.jakarta.transjakarta_services.services import BRT, SERVICE_NAMES
from smartchange_assets.jakarta.transjakarta_services.source import COLUMNS, SOURCE
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

NAME = ("data-jumlah-bus-yang-beroperasi-dan-jumlah-penumpang-layanan-transjakarta-"
        "(1765634841830).csv")
FILE = SEED / "jakarta/transjakarta_services" / NAME


def parse(data: bytes, name: str = NAME) -> ParseResult:
    result = parse_transjakarta_services(data, name)
    return dataclasses.replace(result, staged=conform(result.staged, COLUMNS, SOURCE.source_id))


@cache
def parsed() -> ParseResult:
    return parse(FILE.read_bytes())


def rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(FILE.read_text("utf-8"), newline="")))


def write(table: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(table)
    return out.getvalue().encode("utf-8")


def test_real_file_reconciles_and_matches_pandas():
    result = parsed()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == (65, 65, 0, 0)
    raw = pd.read_csv(FILE)
    by_quarter = raw.groupby("periode_data")["jumlah_penumpang"].sum()
    staged = result.staged
    got = staged.groupby(staged["quarter_start"].dt.strftime("%Y%m"))["passengers"].sum()
    # periode_data is the quarter's last month: 202312 is the quarter starting 2023-10
    assert {str(int(p)): int(n) for p, n in by_quarter.items()} == {
        (q + pd.DateOffset(months=2)).strftime("%Y%m"): int(n) for q, n in
        zip(pd.to_datetime(got.index, format="%Y%m"), got.to_numpy(), strict=True)}
    assert by_quarter.loc[202312] == 280_349_318 and by_quarter.loc[202403] == 86_532_036
    assert set(staged["service"]) <= set(SERVICE_NAMES)


def test_brt_is_one_service_under_two_published_names():
    staged = parsed().staged
    brt = staged[staged["service"] == BRT].sort_values("quarter_start")
    assert len(brt) == 8 and brt["quarter_start"].is_unique  # one BRT line per quarter
    names = dict(zip(brt["quarter_start"].dt.strftime("%Y-%m"), brt["service_raw"], strict=True))
    assert names == {"2023-10": "Layanan BRT", "2024-01": "Layanan BRT", "2024-04": "Layanan BRT",
                     "2024-07": "Layanan BRT", "2024-10": "Layanan Bus Rapid Transit",
                     "2025-01": "Layanan Bus Rapid Transit", "2025-04": "Layanan BRT",
                     "2025-07": "Layanan BRT"}
    assert parsed().notes["services_renamed"] == {"Layanan BRT -> Layanan Bus Rapid Transit": 6}
    # Royal Trans is reported in 2023 Q4 only: eight services a quarter after it, nine before
    assert parsed().notes["services_per_quarter"]["2023-10"] == 9


@pytest.mark.parametrize(("text", "start", "quarter"), [
    ("202312", dt.date(2023, 10, 1), 4), ("202403", dt.date(2024, 1, 1), 1),
    ("2025-06", dt.date(2025, 4, 1), 2), ("202509.0", dt.date(2025, 7, 1), 3)])
def test_parse_quarter(text, start, quarter):
    assert parse_quarter(text) == (start, quarter)


@pytest.mark.parametrize("text", ["202311", "2023Q4", "", "202313"])
def test_a_month_that_ends_no_quarter_is_refused(text):
    with pytest.raises(ValueError):
        parse_quarter(text)


@pytest.mark.parametrize(("text", "value"), [("2695", 2695), ("112,379,110", 112_379_110),
                                             ("12.0", 12), ("", None), ("-", None)])
def test_parse_count(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["1.5", "12,34", "abc", "-3"])
def test_parse_count_refuses(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_reordered_and_semicolon_copy_gives_the_same_rows():
    # derived from the real file: columns reversed, ';' as delimiter
    table = [list(reversed(r)) for r in rows()]
    result = parse(write(table, ";"))
    pd.testing.assert_frame_equal(result.staged, parsed().staged)


def test_triwulan_disagreeing_with_periode_is_inconsistent():
    # derived from the real file: data row 3's triwulan changed
    table = rows()
    table[3][1] = "1" if table[3][1] != "1" else "2"
    result = parse(write(table))
    q = result.quarantine
    assert q[["source_row", "column_name", "kind"]].values.tolist() == [
        [3, "triwulan", INCONSISTENT]]
    assert "disagrees with periode_data" in q.iloc[0]["reason"]


def test_unreadable_periode_and_count_are_quarantined_naming_the_column():
    # derived from the real file: a periode that ends no quarter, and a count with a letter O
    table = rows()
    table[5][0] = "202311"
    table[6][4] = "1O0"
    q = parse(write(table)).quarantine
    assert q[["source_row", "column_name", "kind"]].values.tolist() == [
        [5, "periode_data", UNREADABLE], [6, "jumlah_penumpang", UNREADABLE]]


def test_brt_twice_in_a_quarter_under_both_names_is_a_conflict():
    # derived from the real file: 2024 Q1's BRT line published again as 'Layanan Bus Rapid
    # Transit' with another count: one service, two counts, none staged
    table = rows()
    (brt,) = [r for r in table if r[0] == "202403" and r[2] == "Layanan BRT"]
    table.append([brt[0], brt[1], "Layanan Bus Rapid Transit", brt[3], "31576989"])
    result = parse(write(table))
    assert result.quarantine["kind"].tolist() == [INCONSISTENT, INCONSISTENT]
    assert set(result.quarantine["column_name"]) == {"jumlah_penumpang"}
    assert len(result.staged) == 64
    # the same line under the other name and the same count: an exact repeat, staged once
    table[-1][4] = brt[4]
    assert parse(write(table)).quarantine["kind"].tolist() == ["duplicate"]


@pytest.mark.parametrize("cut", [lambda d: d[:-20], lambda d: d.split(b"\n", 1)[1]])
def test_truncated_or_headerless_payload_is_a_parse_error(cut):
    with pytest.raises(ParseError, match="transjakarta"):
        parse_transjakarta_services(cut(FILE.read_bytes()), NAME)


def test_source_materialises_from_its_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    assert check_results(result) == {
        "jakarta/raw/transjakarta_services:payload_freshness": True,
        "jakarta/staging/transjakarta_services_quarterly:payload_reconciliation": True,
        "jakarta/staging/transjakarta_services_quarterly:gx_suite": True}
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(SOURCE.source_id)}
    assert recon[["source_rows", "staged", "no_data", "quarantined"]].values.tolist() == [
        [65, 65, 0, 0]]
