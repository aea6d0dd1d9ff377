"""The IHK Gewerbedaten parser on the real 30-row sample (held against pandas), on copies with one
planted change each, and on a SYNTHETIC full-size month (350 000 rows made up from the sample's
layout, for scale only: the real monthly files are Git-LFS objects no snapshot holds)."""

from __future__ import annotations

import csv
import io
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.ihk_businesses.parser import ID_MANGLED, parse_ihk
from smartchange_assets.berlin.ihk_businesses.source import SOURCE as IHK
from smartchange_assets.platform.parsing import DUPLICATE, INCONSISTENT, ParseError, conform

from ..seed_files import seed_bytes, seed_path

SAMPLE = "ihk_IHK_OD_03-2023.csv"


@cache
def sample() -> bytes:
    return seed_bytes(IHK.source_id, SAMPLE)


def lines() -> tuple[str, list[str]]:
    text = sample().decode("utf-8-sig")
    header, *rows = [line for line in text.split("\r\n") if line]
    return header, rows


def build(header: str, rows: list[str], bom: bool = True) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join([header, *rows]) + "\r\n").encode()


def staged(data: bytes, name: str = SAMPLE) -> pd.DataFrame:
    result = parse_ihk(data, name)
    return conform(result.staged, IHK.staging.columns[1:], IHK.source_id)


def test_the_sample_stages_every_business_as_pandas_reads_it():
    result = parse_ihk(sample(), SAMPLE)
    rows = staged(sample())
    # pandas on the file: the header names 19 columns and rows have 20 fields, so the unnamed
    # 20th (Ortsteil) is named here by hand
    names = [*lines()[0].split(";")[:19], "Ortsteil"]
    frame = pd.read_csv(seed_path(IHK.source_id, SAMPLE), sep=";", encoding="utf-8-sig",
                        header=0, names=names, dtype=str)
    assert (result.source_rows, len(rows), len(result.quarantine)) == (30, 30, 0)
    assert list(rows["plr_code"]) == list(frame["planungsraum_id"].str.zfill(8))
    assert rows["bezirk_name"].value_counts().to_dict() == frame["Bezirk"].value_counts().to_dict()
    mangled = frame["opendata_id"].str.contains("E+", regex=False)
    assert int(mangled.sum()) == 13 == result.notes["ids_excel_mangled"]
    assert rows["opendata_id"].isna().tolist() == mangled.tolist()
    assert set(rows.loc[mangled.to_numpy(), "opendata_id_status"]) == {ID_MANGLED}
    assert list(rows["opendata_id_published"]) == list(frame["opendata_id"])
    assert rows["latitude"].tolist() == frame["latitude"].str.replace(",", ".").astype(float) \
        .tolist()
    assert list(rows["ortsteil"]) == list(frame["Ortsteil"])
    first = rows.iloc[0]
    assert (first["plr_code"], first["bezirk_code"], first["nace_code"]) == (
        "04500939", "04", "56.29")
    assert result.notes["ortsteil_from_unnamed_column"]


@pytest.mark.parametrize("header_change", ["fixed to 20 names", "no trailing delimiter"])
def test_header_fixed_or_without_the_trailing_delimiter_reads_the_same(header_change):
    header, rows = lines()
    assert header.endswith("Prognoseraum;")
    header = header + "Ortsteil" if header_change == "fixed to 20 names" else header[:-1]
    pd.testing.assert_frame_equal(staged(build(header, rows)), staged(sample()))


def test_reordered_columns_are_read_by_name():
    header, rows = lines()
    # planted: the header fixed to 20 names, then the first and the 16th column swapped
    parsed = [next(csv.reader([r], delimiter=";")) for r in [header + "Ortsteil", *rows]]
    swapped = [[row[15], *row[1:15], row[0], *row[16:]] for row in parsed]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(swapped)
    pd.testing.assert_frame_equal(staged(out.getvalue().encode()), staged(sample()))


def test_an_unnamed_column_elsewhere_is_refused_naming_it():
    header, rows = lines()
    # planted: the header cell 'nace_desc' left empty
    with pytest.raises(ParseError) as err:
        parse_ihk(build(header.replace(";nace_desc;", ";;"), rows), SAMPLE)
    assert err.value.file == SAMPLE and err.value.column == "(unnamed column 11)"


def test_a_file_without_the_lor_columns_is_refused():
    header, rows = lines()
    cut = [";".join(r.split(";")[:15]) for r in rows if '"' not in r]
    with pytest.raises(ParseError, match="planungsraum_id"):
        parse_ihk(build(";".join(header.split(";")[:15]), cut), SAMPLE)


def test_a_file_name_without_a_month_is_refused():
    with pytest.raises(ParseError, match="names no month"):
        parse_ihk(sample(), "IHKBerlin_Gewerbedaten.csv")


def test_rows_contradicting_their_place_are_quarantined_with_column_and_reason():
    header, rows = lines()
    rows = list(rows)
    # planted: row 5 (Mitte, PLR 1100206) says Pankow; row 6 lies in the Baltic Sea; row 7
    # has a 21st field
    rows[4] = rows[4].replace(";Mitte;", ";Pankow;")
    rows[5] = rows[5].replace("52,51379779", "54,51379779")
    rows[6] = rows[6] + ";extra"
    result = parse_ihk(build(header, rows), SAMPLE)
    quarantine = result.quarantine.set_index("source_row")
    assert len(result.staged) == 27 and result.source_rows == 30
    assert quarantine.loc[5, "kind"] == INCONSISTENT
    assert quarantine.loc[5, "column_name"] == "planungsraum_id"
    assert "lies in Bezirk 01, the row names Pankow (03)" in quarantine.loc[5, "reason"]
    assert quarantine.loc[6, "column_name"] == "latitude"
    assert "outside Berlin" in quarantine.loc[6, "reason"]
    assert quarantine.loc[7, "reason"] == "row has 21 fields, the header 20"


def test_a_repeated_id_follows_the_duplicate_rule_and_mangled_ids_are_never_keys():
    header, rows = lines()
    # planted: row 1 (id 6063606) repeated exactly at the end; row 4's mangled id written as
    # row 3's ('9,43032E+11'): two different businesses whose lost digits look alike
    rows = list(rows)
    rows[3] = "9,43032E+11;" + rows[3].split(";", 1)[1]
    result = parse_ihk(build(header, [*rows, rows[0]]), SAMPLE)
    assert len(result.staged) == 30 and len(result.quarantine) == 1
    dup = result.quarantine.iloc[0]
    assert (dup["source_row"], dup["kind"]) == (31, DUPLICATE)
    assert "source row 1" in dup["reason"]
    both = result.staged[result.staged["opendata_id_published"] == "9,43032E+11"]
    assert len(both) == 2 and both["opendata_id"].isna().all()


def test_a_synthetic_full_month_parses_in_one_vectorised_pass():
    """SYNTHETIC data: 350 000 rows made up by repeating the sample's rows with new plain ids
    (the layout of the real monthly file, which is about 111 MB)."""
    header, rows = lines()
    n = 350_000
    body = [f"{10_000_000 + i};{rows[i % len(rows)].split(';', 1)[1]}" for i in range(n)]
    data = build(header, body)
    assert len(data) > 100_000_000
    result = parse_ihk(data, "IHKBerlin_Gewerbedaten_03-2023.csv")
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (n, n, 0)
    expected = pd.Series([row[15].zfill(8) for row in csv.reader(body, delimiter=";")]
                         ).value_counts()
    got = result.staged["plr_code"].value_counts()
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert result.staged["opendata_id"].notna().all()
