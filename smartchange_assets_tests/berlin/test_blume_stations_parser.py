"""BLUME station parser: the seed's derivative station list (112 stations with coordinates),
the list this project once compiled (now a test fixture, checked against the real payloads it
was compiled from, and agreeing with the derivative) and the /api/stations JSON shape.

No /api/stations reply was ever recorded (docs/sources/berlin-blume-stations.md §1). The JSON
replies here are CONSTRUCTED from the field names a third-party glimpse lists (name, code, codeEu,
address, lat/lng as strings, active, stationgroups, measuringStart, measuringEnd, …), carrying the
real codes and names; coordinates and addresses are placeholders, not station facts.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from smartchange_assets.berlin.blume_stations.parser import parse_blume_stations
from smartchange_assets.berlin.blume_stations.source import SOURCE
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    conform,
)

from ..seed_files import SEED

SEED_DIR = SEED / "berlin"
DERIVATIVE = SEED_DIR / "blume_stations" / "blume_stations_derivative.csv"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "blume_stations"
# the seed until the derivative came (docs/sources/berlin-blume-stations.md §1)
COMPILED = FIXTURES / "blume_stations_compiled.csv"
BLUME_CSV = SEED_DIR / "blume_air_quality" / "blume_csv_export_pm10_1h_2023.csv"
LQI = FIXTURES / "blume_api_lqi_2024-04-24T17.json"


@cache
def compiled():
    return parse_blume_stations(COMPILED.read_bytes(), COMPILED.name)


@cache
def derivative():
    return parse_blume_stations(DERIVATIVE.read_bytes(), DERIVATIVE.name)


def api_station(code="mc010", name="010 Wedding", **extra) -> dict:
    """One /api/stations item with the published field names (values: see module docstring)."""
    item = {"name": name, "code": code, "codeEu": "DEBE010", "address": "Messstelle (Platz)",
            "lat": "52.5400", "lng": "13.3500", "active": True, "stationgroups": ["background"],
            "measuringStart": "1984-11-01T00:00:00+01:00", "measuringEnd": None,
            "measuringHeight": 4, "url": None, "information": None, "components": ["pm10"],
            "activeComponents": ["pm10"], "partials": [], "lqis": [], "exceeds": []}
    item.update(extra)
    return item


def parse_api(items, name="stations") -> object:
    return parse_blume_stations(json.dumps(items, ensure_ascii=False).encode(), name)


def typed(staged: pd.DataFrame) -> pd.DataFrame:
    """The staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(staged, SOURCE.staging.columns[1:], SOURCE.source_id)


# --------------------------------------------------------------------------- the derivative seed


def test_derivative_seed_counts_columns_and_coordinates():
    result = derivative()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) == \
        (112, 112, 0, 0)
    assert list(typed(result.staged).columns) == SOURCE.staging.column_names[1:]
    raw = pd.read_csv(DERIVATIVE, dtype={"station_id": str})
    staged = result.staged.set_index("station_code")
    assert staged.index.tolist() == raw["station_id"].str.lower().tolist()
    assert (staged["lat"].to_numpy() == raw["lat"].to_numpy()).all()
    assert (staged["lon"].to_numpy() == raw["lon"].to_numpy()).all()
    assert staged["name"].tolist() == raw["station_name"].str.split(" ", n=1).str[1].str.strip() \
        .str.split().str.join(" ").tolist()
    assert sorted(staged.index[staged["active"].astype(bool)]) == [
        "mc010", "mc027", "mc032", "mc042", "mc077", "mc085", "mc117", "mc124", "mc144",
        "mc145", "mc171", "mc174", "mc190", "mc221", "mc282"]
    # codes of three kinds, written as the API spells them and lower-cased here
    assert staged.index.str[:2].value_counts().to_dict() == {"mc": 65, "mp": 46, "mw": 1}
    # what the derivative dropped stays NULL, never invented
    for column in ("code_eu", "station_type", "address", "bezirk", "measuring_start",
                   "measuring_end"):
        assert staged[column].isna().all(), column
    assert result.notes["form"] == "csv"


def test_derivative_has_every_station_of_the_measurements_and_the_compiled_list():
    staged = derivative().staged.set_index("station_code")
    # the stations of the measurement seed (mc010 hourly 2014-2024, mc124 October 2023) and
    # of the CSV export all have coordinates
    header = next(csv.reader(io.StringIO(BLUME_CSV.read_text("utf-8")), delimiter=";"))[1:]
    measured = {"mc010", "mc124", *(f"mc{h[:3]}" for h in header)}
    assert measured <= set(staged.index)
    assert staged.loc[sorted(measured), ["lat", "lon"]].notna().all().all()
    # the compiled list's 18 codes are all there, with the same names where it knew one
    old = compiled().staged.set_index("station_code")["name"].dropna()
    assert set(compiled().staged["station_code"]) <= set(staged.index)
    assert (staged.loc[old.index, "name"] == old).all()
    assert staged.loc[["mc115", "mc145", "mc282"], "name"].tolist() == [
        "Hardenbergplatz", "Frohnau", "Karlshorst"]  # names the compiled list lacked


