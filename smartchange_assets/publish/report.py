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
  lying far from the rest (Kepulauan Seribu) is drawn in an inset, not to scale.

Every text is HTML-escaped. Coordinates are written as integers (the published-file scan reads
the page as text; ``platform/pii.py``).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from smartchange_assets.marts.theme import Indicator, Theme

CITIES = {"jakarta": ("Jakarta", "#d95f02"), "berlin": ("Berlin", "#1b9e77")}
# flags that make a value an estimate, a derivation or otherwise less than a measurement
ESTIMATE_FLAGS = frozenset({
    "derived_from_ispu", "conversion_unverified", "includes_forecast", "city_max_included",
    "ispu_computed_from_concentration", "eaqi_gas_daily_mean_approx", "third_party_rekeyed",
    "third_party_transcription", "register_sample", "residents_year_differs",
    "value_provisional", "value_estimated", "value_limited_reliability"})
MAP_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NO_VALUE = "#d0d0d0"
CHART_W, CHART_H = 720, 260
MAP_W, MAP_H = 800, 640  # viewBox units (drawn at half size)

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


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) \
        and not pd.isna(value)


def flag_list(value) -> list[str]:
    """Flags as a list, whether a list/array or the open tier's ``;``-joined text."""
    if value is None or (not isinstance(value, str) and not hasattr(value, "__iter__")):
        return []
    if isinstance(value, str):
        return [f for f in value.split(";") if f]
    return [str(f) for f in value]


def is_estimate(flags) -> bool:
    return bool(ESTIMATE_FLAGS & set(flag_list(flags)))


def fmt(value) -> str:
    """A value for people: thousands separated, about three significant digits."""
    if not _present(value):
        return "—"
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


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
        out[int(r.year)] = (float(value) if _present(value) else None,
                            getattr(r, f"{city}_coverage"), getattr(r, f"{city}_null_reason"),
                            flag_list(getattr(r, f"{city}_flags")))
    return out


