"""The LOR 2021 parser on the real Planungsraum export (seed copy), plus faults built from it.

Every fault case below starts from the real file's bytes and changes one thing; each says what.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.lor import counts
from smartchange_assets.berlin.lor.parser import parse_lor_export
from smartchange_assets.berlin.lor.source import SOURCE
from smartchange_assets.platform.parsing import ParseError, ParseResult, conform

from ..seed_files import SEED

SEED = (SEED / "berlin" / "lor"
        / "lor_2021_planungsraeume_export.csv")
NAME = SEED.name
BOM = b"\xef\xbb\xbf"
PLR_COL, BZR_COL = "Planungsraum (Nummer)", "Bezirksregion (Nummer)"


@cache
def real_bytes() -> bytes:
    return SEED.read_bytes()


@cache
def parsed() -> ParseResult:
    return parse_lor_export(real_bytes(), NAME)


def typed(staged: pd.DataFrame) -> pd.DataFrame:
    """Staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def staged() -> pd.DataFrame:
    return typed(parsed().staged)


def real_table() -> tuple[list[str], list[list[str]]]:
    """Header and rows of the real file, read with the csv module (BOM, ';', CRLF)."""
    text = real_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], rows[1:]


def write(header: list[str], rows: list[list[str]], delimiter: str = ";",
          bom: bool = True, newline: str = "\r\n") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (BOM if bom else b"") + out.getvalue().encode("utf-8")


def with_row(index: int, changes: dict[str, str]) -> bytes:
    """The real file with row ``index`` (0-based) changed; columns named as published."""
    header, rows = real_table()
    row = list(rows[index])
    for column, value in changes.items():
        row[header.index(column)] = value
    rows[index] = row
    return write(header, rows)


