"""Charts in the marts' materialisation metadata (PNG, inline, like the monthly mart's).

* ``comparison_png``: a small multiple of the main indicators over the years, Jakarta against
  Berlin (one panel per indicator; a NULL year is a gap, never a zero);
* ``ranking_png``: per city, its districts ranked by the first indicator of
  :data:`RANKING_PREFERENCE` that has district values, in its latest year with values.
"""

from __future__ import annotations

import io

import dagster as dg
import pandas as pd

from smartchange_assets.air_quality.chart import CITY_COLOURS, as_markdown_image
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.marts.catalogue import BY_CODE, INDICATORS
from smartchange_assets.marts.tables import CITY_TABLE, DISTRICT_TABLE
from smartchange_assets.publish import config

MAIN = tuple(i.code for i in INDICATORS if i.main)
RANKING_PREFERENCE = ("pm25_mean", "pm10_mean", "flood_affected_per_100k", "flood_events",
                      "residents")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: no display in the code server or CI
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    _pyplot().close(fig)
    return buffer.getvalue()


def comparison_png(yearly: pd.DataFrame) -> bytes:
    """``yearly``: city, indicator, year, value (NULL values are gaps)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    columns = 3
    rows = -(-len(MAIN) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(12, 3.3 * rows), dpi=90, squeeze=False,
                             sharex=True)
    years = sorted(yearly["year"].dropna().astype(int).unique()) or [0]
    for ax, code in zip(axes.flat, MAIN):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for city, colour in CITY_COLOURS.items():
            rows_ = yearly[(yearly["city"] == city) & (yearly["indicator"] == code)]
            series = (rows_.set_index(rows_["year"].astype(int))["value"].astype(float)
                      .reindex(range(years[0], years[-1] + 1)))
            ax.plot(series.index, series.to_numpy(), marker="o", markersize=4, linewidth=1.2,
                    color=colour, label=city.capitalize())
        ax.set_title(f"{BY_CODE[code].label} ({BY_CODE[code].unit})", fontsize=9, loc="left")
        ax.set_ylim(bottom=0)  # from zero, so the cities' magnitudes compare honestly
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(MAIN):]:
        ax.axis("off")
    fig.text(0.01, 0.005, "Gaps: no value (coverage below the threshold or no data). Jakarta "
             "concentrations derived from ISPU sub-indices; Berlin measured (BLUME).",
             fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return _png(fig)


def pick_rankings(scorecard: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per city: the districts of the preferred indicator's latest year with values."""
    picked = {}
    for city in CITY_COLOURS:
        rows = scorecard[(scorecard["city"] == city) & scorecard["value"].notna()]
        for code in RANKING_PREFERENCE:
            of_code = rows[rows["indicator"] == code]
            if of_code.empty:
                continue
            latest = of_code[of_code["year"] == of_code["year"].max()]
            picked[city] = latest.sort_values("value", ascending=False)
            break
    return picked


def ranking_png(picked: dict[str, pd.DataFrame], districts: dict[str, int]) -> bytes:
    """``districts``: how many districts each city has (the title says how many are ranked)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(CITY_COLOURS), figsize=(12, 4), dpi=90, squeeze=False)
    for ax, (city, colour) in zip(axes.flat, CITY_COLOURS.items()):
        rows = picked.get(city)
        if rows is None or rows.empty:
            ax.axis("off")
            ax.text(0.5, 0.5, f"{city.capitalize()}: no district-level values yet",
                    ha="center", va="center", fontsize=10, color="grey")
            continue
        code, year = rows["indicator"].iloc[0], int(rows["year"].iloc[0])
        ordered = rows.iloc[::-1]
        ax.barh(ordered["district_name"], ordered["value"].astype(float), color=colour)
        ax.set_title(f"{city.capitalize()}: {BY_CODE[code].label}, {year} "
                     f"({BY_CODE[code].unit}); {len(rows)} of {districts.get(city, '?')} "
                     "districts have a value", fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def comparison_metadata(wh) -> dict:
    yearly = wh.read_frame(
        f"SELECT city, indicator, year, value FROM {CITY_TABLE.qualified} "
        f"WHERE period_type = 'year' AND category = 'all' ORDER BY city, indicator, year")
    return {"chart": dg.MetadataValue.md(as_markdown_image(
        comparison_png(yearly), "Main indicators over the years, Jakarta against Berlin")),
            # the full comparison, every indicator and district maps: publish/report.py,
            # written by publish/comparison_report from the open copy of this table
            "report": dg.MetadataValue.path(str(config.report_path())),
            "report_url": dg.MetadataValue.url(config.base_url() + config.REPORT_FILE)}


def ranking_metadata(wh) -> dict:
    scorecard = wh.read_frame(
        f"SELECT city, district_name, indicator, year, value FROM {DISTRICT_TABLE.qualified} "
        f"WHERE period_type = 'year' AND category = 'all'")
    picked = pick_rankings(scorecard)
    counts = wh.read_frame(f"SELECT city, count(*) AS n FROM {DIM_AREA.qualified} "
                           "WHERE level = 'district' GROUP BY city")
    districts = dict(zip(counts["city"], counts["n"].astype(int)))
    shown = {city: f"{rows['indicator'].iloc[0]} {int(rows['year'].iloc[0])}"
             for city, rows in picked.items()}
    return {"chart": dg.MetadataValue.md(as_markdown_image(
                ranking_png(picked, districts), "District ranking per city")),
            "ranked_by": dg.MetadataValue.json(shown)}
