"""The EWR parser on every real seed file (six whole-city old-LOR years, the 2025 LOR 2021
file, the 2024 Mitte excerpt), plus faults and vintages built from them.

Every fault case starts from a real file and changes one thing, and says what. The vintage cases
rewrite a real file the way other published vintages look (docs/sources/berlin-population.md §2 and
the mirror the seeds come from): 2009 grouped-band names ``E_U1…``, 2015 quoted fields with
decimal-comma counts ``3090,00``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.lor.parser import parse_lor_export
from smartchange_assets.berlin.population.parser import parse_ewr
from smartchange_assets.berlin.population.source import SOURCE
from smartchange_assets.platform.parsing import ParseError, ParseResult, conform

from ..seed_files import SEED

SEED = SEED / "berlin"
OLD = "EWR201912E_Matrix.csv"  # whole city; its first 41 rows are Bezirk 01 (Mitte)
NEW = "ewr_EWR_L21_202412E_Matrix_bezirk01.csv"
L21_2025 = "EWR_L21_202512E_Matrix.csv"
BANDS = ["age_under_1", "age_1_6", "age_6_15", "age_15_18", "age_18_25", "age_25_55",
         "age_55_65", "age_65_80", "age_80_plus"]

# file -> (source rows, staged, no_data, quarantined, lor_version, reference date, Bezirke,
#          sum of E_E: the published register total for a whole-city file)
EXPECTED = {
    "EWR201412E_Matrix.csv": (447, 447, 0, 0, "LOR_OLD", "2014-12-31", 12, 3_562_166),
    "EWR201612E_Matrix.csv": (447, 447, 0, 0, "LOR_OLD", "2016-12-31", 12, 3_670_622),
    "EWR201712E_Matrix.csv": (447, 447, 0, 0, "LOR_OLD", "2017-12-31", 12, 3_711_930),
    "EWR201812E_Matrix.csv": (447, 447, 0, 0, "LOR_OLD", "2018-12-31", 12, 3_748_148),
    OLD: (448, 448, 0, 0, "LOR_OLD", "2019-12-31", 12, 3_769_495),
    "EWR202012E_Matrix.csv": (448, 448, 0, 0, "LOR_OLD", "2020-12-31", 12, 3_769_962),
    # two Planungsräume with NA in every count: the publisher's no-data rows
    L21_2025: (542, 540, 2, 0, "LOR2021", "2025-12-31", 12, 3_913_644),
    NEW: (49, 49, 0, 0, "LOR2021", "2024-12-31", 1, 397_004),
}


@cache
def real_bytes(name: str) -> bytes:
    return (SEED / "population" / name).read_bytes()


@cache
def parsed(name: str) -> ParseResult:
    return parse_ewr(real_bytes(name), name)


def real_table(name: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(real_bytes(name).decode()), delimiter=";"))
    return rows[0], rows[1:]


def write(header, rows, delimiter=";", quoting=csv.QUOTE_MINIMAL, bom=False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def with_cells(name: str, row: int, changes: dict[str, str]) -> bytes:
    header, rows = real_table(name)
    rows[row] = [changes.get(h, v) for h, v in zip(header, rows[row])]
    return write(header, rows)


def typed(result: ParseResult) -> pd.DataFrame:
    """The staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def comparable(result: ParseResult) -> pd.DataFrame:
    return comparable_frame(result.staged)


