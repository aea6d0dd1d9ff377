"""The Berlin boundary layers by their attributes: which level, which code, which LOR version.

Read by name (:class:`~smartchange_assets.platform.headers.HeaderSpec`: case, spacing), never by
position (docs/sources/berlin-lor-geometry.md §2, berlin-lor-old-geometry.md §2):

| layout                 | code field             | name field                   | LOR     |
|------------------------|------------------------|------------------------------|---------|
| ``lor2021``            | PLR_ID, BZR_ID, PGR_ID | PLR_NAME, … (if any)         | LOR2021 |
| ``alkis_bezirke``      | Gemeinde_schluessel    | Gemeinde_name                | LOR2021 |
| ``lor_old_publisher``  | SCHLUESSEL             | PLR_NAME, BZR_NAME, PRG_NAME | LOR_OLD |
| ``lor_old_derivative`` | id                     | name (and area)              | LOR_OLD |

The ALKIS Bezirke are keyed 001–012 (``Gemeinde_schluessel``), the LOR Bezirke 01–12.

The level of a feature follows from its code's length, the same in both LOR versions: 8 digits a
Planungsraum, 6 a Bezirksregion, 4 a Prognoseraum, 2 a Bezirk; the first two digits are the
Bezirk (01–12). A layer whose fields name a level (``PLR_ID``, ``BZR_NAME``) must agree with
its codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartchange_assets.platform.headers import HeaderSpec, header_key

LOR2021, LOR_OLD = "LOR2021", "LOR_OLD"
LEVEL_BY_LENGTH = {8: "planungsraum", 6: "bezirksregion", 4: "prognoseraum", 2: "bezirk"}
BEZIRK_CODES = frozenset(f"{n:02d}" for n in range(1, 13))


@dataclass(frozen=True)
class Layout:
    name: str
    lor_version: str
    code_field: str            # as published
    name_field: str | None     # as published
    level: str | None          # the level the fields name (None: from the codes)
    area_field: str | None = None


# field (compared by header_key) -> (layout, LOR version, level the field names)
_CODE_FIELDS = {
    "plr_id": ("lor2021", LOR2021, "planungsraum"),
    "bzr_id": ("lor2021", LOR2021, "bezirksregion"),
    "pgr_id": ("lor2021", LOR2021, "prognoseraum"),
    "gemeinde_schluessel": ("alkis_bezirke", LOR2021, "bezirk"),
    "schluessel": ("lor_old_publisher", LOR_OLD, None),
    "id": ("lor_old_derivative", LOR_OLD, None),
}
_NAME_FIELDS = {"plr_name": "planungsraum", "bzr_name": "bezirksregion",
                "prg_name": "prognoseraum", "pgr_name": "prognoseraum",
                "gemeinde_name": "bezirk", "name": None}
_AREA_FIELDS = HeaderSpec({"area": ("flaeche", "groesse_m2")})
# the finest level first: a Planungsraum layer may carry its parents' ids too
_PRIORITY = ("plr_id", "bzr_id", "pgr_id", "gemeinde_schluessel", "schluessel", "id")


def detect(fields: list[str]) -> Layout | None:
    """The layout of a layer with these attribute fields (None: not a Berlin boundary layer)."""
    keys = {header_key(f): f for f in fields}
    found = next((k for k in _PRIORITY if k in keys), None)
    if found is None:
        return None
    layout, version, level = _CODE_FIELDS[found]
    names = [k for k in _NAME_FIELDS if k in keys and (level is None or _NAME_FIELDS[k] in
                                                        (level, None))]
    name_field = keys[names[0]] if names else None
    name_level = _NAME_FIELDS[names[0]] if names else None
    area = next((f for f in fields if _AREA_FIELDS.canonical(f)), None)
    return Layout(layout, version, keys[found], name_field, level or name_level, area)


def normalise_code(value: object, expected_lengths: tuple[int, ...]) -> tuple[str | None, bool]:
    """(code, zero-padded?) of a published code: digits only; a number that lost its leading
    zeros (a spreadsheet export) is padded to the shortest expected length it fits. None: not
    a code."""
    if value is None:
        return None, False
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a code read as a float
        text = text[:-2]
    if not text.isdigit():
        return None, False
    if len(text) in expected_lengths:
        return text, False
    longer = [n for n in sorted(expected_lengths) if n > len(text)]
    if longer and text[0] != "0":
        return text.zfill(longer[0]), True
    return None, False
