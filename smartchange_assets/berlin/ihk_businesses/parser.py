"""Parser for the IHK Berlin Gewerbedaten (member-business register), one monthly file.

One file -> one staged row per business row (docs/sources/berlin-ihk-businesses.md). A full
month is about 350 000 rows and 111 MB, so the parser is vectorised: the bytes are decoded as
a stream (no second copy of the text), the rows' field counts are taken in one pass of the C
``csv`` reader, the fields are read by pandas' C parser as strings, and every rule below is a
column operation; Python loops run only over quarantined rows and repeated ids.

Form (tolerated): UTF-8 with or without BOM (cp1252 for bytes UTF-8 rejects), CRLF or LF,
``;`` with ``"`` quoting where a field holds a ``;``; the header as published (19 names and a
trailing ``;`` over rows of 20 fields), without the trailing ``;``, or fixed to 20 names
(:mod:`.layout`); coordinates with a decimal comma (``52,48873738``) or point.

Meaning (strict):

* ``opendata_id`` is kept as published text. Excel wrote about half of the sample's ids in
  scientific notation (``9,43032E+11``): the digits are lost, so such an id is staged as NULL
  with ``opendata_id_status = 'excel_mangled'`` and can never become a join key; only plain
  digit ids are ids. Two rows with the same usable id follow the platform's one duplicate rule;
* ``planungsraum_id`` is the LOR 2021 Planungsraum with its leading zero dropped
  (``4500939`` = ``04500939``): padded to 8 digits; its first two digits must be the code of
  the ``Bezirk`` named in the row, else the row is ``inconsistent``. The blocking
  ``plr_in_lor`` check ties every key to the LOR table;
* coordinates are WGS84 and must lie in Berlin's bounding box (:data:`LAT_RANGE`,
  :data:`LON_RANGE`), else ``inconsistent``; the city must be Berlin;
* ``nace_id`` is a WZ 2008 / NACE Rev. 2 code without dots, a 4-digit class or a 3-digit group
  (``551``), and must begin with the 2-digit division ``branch_top_level_id``;
* ``employees_range``: ``0`` is the code for "no employees reported" (staged with NULL bounds),
  ``1 - 3 Beschäftigte`` gives 1 and 3, ``… und mehr`` an open upper bound; other text is
  ``unreadable``;
* the snapshot month is the file's (``IHK_OD_03-2023``, ``…_03-2023.csv``, ``…_2023-03…``); a
  name without one is refused: the register is a stock at a month.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re

import numpy as np
import pandas as pd

from smartchange_assets.berlin.lor.counts import LOR2021_BEZIRKE
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.names import fold
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

from .layout import COLUMNS, Layout, read_layout

LOR2021 = "LOR2021"
LAT_RANGE = (52.33, 52.68)   # Berlin's extent with a margin (52.338–52.675 N)
LON_RANGE = (13.08, 13.77)   # (13.088–13.761 E)
BUSINESS_TYPES = ("Kleingewerbetreibender", "im Handelsregister eingetragen")
ID_OK, ID_MANGLED, ID_MISSING, ID_INVALID = "ok", "excel_mangled", "missing", "not_an_id"
_BEZIRK_CODE = {fold(name): code for code, (name, *_) in LOR2021_BEZIRKE.items()}
_MONTH_YEAR = re.compile(r"(?<!\d)(0[1-9]|1[0-2])[-_.](20\d\d)(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])(?!\d)")
_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)\s*Besch\S*$", re.IGNORECASE)
_OPEN = re.compile(r"^(?:ab\s*)?(\d+)\s*(?:und mehr|\+|oder mehr)?\s*Besch\S*(?:\s*und mehr)?$",
                   re.IGNORECASE)
KEY = ("opendata_id",)

STAGED = ["source_row", "snapshot_month", "opendata_id", "opendata_id_published",
          "opendata_id_status", "postcode", "latitude", "longitude", "ihk_branch_id",
          "nace_id", "nace_code", "branch_top_level_id", "employees_range", "employees_min",
          "employees_max", "ihk_branch_desc", "nace_desc", "branch_top_level_desc",
          "business_age", "business_type", "bezirk_code", "bezirk_name", "lor_version",
          "plr_code", "plr_name", "bezirksregion_name", "prognoseraum_name", "ortsteil"]


def parse_ihk(data: bytes, file_name: str) -> ParseResult:
    """Parse one IHK Gewerbedaten file into one staged row per business row."""
    month = snapshot_month(file_name)
    encoding = _encoding(data, file_name)
    header, fields = _field_counts(data, encoding, file_name)
    if not len(fields):
        raise ParseError(file_name, "no data rows after the header")
    typical = int(np.bincount(fields).argmax())
    layout = read_layout(header, typical, file_name)
    cells = _read_cells(data, encoding, layout, int(fields.max()), len(fields), file_name)
    quarantine = Quarantine()
    problems = pd.Series(pd.NA, index=cells.index, dtype="object")
    kinds = pd.Series(UNREADABLE, index=cells.index, dtype="object")
    columns = pd.Series(pd.NA, index=cells.index, dtype="object")
    wrong_width = fields != layout.fields
    problems[wrong_width] = [f"row has {n} fields, the header {layout.fields}"
                             for n in fields[wrong_width]]
    staged = _clean(cells, month, layout, problems, kinds, columns)
    bad = problems.notna()
    for i in np.flatnonzero(bad.to_numpy()):
        quarantine.add(int(i) + 1, None if pd.isna(columns.iat[i]) else columns.iat[i],
                       problems.iat[i], _raw(cells.iloc[i], layout), kinds.iat[i])
    staged = staged[~bad]
    with_id = staged[staged["opendata_id"].notna()]
    raws = pd.Series({i: _raw(cells.loc[i], layout) for i in _repeated(with_id)},
                     dtype="object")
    settled = settle_duplicates(with_id, KEY, quarantine, raw=raws)
    staged = pd.concat([settled, staged[staged["opendata_id"].isna()]]).sort_values("source_row")
    result = ParseResult(
        staged=staged[STAGED].reset_index(drop=True), source_rows=len(cells),
        quarantine=quarantine.frame(),
        notes={"snapshot_month": month.isoformat(), "encoding": encoding,
               "ortsteil_from_unnamed_column": layout.ortsteil_unnamed,
               "ids_excel_mangled": int((staged["opendata_id_status"] == ID_MANGLED).sum()),
               "leading_zeros_restored": int(staged["_plr_padded"].sum())})
    result.reconcile()
    return result


def snapshot_month(file_name: str) -> dt.date:
    """The month a register file is for, from its name."""
    if m := _MONTH_YEAR.search(file_name):
        return dt.date(int(m[2]), int(m[1]), 1)
    if m := _YEAR_MONTH.search(file_name):
        return dt.date(int(m[1]), int(m[2]), 1)
    raise ParseError(file_name, "the file name names no month (…_MM-YYYY.csv): the register "
                     "is a stock at a month, and its month would be a guess")


# --------------------------------------------------------------------------------------------
# reading


def _encoding(data: bytes, file_name: str) -> str:
    if b"\x00" in data[:4096]:
        raise ParseError(file_name, "binary content (NUL bytes), not a text file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _text(data: bytes, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def _field_counts(data: bytes, encoding: str, file_name: str) -> tuple[list[str], np.ndarray]:
    """The header and every data row's number of fields (one pass of the C csv reader)."""
    reader = csv.reader(_text(data, encoding), delimiter=";")
    try:
        header = next(reader)
        counts = np.fromiter((len(r) for r in reader if r), dtype=np.int32)
    except StopIteration:
        raise ParseError(file_name, "empty payload") from None
    except csv.Error as err:
        raise ParseError(file_name, f"CSV cannot be read: {err}", row=reader.line_num) from None
    if len(header) < 2:
        raise ParseError(file_name, f"header {header!r} is not ';'-separated", row=1)
    return header, counts


