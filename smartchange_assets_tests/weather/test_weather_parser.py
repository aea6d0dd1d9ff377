"""The Open-Meteo parser on every real reply (two seed files, one fixture), plus faults built
from those real replies (each test says what it changed)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from smartchange_assets.global_.weather.parser import api_of, parse_open_meteo
from smartchange_assets.global_.weather.source import SOURCE
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    conform,
)

from ..seed_files import SEED

SEED = SEED / "global" / "weather"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openmeteo"
F2023 = SEED / "openmeteo_forecast_daily_berlin_2023-06-01.json"
F2025 = SEED / "openmeteo_forecast_daily_berlin_2025-04-15.json"
MULTI = FIXTURES / "openmeteo_forecast_daily_multilocation_2025-01-28.json"

# file -> (source rows, staged, no_data, quarantined)
EXPECTED = {F2023: (7, 7, 0, 0), F2025: (4, 4, 0, 0), MULTI: (2, 0, 0, 2)}


@cache
def parsed(path: Path):
    return parse_open_meteo(path.read_bytes(), path.name)


def typed(result) -> pd.DataFrame:
    """The staged rows as the engine types them, by the table spec ([0] is payload_sha256)."""
    return conform(result.staged, SOURCE.staging.columns[1:], SOURCE.source_id)


def doc(path: Path):
    return json.loads(path.read_bytes())


def encode(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def same_result(a, b) -> None:
    pd.testing.assert_frame_equal(a.staged, b.staged)
    assert (a.source_rows, a.no_data, len(a.quarantine)) == \
        (b.source_rows, b.no_data, len(b.quarantine))


# --------------------------------------------------------------------------- every real file


@pytest.mark.parametrize("path", list(EXPECTED), ids=lambda p: p.name)
def test_every_real_reply_reconciles_with_known_counts(path):
    result = parsed(path)
    result.reconcile()
    assert (result.source_rows, len(result.staged), result.no_data,
            len(result.quarantine)) == EXPECTED[path]
    assert list(typed(result).columns) == SOURCE.staging.column_names[1:]


def test_2023_reply_old_variable_names_are_mapped():
    result = parsed(F2023)
    staged = typed(result)
    assert result.notes["renamed_variables"] == ["weathercode->weather_code",
                                                 "windspeed_10m_max->wind_speed_10m_max"]
    assert staged["weather_code"].tolist() == [3, 3, 2, 2, 2, 1, 2]
    assert str(staged["weather_code"].dtype) == "Int64"
    assert staged["wind_speed_max_kmh"].tolist() == [14.8, 17.6, 9.2, 7.3, 10.8, 9.3, 6.7]
    assert staged["temperature_max_c"].tolist() == [22.4, 19.9, 20.8, 23.6, 24.5, 25.9, 27.2]
    assert staged["temperature_min_c"].iloc[2] == 6.9
    assert [d.date().isoformat() for d in staged["local_date"]][::6] == ["2023-06-01",
                                                                       "2023-06-07"]
    # sunrise, sunset and the probability are not staged; precipitation was not requested
    assert result.notes["ignored_variables"] == ["precipitation_probability_max", "sunrise",
                                                 "sunset"]
    assert result.notes["variables_not_in_reply"] == ["precipitation_mm"]
    assert staged["precipitation_mm"].isna().all()
    assert result.notes["timezone_abbreviations"] == ["CEST"]
    assert staged["elevation_m"].unique().tolist() == [40.0]


def test_2025_reply_current_names_zero_precipitation_is_zero_not_null():
    staged = parsed(F2025).staged
    assert parsed(F2025).notes["renamed_variables"] == []
    assert staged["precipitation_mm"].tolist() == [0.0, 0.0, 0.0, 1.6]
    assert staged["weather_code"].tolist() == [3, 3, 3, 3]
    assert staged["wind_speed_max_kmh"].tolist() == [20.5, 11.7, 14.5, 12.5]
    assert parsed(F2025).notes["timezone_abbreviations"] == ["GMT+2"]
    assert staged["elevation_m"].unique().tolist() == [38.0]


@pytest.mark.parametrize("path", [F2023, F2025], ids=lambda p: p.name)
def test_grid_snapped_coordinates_are_berlin(path):
    staged = parsed(path).staged
    # requested 52.52/13.41, the API answered for its grid cell 52.52/13.419998
    assert staged[["latitude", "longitude"]].drop_duplicates().values.tolist() == [
        [52.52, 13.419998]]
    assert set(staged["city"]) == {"berlin"} and set(staged["timezone"]) == {"Europe/Berlin"}
    assert set(staged["api"]) == {"forecast"}
    assert staged["source_row"].tolist() == list(range(1, len(staged) + 1))


def test_multilocation_fixture_is_neither_city_and_is_quarantined():
    # the only real multi-location reply asks for two points in the Swiss Jura
    result = parsed(MULTI)
    q = result.quarantine
    assert q["source_row"].tolist() == [1, 2]
    assert set(q["column_name"]) == {"latitude"} and set(q["kind"]) == {INCONSISTENT}
    assert "(47.16, 7.02) are not within 0.25° of Jakarta or Berlin" in q["reason"].iloc[0]
    second = json.loads(q["raw_record"].iloc[1])
    assert second["location_id"] == 1 and second["temperature_2m_max"] == 3.5


def test_multilocation_shape_with_our_cities_is_staged():
    # derived from the real multi-location reply: its two envelopes moved to Jakarta and Berlin
    reply = doc(MULTI)
    reply[0].update(latitude=-6.25, longitude=106.875, timezone="Asia/Jakarta",
                    timezone_abbreviation="GMT+7")
    reply[1].update(latitude=52.52, longitude=13.419998)
    result = parse_open_meteo(encode(reply), "forecast")
    assert result.staged[["city", "timezone", "temperature_max_c", "elevation_m"]] \
        .values.tolist() == [["jakarta", "Asia/Jakarta", 5.3, 825.0],
                             ["berlin", "Europe/Berlin", 3.5, 1037.0]]
    assert result.staged["weather_code"].isna().all()


# --------------------------------------------------------------------------- forecast / archive


@pytest.mark.parametrize("name, api", [("forecast", "forecast"), ("archive", "archive"),
                                       (F2025.name, "forecast"),
                                       ("openmeteo_archive_jakarta.json", "archive")])
def test_api_is_read_from_the_file_name(name, api):
    assert api_of(name) == api


@pytest.mark.parametrize("name", ["weather.json", "forecast_vs_archive.json"])
def test_file_name_that_does_not_say_the_api_is_a_parse_error(name):
    with pytest.raises(ParseError, match=f"{name}.*'forecast' or 'archive'"):
        parse_open_meteo(F2025.read_bytes(), name)


# --------------------------------------------------------------------------- faults from real files


def test_bom_copy_gives_same_result():
    # derived from the real 2025 reply: UTF-8 BOM prepended
    same_result(parsed(F2025), parse_open_meteo(b"\xef\xbb\xbf" + F2025.read_bytes(), F2025.name))


@pytest.mark.parametrize("path", [F2023, F2025], ids=lambda p: p.name)
def test_reordered_and_reindented_copy_gives_same_result(path):
    # derived from the real reply: every object's keys in reverse order, pretty-printed
    def reverse(obj):
        if isinstance(obj, dict):
            return {k: reverse(obj[k]) for k in reversed(list(obj))}
        return obj

    text = json.dumps(reverse(doc(path)), ensure_ascii=False, indent=2)
    assert text.index('"daily"') < text.index('"latitude"')
    same_result(parsed(path), parse_open_meteo(text.encode("utf-8"), path.name))


def test_garbled_date_quarantines_that_day_naming_time():
    # derived from the real 2025 reply: the third date garbled
    reply = doc(F2025)
    reply["daily"]["time"][2] = "2025-04-1x"
    result = parse_open_meteo(encode(reply), F2025.name)
    q = result.quarantine.iloc[0]
    assert (len(result.quarantine), q["source_row"], q["column_name"], q["kind"]) == \
        (1, 3, "time", UNREADABLE)
    assert "'2025-04-1x'" in q["reason"]
    expected = parsed(F2025).staged
    expected = expected[expected["source_row"] != 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.staged, expected)


def test_nulls_stay_null_and_an_all_null_day_is_no_data():
    # derived from the real 2025 reply: one null value on day 2, every value null on day 4
    reply = doc(F2025)
    reply["daily"]["temperature_2m_max"][1] = None
    for name, values in reply["daily"].items():
        if name != "time":
            values[3] = None
    result = parse_open_meteo(encode(reply), F2025.name)
    assert (result.source_rows, len(result.staged), result.no_data) == (4, 3, 1)
    day2 = result.staged.set_index("source_row").loc[2]
    assert pd.isna(day2["temperature_max_c"]) and day2["temperature_min_c"] == 12.8


def test_unknown_unit_quarantines_the_rows_naming_the_variable():
    # derived from the real 2025 reply: temperatures declared in °F
    reply = doc(F2025)
    reply["daily_units"]["temperature_2m_max"] = "°F"
    result = parse_open_meteo(encode(reply), F2025.name)
    assert len(result.staged) == 0 and len(result.quarantine) == 4
    assert set(result.quarantine["column_name"]) == {"temperature_2m_max"}
    assert "unit '°F' of temperature_2m_max is not °C" in result.quarantine["reason"].iloc[0]


def test_non_numeric_value_and_fractional_weather_code_are_quarantined():
    # derived from the real 2023 reply
    reply = doc(F2023)
    reply["daily"]["weathercode"][0] = 3.5
    reply["daily"]["windspeed_10m_max"][4] = "14,8"
    result = parse_open_meteo(encode(reply), F2023.name)
    q = result.quarantine.set_index("source_row")
    assert q.loc[1, "column_name"] == "weathercode" and "integer WMO code" in q.loc[1, "reason"]
    assert q.loc[5, "column_name"] == "windspeed_10m_max"
    assert len(result.staged) == 5


def test_timezone_other_than_the_city_zone_is_inconsistent():
    # derived from the real 2025 reply: asked with timezone=GMT, so dates are UTC days
    reply = doc(F2025)
    reply["timezone"] = "GMT"
    result = parse_open_meteo(encode(reply), F2025.name)
    assert set(result.quarantine["column_name"]) == {"timezone"}
    assert set(result.quarantine["kind"]) == {INCONSISTENT} and len(result.staged) == 0


@pytest.mark.parametrize("lat, lon, city", [(52.5, 13.5, "berlin"), (52.75, 13.41, "berlin"),
                                            (-6.25, 106.75, "jakarta"), (52.9, 13.41, None)])
def test_city_tolerance(lat, lon, city):
    # derived from the real 2025 reply: other grid cells (ERA5 is a 0.25° grid)
    reply = doc(F2025)
    reply.update(latitude=lat, longitude=lon)
    if city == "jakarta":
        reply["timezone"] = "Asia/Jakarta"
    result = parse_open_meteo(encode(reply), "archive")
    assert set(typed(result)["city"]) == ({city} if city else set())
    assert len(result.quarantine) == (0 if city else 4)


def test_the_same_location_twice_is_reported_as_duplicate_or_conflict():
    # derived from the real 2025 reply: the envelope repeated in a multi-location array
    reply = doc(F2025)
    exact = parse_open_meteo(encode([reply, reply]), F2025.name)
    assert (len(exact.staged), len(exact.quarantine)) == (4, 4)
    assert set(exact.quarantine["kind"]) == {DUPLICATE}
    assert exact.quarantine["source_row"].tolist() == [5, 6, 7, 8]
    other = copy.deepcopy(reply)
    other["daily"]["temperature_2m_max"][0] = 30.0
    conflict = parse_open_meteo(encode([reply, other]), F2025.name)
    # day 1 differs: both copies set aside; days 2-4 are exact repeats
    assert len(conflict.staged) == 3
    kinds = conflict.quarantine.set_index("source_row")["kind"]
    assert kinds.to_dict() == {1: INCONSISTENT, 5: INCONSISTENT, 6: DUPLICATE, 7: DUPLICATE,
                               8: DUPLICATE}


@pytest.mark.parametrize("mutate, message", [
    pytest.param(lambda r: r["daily"]["temperature_2m_max"].pop(), "has 3 values, daily.time "
                 "has 4", id="misaligned-array"),
    pytest.param(lambda r: r["daily"].update(weathercode=[3, 3, 3, 3]), "location 1: columns "
                 "'weather_code' and 'weathercode' both mean 'weather_code'",
                 id="old-and-new-name"),
    pytest.param(lambda r: r.pop("daily"), "no 'daily' block", id="no-daily"),
])
def test_structural_faults_raise_parse_error_naming_the_file(mutate, message):
    # derived from the real 2025 reply
    reply = doc(F2025)
    mutate(reply)
    with pytest.raises(ParseError) as err:
        parse_open_meteo(encode(reply), F2025.name)
    assert F2025.name in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("payload", [
    pytest.param(lambda d: d[:500], id="truncated"),
    pytest.param(lambda d: bytes(range(0x80, 0x100)) * 4, id="garbage"),
    pytest.param(lambda d: b'{"error":true,"reason":"Cannot initialize WeatherVariable from '
                 b'invalid String value tempeture_2m for key daily"}', id="error-reply"),
    pytest.param(lambda d: b"[]", id="empty-array"),
    pytest.param(lambda d: b"", id="empty-body"),
])
def test_unreadable_payload_raises_parse_error_naming_file(payload):
    # derived from the real 2025 reply (the error body follows the shape in
    # docs/sources/global-weather.md §3)
    with pytest.raises(ParseError) as err:
        parse_open_meteo(payload(F2025.read_bytes()), F2025.name)
    assert F2025.name in str(err.value)


def test_error_reply_message_carries_the_reason():
    body = b'{"error": true, "reason": "Parameter \'start_date\' is out of allowed range"}'
    with pytest.raises(ParseError, match="start_date.*out of allowed range"):
        parse_open_meteo(body, "archive")
