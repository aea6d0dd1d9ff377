"""Berlin boundary layers (LOR 2021, old LOR, ALKIS Bezirke): one payload -> ParseResult.

One staged row per feature (**source row** = the feature's position in the layer, from 1),
with its code, level, name where published, and its geometry as published (WKT in the layer's
CRS, :mod:`smartchange_assets.geo.features`). The layouts are in :mod:`.layouts`
(docs/sources/berlin-lor-geometry.md, docs/sources/berlin-lor-old-geometry.md).

Every feature is staged or quarantined with its reason:

* ``unreadable``   – a code that is not digits of a LOR length (a Bezirk key outside 001–012);
* ``inconsistent`` – a feature without code or name (the old layers' overlapping polygon
  pair), a code whose length contradicts the level the layer's fields name, a Bezirk outside
  01–12, a missing, empty, non-polygonal or invalid geometry, the same code twice with another
  geometry (none staged: :func:`~smartchange_assets.platform.duplicates.settle_duplicates`);
* ``duplicate``    – an exact repeat of an earlier feature.

A **correction** (:class:`Correction`) re-keys one published feature whose code is known to be
wrong; it names the feature by its published code, name and the box its geometry lies in, the
code it really has and why, and the staged row keeps the published code and the reason. A
correction that matches no feature changes nothing (a corrected reissue of the file); one that
matches several is a ParseError (it would be a guess).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from smartchange_assets.berlin.lor_geometry.layouts import (
    BEZIRK_CODES,
    LEVEL_BY_LENGTH,
    LOR2021,
    Layout,
    detect,
    normalise_code,
)
from smartchange_assets.geo.features import geometry_values, polygon_problem, raw_record
from smartchange_assets.geo.vector import Layer, read_layer
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.names import is_missing, tidy
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

KEY = ["lor_version", "level", "code"]


@dataclass(frozen=True)
class Correction:
    """A published feature re-keyed: ``published_code`` named ``published_name`` whose
    geometry lies inside ``bounds`` (minx, miny, maxx, maxy in the layer's CRS) is ``code``."""

    published_code: str
    published_name: str
    bounds: tuple[float, float, float, float]
    code: str
    reason: str

    def matches(self, code: str, name: str, geometry) -> bool:
        if code != self.published_code or name != self.published_name or geometry is None:
            return False
        minx, miny, maxx, maxy = geometry.bounds
        x0, y0, x1, y1 = self.bounds
        return x0 <= minx and y0 <= miny and maxx <= x1 and maxy <= y1


class _Rejected(Exception):
    def __init__(self, column: str, reason: str, kind: str):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


def parse_boundaries(data: bytes, file_name: str, versions: tuple[str, ...],
                     corrections: tuple[Correction, ...] = ()) -> ParseResult:
    """The features of one Berlin boundary layer of one of the LOR ``versions``."""
    layer = read_layer(data, file_name)
    layout = detect(layer.fields)
    if layout is None:
        raise ParseError(file_name, f"not a Berlin boundary layer: no code field among "
                         f"{layer.fields} (docs/sources/berlin-lor-geometry.md §2)")
    if layout.lor_version not in versions:
        raise ParseError(file_name, f"a {layout.lor_version} layer ({layout.name}, field "
                         f"{layout.code_field!r}); this source stages {list(versions)}",
                         column=layout.code_field)
    quarantine = Quarantine()
    counters: Counter = Counter()
    rows, kept = [], []
    applied = _applied_corrections(layer, layout, corrections, file_name)
    for i in range(len(layer)):
        try:
            row = _feature(layer, layout, i, applied.get(i), counters)
        except _Rejected as rejected:
            quarantine.add(i + 1, rejected.column, rejected.reason, raw_record(layer, i),
                           kind=rejected.kind)
            continue
        rows.append(row)
        kept.append(i)
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    for column, values in geometry_values(layer, kept).items():
        frame[column] = values
    raw = pd.Series([raw_record(layer, i) for i in kept], index=frame.index, dtype=object)
    staged = settle_duplicates(frame, KEY, quarantine, raw=raw)
    notes = {"layout": layout.name, "layer": layer.layer, "crs": layer.crs,
             "crs_basis": layer.crs_basis, "features": len(layer),
             "levels": dict(Counter(staged["level"])), **dict(counters)}
    if applied:
        notes["corrections"] = {staged_code: reason for staged_code, reason in
                                ((c.code, c.reason) for c in applied.values())}
    return ParseResult(staged=staged.reset_index(drop=True), source_rows=len(layer),
                       quarantine=quarantine.frame(), notes=notes)


_ROW_COLUMNS = ["source_row", "lor_version", "level", "code", "code_published", "correction",
                "name", "name_raw", "layer", "area_published_m2"]


def _applied_corrections(layer: Layer, layout: Layout, corrections: tuple[Correction, ...],
                         file_name: str) -> dict[int, Correction]:
    applied: dict[int, Correction] = {}
    names = layer.columns.get(layout.name_field) if layout.name_field else None
    for correction in corrections:
        hits = [i for i in range(len(layer))
                if correction.matches(str(layer.columns[layout.code_field][i]).strip(),
                                      tidy(names[i]) if names is not None else "",
                                      layer.geometries[i])]
        if len(hits) > 1:
            raise ParseError(file_name, f"correction {correction.published_code} -> "
                             f"{correction.code} matches {len(hits)} features (rows "
                             f"{[h + 1 for h in hits]}): which one is meant is a guess",
                             column=layout.code_field)
        if hits:
            applied[hits[0]] = correction
    return applied


def _feature(layer: Layer, layout: Layout, i: int, correction: Correction | None,
             counters: Counter) -> dict:
    published = layer.columns[layout.code_field][i]
    name_raw = layer.columns[layout.name_field][i] if layout.name_field else None
    if is_missing(published):
        if layout.name_field is None or is_missing(name_raw):
            raise _Rejected(layout.code_field, "the feature has neither code nor name: not an "
                            "area of the scheme", INCONSISTENT)
        raise _Rejected(layout.code_field, f"the feature {tidy(name_raw)!r} has no code",
                        INCONSISTENT)
    code = _code(layout, published)
    if correction is not None:
        code = correction.code
        counters["corrected"] += 1
    level = LEVEL_BY_LENGTH[len(code)]
    if layout.level is not None and level != layout.level:
        raise _Rejected(layout.code_field, f"code {code} is a {level} code in a "
                        f"{layout.level} layer", INCONSISTENT)
    if code[:2] not in BEZIRK_CODES:
        raise _Rejected(layout.code_field, f"code {code}: Bezirk {code[:2]} is not one of "
                        "01–12", INCONSISTENT)
    problem = polygon_problem(layer.geometries[i])
    if problem is not None:
        raise _Rejected("geometry", problem, INCONSISTENT)
    published_code = str(published).strip()
    if code != published_code and correction is None:
        counters["codes_normalised"] += 1
    area = layer.columns[layout.area_field][i] if layout.area_field else None
    return {"source_row": i + 1, "lor_version": layout.lor_version, "level": level,
            "code": code, "code_published": published_code,
            "correction": correction.reason if correction else None,
            "name": tidy(name_raw) or None, "name_raw": None if is_missing(name_raw)
            else str(name_raw), "layer": layer.layer,
            "area_published_m2": None if is_missing(area) else float(area)}


def _code(layout: Layout, published: object) -> str:
    if layout.name == "alkis_bezirke":  # Gemeinde_schluessel 001–012 = LOR Bezirk 01–12
        text = str(published).strip()
        if not text.isdigit() or not 1 <= int(text) <= 12 or len(text) > 3:
            raise _Rejected(layout.code_field, f"Bezirk key {text!r} is not one of 001–012",
                            UNREADABLE)
        return f"{int(text):02d}"
    lengths = tuple(n for n, level in LEVEL_BY_LENGTH.items()
                    if layout.level in (None, level) and n != 2)
    code, _padded = normalise_code(published, lengths)
    if code is None:
        wanted = " or ".join(map(str, lengths))
        raise _Rejected(layout.code_field, f"code {published!r} is not {wanted} digits",
                        UNREADABLE)
    return code


def parse_lor2021_boundaries(data: bytes, file_name: str) -> ParseResult:
    """LOR 2021 layers (Planungsraum, Bezirksregion, Prognoseraum) and the 12 Bezirke."""
    result = parse_boundaries(data, file_name, (LOR2021,))
    result.staged = result.staged.drop(columns=["code_published", "correction",
                                                "area_published_m2"])
    return result
