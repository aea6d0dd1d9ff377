"""The comparison report: one static, self-contained HTML page comparing Jakarta and Berlin.

Pure functions, no Dagster, no database: frames in, an HTML string out
(:func:`render_report`). The page needs nothing from outside (no script, stylesheet or font):
the charts are inline SVG written here.

* a summary table: per indicator, the years with a value for both cities, for one only, and
  its comparability;
* per theme, per indicator of the catalogue (``marts/themes/``): unit, definition, standard,
  coverage rule and comparability note; a line chart of both cities over the years
  (``svg.indicator-chart[data-indicator=<code>]``; a NULL year is a gap, never a zero; a value
  carrying an estimate/derivation flag is drawn hollow); the value and coverage per city and
  year with the reason of every NULL;
* for the main indicators a district choropleth per city (``svg.district-map``, Jakarta's kota,
  Berlin's Bezirke) from the area shapes (GeoJSON, EPSG:4326), simplified with shapely and
  drawn in a plain equirectangular projection; a district without a value is grey. A district
  lying far from the rest (Kepulauan Seribu) is drawn in an inset, not to scale
  (``report_maps.py``; escaping and numbers in ``report_common.py``).

Every text is HTML-escaped. Coordinates are written as integers (the published-file scan reads
the page as text; ``platform/pii.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from smartchange_assets.marts.theme import Indicator, Theme
from smartchange_assets.publish.report_common import (
    CITIES,
    esc,
    flag_list,
    fmt,
    is_estimate,
    present,
)
from smartchange_assets.publish.report_maps import maps

CHART_W, CHART_H = 720, 260

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1100px;padding:1em 2em;color:#222;line-height:1.4}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.indicator{border-top:1px solid #eee;padding-top:.5em;margin-top:1.5em}
.note{font-size:.9em;color:#444}.muted{color:#777}
.comparability{display:inline-block;padding:1px 6px;border-radius:3px;font-size:.8em;
background:#eee}
.c-comparable{background:#d8f0d8}.c-comparable_with_caveats{background:#fff2c6}
.c-not_comparable{background:#f6d5d5}.c-one_city_only{background:#e3e3f3}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:.85em}
dt{font-weight:600}dd{margin:0}
.maps{display:flex;flex-wrap:wrap;gap:12px}.maps figure{margin:0}
figcaption{font-size:.8em;color:#555}svg text{font-family:inherit}
"""


def _nice_max(top: float) -> tuple[float, float]:
    """(axis maximum, tick step) for values up to ``top`` (> 0)."""
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(top / step), step


# ---------------------------------------------------------------------------------------------
# the line chart of one indicator


def _side(rows: pd.DataFrame, city: str) -> dict[int, tuple]:
    """year -> (value or None, coverage, null_reason, flags) of one city."""
    out = {}
    for r in rows.itertuples(index=False):
        value = getattr(r, f"{city}_value")
        out[int(r.year)] = (float(value) if present(value) else None,
                            getattr(r, f"{city}_coverage"), getattr(r, f"{city}_null_reason"),
                            flag_list(getattr(r, f"{city}_flags")))
    return out


