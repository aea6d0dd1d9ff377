"""The comparison report's renderer (publish/report.py, report_maps.py) on small frames made
up here: a chart per indicator, NULL years as gaps (never zeros), estimates drawn hollow,
everything escaped, a district map per city for the main indicators with grey for no value,
nothing external."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from smartchange_assets.marts.catalogue import INDICATORS, THEMES
from smartchange_assets.marts.theme import Indicator, Theme
from smartchange_assets.publish import report, report_common, report_maps
from smartchange_assets.tiers.scan import scan_values

from .report_page import Page

HOSTILE = '<script>alert("x")</script> & "quoted"'


def indicator(code: str, main: bool = False, cities=("jakarta", "berlin"), **kw) -> Indicator:
    fields = dict(label=f"Label of {code}", unit="µg/m³", standard="WHO 2021",
                  definition="annual mean", coverage_basis="days", threshold=0.75,
                  cities=cities, comparability="comparable_with_caveats",
                  comparability_note="standing caveat")
    return Indicator(code, **(fields | kw), main=main)


def theme(*indicators: Indicator, name: str = "air") -> Theme:
    return Theme(name, tuple(indicators), measures=lambda scope: None, fact_deps=())


def rows(code: str, jakarta: dict, berlin: dict, flags: dict | None = None,
         reasons: dict | None = None) -> list[dict]:
    flags, reasons = flags or {}, reasons or {}
    out = []
    for year in sorted(set(jakarta) | set(berlin)):
        j, b = jakarta.get(year), berlin.get(year)
        out.append({"indicator": code, "category": "all", "year": year,
                    "jakarta_value": j, "jakarta_coverage": 1.0 if j is not None else 0.2,
                    "jakarta_null_reason": reasons.get(year) if j is None else None,
                    "jakarta_flags": flags.get(year, ""),
                    "berlin_value": b, "berlin_coverage": 1.0 if b is not None else 0.0,
                    "berlin_null_reason": "no data" if b is None else None,
                    "berlin_flags": "", "comparability_note": "standing caveat"})
    return out


def square(x: float, y: float, size: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[
        [x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]})


def shapes() -> pd.DataFrame:
    jakarta = [{"area_key": f"jakarta:k:{n}", "city": "jakarta", "name": f"Kota {n}",
                "geometry": square(106.70 + 0.06 * n, -6.30, 0.06)} for n in range(5)]
    # an island regency far to the north, as Kepulauan Seribu: drawn in an inset
    jakarta.append({"area_key": "jakarta:k:islands", "city": "jakarta",
                    "name": "Islands", "geometry": square(106.55, -5.60, 0.04)})
    berlin = [{"area_key": f"berlin:b:{n}", "city": "berlin", "name": f"Bezirk {n}",
               "geometry": square(13.20 + 0.06 * (n % 4), 52.45 + 0.05 * (n // 4), 0.06)}
              for n in range(12)]
    berlin[0]["name"] = HOSTILE
    return pd.DataFrame(jakarta + berlin)


def districts(code: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"city": "jakarta", "district_key": f"jakarta:k:{n}", "indicator": code,
          "category": "all", "year": 2024, "value": 30.0 + n, "flags": ""} for n in range(3)]
        + [{"city": "berlin", "district_key": "berlin:b:1", "indicator": code,
            "category": "all", "year": y, "value": 10.0 + y - 2020, "flags": ""}
           for y in (2022, 2023)])


EMPTY_DISTRICTS = pd.DataFrame(columns=["city", "district_key", "indicator", "category", "year",
                                        "value", "flags"])


def test_every_catalogue_indicator_gets_exactly_one_chart_and_a_summary_row():
    frame = pd.DataFrame([r for i in INDICATORS
                          for r in rows(i.code, {2020: 1.0, 2021: 2.0}, {2021: 3.0})])
    page = Page(report.render_report(THEMES, frame, EMPTY_DISTRICTS, shapes()))
    charts = [a["data-indicator"] for a in page.find("svg", "indicator-chart")]
    assert sorted(charts) == sorted(i.code for i in INDICATORS)
    summary = {a["data-indicator"]: a["data-both"] for a in page.find("tr")
               if "data-both" in a}
    assert summary == {i.code: "1" for i in INDICATORS}
    # grouped by theme, in catalogue order
    themes = [a["data-theme"] for a in page.find("section", "theme")]
    assert themes == [t.name for t in THEMES]
    main = [i.code for i in INDICATORS if i.main]
    maps = page.find("svg", "district-map")
    assert sorted((a["data-indicator"], a["data-city"]) for a in maps) == sorted(
        (code, city) for code in main for city in ("jakarta", "berlin"))


def test_a_null_year_is_a_gap_in_the_line_never_a_zero():
    code = "pm25_mean"
    frame = pd.DataFrame(rows(code, {2015: 40.0, 2016: 42.0, 2017: None, 2018: 38.0,
                                     2019: 36.0}, {2015: 12.0, 2016: None, 2017: 11.0,
                                                   2018: None, 2019: 10.0},
                              reasons={2017: "coverage 20 % of days below 75 %"}))
    page = Page(report.render_report([theme(indicator(code))], frame, EMPTY_DISTRICTS,
                                     shapes()))
    lines = page.within("polyline", "indicator-chart", data_indicator=code)
    points = page.within("circle", "indicator-chart", data_indicator=code)
    jakarta = [p for p in lines if p["data-city"] == "jakarta"]
    assert len(jakarta) == 2                                    # 2015–16 and 2018–19
    assert sorted(int(p["data-year"]) for p in points if p["data-city"] == "jakarta") == [
        2015, 2016, 2018, 2019]
    # Berlin has no two consecutive years: points, no line, and nothing for its NULL years
    assert [p for p in lines if p["data-city"] == "berlin"] == []
    assert sorted(int(p["data-year"]) for p in points if p["data-city"] == "berlin") == [
        2015, 2017, 2019]
    # no point sits on the zero line
    zero_y = max(int(p["cy"]) for p in points) + 1
    assert all(int(p["cy"]) < zero_y for p in points)
    assert "coverage 20 % of days below 75 %" in " ".join(page.text)


def test_estimated_values_are_hollow_and_starred():
    code = "pm25_mean"
    frame = pd.DataFrame(rows(code, {2020: 40.0, 2021: 41.0}, {2020: 10.0, 2021: 11.0},
                              flags={2021: "derived_from_ispu;conversion_unverified"}))
    html = report.render_report([theme(indicator(code))], frame, EMPTY_DISTRICTS, shapes())
    page = Page(html)
    estimates = page.find("circle", "estimate")
    assert [(p["data-city"], p["data-year"], p["fill"]) for p in estimates] == [
        ("jakarta", "2021", "#fff")]
    assert "41.0 *" in " ".join(page.text)
    assert "derived_from_ispu, conversion_unverified" in " ".join(page.text)


def test_every_text_is_escaped():
    code = "pm25_mean"
    bad = indicator(code, main=True, label=HOSTILE, unit="<i>", definition=HOSTILE,
                    comparability_note=HOSTILE)
    frame = pd.DataFrame(rows(code, {2020: None, 2021: 1.0}, {2021: 2.0},
                              reasons={2020: HOSTILE}))
    html = report.render_report([theme(bad, name="a<b")], frame, districts(code), shapes(),
                                generated=HOSTILE, links=[(HOSTILE, 'x"><script>.csv')])
    assert "<script" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    page = Page(html)
    assert not page.find("script") and not page.find("i")
    assert HOSTILE in page.text  # read back as the text it was


def test_a_district_map_per_city_with_grey_for_no_value_and_an_inset():
    code = "pm25_mean"
    frame = pd.DataFrame(rows(code, {2024: 30.0}, {2023: 11.0}))
    page = Page(report.render_report([theme(indicator(code, main=True))], frame,
                                     districts(code), shapes()))
    maps = {a["data-city"]: a for a in page.find("svg", "district-map")}
    assert set(maps) == {"jakarta", "berlin"}
    assert (maps["jakarta"]["data-year"], maps["berlin"]["data-year"]) == ("2024", "2023")
    jakarta = page.within("path", "district-map", data_city="jakarta")
    berlin = page.within("path", "district-map", data_city="berlin")
    assert len(jakarta) == 6 and len(berlin) == 12
    assert sorted(p["data-area"] for p in jakarta if p["data-has-value"] == "true") == [
        "jakarta:k:0", "jakarta:k:1", "jakarta:k:2"]
    assert {p["fill"] for p in jakarta if p["data-has-value"] == "false"} == {report_maps.NO_VALUE}
    assert [p["data-area"] for p in berlin if p["data-has-value"] == "true"] == ["berlin:b:1"]
    # one colour scale for both cities: Berlin's 11 is the lowest bin, Jakarta's 32 the top
    fills = {p["data-area"]: p["fill"] for p in jakarta + berlin}
    assert fills["berlin:b:1"] == report_maps.MAP_COLOURS[0]
    assert fills["jakarta:k:2"] == report_maps.MAP_COLOURS[-1]
    legend = page.within("rect", "district-map", data_city="jakarta")
    assert report_maps.NO_VALUE in {r["fill"] for r in legend}
    assert "inset, not to scale" in " ".join(page.text)
    # the inset keeps the mainland large (the five kota span most of the map's width) and
    # the mainland keeps clear of the inset
    xs = [int(n) for p in jakarta if p["data-area"] != "jakarta:k:islands"
          for n in re.findall(r"[ML](\d+),", p["d"])]
    assert max(xs) - min(xs) > report_maps.MAP_W * 0.7
    assert min(xs) > report_maps.INSET_W + 10


def test_an_indicator_without_any_value_still_has_its_chart_saying_so():
    code = "flood_events"
    frame = pd.DataFrame(rows(code, {2020: None}, {}, reasons={2020: "7 of 12 months"}))
    page = Page(report.render_report([theme(indicator(code, cities=("jakarta",)))], frame,
                                     EMPTY_DISTRICTS, shapes()))
    assert len(page.find("svg", "indicator-chart", data_indicator=code)) == 1
    assert not page.within("circle", "indicator-chart")
    assert "no value for any year (see the reasons below)" in page.text


def test_the_page_is_self_contained_and_passes_the_personal_data_scan():
    frame = pd.DataFrame([r for i in INDICATORS
                          for r in rows(i.code, {2019: 1234567.0, 2020: 0.0123},
                                        {2020: 98765.4})])
    html = report.render_report(THEMES, frame, districts("pm25_mean"), shapes(),
                                links=[("CSV", "city_comparison/city_comparison.csv")])
    page = Page(html)
    assert not page.find("script") and not page.find("link") and not page.find("img")
    assert not page.find("iframe") and "@import" not in html and "url(" not in html
    external = [a for _, a in page.elements for k, v in a.items()
                if k in ("src", "href") and re.match(r"[a-z]+:", v or "")]
    assert external == []
    assert scan_values("comparison_report.html", html.splitlines()) == []


@pytest.mark.parametrize(("value", "text"), [(None, "—"), (float("nan"), "—"), (0, "0"),
                                             (1234567.8, "1,234,568"), (12.345, "12.3"),
                                             (0.01234, "0.0123")])
def test_numbers_for_people(value, text):
    assert report_common.fmt(value) == text
