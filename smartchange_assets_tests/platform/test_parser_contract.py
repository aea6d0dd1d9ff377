"""The shared parts of the parser contract: header mapping, names, the duplicate-key rule,
typing by the table spec, and the source id the engine puts on a parser's error."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from smartchange_assets.platform.blobs import BlobStore
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.landing import Payload
from smartchange_assets.platform.names import ascii_fold, fold, is_missing, tidy
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    ParseError,
    ParseResult,
    Quarantine,
    conform,
)
from smartchange_assets.platform.spec import SourceSpec, staging_table
from smartchange_assets.platform.staging import parse_payloads
from smartchange_assets.platform.tables import Column

SPEC = HeaderSpec({"date": ("tanggal", "Datum"), "station": ("stasiun", "lokasi spku"),
                   "pm10": ("pm_sepuluh",)}, required=("date", "station"))


def test_header_key_meets_case_spacing_quotes_and_bom():
    assert header_key("\ufeff PM 10 ") == header_key('"pm_10"') == header_key("Pm-10") == "pm_10"


def test_header_is_mapped_by_name_in_any_order():
    assert SPEC.positions(["PM_SEPULUH", "Lokasi SPKU", "Tanggal", "extra"], "f.csv") == {
        "pm10": 0, "station": 1, "date": 2}
    assert SPEC.names(["datum", "stasiun"], "f.csv") == {"date": "datum", "station": "stasiun"}


def test_missing_required_column_names_file_column_and_header():
    with pytest.raises(ParseError) as err:
        SPEC.positions(["tanggal", "pm10"], "ispu-2031.csv", row=1)
    text = str(err.value)
    assert text.startswith("ispu-2031.csv, row 1: header lacks required column(s) ['station']")
    assert "'tanggal', 'pm10'" in text


def test_two_columns_meaning_the_same_are_an_error():
    with pytest.raises(ParseError, match="both mean 'date'"):
        SPEC.positions(["tanggal", "Datum", "stasiun"], "f.csv")


def test_a_spelling_for_two_columns_is_refused_when_declared():
    with pytest.raises(ValueError, match="both"):
        HeaderSpec({"a": ("x",), "b": ("X",)})


def test_header_is_found_below_a_preamble():
    rows = [["latitude", "longitude"], ["52.5", "13.4"], [], ["Tanggal", "Stasiun"], ["1", "2"]]
    assert SPEC.find_header(rows, "f.csv") == (3, ["Tanggal", "Stasiun"])
    with pytest.raises(ParseError, match="no header with the required columns"):
        SPEC.find_header(rows[:2], "f.csv")


def test_names_fold_case_diacritics_and_punctuation():
    assert fold("Charlottenburg-Wilmersdorf") == fold("CHARLOTTENBURG WILMERSDORF")
    assert fold("Neukölln") == "NEUKOLLN" and ascii_fold("Straße") == "Strasse"
    assert tidy("  Jl.\u00a0Sudirman \n no 12 ") == "Jl. Sudirman no 12"
    assert all(is_missing(v) for v in (None, float("nan"), pd.NA, "  "))
    assert not is_missing(0)


# -- the duplicate-key rule ------------------------------------------------------------------

def _rows(*values):
    return pd.DataFrame([{"source_row": i + 1, "day": d, "station": s, "value": v}
                         for i, (d, s, v) in enumerate(values)])


def test_exact_repeat_stages_the_first_and_quarantines_the_repeat_as_duplicate():
    q = Quarantine()
    out = settle_duplicates(_rows(("d1", "A", 1.0), ("d1", "A", 1.0), ("d2", "A", 2.0)),
                            ["day", "station"], q)
    assert out["source_row"].tolist() == [1, 3]
    assert [(r["source_row"], r["kind"]) for r in q.rows] == [(2, DUPLICATE)]
    assert "exact duplicate of source row 1" in q.rows[0]["reason"]


def test_conflicting_rows_stage_none_and_name_the_rows_and_columns():
    q = Quarantine()
    out = settle_duplicates(_rows(("d1", "A", 1.0), ("d1", "A", 9.0), ("d1", "A", 1.0),
                                  ("d2", "A", 2.0)), ["day", "station"], q)
    assert out["source_row"].tolist() == [4]
    kinds = {r["source_row"]: r["kind"] for r in q.rows}
    assert kinds == {1: INCONSISTENT, 2: INCONSISTENT, 3: DUPLICATE}
    conflict = next(r for r in q.rows if r["source_row"] == 1)
    assert conflict["column_name"] == "value"
    assert "source rows 1, 2, 3 differ in value; none is staged" in conflict["reason"]


def test_missing_values_compare_equal_to_missing_values():
    q = Quarantine()
    out = settle_duplicates(_rows(("d1", "A", None), ("d1", "A", None)), ["day", "station"], q)
    assert len(out) == 1 and q.rows[0]["kind"] == DUPLICATE


# -- typing by the table spec ----------------------------------------------------------------

COLUMNS = [Column("n", "bigint"), Column("label", "text"), Column("day", "date"),
           Column("at", "timestamptz"), Column("ok", "boolean"), Column("x", "double precision")]


def test_conform_types_by_the_table_spec_and_orders_columns():
    frame = pd.DataFrame({"x": [1, None], "ok": [True, None], "label": ["a", None],
                          "n": [1, None], "day": [dt.date(2024, 1, 1), None],
                          "at": [pd.Timestamp("2024-01-01 01:00", tz="Europe/Berlin"), None]})
    out = conform(frame, COLUMNS, "test/source")
    assert out.columns.tolist() == ["n", "label", "day", "at", "ok", "x"]
    assert {c: str(t) for c, t in out.dtypes.items()} == {
        "n": "Int64", "label": "str", "day": "datetime64[ns]", "at": "datetime64[ns, UTC]",
        "ok": "boolean", "x": "float64"}
    assert out.at[0, "at"] == pd.Timestamp("2024-01-01 00:00", tz="UTC")
    assert out.iloc[1].isna().all()


def test_conform_refuses_a_frame_that_is_not_the_table():
    with pytest.raises(ValueError, match=r"test/source: .*missing \['x'\], unexpected \['y'\]"):
        conform(pd.DataFrame({"n": [1], "label": ["a"], "day": [None], "at": [None],
                              "ok": [None], "y": [1]}), COLUMNS, "test/source")


def test_conform_names_the_column_that_cannot_be_typed():
    frame = pd.DataFrame({c.name: [None] for c in COLUMNS}).assign(n=["seven"])
    with pytest.raises(ValueError, match="column 'n' cannot be held as bigint"):
        conform(frame, COLUMNS, "test/source")


# -- the engine names the source of a parser's error -----------------------------------------

def _spec(parser) -> SourceSpec:
    return SourceSpec(city="test", name="contract", title="t", description="d", publisher="p",
                      licence="l", portal_url="https://example.org", parser=parser,
                      staging=staging_table("test", "contract", [Column("n", "bigint")],
                                            ("payload_sha256", "n"), "t"),
                      date_column=None, key_columns=("n",), expectations=())


def _payload(name: str) -> Payload:
    store = BlobStore("memory://parser-contract")
    sha = store.put_bytes(b"x").sha256
    return Payload("test/contract", sha, name, "file://" + name,
                   dt.datetime(2024, 1, 1, tzinfo=dt.UTC), None, None, store)


def test_the_engine_puts_the_specs_source_id_on_a_parse_error():
    def broken(data: bytes, file_name: str) -> ParseResult:
        raise ParseError(file_name, "no header", row=1, column="tanggal")

    [parsed] = parse_payloads(_spec(broken), [_payload("bad.csv")])
    assert parsed.staged is None
    assert parsed.reconciliation["error"] == \
        "test/contract: bad.csv, row 1, column 'tanggal': no header"


def test_rows_that_do_not_add_up_are_an_error_naming_source_and_file():
    def lossy(data: bytes, file_name: str) -> ParseResult:
        return ParseResult(staged=pd.DataFrame({"n": [1]}), source_rows=3)

    [parsed] = parse_payloads(_spec(lossy), [_payload("lossy.csv")])
    assert parsed.reconciliation["error"].startswith(
        "test/contract: lossy.csv: rows do not reconcile")


def test_a_payload_without_rows_need_not_name_its_columns():
    def empty(data: bytes, file_name: str) -> ParseResult:  # e.g. the empty last page of an API
        return ParseResult(staged=pd.DataFrame(), source_rows=0)

    [parsed] = parse_payloads(_spec(empty), [_payload("empty.json")])
    assert parsed.staged.columns.tolist() == ["payload_sha256", "n"] and parsed.staged.empty
    assert parsed.reconciliation["error"] is None