def line_chart(indicator: Indicator, rows: pd.DataFrame) -> str:
    """SVG: both cities' yearly values of ``indicator`` (``rows``: its city_comparison rows,
    category 'all'); a NULL year breaks the line."""
    code = _e(indicator.code)
    years = sorted(int(y) for y in rows["year"]) if not rows.empty else []
    sides = {city: _side(rows, city) for city in CITIES if city in indicator.cities}
    values = [v[0] for side in sides.values() for v in side.values() if v[0] is not None]
    head = (f'<svg class="indicator-chart" data-indicator="{code}" xmlns="http://www.w3.org/'
            f'2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" width="{CHART_W}" '
            f'height="{CHART_H}" role="img" aria-label="{_e(indicator.label)}: '
            f'{_e(" and ".join(CITIES[c][0] for c in sides))} over the years">')
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
                     f'text-anchor="end" font-size="11" fill="#555">{_e(fmt(v))}</text>')
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
                f'<title>{_e(tip)}</title></circle>')
        lx = left + 10 + n * 110
        parts.append(f'<rect x="{lx}" y="6" width="14" height="4" fill="{colour}"/>'
                     f'<text x="{lx + 18}" y="12" font-size="12">{_e(name)}</text>')
    parts.append(f'<text x="{CHART_W - right}" y="12" text-anchor="end" font-size="11" '
                 f'fill="#555">{_e(indicator.unit)}; hollow: estimated or derived</text>')
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
            cells.append(f'<td class="n">{_e(fmt(value))}{mark}</td>'
                         f'<td class="n">{_e(fmt(coverage))}</td>')
            if value is None and reason:
                reasons.append(f"{CITIES[c][0]}: {reason}")
            if flags:
                reasons.append(f"{CITIES[c][0]} flags: {', '.join(flags)}")
        note = notes.get(year) or ""
        standing = indicator.comparability_note
        extra = note[len(standing):].lstrip(" —") if note.startswith(standing) else note
        if extra:
            reasons.append(extra)
        body.append(f"<tr><td>{year}</td>{''.join(cells)}<td>{_e('; '.join(reasons))}</td>"
                    "</tr>")
    return (f'<table class="coverage-table" data-indicator="{_e(indicator.code)}"><thead><tr>'
            f"<th>year</th>{head}<th>why empty, flags, comparability</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


# ---------------------------------------------------------------------------------------------
# district maps


def _project(shapes: pd.DataFrame):
    """{area_key: shapely geometry in display units (x right, y down)}, and the inset keys."""
    from shapely import affinity
    from shapely.geometry import shape

    geoms = {r.area_key: shape(json.loads(r.geometry)) for r in shapes.itertuples(index=False)}
    if not geoms:
        return {}, set()
    centres = {k: g.representative_point() for k, g in geoms.items()}
    mx = sorted(p.x for p in centres.values())[len(centres) // 2]
    my = sorted(p.y for p in centres.values())[len(centres) // 2]
    dist = {k: math.hypot(p.x - mx, p.y - my) for k, p in centres.items()}
    typical = sorted(dist.values())[len(dist) // 2] or 1e-9
    inset = {k for k, d in dist.items() if len(geoms) >= 3 and d > 3 * typical}
    main = [g for k, g in geoms.items() if k not in inset] or list(geoms.values())
    lat = sum(g.centroid.y for g in main) / len(main)
    scale_x = math.cos(math.radians(lat))

    def fit(items: dict, box: tuple[float, float, float, float], simplify: bool) -> dict:
        flipped = {k: affinity.scale(g, xfact=scale_x, yfact=-1, origin=(0, 0))
                   for k, g in items.items()}
        x0 = min(g.bounds[0] for g in flipped.values())
        y0 = min(g.bounds[1] for g in flipped.values())
        x1 = max(g.bounds[2] for g in flipped.values())
        y1 = max(g.bounds[3] for g in flipped.values())
        bx, by, bw, bh = box
        k = min(bw / max(x1 - x0, 1e-9), bh / max(y1 - y0, 1e-9))
        off_x = bx + (bw - (x1 - x0) * k) / 2
        off_y = by + (bh - (y1 - y0) * k) / 2
        # simplified to about a pixel; an inset's small islands are kept as they are
        tolerance = max(x1 - x0, y1 - y0) / 400 if simplify else 0
        return {key: affinity.affine_transform(
                    g.simplify(tolerance, preserve_topology=True) if tolerance else g,
                    [k, 0, 0, k, off_x - x0 * k, off_y - y0 * k])
                for key, g in flipped.items()}

    placed = fit({k: g for k, g in geoms.items() if k not in inset},
                 (20, 20, MAP_W - 40, MAP_H - 40), simplify=True)
    if inset:
        placed |= fit({k: geoms[k] for k in inset}, (10, 10, MAP_W * 0.22, MAP_H * 0.3),
                      simplify=False)
    return placed, inset


def _path(geom) -> str:
    polygons = getattr(geom, "geoms", [geom])
    parts = []
    for poly in polygons:
        if poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            coords = [(round(px), round(py)) for px, py in ring.coords]
            deduped = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
            if len(deduped) >= 3:
                parts.append("M" + "L".join(f"{a},{b}" for a, b in deduped) + "Z")
    return "".join(parts)


def bins(values: Iterable[float]) -> list[float]:
    """Edges of :data:`MAP_COLOURS` (equal intervals from the lowest to the highest value)."""
    vs = [float(v) for v in values]
    if not vs:
        return []
    lo, hi = min(vs), max(vs)
    if hi == lo:
        return [lo, hi]
    return [lo + (hi - lo) * i / len(MAP_COLOURS) for i in range(len(MAP_COLOURS) + 1)]


def colour(value, edges: Sequence[float]) -> str:
    if not _present(value) or not edges:
        return NO_VALUE
    for i in range(1, len(edges)):
        if float(value) <= edges[i]:
            return MAP_COLOURS[min(i - 1, len(MAP_COLOURS) - 1)]
    return MAP_COLOURS[-1]


def district_map(indicator: Indicator, city: str, shapes: pd.DataFrame,
                 values: pd.DataFrame, year: int | None, edges: Sequence[float]) -> str:
    """SVG choropleth of ``city``'s districts; ``values``: district_key, value, flags of
    ``year``; ``shapes``: area_key, name, geometry of the city's districts."""
    placed, inset = _project(shapes)
    names = dict(zip(shapes["area_key"], shapes["name"]))
    by_key = {r.district_key: (r.value, flag_list(r.flags))
              for r in values.itertuples(index=False)}
    parts = [f'<svg class="district-map" data-indicator="{_e(indicator.code)}" '
             f'data-city="{city}" data-year="{year or ""}" xmlns="http://www.w3.org/2000/svg"'
             f' viewBox="0 0 {MAP_W} {MAP_H + 60}" width="{MAP_W // 2}" '
             f'height="{(MAP_H + 60) // 2}" role="img" aria-label="{_e(indicator.label)}, '
             f'{CITIES[city][0]} districts">']
    for key in sorted(placed):
        value, flags = by_key.get(key, (None, []))
        tip = f"{names.get(key, key)}: {fmt(value)}" + (
            f" {indicator.unit}" if _present(value) else " (no value)") + (
            f"; flags: {', '.join(flags)}" if flags else "")
        # an inset's islands are a few pixels: outlined dark, so they show
        stroke = '#555" stroke-width="1' if key in inset else '#fff" stroke-width="2'
        parts.append(f'<path class="district" data-area="{_e(key)}" '
                     f'data-has-value="{"true" if _present(value) else "false"}" '
                     f'd="{_path(placed[key])}" fill="{colour(value, edges)}" '
                     f'stroke="{stroke}" fill-rule="evenodd"><title>{_e(tip)}</title></path>')
    if inset:
        parts.append(f'<rect x="6" y="6" width="{round(MAP_W * 0.22) + 8}" '
                     f'height="{round(MAP_H * 0.3) + 8}" fill="none" stroke="#999" '
                     'stroke-dasharray="4 3"/><text x="10" y="'
                     f'{round(MAP_H * 0.3) + 36}" font-size="18" fill="#777">inset, not to '
                     'scale</text>')
    # legend: the bins, and grey for no value
    y0 = MAP_H + 10
    legend = [(NO_VALUE, "no value")]
    if len(edges) == 2:
        legend.append((MAP_COLOURS[0], fmt(edges[0])))
    else:
        legend += [(MAP_COLOURS[i], f"{fmt(edges[i])}–{fmt(edges[i + 1])}")
                   for i in range(len(edges) - 1)]
    for i, (fill, text) in enumerate(legend):
        lx = 20 + i * 128
        parts.append(f'<rect class="legend" x="{lx}" y="{y0}" width="22" height="22" '
                     f'fill="{fill}" stroke="#999"/><text x="{lx + 28}" y="{y0 + 17}" '
                     f'font-size="18">{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _maps(indicator: Indicator, shapes: pd.DataFrame, districts: pd.DataFrame) -> str:
    of_code = districts[(districts["indicator"] == indicator.code)
                        & districts["value"].notna()]
    chosen = {}
    for city in CITIES:
        rows = of_code[of_code["city"] == city]
        if not rows.empty:
            year = int(rows["year"].max())
            chosen[city] = (year, rows[rows["year"] == year])
    edges = bins(v for _, rows in chosen.values() for v in rows["value"])
    figures = []
    for city in CITIES:
        year, rows = chosen.get(city, (None, of_code.iloc[0:0]))
        city_shapes = shapes[shapes["city"] == city]
        caption = (f"{CITIES[city][0]}, {year}: {int(rows['value'].notna().sum())} of "
                   f"{len(city_shapes)} districts have a value"
                   if year else f"{CITIES[city][0]}: no district has a value")
        figures.append(f"<figure>{district_map(indicator, city, city_shapes, rows, year, edges)}"
                       f"<figcaption>{_e(caption)}</figcaption></figure>")
    return ('<div class="maps"><p class="note">Districts (Jakarta: kota; Berlin: Bezirke), '
            "latest year with district values per city; one colour scale for both cities."
            f"</p>{''.join(figures)}</div>")


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
                f'<tr data-indicator="{_e(ind.code)}" data-both="{int(r["both"])}">'
                f'<td><a href="#indicator-{_e(ind.code)}">{_e(ind.label)}</a></td>'
                f"<td>{_e(_theme_title(theme))}</td><td class=\"n\">{int(r['both'])}</td>"
                f"<td>{_e(r['years_both'])}</td><td class=\"n\">{int(r['jakarta_only'])}</td>"
                f"<td class=\"n\">{int(r['berlin_only'])}</td>"
                f'<td><span class="comparability c-{_e(ind.comparability)}">'
                f"{_e(ind.comparability.replace('_', ' '))}</span></td></tr>")
    return ('<table id="summary-table"><thead><tr><th>indicator</th><th>theme</th>'
            "<th>years, both cities</th><th>span</th><th>Jakarta only</th><th>Berlin only</th>"
            "<th>comparability</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def _theme_title(theme: Theme) -> str:
    return theme.name.replace("_", " ").capitalize()


def _indicator_section(ind: Indicator, rows: pd.DataFrame, shapes: pd.DataFrame,
                       districts: pd.DataFrame) -> str:
    cities = ", ".join(CITIES[c][0] for c in ind.cities if c in CITIES)
    parts = [
        f'<article class="indicator" id="indicator-{_e(ind.code)}" '
        f'data-indicator="{_e(ind.code)}"><h3>{_e(ind.label)} <span class="muted">'
        f"({_e(ind.unit)})</span></h3>",
        f'<p><span class="comparability c-{_e(ind.comparability)}">'
        f"{_e(ind.comparability.replace('_', ' '))}</span> "
        f'<span class="note">{_e(ind.comparability_note)}</span></p>',
        f"<dl><dt>code</dt><dd><code>{_e(ind.code)}</code></dd><dt>definition</dt>"
        f"<dd>{_e(ind.definition)}</dd><dt>standard</dt><dd>{_e(ind.standard)}</dd>"
        f"<dt>coverage rule</dt><dd>a value needs coverage ≥ {_e(fmt(ind.threshold))} "
        f"({_e(ind.coverage_basis)}); below it the value is empty with its reason</dd>"
        f"<dt>cities</dt><dd>{_e(cities)}</dd></dl>",
        line_chart(ind, rows),
        "<details><summary>Values and coverage per year, with the reason of every empty "
        f"value</summary>{coverage_table(ind, rows)}</details>",
    ]
    if ind.main:
        parts.append(_maps(ind, shapes, districts))
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
    toc = "".join(f'<li><a href="#theme-{_e(t.name)}">{_e(_theme_title(t))}</a> '
                  f"({len(t.indicators)})</li>" for t in themes)
    sections = []
    for theme in themes:
        body = "".join(_indicator_section(
            ind, comparison[comparison["indicator"] == ind.code].sort_values("year"), shapes,
            districts) for ind in theme.indicators)
        sections.append(f'<section class="theme" id="theme-{_e(theme.name)}" '
                        f'data-theme="{_e(theme.name)}"><h2>{_e(_theme_title(theme))}</h2>'
                        f"{body}</section>")
    files = "".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for text, href in links)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Jakarta and Berlin compared: Smart Change city indicators</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<header><h1>Jakarta and Berlin compared</h1>"
        f'<p class="muted">Smart Change city indicators. {_e(generated)}</p>'
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