def _read_cells(data: bytes, encoding: str, layout: Layout, width: int, rows: int,
                file_name: str) -> pd.DataFrame:
    """Every data row's fields as strings ('' when empty), by canonical column."""
    names = [f"f{i}" for i in range(max(width, layout.fields))]
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=";", header=None, skiprows=1, names=names,
                            dtype=str, keep_default_na=False, na_filter=False,
                            encoding=encoding, engine="c", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise ParseError(file_name, f"CSV cannot be read: {err}") from None
    if len(frame) != rows:
        raise ParseError(file_name, f"{len(frame)} rows read but {rows} counted: quoting or "
                         "line breaks are broken")
    frame.index = pd.RangeIndex(len(frame))
    return pd.DataFrame({c: frame[f"f{i}"].str.strip() for c, i in layout.positions.items()})


def _raw(row: pd.Series, layout: Layout) -> dict:
    return {layout.published(c): row[c] for c in COLUMNS if c in row.index}


def _repeated(frame: pd.DataFrame) -> list:
    return list(frame.index[frame.duplicated(list(KEY), keep=False)])


# --------------------------------------------------------------------------------------------
# the rules, column by column


def _flag(problems: pd.Series, kinds: pd.Series, columns: pd.Series, mask: pd.Series,
          column: str, reasons, kind: str = UNREADABLE) -> None:
    """Record the first problem of each row in ``mask`` (earlier problems win)."""
    new = mask & problems.isna()
    if not new.any():
        return
    problems[new] = reasons[new] if isinstance(reasons, pd.Series) else reasons
    kinds[new] = kind
    columns[new] = column


