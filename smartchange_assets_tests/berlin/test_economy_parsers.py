"""The Berlin economy parsers (MSS, GSSA, construction report) on their real seed files, held
against pandas / openpyxl readings of the same files, and on copies with one planted change
each (say what is changed where it is done). The IHK register has its own module
(test_ihk_parser.py).
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from functools import cache

import openpyxl
import pandas as pd
import pytest

from smartchange_assets.berlin.construction.parser import parse_construction
from smartchange_assets.berlin.construction.source import SOURCE as CONSTRUCTION
from smartchange_assets.berlin.social_atlas.parser import parse_gssa
from smartchange_assets.berlin.social_atlas.source import SOURCE as GSSA
from smartchange_assets.berlin.social_monitoring.parser import parse_mss_index
from smartchange_assets.berlin.social_monitoring.source import SOURCE as MSS
from smartchange_assets.platform.parsing import INCONSISTENT, ParseError, conform

from ..seed_files import seed_bytes, seed_path

MSS_FILE = "mss_2021_index-indikatoren_z-werte_plr.csv"
REPORT = "SB_E02-01-00_2023m06_BE.xlsx"


@cache
def mss_bytes() -> bytes:
    return seed_bytes(MSS.source_id, MSS_FILE)


def mss_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(mss_bytes().decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def write(header, rows, delimiter=";") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# MSS


def test_mss_seed_stages_every_planungsraum_as_pandas_reads_it():
    result = parse_mss_index(mss_bytes(), MSS_FILE)
    staged = conform(result.staged, MSS.staging.columns[1:], MSS.source_id)
    frame = pd.read_csv(seed_path(MSS.source_id, MSS_FILE), sep=";", encoding="utf-8-sig",
                        dtype={"PLR-ID": str})
    assert (result.source_rows, len(staged), result.no_data, len(result.quarantine)) == (
        542, 542, 0, 0)
    assert list(staged["plr_code"]) == list(frame["PLR-ID"])
    assert staged["residents"].sum() == frame["EW 31.12.2020"].sum() == 3_769_962
    classes = frame["Zuordnung Klasse Status-Index "].value_counts().to_dict()
    assert staged["status_class"].value_counts().to_dict() == classes
    assert int((~staged["indexed"]).sum()) == int(frame["zS1"].isna().sum()) == 6
    assert staged.loc[staged["plr_code"] == "12601235", "z_s1"].item() == 1.56
    assert set(staged["lor_version"]) == {"LOR2021"}
    assert str(staged["reference_date"].iloc[0].date()) == "2020-12-31"


def test_mss_context_indicator_headers_are_refused_naming_file_and_column():
    # planted: the header of the MSS context-indicator table ('K 01' … spelled as in the
    # copier's other file), over the same rows
    header, rows = mss_rows()
    context = ["PLR-ID", "PLR-Name", "EW 31.12.2020", "K 01", "K 02", "K 03", "K04", "K 05",
               "K16", "K 06", "K 17", "K 07", "K 09", "K 10", "K 11", "K 12"]
    with pytest.raises(ParseError) as err:
        parse_mss_index(write(context, [r[:len(context)] for r in rows]), "mss_2021_k.csv")
    assert err.value.file == "mss_2021_k.csv" and err.value.column == "K 01"
    assert "mss_2021_k.csv" in str(err.value) and "'K 01'" in str(err.value)
    assert "context indicators" in err.value.message


def test_mss_reordered_renamed_comma_export_with_decimal_commas_reads_the_same():
    # planted: columns reversed, ',' as delimiter, decimal commas, header without the trailing
    # spaces, ids without their leading zero (a spreadsheet round trip)
    header, rows = mss_rows()
    order = list(reversed(range(len(header))))
    new_header = [header[i].strip() for i in order]
    new_rows = [[r[i].lstrip("0") if i == 0 else r[i].replace(".", ",") if i >= 3 else r[i]
                 for i in order] for r in rows]
    result = parse_mss_index(write(new_header, new_rows, delimiter=","), MSS_FILE)
    original = parse_mss_index(mss_bytes(), MSS_FILE)
    pd.testing.assert_frame_equal(result.staged, original.staged)
    # Bezirke 01-09 lose their zero; 10-12 have none to lose
    assert result.notes["leading_zeros_restored"] == sum(r[0].startswith("0") for r in rows)


def test_mss_class_contradicting_its_index_is_quarantined():
    header, rows = mss_rows()
    rows = [list(r) for r in rows]
    # planted: Stülerstraße (status index -0.33, 'mittel') given the class 'sehr niedrig'
    rows[0][8] = "sehr niedrig"
    result = parse_mss_index(write(header, rows), MSS_FILE)
    assert len(result.staged) == 541
    bad = result.quarantine.iloc[0]
    assert (bad["source_row"], bad["kind"]) == (1, INCONSISTENT)
    assert bad["column_name"].startswith("Zuordnung Klasse Status-Index")
    assert "does not fit" in bad["reason"]


# --------------------------------------------------------------------------------------------
# GSSA


@pytest.mark.parametrize(("level", "rows", "empty"), [
    ("bezirke", 12, 0), ("bezirksregionen", 138, 1), ("planungsraeume", 448, 19)])
def test_gssa_level_files_stage_one_record_per_area_and_year(level, rows, empty):
    name = f"gssa_2022_{level}.csv"
    result = parse_gssa(seed_bytes(GSSA.source_id, name), name)
    frame = pd.read_csv(seed_path(GSSA.source_id, name), dtype=str)
    assert len(frame) == rows
    values = frame.iloc[:, 2:].astype(float)
    # a record per area and atlas year; the publisher's empty years are no-data
    empty_years = sum(int(values.filter(like=f"_{y}").isna().all(axis=1).sum())
                      for y in (2013, 2022))
    assert result.source_rows == 2 * rows
    assert (result.no_data, len(result.quarantine)) == (empty_years, 0)
    assert len(result.staged) == 2 * rows - empty_years
    assert int(frame.iloc[:, 2:].isna().all(axis=1).sum()) == empty
    first = result.staged[(result.staged["area_code"] == frame.iloc[0, 0])
                          & (result.staged["reference_year"] == 2022)].iloc[0]
    assert first["di"] == pytest.approx(float(frame.loc[0, "DI_2022"]))
    assert set(result.staged["lor_version"]) == {"LOR_OLD"}


def test_gssa_edition_with_an_unknown_lor_scheme_is_refused():
    name = "gssa_2022_bezirke.csv"
    text = seed_bytes(GSSA.source_id, name).decode().replace("_2022", "_2025")
    with pytest.raises(ParseError, match="edition 2025"):
        parse_gssa(text.encode(), "gssa_2025_bezirke.csv")


# --------------------------------------------------------------------------------------------
# construction report


@cache
def report() -> pd.DataFrame:
    result = parse_construction(seed_bytes(CONSTRUCTION.source_id, REPORT), REPORT)
    assert len(result.quarantine) == 0
    return conform(result.staged, CONSTRUCTION.staging.columns[1:], CONSTRUCTION.source_id)


def sheet(name: str) -> list[list]:
    book = openpyxl.load_workbook(seed_path(CONSTRUCTION.source_id, REPORT), read_only=True,
                                  data_only=True)
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_construction_report_stages_every_value_cell():
    result = parse_construction(seed_bytes(CONSTRUCTION.source_id, REPORT), REPORT)
    # every non-empty cell right of the row labels in the data rows of Tab1-Tab8, counted here
    # from the sheets; '…', '•', 'x' are the publisher's no-data
    assert (result.source_rows, len(result.staged), result.no_data) == (1295, 984, 311)
    assert result.notes["table_sheets"] == [f"Tab{n}" for n in range(1, 9)]
    staged = report()
    tab1 = sheet("Tab1")
    june = next(r for r in tab1 if r[0] == "  Juni" and tab1.index(r) > 20)  # 2023
    persons = staged[(staged["sheet"] == "Tab1") & (staged["measure"] == "persons_employed")
                     & (staged["period_start"] == "2023-06-01")
                     & (staged["aggregation"] == "level")]
    assert persons["value"].item() == june[2] == 16110
    annual = staged[(staged["sheet"] == "Tab1") & (staged["aggregation"] == "annual_average")
                    & (staged["measure"] == "persons_employed")]
    assert annual["value"].item() == 16318 and annual["footnote"].item() == "¹"


def test_construction_turnover_of_2022_is_the_sum_of_its_months_in_tab3():
    rows = sheet("Tab3")
    start = next(i for i, r in enumerate(rows) if r[0] == 2022)
    months = [r[1] for r in rows[start + 1:start + 13]]
    staged = report()
    turnover = staged[(staged["sheet"] == "Tab3") & (staged["measure"] == "turnover_total")]
    year = turnover[turnover["period_type"] == "year"]
    assert year["value"].tolist() == [4053955] == [sum(months)]
    assert year["aggregation"].item() == "annual_sum"
    month_values = turnover[(turnover["period_type"] == "month")
                            & (turnover["period_start"].dt.year == 2022)]["value"].tolist()
    assert month_values == months


def test_construction_symbols_are_no_data_or_zero_as_the_legend_says():
    staged = report()
    nothing = staged[(staged["wz_code"] == "43.13")]
    assert set(nothing["value"]) == {0.0} and set(nothing["value_status"]) == {"nothing"}
    # '•' (confidential): Bau von Gebäuden ohne Fertigteilbau has only its establishments
    assert staged[staged["wz_code"] == "41.20.1"]["measure"].tolist() == ["establishments"]
    # the % changes are those of the report month (June 2023) or its quarter (Q2)
    changes = staged[staged["aggregation"].str.startswith("change_pct")]
    assert set(changes["unit"]) == {"percent"}
    assert set(changes["period_start"].astype(str)) == {"2023-06-01", "2023-04-01"}


def _rewrite(data: bytes, sheet_xml: str, old: str, new: str) -> bytes:
    """The workbook with ``old`` replaced by ``new`` in one sheet's or the shared strings."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == sheet_xml:
                assert old.encode() in content, (old, sheet_xml)
                content = content.replace(old.encode(), new.encode())
            dst.writestr(item, content)
    return out.getvalue()


def test_construction_column_that_names_no_measure_stops_the_payload_naming_sheet_and_cell():
    data = seed_bytes(CONSTRUCTION.source_id, REPORT)
    # planted: the header 'Entgelte' (Tab1 and Tab6 share the string) becomes 'Sonstiges'
    changed = _rewrite(data, "xl/sharedStrings.xml", ">Entgelte<", ">Sonstiges<")
    with pytest.raises(ParseError) as err:
        parse_construction(changed, REPORT)
    assert err.value.column.startswith("Tab") and "'sonstiges'" in err.value.message


def test_construction_file_name_without_report_month_is_refused():
    with pytest.raises(ParseError, match="report month"):
        parse_construction(seed_bytes(CONSTRUCTION.source_id, REPORT), "baugewerbe.xlsx")


def test_construction_title_month_must_be_the_file_names(tmp_path):
    path = tmp_path / "SB_E02-01-00_2023m05_BE.xlsx"
    shutil.copy(seed_path(CONSTRUCTION.source_id, REPORT), path)
    with pytest.raises(ParseError, match="not the report month 2023-05"):
        parse_construction(path.read_bytes(), path.name)
