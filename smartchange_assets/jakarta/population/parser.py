"""Jakarta population parser: one payload's bytes -> ParseResult
(docs/sources/jakarta-population.md).

One parser for the three population tables (see :mod:`.layouts`), whatever the container
(CSV, XLSX, satudata JSON; see :mod:`.reading`). Every record below the header ends up in
exactly one place:

* ``staged`` – one row per source row that is a count of residents. Shape: ``sex`` says whom
  the row counts (``male``, ``female`` or ``total`` = both sexes) and ``residents`` holds that
  count, so every staged row has exactly one headline number. Where the publisher gives the
  split next to the total (Dukcapil ``L``, ``P``, ``JML``), ``male_residents`` and
  ``female_residents`` carry it on the same row (one source row stays one staged row); they are
  NULL elsewhere. A satudata ``Laki-laki`` row is therefore ``sex = 'male'``, ``residents`` =
  its count.
* ``no_data`` – rows that are not a count for an area and band: the Disdukcapil XLSX ``TOTAL``
  row and its "Sumber data : …" footer, and the BPS province row ``DKI Jakarta``. A total is
  compared with the rows above it first; if it disagrees it is quarantined as inconsistent.
* ``quarantine`` – unreadable cells (a band, sex, year or count that cannot be read), rows that
  contradict the payload (a band outside the table's band system, a Kemendagri kab code that
  names another kota, a year that disagrees with the title), and rows that share a key, by the
  one duplicate-key rule of every source (:func:`~smartchange_assets.platform.duplicates.
  settle_duplicates`): exact repeats of an earlier row are kind duplicate (the satudata download
  repeats 13,423 of its 34,176 lines); the same key with another count stages none of its rows
  (kind inconsistent).

``reference_date``: satudata counts are taken as of the year's end (31 Dec); Dukcapil semester 1
is 30 Jun and semester 2 is 31 Dec (Dukcapil's semester cut-offs); BPS tables are dated 31 Dec
of their year by the same year-end rule (BPS projections are strictly mid-year figures; the
rule keeps one convention for yearly tables and is stated in the column description).

Areas stay names as published (upper-cased, trimmed): resolving them to codes needs the area
reference (docs/sources/jakarta-admin-areas.md) and is done downstream. Only Dukcapil's ``NO KAB``
is turned into the Kemendagri code (``71`` -> ``31.71``), and it is checked against the kota name
because the BPS codes for the same kota differ. Staged rows carry the staging table's column
names; the engine types them by the table spec in source.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from smartchange_assets.jakarta.population import values as v
from smartchange_assets.jakarta.population.layouts import (
    BPS,
    DUKCAPIL,
    SATUDATA,
    Table,
    locate_table,
)
from smartchange_assets.jakarta.population.reading import read_grid
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

#: the natural key of a staged row inside one payload
NATURAL_KEY = ("table_kind", "year", "semester", "kota_name", "kecamatan_name",
               "kelurahan_name", "age_band", "sex")
# staged column -> the canonical column it is read from (to name the published column)
_READ_FROM = {"male_residents": "male", "female_residents": "female",
              "kab_code_kemendagri": "no_kab", "age_band_raw": "usia"}

_TOTAL_WORDS = frozenset({"TOTAL", "JUMLAH", "JUMLAH TOTAL"})
_PROVINCE_NAMES = frozenset({"DKI JAKARTA", "PROVINSI DKI JAKARTA", *_TOTAL_WORDS})
_FOOTER_PREFIXES = ("sumber", "catatan", "keterangan", "source", "note")
_SEMESTER_END = {1: (6, 30), 2: (12, 31)}


def parse_population(data: bytes, file_name: str) -> ParseResult:
    """Parse one population payload (satudata, Dukcapil or BPS table; CSV, XLSX or JSON)."""
    grid = read_grid(data, file_name)
    notes = {"format": grid.format, "delimiter": grid.delimiter, **grid.notes}
    if not grid.rows:  # an empty file or an empty last page of a satudata reply
        return ParseResult(staged=pd.DataFrame(), source_rows=0, notes=notes)
    table = locate_table(grid, file_name)
    records = grid.rows[table.first_record:]
    if grid.format == "csv":
        _refuse_truncated(table, records, grid.line_numbers[table.first_record:], file_name)
    notes.update(table_kind=table.kind, header_line=table.header_line,
                 column_map={c: table.published(c) for c in table.positions}, **table.context)

    staging = _Staging(table, strict_width=grid.format == "csv")
    for source_row, record in enumerate(records, start=1):
        staging.take(source_row, record)
    staging.settle_duplicates()
    staging.settle_totals()

    staged = pd.DataFrame(staging.staged)
    notes.update(staging.summary())
    quarantined = (staging.quarantine.frame()
                   .sort_values("source_row", kind="stable", ignore_index=True))
    result = ParseResult(staged=staged, source_rows=len(records), no_data=staging.no_data,
                         quarantine=quarantined, notes=notes)
    result.reconcile()
    return result


def _refuse_truncated(table: Table, records: list[list[str]], lines: list[int],
                      file_name: str) -> None:
    """A last record with fewer fields than the header is where a cut-off download ends; a
    short row in the middle is one bad row and is quarantined instead."""
    if records and len(records[-1]) < len(table.header) and not _is_footer(records[-1]):
        raise ParseError(file_name, f"last record has {len(records[-1])} of "
                         f"{len(table.header)} fields: the payload ends inside a record "
                         "(truncated?)", row=lines[-1])


# --------------------------------------------------------------------------------------------
# rows


class _Staging:
    """Walks the records of one table: staged rows, no-data, quarantine, duplicate keys."""

    def __init__(self, table: Table, strict_width: bool):
        self.table, self.strict_width = table, strict_width
        self.staged: list[dict] = []
        self.raws: dict[int, dict] = {}  # source_row -> raw record of a staged row
        self.quarantine = Quarantine()
        self.no_data = 0
        self.totals: list[tuple[int, dict, dict]] = []  # (source_row, raw, values)
        self.counts = Counter()
        self.total_notes: list[str] = []

    def take(self, source_row: int, record: list[str]) -> None:
        table = self.table
        raw = _raw_record(table.header, record)
        if _is_footer(record):
            self.no_data += 1
            self.counts["footer rows"] += 1
            return
        if self.strict_width and len(record) != len(table.header):
            self._quarantine(source_row, None, f"row has {len(record)} fields, header has "
                             f"{len(table.header)}", raw, UNREADABLE)
            return
        cells = {c: (record[i].strip() if i < len(record) else "")
                 for c, i in table.positions.items()}
        if _is_total(table, record, cells):
            self.totals.append((source_row, raw, cells))
            return
        try:
            row = ROW_READERS[table.kind](cells, table)
        except v.CellError as err:
            self._quarantine(source_row, err.column, err.reason, raw, err.kind)
            return
        self.staged.append({"source_row": source_row, **row})
        self.raws[source_row] = raw

    def settle_duplicates(self) -> None:
        """The one duplicate-key rule (platform.duplicates) on :data:`NATURAL_KEY`. A band
        spelled differently (``5-9``, ``9-May``) with the same counts loses nothing, so
        age_band_raw does not decide "equal"; the quarantine names the published column."""
        if not self.staged:
            return
        frame = pd.DataFrame(self.staged)
        raw = pd.Series([self.raws[r] for r in frame["source_row"]], index=frame.index,
                        dtype=object)
        compare = [c for c in frame.columns if c not in ("source_row", "age_band_raw")]
        before = len(self.quarantine.rows)
        kept = set(settle_duplicates(frame, NATURAL_KEY, self.quarantine, raw=raw,
                                     compare=compare)["source_row"])
        count_column = "total" if self.table.kind == DUKCAPIL else "residents"
        for q in self.quarantine.rows[before:]:
            canonical = _READ_FROM.get(q["column_name"], count_column)
            q["column_name"] = self.table.published(canonical)
            self.counts[f"quarantined {q['kind']}"] += 1
        self.staged = [r for r in self.staged if r["source_row"] in kept]

    def _quarantine(self, source_row: int, column: str | None, reason: str, raw: dict,
                    kind: str) -> None:
        self.counts[f"quarantined {kind}"] += 1
        self.quarantine.add(source_row, self.table.published(column), reason, raw, kind=kind)

    # -- publisher totals (XLSX TOTAL row, BPS "DKI Jakarta") -----------------------------------

    def settle_totals(self) -> None:
        """Each total row is compared with the rows above it (back to the previous total).

        It is the publisher's own sum, not a count for an area, so it is counted as no-data
        when it agrees or cannot be compared (a row of its block was quarantined, or the total
        cell is empty); when it disagrees it is quarantined as inconsistent."""
        previous = 0
        for source_row, raw, cells in self.totals:
            block = [r for r in self.staged if previous < r["source_row"] < source_row]
            bad = [q for q in self.quarantine.rows if previous < q["source_row"] < source_row
                   and q["kind"] != DUPLICATE]
            previous = source_row
            problem = None if bad else self._total_disagrees(cells, block)
            if problem is None:
                self.no_data += 1
                self.counts["total rows"] += 1
                self.total_notes.append(f"row {source_row}: " + (
                    f"not compared ({len(bad)} row(s) above quarantined)" if bad
                    else f"agrees with the sum of {len(block)} row(s)"))
            else:
                column, reason = problem
                self._quarantine(source_row, column, reason, raw, INCONSISTENT)
                self.total_notes.append(f"row {source_row}: {reason}")

    def _total_disagrees(self, cells: dict, block: list[dict]) -> tuple[str, str] | None:
        pairs = ([("male", "male_residents"), ("female", "female_residents"),
                  ("total", "residents")] if self.table.kind == DUKCAPIL
                 else [("residents", "residents")])
        for column, staged_column in pairs:
            if v.is_blank(cells.get(column)):
                continue
            try:
                published = v.count(cells[column], column)
            except v.CellError:
                continue  # an unreadable total says nothing about the rows
            summed = sum(r[staged_column] or 0 for r in block)
            if published != summed:
                return column, (f"published total {published} != {summed}, the sum of the "
                                f"{len(block)} row(s) above it (difference "
                                f"{published - summed:+d})")
        return None

    def summary(self) -> dict:
        years = Counter(r["year"] for r in self.staged)
        return {"rows_per_year": dict(sorted(years.items())), "counts": dict(self.counts),
                "published_totals": self.total_notes}


def _raw_record(header: list[str], record: list[str]) -> dict:
    raw = {name or f"column_{i + 1}": (record[i] if i < len(record) else "")
           for i, name in enumerate(header)}
    extra = [c for c in record[len(header):] if c.strip()]
    if extra:
        raw["_extra_fields"] = extra
    return raw


def _is_footer(record: list[str]) -> bool:
    """'Sumber data : …' (source) and similar notes under a table."""
    first = next((c.strip().lower() for c in record if c.strip()), "")
    return first.startswith(_FOOTER_PREFIXES)


def _is_total(table: Table, record: list[str], cells: dict) -> bool:
    if table.kind == BPS:
        return " ".join(cells["kota"].split()).upper() in _PROVINCE_NAMES
    # Dukcapil/satudata: a TOTAL/JUMLAH label in a row without a year of its own
    return v.is_blank(cells.get("tahun")) and any(
        " ".join(c.split()).upper() in _TOTAL_WORDS for c in record)


# --------------------------------------------------------------------------------------------
# one record of each table -> staged row (without source_row)


def _row(table_kind: str, year: int, level: str, kota_name: str, age: tuple, sex: str,
         residents: int, age_raw: str, **more) -> dict:
    band, age_from, age_to = age
    semester = more.get("semester")
    month, day = _SEMESTER_END[semester] if semester else (12, 31)
    return {"table_kind": table_kind, "year": year, "semester": semester,
            "reference_date": dt.date(year, month, day), "level": level,
            "kota_name": kota_name, "kecamatan_name": more.get("kecamatan_name"),
            "kelurahan_name": more.get("kelurahan_name"),
            "kab_code_kemendagri": more.get("kab_code_kemendagri"), "age_band": band,
            "age_band_raw": age_raw, "age_from": age_from, "age_to": age_to, "sex": sex,
            "residents": residents, "male_residents": more.get("male_residents"),
            "female_residents": more.get("female_residents")}


def _satudata_row(cells: dict, table: Table) -> dict:
    year = v.year(cells["tahun"], "tahun")
    periode = cells.get("periode_data", "")
    if periode and periode[:4] != str(year):
        raise v.CellError("periode_data", f"periode_data {periode!r} disagrees with tahun "
                          f"{year}", INCONSISTENT)
    return _row(SATUDATA, year, "kelurahan", v.area_name(cells["kota"], "kota"),
                v.age_band(cells["usia"], v.FIVE_YEAR_BANDS, "usia"),
                v.sex(cells["sex"], "sex"), v.count(cells["residents"], "residents"),
                cells["usia"], kecamatan_name=v.area_name(cells["kecamatan"], "kecamatan"),
                kelurahan_name=v.area_name(cells["kelurahan"], "kelurahan"))


def _dukcapil_row(cells: dict, table: Table) -> dict:
    year = v.year(cells["tahun"], "tahun")
    semester = v.semester(cells["semester"], "semester")
    kota = v.area_name(cells["kota"], "kota")
    context = table.context
    for column, value, stated in (("tahun", year, context.get("year")),
                                  ("semester", semester, context.get("semester")),
                                  ("kota", kota, context.get("kota"))):
        if stated is not None and value != stated:
            raise v.CellError(column, f"{value} disagrees with the title ({stated}): "
                              f"{context.get('title', '')[:120]}", INCONSISTENT)
    return _row(DUKCAPIL, year, "kota", kota,
                v.age_band(cells["usia"], v.TEN_YEAR_BANDS, "usia"), "total",
                v.count(cells["total"], "total"), cells["usia"], semester=semester,
                kab_code_kemendagri=v.kab_code(cells["no_kab"], kota, "no_kab"),
                male_residents=v.count(cells["male"], "male"),
                female_residents=v.count(cells["female"], "female"))


def _bps_row(cells: dict, table: Table) -> dict:
    return _row(BPS, table.context["year"], "kota", v.area_name(cells["kota"], "kota"),
                (v.ALL_AGES, *v.ALL_BANDS[v.ALL_AGES]), "total",
                v.count(cells["residents"], "residents"), None)


ROW_READERS = {SATUDATA: _satudata_row, DUKCAPIL: _dukcapil_row, BPS: _bps_row}