def _clean(cells: pd.DataFrame, month: dt.date, layout: Layout, problems: pd.Series,
           kinds: pd.Series, columns: pd.Series) -> pd.DataFrame:
    def flag(mask, column, reasons, kind=UNREADABLE):
        _flag(problems, kinds, columns, mask, layout.published(column), reasons, kind)

    def why(column: str, what: str) -> pd.Series:
        return layout.published(column) + " '" + cells[column] + "' " + what

    out = pd.DataFrame({"source_row": np.arange(1, len(cells) + 1)}, index=cells.index)
    out["snapshot_month"] = month

    # the Planungsraum and its Bezirk (the row's place: checked first)
    plr = cells["planungsraum_id"]
    flag(~plr.str.fullmatch(r"\d{7,8}"), "planungsraum_id",
         why("planungsraum_id", "is not a Planungsraum id (7 or 8 digits)"))
    out["plr_code"] = plr.str.zfill(8)
    out["_plr_padded"] = plr.str.len() == 7
    names = cells["bezirk"]
    codes = names.map({n: _BEZIRK_CODE.get(fold(n)) for n in names.unique()})
    flag(codes.isna(), "bezirk", why("bezirk", "is not a Berlin Bezirk"))
    flag(codes.notna() & (out["plr_code"].str[:2] != codes), "planungsraum_id",
         why("planungsraum_id", "lies in Bezirk ") + out["plr_code"].str[:2] + ", the row "
         "names " + names + " (" + codes.fillna("?") + ")", INCONSISTENT)
    out["bezirk_code"], out["bezirk_name"], out["lor_version"] = codes, names, LOR2021
    for staged, column in (("plr_name", "planungsraum"), ("bezirksregion_name",
                                                          "bezirksregion"),
                           ("prognoseraum_name", "prognoseraum"), ("ortsteil", "ortsteil")):
        out[staged] = cells[column].where(cells[column] != "") if column in cells else None
    flag(out["plr_name"].isna(), "planungsraum", "Planungsraum name is empty")

    flag(fold_series(cells["city"]) != "BERLIN", "city", why("city", "is not Berlin"),
         INCONSISTENT)
    _coordinates(cells, out, flag, why)
    _codes(cells, out, flag, why)
    _employees(cells, out, flag, why)
    _id(cells, out)
    age = cells["business_age"]
    flag(~age.str.fullmatch(r"\d{1,3}|"), "business_age", why("business_age",
                                                               "is not an age in years"))
    out["business_age"] = pd.to_numeric(age.where(age.str.fullmatch(r"\d{1,3}")),
                                        errors="coerce").astype("Int64")
    flag(~cells["business_type"].isin(BUSINESS_TYPES), "business_type",
         why("business_type", f"is not one of {list(BUSINESS_TYPES)}"))
    out["business_type"] = cells["business_type"]
    for column in ("ihk_branch_desc", "nace_desc", "branch_top_level_desc"):
        out[column] = cells[column].where(cells[column] != "")
    return out


