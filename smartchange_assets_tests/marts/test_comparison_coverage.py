"""The issue's figures for "the comparison as a product", measured on the seed refresh: how many
rows of ``marts.city_comparison`` have a value for both cities, and that every indicator of the
catalogue has a value somewhere or says on each of its rows why not."""

from __future__ import annotations

from smartchange_assets.marts.catalogue import INDICATORS

BOTH_CITY_ROWS_AT_LEAST = 60


def test_at_least_60_comparison_rows_have_a_value_for_both_cities(wh):
    both = int(wh.scalar("SELECT count(*) FROM marts.city_comparison "
                         "WHERE jakarta_value IS NOT NULL AND berlin_value IS NOT NULL"))
    # recomputed from the city rows: the same pairs, found by joining the two cities' years
    pairs = int(wh.scalar(
        "SELECT count(*) FROM marts.city_indicators j JOIN marts.city_indicators b "
        "ON b.indicator = j.indicator AND b.category = j.category AND b.year = j.year "
        "AND b.period_type = 'year' WHERE j.period_type = 'year' AND j.city = 'jakarta' "
        "AND b.city = 'berlin' AND j.value IS NOT NULL AND b.value IS NOT NULL"))
    per_indicator = wh.read_frame(
        "SELECT indicator, count(*) AS n FROM marts.city_comparison WHERE jakarta_value IS NOT "
        "NULL AND berlin_value IS NOT NULL GROUP BY indicator ORDER BY indicator")
    print(f"both-city rows: {both}; per indicator: "
          f"{dict(zip(per_indicator['indicator'], per_indicator['n']))}")
    assert both == pairs
    assert both >= BOTH_CITY_ROWS_AT_LEAST, dict(zip(per_indicator["indicator"],
                                                     per_indicator["n"]))


def test_every_indicator_has_a_value_somewhere_or_every_row_states_why_not(wh):
    rows = wh.read_frame(
        "SELECT indicator, count(value) AS with_value, count(*) AS n, count(*) FILTER (WHERE "
        "value IS NULL AND coalesce(null_reason, '') = '') AS unexplained "
        "FROM marts.city_indicators GROUP BY indicator").set_index("indicator")
    assert set(rows.index) == {i.code for i in INDICATORS}
    # a NULL always carries its reason
    assert rows["unexplained"].sum() == 0, rows[rows["unexplained"] > 0]
    without = sorted(rows.index[rows["with_value"] == 0])
    reasons = wh.read_frame(
        "SELECT indicator, city, null_reason, count(*) AS n FROM marts.city_indicators "
        "WHERE indicator = ANY(:codes) GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC",
        codes=without) if without else None
    print(f"indicators without any value: {without}")
    if reasons is not None:
        print(reasons.to_string())
    for code in without:
        assert rows.loc[code, "n"] > 0  # rows exist, each with its reason (checked above)