def line_chart(indicator: Indicator, rows: pd.DataFrame) -> str:
    """SVG: both cities' yearly values of ``indicator`` (``rows``: its city_comparison rows,
    category 'all'); a NULL year breaks the line."""
    code = esc(indicator.code)
    years = sorted(int(y) for y in rows["year"]) if not rows.empty else []
    sides = {city: _side(rows, city) for city in CITIES if city in indicator.cities}
    values = [v[0] for side in sides.values() for v in side.values() if v[0] is not None]
    head = (f'<svg class="indicator-chart" data-indicator="{code}" xmlns="http://www.w3.org/'
            f'2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" width="{CHART_W}" '
            f'height="{CHART_H}" role="img" aria-label="{esc(indicator.label)}: '
            f'{esc(" and ".join(CITIES[c][0] for c in sides))} over the years">')
    if not values:
        return (head + f'<rect x="0" y="0" width="{CHART_W}" height="{CHART_H}" fill="#fafafa"'
                f'/><text x="{CHART_W // 2}" y="{CHART_H // 2}" text-anchor="middle" '
                'fill="#777" font-size="14">no value for any year (see the reasons below)'
                '</text></svg>')
    left, right, top, bottom = 70, 20, 28, 34
    y_max, step = _nice_max(max(values)) if max(values) > 0 else (1.0, 0.25)
    first, last = years[0], years[-1]
    span = max(last - first, 1)

    def x(year: int) -> int:
        return round(left + (year - first) / span * (CHART_W - left - right))

    def y(value: float) -> int:
        return round(CHART_H - bottom - value / y_max * (CHART_H - top - bottom))

    parts = [head]
    ticks = round(y_max / step)
    for i in range(ticks + 1):
        v = step * i
        parts.append(f'<line x1="{left}" x2="{CHART_W - right}" y1="{y(v)}" y2="{y(v)}" '
                     f'stroke="#e5e5e5"/><text x="{left - 6}" y="{y(v) + 4}" '
                     f'text-anchor="end" font-size="11" fill="#555">{esc(fmt(v))}</text>')
    label_every = max(1, math.ceil((last - first + 1) / 14))
    for year in range(first, last + 1):
        if (year - first) % label_every == 0:
            parts.append(f'<text x="{x(year)}" y="{CHART_H - bottom + 16}" text-anchor="middle"'
                         f' font-size="11" fill="#555">{year}</text>')
    parts.append(f'<line x1="{left}" x2="{CHART_W - right}" y1="{y(0)}" y2="{y(0)}" '
                 'stroke="#999"/>')
    for n, (city, side) in enumerate(sides.items()):
        name, colour = CITIES[city]
        runs, run = [], []
        for year in range(first, last + 1):
            value = side.get(year, (None,))[0]
            if value is None:  # a gap: the line stops, nothing is drawn at zero
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((year, value))
        if run:
            runs.append(run)
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x(a)},{y(b)}" for a, b in run)
                parts.append(f'<polyline class="series" data-city="{city}" fill="none" '
                             f'stroke="{colour}" stroke-width="2" points="{points}"/>')
        for year, (value, coverage, _, flags) in sorted(side.items()):
            if value is None:
                continue
            estimate = is_estimate(flags)
            tip = (f"{name} {year}: {fmt(value)} {indicator.unit}; coverage "
                   f"{fmt(coverage)}" + (f"; flags: {', '.join(flags)}" if flags else ""))
            parts.append(
                f'<circle class="point{" estimate" if estimate else ""}" data-city="{city}" '
                f'data-year="{year}" cx="{x(year)}" cy="{y(value)}" r="4" stroke="{colour}" '
                f'stroke-width="2" fill="{"#fff" if estimate else colour}">'
                f'<title>{esc(tip)}</title></circle>')
        lx = left + 10 + n * 110
        parts.append(f'<rect x="{lx}" y="6" width="14" height="4" fill="{colour}"/>'
                     f'<text x="{lx + 18}" y="12" font-size="12">{esc(name)}</text>')
    parts.append(f'<text x="{CHART_W - right}" y="12" text-anchor="end" font-size="11" '
                 f'fill="#555">{esc(indicator.unit)}; hollow: estimated or derived</text>')
    parts.append("</svg>")
    return "".join(parts)