def comparable_frame(staged: pd.DataFrame) -> pd.DataFrame:
    return staged.drop(columns=["source_row"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# the real files


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_reconcile_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    rows, staged, no_data, quarantined, version, day, bezirke, total = EXPECTED[name]
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) \
        == (rows, staged, no_data, quarantined)
    s = typed(result)
    assert list(s.columns) == SOURCE.staging.column_names[1:]
    assert s["total"].dtype == "Int64" and str(s["reference_date"].dtype) == "datetime64[ns]"
    assert set(s["lor_version"]) == {version} and result.notes["lor_version"] == version
    assert set(s["reference_date"]) == {pd.Timestamp(day)}
    assert s["bez"].nunique() == bezirke and s["plr_code"].str.fullmatch(r"\d{8}").all()
    assert (s["plr_code"].str[:2] == s["bez"]).all() and s["plr_code"].is_unique
    assert s["total"].sum() == total
    # every sum held: nothing suppressed, and the single-age bands add up to the total
    assert s["unchecked_sums"].isna().all()
    assert (s["single_age_total"] == s["total"]).all()
    assert (s["male"] + s["female"] == s["total"]).all()
    assert (s[BANDS].sum(axis=1) == s["total"]).all()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_year_total_recomputed_from_the_file_with_pandas(name):
    """The staged total per file and Bezirk against pandas reading the raw file (codes as
    numbers, so the 2014 file's dropped zeros do not matter; NA and empty cells skipped)."""
    raw = pd.read_csv(io.BytesIO(real_bytes(name)), sep=";", dtype={"RAUMID": str})
    raw["bez"] = pd.to_numeric(raw["BEZ"]).astype(int)
    expected = pd.to_numeric(raw["E_E"], errors="coerce").groupby(raw["bez"]).sum()
    staged = typed(parsed(name))
    got = staged.groupby(staged["bez"].astype(int))["total"].sum()
    pd.testing.assert_series_equal(got.astype("int64"), expected.astype("int64"),
                                   check_names=False)
    assert int(expected.sum()) == EXPECTED[name][7]
    if name == OLD:
        assert int(expected.sum()) == 3_769_495  # the published register total, 31 Dec 2019


def test_2014_codes_written_without_leading_zeros_are_read_as_the_codes():
    result, raw = parsed("EWR201412E_Matrix.csv"), real_table("EWR201412E_Matrix.csv")[1]
    assert raw[0][1:6] == ["1011101", "1", "1", "11", "1"]  # as published in the mirror
    first = result.staged.iloc[0]
    assert (first["plr_code"], first["bez"]) == ("01011101", "01")
    restored = result.notes["leading_zeros_restored"]
    assert restored["RAUMID"] == restored["BEZ"] == 352  # the 352 PLR of Bezirke 01-09
    # the same keys as the zero-padded 2016 file
    assert set(result.staged["plr_code"]) == set(parsed("EWR201612E_Matrix.csv")
                                                 .staged["plr_code"])
    assert parsed("EWR201612E_Matrix.csv").notes["leading_zeros_restored"] == {}


@pytest.mark.parametrize(("column", "value"), [
    ("RAUMID", "011101"), ("RAUMID", "101110"), ("RAUMID", "010111010"),
    ("BEZ", "0"), ("PGR", "001"),
])
def test_a_code_cut_or_padded_wrongly_is_unreadable_not_padded(column, value):
    # real 2014 row 1: RAUMID 1011101, BEZ 1, PGR 1, BZR 11, PLR 1
    result = parse_ewr(with_cells("EWR201412E_Matrix.csv", 0, {column: value}),
                       "EWR201412E_Matrix.csv")
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, column, "unreadable")
    assert f"{column} {value!r} is not a" in q["reason"]


def test_the_2025_na_rows_are_the_publishers_no_data_never_a_zero():
    header, rows = real_table(L21_2025)
    na_rows = [r for r in rows if r[header.index("E_E")] == "NA"]
    assert [r[1] for r in na_rows] == ["03400831", "06200418"]
    assert all(set(r[6:]) == {"NA"} for r in na_rows)  # BEZPGR and every count
    result = parsed(L21_2025)
    assert result.notes["no_data_plr"] == ["03400831", "06200418"]
    assert not set(result.staged["plr_code"]) & {"03400831", "06200418"}


def test_na_in_a_row_with_data_is_a_missing_cell_and_a_missing_bezpgr_unreadable():
    result = parse_ewr(with_cells(L21_2025, 0, {"E_EU1": "NA", "E_E00_01": "NA"}), L21_2025)
    row = result.staged[result.staged["plr_code"] == "01100101"].iloc[0]
    assert pd.isna(row["age_under_1"]) and row["total"] == 3469
    q = parse_ewr(with_cells(L21_2025, 0, {"BEZPGR": "NA"}), L21_2025).quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("BEZPGR", "unreadable")


def test_2019_old_lor_first_row_values():
    first = typed(parsed(OLD)).iloc[0]
    assert first["plr_code"] == "01011101" and first["stadtraum"] == 1
    assert (first["total"], first["male"], first["female"]) == (3445, 1800, 1645)
    assert [first[b] for b in BANDS] == [18, 146, 140, 37, 299, 1688, 398, 510, 209]
    assert parsed(OLD).notes["version_evidence"] == "header column STADTRAUM and file name"