def fold_series(series: pd.Series) -> pd.Series:
    return series.map({v: fold(v) for v in series.unique()})


def _coordinates(cells, out, flag, why) -> None:
    for column, (low, high) in (("latitude", LAT_RANGE), ("longitude", LON_RANGE)):
        text = cells[column].str.replace(",", ".", regex=False)
        value = pd.to_numeric(text.where(text.str.fullmatch(r"-?\d+(\.\d+)?")), errors="coerce")
        flag(value.isna(), column, why(column, "is not a coordinate"))
        flag(value.notna() & ~value.between(low, high), column,
             why(column, f"lies outside Berlin ({low}–{high})"), INCONSISTENT)
        out[column] = value


def _codes(cells, out, flag, why) -> None:
    postcode = cells["postcode"]
    flag(~postcode.str.fullmatch(r"1[0-4]\d{3}"), "postcode",
         why("postcode", "is not a Berlin postcode (10000–14999)"))
    out["postcode"] = postcode
    division = cells["branch_top_level_id"]
    flag(~division.str.fullmatch(r"\d{2}"), "branch_top_level_id",
         why("branch_top_level_id", "is not a 2-digit NACE division"))
    nace = cells["nace_id"]
    flag(~nace.str.fullmatch(r"\d{2,5}"), "nace_id", why("nace_id", "is not a NACE code"))
    flag(nace.str[:2] != division, "nace_id",
         why("nace_id", "is not in NACE division ") + division, INCONSISTENT)
    out["nace_id"], out["branch_top_level_id"] = nace, division
    out["nace_code"] = (nace.str[:2] + "." + nace.str[2:]).where(nace.str.len() > 2, nace)
    branch = cells["ihk_branch_id"]
    flag(~branch.str.fullmatch(r"\d{2,8}"), "ihk_branch_id",
         why("ihk_branch_id", "is not an IHK branch code"))
    out["ihk_branch_id"] = branch


def _employees(cells, out, flag, why) -> None:
    """Size classes are a handful of texts: each distinct text is read once."""
    text = cells["employees_range"]
    classes = pd.Series(text.unique())
    bounds = classes.str.extract(_RANGE)
    bounds[0] = bounds[0].fillna(classes.str.extract(_OPEN)[0])
    bounds.index = classes
    known = (classes == "0") | bounds[0].notna().to_numpy()
    flag(~text.isin(classes[known]), "employees_range",
         why("employees_range", "is not an employee size class"))
    out["employees_range"] = text.where(text != "")
    out["employees_min"] = pd.to_numeric(text.map(bounds[0]), errors="coerce").astype("Int64")
    out["employees_max"] = pd.to_numeric(text.map(bounds[1]), errors="coerce").astype("Int64")


def _id(cells, out) -> None:
    text = cells["opendata_id"]
    plain = text.str.fullmatch(r"\d+")
    mangled = text.str.contains(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$", regex=True)
    out["opendata_id_published"] = text.where(text != "")
    out["opendata_id"] = text.where(plain)
    out["opendata_id_status"] = np.select([plain, mangled, text == ""],
                                          [ID_OK, ID_MANGLED, ID_MISSING], ID_INVALID)
