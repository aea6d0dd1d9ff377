"""The header of an IHK Berlin Gewerbedaten file (docs/sources/berlin-ihk-businesses.md §2).

The published files name 19 columns and end the header with a ``;``, while every data row has
20 fields: the 20th is ``Ortsteil``, documented in the repository's README but left unnamed.
:func:`read_layout` maps the columns by name (any order, case, spacing, BOM) and accepts

* the header as published (19 names and an empty 20th cell),
* the same header without the trailing ``;`` when the rows carry the 20th field,
* a header fixed to 20 names (``…;Prognoseraum;Ortsteil``).

An unnamed column is read as ``Ortsteil`` only when it is the last one, directly after
``Prognoseraum``, and ``Ortsteil`` is named nowhere else; any other unnamed or unknown column
is a ParseError naming it: a column whose meaning is guessed is worse than none. A file without
the LOR columns (the IHK's earliest files) is refused by the required columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import ParseError

HEADER = HeaderSpec({
    "opendata_id": ("opendataid", "id"),
    "city": ("stadt", "ort"),
    "postcode": ("plz", "postleitzahl"),
    "latitude": ("lat", "breitengrad"),
    "longitude": ("lon", "lng", "laengengrad", "längengrad"),
    "ihk_branch_id": ("ihk_branchen_id",),
    "nace_id": ("nace", "wz_id", "wz2008_id"),
    "branch_top_level_id": ("branche_top_level_id",),
    "employees_range": ("beschaeftigte", "beschäftigte", "mitarbeiter"),
    "ihk_branch_desc": (),
    "nace_desc": (),
    "branch_top_level_desc": (),
    "business_age": ("alter",),
    "business_type": ("gewerbeart", "rechtsform_typ"),
    "bezirk": ("district", "bezirk_name"),
    "planungsraum_id": ("plr_id", "planungsraumid"),
    "planungsraum": ("plr_name", "planungsraum_name"),
    "bezirksregion": ("bzr_name",),
    "prognoseraum": ("pgr_name",),
    "ortsteil": ("ortsteil_name",),
}, required=("opendata_id", "city", "postcode", "latitude", "longitude", "ihk_branch_id",
             "nace_id", "branch_top_level_id", "employees_range", "ihk_branch_desc",
             "nace_desc", "branch_top_level_desc", "business_age", "business_type", "bezirk",
             "planungsraum_id", "planungsraum", "bezirksregion", "prognoseraum"))
COLUMNS = tuple(HEADER.aliases)


@dataclass(frozen=True)
class Layout:
    header: list[str]           # as published (an unnamed cell is '')
    positions: dict[str, int]   # canonical column -> field index
    fields: int                 # fields a data row has
    ortsteil_unnamed: bool      # Ortsteil read from the unnamed last column

    def published(self, column: str) -> str:
        name = self.header[self.positions[column]] if self.positions[column] < len(
            self.header) else ""
        return name or f"(unnamed column {self.positions[column] + 1}: {column})"


def read_layout(header: list[str], row_fields: int, file_name: str) -> Layout:
    """The layout of a header whose data rows (mostly) have ``row_fields`` fields."""
    header = [h.replace("\ufeff", "").strip() for h in header]
    if row_fields == len(header) + 1:  # the 20th field without even a trailing ';'
        header = [*header, ""]
    if row_fields != len(header):
        raise ParseError(file_name, f"the header has {len(header)} cells but the rows have "
                         f"{row_fields} fields", row=1)
    named = {i: h for i, h in enumerate(header) if h}
    unnamed = [i for i in range(len(header)) if not header[i]]
    if unnamed and (unnamed != [len(header) - 1] or header[-2:-1] == [""]):
        raise ParseError(file_name, f"column {unnamed[0] + 1} has no name; only a last "
                         "unnamed column after 'Prognoseraum' is read (as Ortsteil)",
                         row=1, column=f"(unnamed column {unnamed[0] + 1})")
    positions = HEADER.positions([named.get(i, "") for i in range(len(header))], file_name,
                                 row=1)
    unknown = [h for i, h in named.items() if i not in positions.values()]
    if unknown:
        raise ParseError(file_name, f"column {unknown[0]!r} is not an IHK Gewerbedaten column "
                         f"(known: {list(COLUMNS)})", row=1, column=unknown[0])
    ortsteil_unnamed = False
    if unnamed:
        if "ortsteil" in positions or positions["prognoseraum"] != len(header) - 2:
            raise ParseError(file_name, f"column {unnamed[0] + 1} has no name and does not "
                             "follow 'Prognoseraum' (or Ortsteil is named elsewhere): its "
                             "meaning would be a guess", row=1,
                             column=f"(unnamed column {unnamed[0] + 1})")
        positions["ortsteil"] = unnamed[0]
        ortsteil_unnamed = True
    return Layout(header, positions, len(header), ortsteil_unnamed)