def test_2024_lor2021_first_row_values():
    first = typed(parsed(NEW)).iloc[0]
    assert first["plr_code"] == "01100101" and pd.isna(first["stadtraum"])
    assert (first["total"], first["male"], first["female"]) == (3580, 1869, 1711)
    assert [first[b] for b in BANDS] == [37, 128, 203, 49, 296, 1774, 376, 455, 262]
    assert parsed(NEW).notes["version_evidence"] == "header column BEZPGR and file name"


def test_old_and_new_keys_look_alike_but_do_not_overlap():
    old, new = set(parsed(OLD).staged["plr_code"]), set(parsed(L21_2025).staged["plr_code"])
    assert "01011101" in old and "01100101" in new and not old & new


def test_the_2019_mitte_excerpt_once_seeded_is_the_whole_files_first_rows():
    """The transcribed excerpt the seed used to hold (docs/sources/berlin-population.md §1):
    the whole file's header and Bezirk 01 rows, LF line endings; built here from the file."""
    lines = real_bytes(OLD).split(b"\r\n")
    excerpt = b"\n".join(lines[:42]) + b"\n"
    assert hashlib.sha256(excerpt).hexdigest() == (
        "6b07e9033001603013825da6911155e5728c4f5fa6a16a5a3d75ebb21c836d57")
    mitte = parse_ewr(excerpt, "ewr_EWR201912E_Matrix_bezirk01.csv").staged
    whole = parsed(OLD).staged
    pd.testing.assert_frame_equal(comparable_frame(mitte),
                                  comparable_frame(whole[whole["bez"] == "01"]))


def test_every_2024_key_is_a_lor_2021_planungsraum():
    lor = (SEED / "lor" / "lor_2021_planungsraeume_export.csv").read_bytes()
    plr = parse_lor_export(lor, "lor.csv").staged
    mitte = set(plr[plr["bezirk_code"] == "01"]["code"])
    assert set(parsed(NEW).staged["plr_code"]) == mitte  # all 49 of Bezirk 01, no more


# --------------------------------------------------------------------------------------------
# sums


def test_male_plus_female_not_total_is_quarantined_naming_the_sum():
    # real row 1 of 2019: E_E 3445, E_EM 1800, E_EW 1645; E_EM made 1801
    result = parse_ewr(with_cells(OLD, 0, {"E_EM": "1801"}), OLD)
    assert (len(result.staged), len(result.quarantine)) == (447, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, "E_E", "inconsistent")
    assert q["reason"] == "male+female E_EM+E_EW = 3446 but E_E = 3445"


def test_single_age_band_off_fails_its_grouped_band_and_the_total():
    # real row 1 of 2024: E_E00_01 37 = E_EU1 37; made 38
    result = parse_ewr(with_cells(NEW, 0, {"E_E00_01": "38"}), NEW)
    q = result.quarantine.iloc[0]
    assert q["kind"] == "inconsistent" and q["column_name"] == "E_E"
    assert "sum of the single-age bands = 3581 but E_E = 3580" in q["reason"]
    assert "single-age bands E_E00_01 = 38 but E_EU1 = 37" in q["reason"]


def test_grouped_band_off_is_quarantined():
    result = parse_ewr(with_cells(NEW, 1, {"E_E80U110": "65"}), NEW)  # real: 64
    reason = result.quarantine.iloc[0]["reason"]
    assert "sum of the grouped bands = 2035 but E_E = 2034" in reason
    assert "= 64 but E_E80U110 = 65" in reason


@pytest.mark.parametrize("mark", ["-", ".", "X", ""])
def test_suppressed_cells_are_null_and_their_sums_skipped(mark):
    # real row 2 of 2019 has E_EU1 0 and E_E00_01 0: suppress both
    result = parse_ewr(with_cells(OLD, 1, {"E_EU1": mark, "E_E00_01": mark}), OLD)
    assert (len(result.staged), len(result.quarantine)) == (448, 0)
    row = result.staged[result.staged["plr_code"] == "01011102"].iloc[0]
    assert pd.isna(row["age_under_1"]) and pd.isna(row["single_age_total"])
    assert row["total"] == 188 and row["male"] == 114  # still read and checked
    assert row["unchecked_sums"] == ("sum of the grouped bands = E_E; sum of the single-age "
                                     "bands = E_E; single-age bands E_E00_01 = E_EU1")
    assert result.notes["unchecked_sums"]["sum of the grouped bands = E_E"] == 1