def coverage_table(indicator: Indicator, rows: pd.DataFrame) -> str:
    """The value, coverage and the reason of every NULL per city and year."""
    cities = [c for c in CITIES if c in indicator.cities]
    head = "".join(f"<th>{CITIES[c][0]} value</th><th>{CITIES[c][0]} coverage</th>"
                   for c in cities)
    body = []
    sides = {c: _side(rows, c) for c in cities}
    notes = dict(zip(rows["year"].astype(int), rows["comparability_note"]))
    for year in sorted(int(y) for y in rows["year"]):
        cells, reasons = [], []
        for c in cities:
            value, coverage, reason, flags = sides[c].get(year, (None, None, None, []))
            mark = " *" if value is not None and is_estimate(flags) else ""
            cells.append(f'<td class="n">{esc(fmt(value))}{mark}</td>'
                         f'<td class="n">{esc(fmt(coverage))}</td>')
            if value is None and reason:
                reasons.append(f"{CITIES[c][0]}: {reason}")
            if flags:
                reasons.append(f"{CITIES[c][0]} flags: {', '.join(flags)}")
        note = notes.get(year) or ""
        standing = indicator.comparability_note
        extra = note[len(standing):].lstrip(" —") if note.startswith(standing) else note
        if extra:
            reasons.append(extra)
        body.append(f"<tr><td>{year}</td>{''.join(cells)}<td>{esc('; '.join(reasons))}</td>"
                    "</tr>")
    return (f'<table class="coverage-table" data-indicator="{esc(indicator.code)}"><thead><tr>'
            f"<th>year</th>{head}<th>why empty, flags, comparability</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


# ---------------------------------------------------------------------------------------------
# the page


def summary(indicators: Sequence[Indicator], comparison: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: years with a value for both cities, Jakarta only, Berlin only."""
    rows = []
    for ind in indicators:
        of_code = comparison[comparison["indicator"] == ind.code]
        j, b = of_code["jakarta_value"].notna(), of_code["berlin_value"].notna()
        both = sorted(of_code.loc[j & b, "year"].astype(int))
        rows.append({"indicator": ind.code, "both": len(both),
                     "jakarta_only": int((j & ~b).sum()), "berlin_only": int((b & ~j).sum()),
                     "years_both": f"{both[0]}–{both[-1]}" if both else ""})
    return pd.DataFrame(rows)


def _summary_table(themes: Sequence[Theme], table: pd.DataFrame) -> str:
    by_code = table.set_index("indicator")
    body = []
    for theme in themes:
        for ind in theme.indicators:
            r = by_code.loc[ind.code]
            body.append(
                f'<tr data-indicator="{esc(ind.code)}" data-both="{int(r["both"])}">'
                f'<td><a href="#indicator-{esc(ind.code)}">{esc(ind.label)}</a></td>'
                f"<td>{esc(_theme_title(theme))}</td><td class=\"n\">{int(r['both'])}</td>"
                f"<td>{esc(r['years_both'])}</td><td class=\"n\">{int(r['jakarta_only'])}</td>"
                f"<td class=\"n\">{int(r['berlin_only'])}</td>"
                f'<td><span class="comparability c-{esc(ind.comparability)}">'
                f"{esc(ind.comparability.replace('_', ' '))}</span></td></tr>")
    return ('<table id="summary-table"><thead><tr><th>indicator</th><th>theme</th>'
            "<th>years, both cities</th><th>span</th><th>Jakarta only</th><th>Berlin only</th>"
            "<th>comparability</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def _theme_title(theme: Theme) -> str:
    return theme.name.replace("_", " ").capitalize()


def _indicator_section(ind: Indicator, rows: pd.DataFrame, shapes: pd.DataFrame,
                       districts: pd.DataFrame) -> str:
    cities = ", ".join(CITIES[c][0] for c in ind.cities if c in CITIES)
    parts = [
        f'<article class="indicator" id="indicator-{esc(ind.code)}" '
        f'data-indicator="{esc(ind.code)}"><h3>{esc(ind.label)} <span class="muted">'
        f"({esc(ind.unit)})</span></h3>",
        f'<p><span class="comparability c-{esc(ind.comparability)}">'
        f"{esc(ind.comparability.replace('_', ' '))}</span> "
        f'<span class="note">{esc(ind.comparability_note)}</span></p>',
        f"<dl><dt>code</dt><dd><code>{esc(ind.code)}</code></dd><dt>definition</dt>"
        f"<dd>{esc(ind.definition)}</dd><dt>standard</dt><dd>{esc(ind.standard)}</dd>"
        f"<dt>coverage rule</dt><dd>a value needs coverage ≥ {esc(fmt(ind.threshold))} "
        f"({esc(ind.coverage_basis)}); below it the value is empty with its reason</dd>"
        f"<dt>cities</dt><dd>{esc(cities)}</dd></dl>",
        line_chart(ind, rows),
        "<details><summary>Values and coverage per year, with the reason of every empty "
        f"value</summary>{coverage_table(ind, rows)}</details>",
    ]
    if ind.main:
        parts.append(maps(ind, shapes, districts))
    parts.append("</article>")
    return "".join(parts)


def render_report(themes: Sequence[Theme], comparison: pd.DataFrame,
                  districts: pd.DataFrame, shapes: pd.DataFrame, *, generated: str = "",
                  links: Sequence[tuple[str, str]] = ()) -> str:
    """The page.

    * ``comparison``: city_comparison rows (indicator, category, year, ``<city>_value``,
      ``<city>_coverage``, ``<city>_null_reason``, ``<city>_flags``, comparability_note); only
      category 'all' is drawn;
    * ``districts``: district_scorecard yearly rows (city, district_key, indicator, year,
      value, flags), category 'all';
    * ``shapes``: the districts' shapes (area_key, city, name, geometry as GeoJSON text);
    * ``links``: (text, relative href) of the published files, listed at the top.
    """
    comparison = comparison[comparison["category"] == "all"] if "category" in comparison \
        else comparison
    if "category" in districts:
        districts = districts[districts["category"] == "all"]
    indicators = [i for t in themes for i in t.indicators]
    table = summary(indicators, comparison)
    both = int((table["both"] > 0).sum())
    toc = "".join(f'<li><a href="#theme-{esc(t.name)}">{esc(_theme_title(t))}</a> '
                  f"({len(t.indicators)})</li>" for t in themes)
    sections = []
    for theme in themes:
        body = "".join(_indicator_section(
            ind, comparison[comparison["indicator"] == ind.code].sort_values("year"), shapes,
            districts) for ind in theme.indicators)
        sections.append(f'<section class="theme" id="theme-{esc(theme.name)}" '
                        f'data-theme="{esc(theme.name)}"><h2>{esc(_theme_title(theme))}</h2>'
                        f"{body}</section>")
    files = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in links)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Jakarta and Berlin compared: Smart Change city indicators</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<header><h1>Jakarta and Berlin compared</h1>"
        f'<p class="muted">Smart Change city indicators. {esc(generated)}</p>'
        "<p>Every indicator of the catalogue, both cities over the years. An empty value is "
        "a gap with its reason (coverage below the threshold, or no data), never a zero; a "
        "hollow point or a * marks a value that is estimated or derived (e.g. Jakarta "
        "concentrations from ISPU sub-indices). Read the comparability note before setting "
        "two values side by side.</p>"
        f"{f'<ul class=files>{files}</ul>' if files else ''}</header>"
        f'<section id="summary"><h2>Which indicators have values for both cities</h2>'
        f"<p>{both} of {len(indicators)} indicators have a value for both cities in at least "
        f"one year; {int(table['both'].sum())} indicator-years in all.</p>"
        f"{_summary_table(themes, table)}</section>"
        f'<nav><h2>Themes</h2><ul>{toc}</ul></nav>{"".join(sections)}'
        "</body></html>\n")
