"""The district maps of the comparison report (publish/report.py): a choropleth per city of
Jakarta's kota and Berlin's Bezirke from their GeoJSON shapes (EPSG:4326), simplified with
shapely and drawn equirectangular as inline SVG, integer coordinates; grey for no value; a
district far from the rest (Kepulauan Seribu) in an inset, not to scale."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from smartchange_assets.marts.theme import Indicator
from smartchange_assets.publish.report_common import CITIES, esc, flag_list, fmt, present

MAP_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
NO_VALUE = "#d0d0d0"
MAP_W, MAP_H = 800, 640  # viewBox units (drawn at half size)
INSET_W, INSET_H = 160, 200


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

    # the inset takes the top left corner; the rest of the map keeps clear of it
    left = 20 + (INSET_W + 16 if inset else 0)
    placed = fit({k: g for k, g in geoms.items() if k not in inset},
                 (left, 20, MAP_W - 20 - left, MAP_H - 40), simplify=True)
    if inset:
        placed |= fit({k: geoms[k] for k in inset}, (10, 10, INSET_W, INSET_H),
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
    if not present(value) or not edges:
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
    parts = [f'<svg class="district-map" data-indicator="{esc(indicator.code)}" '
             f'data-city="{city}" data-year="{year or ""}" xmlns="http://www.w3.org/2000/svg"'
             f' viewBox="0 0 {MAP_W} {MAP_H + 60}" width="{MAP_W // 2}" '
             f'height="{(MAP_H + 60) // 2}" role="img" aria-label="{esc(indicator.label)}, '
             f'{CITIES[city][0]} districts">']
    for key in sorted(placed):
        value, flags = by_key.get(key, (None, []))
        tip = f"{names.get(key, key)}: {fmt(value)}" + (
            f" {indicator.unit}" if present(value) else " (no value)") + (
            f"; flags: {', '.join(flags)}" if flags else "")
        # an inset's islands are a few pixels: outlined dark, so they show
        stroke = '#555" stroke-width="1' if key in inset else '#fff" stroke-width="2'
        parts.append(f'<path class="district" data-area="{esc(key)}" '
                     f'data-has-value="{"true" if present(value) else "false"}" '
                     f'd="{_path(placed[key])}" fill="{colour(value, edges)}" '
                     f'stroke="{stroke}" fill-rule="evenodd"><title>{esc(tip)}</title></path>')
    if inset:
        parts.append(f'<rect x="6" y="6" width="{INSET_W + 8}" height="{INSET_H + 8}" '
                     'fill="none" stroke="#999" stroke-dasharray="4 3"/><text x="10" y="'
                     f'{INSET_H + 36}" font-size="18" fill="#777">inset, not to scale</text>')
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
                     f'font-size="18">{esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def maps(indicator: Indicator, shapes: pd.DataFrame, districts: pd.DataFrame) -> str:
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
                       f"<figcaption>{esc(caption)}</figcaption></figure>")
    return ('<div class="maps"><p class="note">Districts (Jakarta: kota; Berlin: Bezirke), '
            "latest year with district values per city; one colour scale for both cities."
            f"</p>{''.join(figures)}</div>")