def test_suppressed_cell_does_not_hide_a_failing_sum_it_is_not_part_of():
    result = parse_ewr(with_cells(OLD, 1, {"E_EU1": "-", "E_EM": "115"}), OLD)  # real: 114
    assert "E_EM+E_EW = 189 but E_E = 188" in result.quarantine.iloc[0]["reason"]


def test_all_counts_suppressed_is_the_publishers_no_data():
    header, rows = real_table(OLD)
    rows[3] = rows[3][:7] + ["-"] * (len(header) - 7)
    result = parse_ewr(write(header, rows), OLD)
    assert (result.source_rows, len(result.staged), result.no_data) == (448, 447, 1)
    assert result.notes["no_data_plr"] == [real_table(OLD)[1][3][1]]


# --------------------------------------------------------------------------------------------
# vintages and re-encodings: the same staged rows


def as_2015_vintage(name: str) -> bytes:
    """Every field quoted, counts written N,00 (the 2015 Matrix looks like this)."""
    header, rows = real_table(name)
    out = io.StringIO(newline="")
    out.write(";".join(f'"{h}"' for h in header) + "\n")
    for row in rows:
        ids, counts = row[:7], row[7:]
        out.write(";".join([*(f'"{v}"' for v in ids), *(f"{v},00" for v in counts)]) + "\n")
    return out.getvalue().encode()


def as_2009_names(name: str) -> bytes:
    """Grouped bands named E_U1, E_1U6 … E_80U110 (the 2009 Matrix header)."""
    header, rows = real_table(name)
    return write([h.replace("E_E", "E_", 1) if "U" in h[3:] else h for h in header], rows)


@pytest.mark.parametrize("name", [OLD, NEW])
@pytest.mark.parametrize("variant", ["comma", "tab", "bom", "crlf", "reordered",
                                     "decimal_comma_quoted", "old_band_names", "thousands"])
def test_variants_give_the_same_staged_rows(name, variant):
    header, rows = real_table(name)
    if variant == "comma":
        data = write(header, rows, delimiter=",")
    elif variant == "tab":
        data = write(header, rows, delimiter="\t")
    elif variant == "bom":
        data = write(header, rows, bom=True)
    elif variant == "crlf":
        data = real_bytes(name).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    elif variant == "reordered":
        order = list(reversed(range(len(header))))
        data = write([header[i] for i in order], [[r[i] for i in order] for r in rows])
    elif variant == "decimal_comma_quoted":
        data = as_2015_vintage(name)
        assert b'"01";' in data and (b";3445,00;" in data or b";3580,00;" in data)
    elif variant == "old_band_names":
        data = as_2009_names(name)
        assert b";E_U1;E_1U6;" in data and b"E_EU1" not in data
    else:  # German thousands separators in counts >= 1000
        data = write(header, [r[:7] + [f"{int(v):,}".replace(",", ".") for v in r[7:]]
                              for r in rows])
        assert b";3.445;" in data or b";3.580;" in data
    result = parse_ewr(data, name)
    assert len(result.quarantine) == 0
    pd.testing.assert_frame_equal(comparable(result), comparable(parsed(name)))


def test_fractional_count_is_unreadable_not_rounded():
    result = parse_ewr(with_cells(NEW, 0, {"E_E": "3580,5"}), NEW)
    q = result.quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("E_E", "unreadable")
    assert "'3580,5'" in q["reason"]


def test_leading_zeros_lost_in_a_spreadsheet_are_restored():
    data = with_cells(NEW, 0, {"RAUMID": "1100101", "BEZ": "1", "BEZPGR": "110"})
    result = parse_ewr(data, NEW)
    assert len(result.staged) == 49
    assert result.notes["leading_zeros_restored"] == {"RAUMID": 1, "BEZ": 1, "BEZPGR": 1}
    assert result.staged.iloc[0]["plr_code"] == "01100101"


# --------------------------------------------------------------------------------------------
# keys and vintage


def test_garbled_raumid_is_unreadable_naming_its_column():
    result = parse_ewr(with_cells(NEW, 4, {"RAUMID": "0110O105"}), NEW)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (5, "RAUMID", "unreadable")


def test_raumid_not_built_from_its_parts_is_inconsistent():
    result = parse_ewr(with_cells(NEW, 0, {"PLR": "02"}), NEW)  # RAUMID 01100101
    q = result.quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("RAUMID", "inconsistent")
    assert "01100101" in q["reason"] and "01100102" in q["reason"]