# --------------------------------------------------------------------------- the compiled list


def test_compiled_seed_counts_and_columns():
    result = compiled()
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data, len(result.quarantine)) == \
        (18, 18, 0, 0)
    assert list(typed(result.staged).columns) == SOURCE.staging.column_names[1:]
    assert result.notes["form"] == "csv"


def test_compiled_seed_codes_are_the_real_lqi_stations():
    lqi_codes = sorted(s["station"].lower() for s in json.loads(LQI.read_bytes()))
    assert "MC221" in {s["station"] for s in json.loads(LQI.read_bytes())}  # the real quirk
    assert compiled().staged["station_code"].tolist() == lqi_codes


def test_compiled_seed_names_are_the_real_csv_export_header():
    header = next(csv.reader(io.StringIO(BLUME_CSV.read_text("utf-8")), delimiter=";"))[1:]
    from_csv = {f"mc{h[:3]}": h[4:] for h in header}
    staged = compiled().staged.set_index("station_code")["name"]
    assert {code: staged[code] for code in from_csv} == from_csv
    assert staged["mc143"] == staged["mc144"] == "Silbersteinstraße"  # two columns, one name
    assert staged["mc027"] == "Marienfelde"  # a third-party station list, not in the CSV header
    assert staged[["mc018", "mc115", "mc145", "mc282"]].isna().all()


def test_compiled_seed_eu_codes_are_the_report_pairs_only():
    eu = compiled().staged.set_index("station_code")["code_eu"].dropna().to_dict()
    assert eu == {"mc010": "DEBE010", "mc018": "DEBE018", "mc027": "DEBE027",
                  "mc032": "DEBE032", "mc042": "DEBE034"}


def test_compiled_seed_leaves_unknown_facts_null():
    staged = compiled().staged
    for column in ("station_type", "lat", "lon", "address", "bezirk", "measuring_start",
                   "measuring_end", "active"):
        assert staged[column].isna().all(), column


# --------------------------------------------------------------------------- faults from the seed


def rewrite(delimiter=",", order=None, comments=True) -> bytes:
    text = COMPILED.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    head = [line for line in lines if line.startswith("#")] if comments else []
    rows = list(csv.reader(io.StringIO("".join(line for line in lines
                                               if not line.startswith("#")))))
    if order:
        rows = [[row[i] for i in order] for row in rows]
    out = io.StringIO(newline="")
    out.writelines(head)
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("data", [
    pytest.param(lambda: rewrite(";"), id="semicolon"),
    pytest.param(lambda: b"\xef\xbb\xbf" + COMPILED.read_bytes(), id="bom"),
    pytest.param(lambda: rewrite(order=list(reversed(range(12)))), id="reordered-columns"),
    pytest.param(lambda: rewrite(comments=False), id="no-comment-lines"),
])
def test_rewritten_seed_gives_the_same_stations(data):
    # derived from the compiled seed file
    result = parse_blume_stations(data(), COMPILED.name)
    pd.testing.assert_frame_equal(result.staged, compiled().staged)


def test_garbled_code_is_quarantined_naming_station_code():
    # derived from the compiled seed: mc042 garbled on its line
    data = COMPILED.read_bytes().replace(b"\nmc042,", b"\nmc0x2,")
    result = parse_blume_stations(data, COMPILED.name)
    q = result.quarantine.iloc[0]
    assert (len(result.quarantine), q["source_row"], q["column_name"], q["kind"]) == \
        (1, 5, "station_code", UNREADABLE)
    assert "'mc0x2'" in q["reason"] and len(result.staged) == 17


