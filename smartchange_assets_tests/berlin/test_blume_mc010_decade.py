"""The BLUME parser on the 125 monthly API responses of station mc010 (Wedding), January 2014
to May 2024 (seed copies, provenance in docs/sources/berlin-blume-air-quality.md §1).

Every count is derived from the files with plain ``json`` (not the parser) and the totals are
also written out, so a changed seed file and a parser regression both show up: per file the
source rows, the publisher's no-data (``"value": null``) and the staged rows per pollutant.
"""

from __future__ import annotations

import calendar
import json
from collections import Counter
from functools import cache

import pandas as pd
import pytest

from smartchange_assets.berlin.blume_air_quality.parser import POLLUTANTS, parse_blume

from ..seed_files import SEED, seed_entries

SOURCE_ID = "berlin/blume_air_quality"
FILES = sorted(e.file for e in seed_entries(SOURCE_ID) if e.file.startswith("mc010_wedding_"))
MONTH_OF_FILE = [(int(f[19:23]), int(f[24:26])) for f in FILES]


@cache
def items(name: str) -> list[dict]:
    return json.loads((SEED / SOURCE_ID / name).read_bytes())


@cache
def parsed(name: str):
    return parse_blume((SEED / SOURCE_ID / name).read_bytes(), name)


def test_125_months_january_2014_to_may_2024():
    assert len(FILES) == 125
    assert MONTH_OF_FILE[0] == (2014, 1) and MONTH_OF_FILE[-1] == (2024, 5)
    calendar_months = [(y, m) for y in range(2014, 2025) for m in range(1, 13)]
    assert calendar_months[:125] == MONTH_OF_FILE


@pytest.mark.parametrize("name", FILES)
def test_each_month_reconciles_with_counts_from_the_file(name):
    raw, result = items(name), parsed(name)
    result.reconcile()
    nulls = sum(i["value"] is None for i in raw)
    assert (result.source_rows, result.no_data, len(result.quarantine)) == (len(raw), nulls, 0)
    assert len(result.staged) == len(raw) - nulls
    # per pollutant: the file's non-null items of that component, pm2 read as PM2.5
    expected = Counter(POLLUTANTS[i["core"]] for i in raw if i["value"] is not None)
    assert Counter(result.staged["pollutant"]) == expected
    # every hour inside the file's month (local time), station mc010, period 1h
    year, month = int(name[19:23]), int(name[24:26])
    days = result.staged["local_date"]
    assert days.min() >= pd.Timestamp(year, month, 1)
    assert days.max() <= pd.Timestamp(year, month, calendar.monthrange(year, month)[1])
    assert set(result.staged["station_code"]) == {"mc010"}
    assert set(result.staged["period"]) == {"1h"}


def test_totals_of_the_decade():
    totals = Counter()
    for name in FILES:
        result = parsed(name)
        totals.update(source=result.source_rows, staged=len(result.staged),
                      no_data=result.no_data, quarantined=len(result.quarantine))
        totals.update(Counter(result.staged["pollutant"]))
    assert (totals["source"], totals["staged"], totals["no_data"], totals["quarantined"]) == (
        574_490, 567_820, 6_670, 0)
    assert {p: totals[p] for p in ("pm10", "pm25", "no2", "no", "nox", "o3", "benzene",
                                   "toluene")} == {
        "pm10": 90_669, "pm25": 64_729, "no2": 90_676, "no": 90_673, "nox": 90_679,
        "o3": 90_779, "benzene": 24_395, "toluene": 25_220}


def test_components_change_over_the_years():
    seen: dict[int, set[str]] = {}
    for (year, _month), name in zip(MONTH_OF_FILE, FILES, strict=True):
        seen.setdefault(year, set()).update(i["component"] for i in items(name))
    assert seen[2014] == seen[2016] == {"pm10_1h", "no2_1h", "no_1h", "nox_1h", "o3_1h",
                                        "chb_1h", "cht_1h"}
    assert seen[2017] == seen[2016] | {"pm2_1h"}  # benzene and toluene end with January 2017
    assert all(seen[y] == {"pm10_1h", "pm2_1h", "no2_1h", "no_1h", "nox_1h", "o3_1h"}
               for y in range(2018, 2025))
    last = {i["component"] for i in items("mc010_wedding_data_2017_01.json")}
    assert {"chb_1h", "cht_1h"} <= last
    assert not {"chb_1h", "cht_1h"} & {i["component"] for i in
                                       items("mc010_wedding_data_2017_02.json")}


def test_benzene_and_toluene_are_staged_under_their_names_with_decimals():
    name = "mc010_wedding_data_2015_01.json"
    raw = [i for i in items(name) if i["core"] == "chb" and i["value"] is not None]
    staged = parsed(name).staged
    benzene = staged[staged["pollutant"] == "benzene"].set_index("period_start_utc")["value"]
    expected = pd.Series({pd.Timestamp(i["datetime"]).tz_convert("UTC"): float(i["value"])
                          for i in raw})
    assert len(benzene) == len(expected) and (benzene.sort_index() == expected.sort_index()).all()
    assert any(isinstance(i["value"], float) for i in raw)  # e.g. 0.5 µg/m³, kept as published


def test_the_march_2024_month_agrees_with_the_earlier_recording():
    """The same month was recorded once before (blume_api_mc010_2024-03_1h.json, to 30 March):
    on every hour both hold, the values are equal; the new copy adds 31 March."""
    old = parse_blume((SEED / SOURCE_ID / "blume_api_mc010_2024-03_1h.json").read_bytes(),
                      "old.json").staged
    new = parsed("mc010_wedding_data_2024_03.json").staged
    key = ["pollutant", "period_start_utc"]
    both = old.merge(new, on=key, suffixes=("_old", "_new"))
    assert len(both) == len(old) and (both["value_old"] == both["value_new"]).all()
    extra = new[~new.set_index(key).index.isin(old.set_index(key).index)]
    assert set(extra["local_date"]) == {pd.Timestamp("2024-03-31")}
