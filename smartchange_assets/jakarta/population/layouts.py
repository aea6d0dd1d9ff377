"""Which population table a payload holds, found by its column names (never by position).

Three tables (docs/sources/jakarta-population.md §2):

* ``satudata_age_sex_kelurahan`` – satudata download, one row per year, kelurahan, 5-year band
  and sex: ``periode_data,tahun,nama_provinsi,nama_kabupaten_kota,nama_kecamatan,
  nama_kelurahan,usia,jenis_kelamin,jumlah_penduduk``.
* ``dukcapil_semester_kota`` – Dukcapil semester data per kab/kota and 10-year band with L, P
  and JML: CSV ``TAHUN,SEMESTER,NO KAB,NAMA KAB,USIA,L,P,JML``; the Disdukcapil XLSX has
  ``NO_KAB`` and ``Kelompok Usia`` instead, under three title rows.
* ``bps_kota_total`` – BPS web table: ``Kab/Kota`` over a stacked header whose later lines hold
  the title and the year, then one row per kab/kota and a province total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smartchange_assets.jakarta.population.reading import Grid
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.parsing import ParseError

SATUDATA = "satudata_age_sex_kelurahan"
DUKCAPIL = "dukcapil_semester_kota"
BPS = "bps_kota_total"
TABLE_KINDS = (SATUDATA, DUKCAPIL, BPS)

# canonical column -> header spellings (compared by header_key: case, spaces, underscores and
# hyphens do not matter), and the columns each table must have
_SATUDATA = HeaderSpec({
    "tahun": (), "kota": ("nama_kabupaten_kota", "nama_kab_kota", "nama_kota"),
    "kecamatan": ("nama_kecamatan",), "kelurahan": ("nama_kelurahan",), "usia": (),
    "sex": ("jenis_kelamin",), "residents": ("jumlah_penduduk", "jumlah"),
    "periode_data": (), "provinsi": ("nama_provinsi",),
}, required=("tahun", "kota", "kecamatan", "kelurahan", "usia", "sex", "residents"))
_DUKCAPIL = HeaderSpec({
    "tahun": (), "semester": (), "no_kab": ("kode_kab",), "kota": ("nama_kab", "nama_kab_kota"),
    "usia": ("kelompok_usia",), "male": ("l", "laki_laki"), "female": ("p", "perempuan"),
    "total": ("jml", "jumlah"),
}, required=("tahun", "semester", "no_kab", "kota", "usia", "male", "female", "total"))
# the first cell of a BPS web table's stacked header
_BPS_NAME_HEADERS = frozenset(header_key(h) for h in ("Kab/Kota", "Kabupaten/Kota", "kab_kota",
                                                       "kabupaten_kota"))

_HEADER_SEARCH_ROWS = 20
_TITLE_SEMESTER = re.compile(r"semester\s*(\d)\s*tahun\s*(\d{4})", re.IGNORECASE)
_TITLE_KOTA = re.compile(r"kota\s*/\s*kab\w*\s*:\s*(.+)", re.IGNORECASE)
_YEAR_CELL = re.compile(r"\d{4}")


@dataclass
class Table:
    """A table located in a grid: its kind, header and where its records start."""

    kind: str
    header: list[str]  # as published (BPS: the name column and the year)
    positions: dict[str, int]  # canonical column -> field index
    first_record: int  # index in grid.rows of the first record
    header_line: int
    context: dict = field(default_factory=dict)  # year/semester/kota from title rows (XLSX)

    def published(self, canonical: str | None) -> str | None:
        """The header of a canonical column as published, to name it in the quarantine."""
        if canonical is None or canonical not in self.positions:
            return canonical
        return self.header[self.positions[canonical]]


def locate_table(grid: Grid, file_name: str) -> Table:
    for i, row in enumerate(grid.rows[:_HEADER_SEARCH_ROWS]):
        for kind, spec in ((SATUDATA, _SATUDATA), (DUKCAPIL, _DUKCAPIL)):
            if not spec.missing(row):
                positions = spec.positions(row, file_name, row=grid.line_numbers[i])
                return Table(kind, [c.strip() for c in row], positions, i + 1,
                             grid.line_numbers[i], _title_context(grid.rows[:i]))
        if row and header_key(row[0]) in _BPS_NAME_HEADERS:
            return _bps_table(grid, i, file_name)
    first = " | ".join(grid.rows[0])[:120] if grid.rows else ""
    raise ParseError(file_name,
                     "no population header (satudata, Dukcapil or BPS column names) in the first "
                     f"{_HEADER_SEARCH_ROWS} rows; first row reads {first!r}", row=1)


def _title_context(title_rows: list[list[str]]) -> dict:
    """Year, semester and kota stated in the title rows above a Disdukcapil XLSX header."""
    text = "\n".join(" ".join(c for c in row if c) for row in title_rows)
    context = {}
    if match := _TITLE_SEMESTER.search(text):
        context.update(semester=int(match[1]), year=int(match[2]))
    if match := _TITLE_KOTA.search(text):
        context["kota"] = " ".join(match[1].split()).upper()
    if title_rows:
        context["title"] = " / ".join(" ".join(c for c in row if c) for row in title_rows)
    return context


def _bps_table(grid: Grid, i: int, file_name: str) -> Table:
    """BPS stacked header: "Kab/Kota," then lines with a blank name cell holding the title and
    the year. The year's column is the value column; the records follow the last header line."""
    year_at, title, j = None, [], i + 1
    while j < len(grid.rows) and not (grid.rows[j][0] if grid.rows[j] else "").strip():
        for k, cell in enumerate(grid.rows[j]):
            if _YEAR_CELL.fullmatch(cell.strip()):
                year_at = (k, int(cell.strip()))
            elif cell.strip():
                title.append(cell.strip())
        j += 1
    if year_at is None:
        raise ParseError(file_name, "BPS table header has no year line under "
                         f"{grid.rows[i][0]!r}", row=grid.line_numbers[i])
    column, year = year_at
    header = [""] * max(len(grid.rows[i]), column + 1)
    header[0], header[column] = grid.rows[i][0].strip().lstrip("\ufeff"), str(year)
    return Table(BPS, header, {"kota": 0, "residents": column}, j, grid.line_numbers[i],
                 {"year": year, "title": " / ".join(title)})