def test_bezpgr_that_disagrees_with_raumid_is_inconsistent():
    q = parse_ewr(with_cells(NEW, 0, {"BEZPGR": "0120"}), NEW).quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("BEZPGR", "inconsistent")


def test_zeit_that_disagrees_with_the_file_is_inconsistent_and_garbage_unreadable():
    q = parse_ewr(with_cells(OLD, 0, {"ZEIT": "201812"}), OLD).quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("ZEIT", "inconsistent")
    assert "201812" in q["reason"] and "201912" in q["reason"]
    q = parse_ewr(with_cells(OLD, 0, {"ZEIT": "2019-12"}), OLD).quarantine.iloc[0]
    assert (q["column_name"], q["kind"]) == ("ZEIT", "unreadable")


def test_repeated_row_is_a_duplicate_and_a_changed_repeat_stages_neither():
    header, rows = real_table(NEW)
    result = parse_ewr(write(header, [*rows, rows[0]]), NEW)
    assert (result.source_rows, len(result.staged)) == (50, 49)
    assert tuple(result.quarantine.iloc[0][["source_row", "column_name", "kind"]]) == (
        50, "RAUMID", "duplicate")
    # the first real row again with one resident moved from male to female: both add up,
    # which one is right is a guess, so neither is staged
    other = list(rows[0])
    for column, change in (("E_EM", -1), ("E_EW", +1)):
        other[header.index(column)] = str(int(other[header.index(column)]) + change)
    result = parse_ewr(write(header, [*rows, other]), NEW)
    assert (result.source_rows, len(result.staged)) == (50, 48)
    q = result.quarantine
    assert q[["source_row", "column_name", "kind"]].values.tolist() == [
        [1, "E_EM", "inconsistent"], [50, "E_EM", "inconsistent"]]
    assert "source rows 1, 50 differ in male, female; none is staged" in q["reason"].iloc[0]


def test_file_name_decides_without_a_version_column():
    header, rows = real_table(NEW)
    i = header.index("BEZPGR")
    data = write(header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    result = parse_ewr(data, "EWR_L21_202412E_Matrix.csv")
    assert set(result.staged["lor_version"]) == {"LOR2021"}
    assert result.notes["version_evidence"] == "file name"
    with pytest.raises(ParseError, match="cannot tell the LOR version"):
        parse_ewr(data, "einwohner.csv")


def test_header_and_file_name_disagreeing_is_a_parse_error():
    with pytest.raises(ParseError) as err:
        parse_ewr(real_bytes(NEW), "EWR202412E_Matrix.csv")
    assert "EWR202412E_Matrix.csv" in str(err.value) and "BEZPGR" in str(err.value)


def test_lor2021_keys_before_2021_are_inconsistent():
    # the 2024 file's rows relabelled 202012, read under a neutral name
    header, rows = real_table(NEW)
    data = write(header, [["202012", *r[1:]] for r in rows])
    result = parse_ewr(data, "matrix.csv")
    assert len(result.staged) == 0 and set(result.quarantine["column_name"]) == {"ZEIT"}
    assert "does not fit LOR2021" in result.quarantine.iloc[0]["reason"]


# --------------------------------------------------------------------------------------------
# payloads that cannot be read at all


def test_truncated_payload_raises_naming_the_file():
    data = real_bytes(NEW)
    cut = data[: len(data) - 40]  # the last row loses its last fields
    with pytest.raises(ParseError) as err:
        parse_ewr(cut, NEW)
    assert NEW in str(err.value) and "truncated" in str(err.value) and err.value.row == 49


@pytest.mark.parametrize("payload, message", [
    (b"", "empty payload"),
    (b"<!DOCTYPE html>\n<html><head><title>Statistik Berlin Brandenburg</title></head></html>",
     "HTML"),
    (b"\x00\x01garbage" * 50, "binary"),
    (b"ZEIT;RAUMID;BEZ\n", "no data rows"),
    (b"Jahr;Bezirk;Einwohner\n2019;Mitte;385748\n", "not an EWR Matrix CSV"),
])
def test_unreadable_payload_raises_naming_the_file(payload, message):
    with pytest.raises(ParseError) as err:
        parse_ewr(payload, NEW)
    assert NEW in str(err.value) and message in str(err.value)


def test_single_age_bands_that_do_not_tile_are_a_parse_error():
    header, rows = real_table(OLD)
    i = header.index("E_E03_05")
    data = write(header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    with pytest.raises(ParseError, match="do not tile"):
        parse_ewr(data, OLD)