def test_short_line_is_quarantined():
    # derived from the compiled seed: the last line cut after its code
    text = COMPILED.read_text("utf-8").rstrip("\n")
    data = (text[:text.rindex("\n")] + "\nmc282,\n").encode()
    result = parse_blume_stations(data, COMPILED.name)
    assert result.quarantine["source_row"].tolist() == [18]
    assert "line has 2 fields" in result.quarantine["reason"].iloc[0]


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: d[:600], id="cut-inside-the-comments"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 4, id="garbage"),
    pytest.param(lambda d: json.dumps([api_station()]).encode()[:90], id="truncated-json"),
    pytest.param(lambda d: b'{"data": [], "total": 0}', id="json-object"),
    pytest.param(lambda d: b'[{"station": "mc010", "data": []}]', id="lqi-reply"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    with pytest.raises(ParseError) as err:
        parse_blume_stations(payload(COMPILED.read_bytes()), COMPILED.name)
    assert COMPILED.name in str(err.value)


# --------------------------------------------------------------------------- /api/stations shape


def test_api_shape_is_read():
    result = parse_api([
        api_station(),
        api_station("MC221", "221 Karl-Marx-Straße", codeEu=None, stationgroups=["traffic"],
                    lat="52.4800", lng="13.4400", active="false",
                    measuringEnd="2024-12-31T23:00:00+01:00"),
        api_station("mc042", "042 Neukölln", codeEu="debe034", stationgroups="suburb",
                    lat=52.47, lng=13.43),
    ])
    assert result.notes["form"] == "api_json"
    staged = result.staged.set_index("station_code")
    assert staged.index.tolist() == ["mc010", "mc221", "mc042"]
    assert staged.loc["mc010", ["name", "code_eu", "station_type", "lat", "lon"]].tolist() == \
        ["Wedding", "DEBE010", "background", 52.54, 13.35]
    assert staged.loc["mc042", "code_eu"] == "DEBE034" and staged.loc["mc042", "lat"] == 52.47
    assert staged.loc["mc221", "station_type"] == "traffic"
    assert not staged.loc["mc221", "active"] and staged.loc["mc010", "active"]
    assert staged.loc["mc010", "measuring_start"] == pd.Timestamp("1984-10-31T23:00:00Z")
    assert pd.isna(staged.loc["mc010", "measuring_end"])
    assert staged.loc["mc221", "measuring_end"] == pd.Timestamp("2024-12-31T22:00:00Z")
    assert staged["bezirk"].isna().all()  # the API has no Bezirk


def test_station_groups_as_objects_and_unknown_groups():
    result = parse_api([api_station(stationgroups=[{"code": "traffic", "name": "Verkehr"}]),
                        api_station("mc032", "032 Grunewald", stationgroups=["hidden"])])
    assert result.staged["station_type"].tolist()[0] == "traffic"
    assert pd.isna(result.staged["station_type"].iloc[1])
    assert result.notes["station_groups_seen"] == ["hidden", "traffic"]


@pytest.mark.parametrize("change, column, kind", [
    ({"name": "042 Wedding"}, "name", INCONSISTENT),
    ({"lat": "52,54x"}, "lat", UNREADABLE),
    ({"lng": "11.58"}, "lng", INCONSISTENT),
    ({"codeEu": "DE-BE-010"}, "codeEu", UNREADABLE),
    ({"stationgroups": ["traffic", "background"]}, "stationgroups", INCONSISTENT),
    ({"measuringStart": "1984-11-01T00:00:00"}, "measuringStart", UNREADABLE),
    ({"active": "maybe"}, "active", UNREADABLE),
    ({"code": "Wedding"}, "code", UNREADABLE),
])
def test_bad_field_quarantines_the_station_naming_the_field(change, column, kind):
    result = parse_api([api_station(**change), api_station("mc032", "032 Grunewald")])
    assert result.staged["station_code"].tolist() == ["mc032"]
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (1, column, kind)


def test_repeated_station_duplicate_or_conflict():
    exact = parse_api([api_station(), api_station()])
    assert exact.quarantine[["source_row", "kind"]].values.tolist() == [[2, DUPLICATE]]
    other = parse_api([api_station(), api_station(address="Anderswo 1")])
    assert len(other.staged) == 0
    # the one duplicate-key rule: the first row of each version, naming the differing column
    assert other.quarantine[["source_row", "column_name", "kind"]].values.tolist() == [
        [1, "address", INCONSISTENT], [2, "address", INCONSISTENT]]
    assert "station_code=mc010: source rows 1, 2 differ in address; none is staged" in \
        other.quarantine["reason"].iloc[0]


def test_suite_passes_on_the_stations_and_catches_bad_rows(fresh_database):
    from ..frame_suites import run_suite_on_frame

    frame = pd.concat([typed(compiled().staged),
                       typed(parse_api([api_station(), api_station("mc042", "042 Neukölln",
                                                                   codeEu="DEBE034")]).staged)])
    frame.insert(0, "payload_sha256", ["a" * 64] * 18 + ["b" * 64] * 2)
    frame = frame.reset_index(drop=True)
    assert run_suite_on_frame(fresh_database, frame, SOURCE.expectations, "st",
                              SOURCE.staging).success
    bad = frame.reset_index(drop=True)
    bad.loc[18, "station_type"] = "rural"
    bad.loc[19, "code_eu"] = "DEBE010"  # the same EU code twice in one payload
    outcome = run_suite_on_frame(fresh_database, bad, SOURCE.expectations, "st",
                              SOURCE.staging)
    assert {r.expectation for r in outcome.failed} == {
        "values_in_set(station_type)", "compound_columns_unique(payload_sha256,code_eu)"}