def staged_without_row_numbers(result: ParseResult) -> pd.DataFrame:
    return result.staged.drop(columns=["source_row"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# the real file


def test_real_file_counts_and_format():
    data = real_bytes()
    assert data.startswith(BOM) and b"\r\n" in data and not data.endswith(b"\n")
    result = parsed()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) \
        == (542, 542, 0, 0)
    assert result.notes["delimiter"] == ";" and result.notes["crlf"] is True
    # the engine types the rows by the table spec ([0] is payload_sha256)
    s = typed(result.staged)
    assert list(s.columns) == SOURCE.staging.column_names[1:]
    assert str(s["valid_from"].dtype) == "datetime64[ns]"
    assert s["area_m2"].dtype == "float64" and s["source_row"].dtype == "Int64"


def test_real_file_hierarchy_counts_match_report():
    s = staged()
    assert (s["bezirk_code"].nunique(), s["prognoseraum_code"].nunique(),
            s["bezirksregion_code"].nunique(), s["code"].nunique()) == (12, 58, 143, 542)
    per_bezirk = s.groupby("bezirk_code").agg(
        name=("bezirk_name", "first"), pgr=("prognoseraum_code", "nunique"),
        bzr=("bezirksregion_code", "nunique"), plr=("code", "nunique"))
    assert {b: tuple(r) for b, r in per_bezirk.iterrows()} == counts.LOR2021_BEZIRKE
    # docs/sources/berlin-lor.md §2 table, two rows spelled out
    assert tuple(per_bezirk.loc["01"]) == ("Mitte", 4, 10, 49)
    assert tuple(per_bezirk.loc["09"]) == ("Treptow-Köpenick", 5, 20, 43)


def test_real_file_codes_are_built_from_their_parents():
    s = staged()
    assert s["code"].str.fullmatch(r"\d{8}").all()
    assert (s["code"].str[:6] == s["parent_code"]).all()
    assert (s["parent_code"] == s["bezirksregion_code"]).all()
    assert (s["bezirksregion_code"].str[:4] == s["prognoseraum_code"]).all()
    assert (s["code"].str[:2] == s["bezirk_code"]).all()
    assert set(s["lor_version"]) == {"LOR2021"} and set(s["level"]) == {"planungsraum"}


def test_first_row_values_leading_zero_and_decimal_comma():
    first = staged().iloc[0]
    assert first["code"] == "01100101" and first["name"] == "Stülerstraße"
    assert first["area_m2"] == pytest.approx(366933.12)
    assert first["valid_from"] == pd.Timestamp("2021-01-01")
    assert first["technical_key"] == "94752AD5-9BE6-4520-A3C7-F593BB45C7D5"
    assert (first["bezirksregion_code"], first["bezirksregion_name"]) == ("011001",
                                                                         "Tiergarten Süd")
    assert (first["prognoseraum_code"], first["prognoseraum_name"]) == ("0110", "Zentrum")


def test_stand_der_daten_530_january_and_12_recut_in_december():
    s = staged()
    assert s["valid_from"].value_counts().to_dict() == {
        pd.Timestamp("2021-01-01"): 530, pd.Timestamp("2021-12-01"): 12}
    recut = s[s["valid_from"] == pd.Timestamp("2021-12-01")]
    assert "01100102" in set(recut["code"])  # Großer Tiergarten
    assert parsed().notes["valid_from"] == {"2021-01-01": 530, "2021-12-01": 12}


def test_double_space_collapsed_with_raw_kept():
    s = staged()
    region = s[s["bezirksregion_code"] == "021001"]
    assert len(region) == 6
    assert set(region["bezirksregion_name"]) == {"Südliche Friedrichstadt"}
    assert set(region["bezirksregion_name_raw"]) == {"Südliche  Friedrichstadt"}
    assert parsed().notes["names_respaced"] == 6


def test_names_are_not_keys():
    s = staged()
    # docs/sources/berlin-lor.md §3: the PLR name Schloßstraße twice (Charlottenburg and Steglitz);
    # the Bezirksregion name Heerstraße twice (Charlottenburg-Wilmersdorf and Spandau)
    assert sorted(s[s["name"] == "Schloßstraße"]["code"]) == ["04300414", "06100102"]
    heer = s[s["bezirksregion_name"] == "Heerstraße"]["bezirksregion_code"]
    assert sorted(heer.unique()) == ["042002", "052005"]


# --------------------------------------------------------------------------------------------
# re-encoded copies of the real file: the same staged rows


@pytest.mark.parametrize("variant", ["comma", "no_bom", "lf", "cp1252", "reordered"])
def test_reencoded_copies_give_the_same_staged_rows(variant):
    header, rows = real_table()
    if variant == "comma":  # re-delimited ',' (areas like 366933,12 get quoted)
        data = write(header, rows, delimiter=",")
        assert b'"366933,12"' in data
    elif variant == "no_bom":
        data = write(header, rows, bom=False)
    elif variant == "lf":
        data = write(header, rows, newline="\n")
    elif variant == "cp1252":  # a Windows re-save: umlauts in cp1252, no BOM
        data = real_bytes().decode("utf-8-sig").encode("cp1252")
    else:  # columns in reverse order
        order = list(reversed(range(len(header))))
        data = write([header[i] for i in order], [[r[i] for i in order] for r in rows])
    result = parse_lor_export(data, NAME)
    assert (len(result.staged), len(result.quarantine)) == (542, 0)
    pd.testing.assert_frame_equal(staged_without_row_numbers(result),
                                  staged_without_row_numbers(parsed()))


def test_leading_zeros_lost_in_a_spreadsheet_are_restored():
    # the first real row as a spreadsheet would write it back: 1100101 / 11001 / 110
    data = with_row(0, {PLR_COL: "1100101", BZR_COL: "11001",
                                    "Prognoseraum (Nummer)": "110"})
    result = parse_lor_export(data, NAME)
    assert len(result.staged) == 542 and result.notes["leading_zeros_restored"] == 3
    assert result.staged.iloc[0]["code"] == "01100101"


def test_german_thousands_in_area():
    data = with_row(1, {"Fläche in qm": "3.919.852,22"})  # real: 3919852,22
    s = parse_lor_export(data, NAME).staged
    assert s[s["code"] == "01100102"]["area_m2"].item() == pytest.approx(3919852.22)


# --------------------------------------------------------------------------------------------
# bad rows: quarantined with column, kind and reason


def quarantined(data: bytes) -> pd.DataFrame:
    result = parse_lor_export(data, NAME)
    result.reconcile()
    assert len(result.staged) + len(result.quarantine) == 542
    return result.quarantine


def test_garbled_plr_code_is_unreadable_naming_its_column():
    q = quarantined(with_row(0, {PLR_COL: "0110O101"}))  # letter O for zero
    assert len(q) == 1
    row = q.iloc[0]
    assert (row["source_row"], row["column_name"], row["kind"]) == (1, PLR_COL, "unreadable")
    assert "'0110O101'" in row["reason"] and "8-digit" in row["reason"]


def test_code_that_contradicts_its_bezirksregion_is_inconsistent():
    # real row 1 is 01100101 in Bezirksregion 011001; 01200101 would lie in 012001
    q = quarantined(with_row(0, {PLR_COL: "01200101"}))
    row = q.iloc[0]
    assert (row["column_name"], row["kind"]) == (PLR_COL, "inconsistent")
    assert "01200101" in row["reason"] and "011001" in row["reason"]


def test_bezirksregion_outside_its_prognoseraum_is_inconsistent():
    q = quarantined(with_row(0, {"Prognoseraum (Nummer)": "0120"}))
    row = q.iloc[0]
    assert (row["column_name"], row["kind"]) == (BZR_COL, "inconsistent")
    assert "011001" in row["reason"] and "0120" in row["reason"]


def test_bezirk_name_that_contradicts_the_other_rows_is_inconsistent():
    q = quarantined(with_row(5, {"Bezirk": "Mite"}))
    row = q.iloc[0]
    assert (row["source_row"], row["column_name"], row["kind"]) == (6, "Bezirk", "inconsistent")
    assert "'Mite'" in row["reason"] and "'Mitte'" in row["reason"] and "Bezirk 01" in row["reason"]


def test_unreadable_area_and_date_and_a_date_before_lor_2021():
    q = quarantined(with_row(0, {"Fläche in qm": "366933,12 m²"}))
    assert tuple(q.iloc[0][["column_name", "kind"]]) == ("Fläche in qm", "unreadable")
    q = quarantined(with_row(0, {"Stand der Daten": "31.02.2021"}))
    assert tuple(q.iloc[0][["column_name", "kind"]]) == ("Stand der Daten", "unreadable")
    q = quarantined(with_row(0, {"Stand der Daten": "01.01.2006"}))
    assert tuple(q.iloc[0][["column_name", "kind"]]) == ("Stand der Daten", "inconsistent")


def test_repeated_row_is_a_duplicate_and_a_changed_repeat_stages_neither():
    header, rows = real_table()
    result = parse_lor_export(write(header, [*rows, rows[10]]), NAME)
    assert (result.source_rows, len(result.staged)) == (543, 542)
    assert tuple(result.quarantine.iloc[0][["source_row", "column_name", "kind"]]) == (
        543, PLR_COL, "duplicate")
    other = list(rows[10])
    other[header.index("Fläche in qm")] = "1,00"
    result = parse_lor_export(write(header, [*rows, other]), NAME)
    # which of the two areas is right is a guess: neither row is staged
    assert (result.source_rows, len(result.staged)) == (543, 541)
    q = result.quarantine
    assert q[["source_row", "column_name", "kind"]].values.tolist() == [
        [11, "Fläche in qm", "inconsistent"], [543, "Fläche in qm", "inconsistent"]]
    assert "source rows 11, 543 differ in area_m2; none is staged" in q["reason"].iloc[0]
    assert rows[10][header.index(PLR_COL)] not in set(result.staged["code"])


# --------------------------------------------------------------------------------------------
# payloads that cannot be read at all


def test_truncated_payload_raises_naming_the_file():
    data = real_bytes()
    cut = data[: data.rindex(b";Reinickendorf;")]  # mid last row, before area and date
    with pytest.raises(ParseError) as err:
        parse_lor_export(cut, NAME)
    assert NAME in str(err.value) and "truncated" in str(err.value)
    assert err.value.row == 542


@pytest.mark.parametrize("payload, message", [
    (b"", "empty payload"),
    (b"<!DOCTYPE html><html><body>Wartung</body></html>", "HTML"),
    (bytes(range(256)) * 4, "binary"),
    (BOM + "techn. Schlüssel (UUID);Planungsraum (Nummer)\r\n".encode(), "no data rows"),
])
def test_unreadable_payload_raises_naming_the_file(payload, message):
    with pytest.raises(ParseError) as err:
        parse_lor_export(payload, NAME)
    assert NAME in str(err.value) and message in str(err.value)


def test_missing_column_raises_naming_it():
    header, rows = real_table()
    drop = header.index("Bezirksregion (Name)")
    data = write([h for i, h in enumerate(header) if i != drop],
                 [[v for i, v in enumerate(r) if i != drop] for r in rows])
    with pytest.raises(ParseError, match=r"not the LOR 2021 Planungsraum export: header lacks "
                       r"required column\(s\) \['bzr_name'\].*'Bezirksregion \(Name\)'"):
        parse_lor_export(data, NAME)


def test_header_spelled_without_umlauts_is_read():
    # the real file as a re-save without umlauts in the header writes it
    header, rows = real_table()
    spelled = [h.replace("ü", "ue").replace("ä", "ae") for h in header]
    assert "Flaeche in qm" in spelled
    result = parse_lor_export(write(spelled, rows), NAME)
    assert (len(result.staged), len(result.quarantine)) == (542, 0)
    pd.testing.assert_frame_equal(result.staged, parsed().staged)


def test_valid_from_is_a_date():
    assert staged()["valid_from"].dt.date.min() == dt.date(2021, 1, 1)
