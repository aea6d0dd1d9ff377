"""The contract every source parser follows: bytes in, a ParseResult out.

Parsers are pure functions with no Dagster or database in them, so they are tested on the
real published files directly. Each source row ends up in exactly one of three places:

* ``staged``      – a typed, cleaned row (one per source row that survived),
* ``no_data``     – a row the publisher itself marks as "no data" (counted, not stored),
* ``quarantine``  – a row that could not be read, with the column and the reason.

``staged + no_data + quarantined == source_rows`` is checked by :meth:`ParseResult.reconcile`
and again by the blocking quality check, so no row can disappear silently.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import pandas as pd

QUARANTINE_COLUMNS = ["source_row", "column_name", "kind", "reason", "raw_record"]

# A publisher's free-text cell can be long (report descriptions); Python's csv default of
# 128 KiB would refuse a whole payload for one such cell. 16 MiB still stops a runaway field.
csv.field_size_limit(16 * 1024 * 1024)

# Why a row is quarantined:
# * unreadable   – a value that cannot be parsed; in a key column it stops the line;
# * inconsistent – read, but it contradicts the payload (a month that disagrees with the
#                  period, an unknown station, the same key again with other values);
# * duplicate    – an exact repeat of an earlier record of the same payload: nothing is lost,
#                  so it is reported but does not count towards the quarantine share.
UNREADABLE, INCONSISTENT, DUPLICATE = "unreadable", "inconsistent", "duplicate"
QUARANTINE_KINDS = (UNREADABLE, INCONSISTENT, DUPLICATE)


class ParseError(ValueError):
    """A payload that cannot be read at all (no header, wrong format, truncated).

    The parser names the file and, where it can, the row and column; the staging engine adds
    the source id from the source's spec (:meth:`for_source`), so the message a check or an
    alert shows always reads ``source: file, row r, column 'c': what is wrong``.
    """

    def __init__(self, file: str, message: str, row: int | None = None,
                 column: str | None = None, source: str | None = None):
        self.file, self.message, self.row, self.column = file, message, row, column
        self.source = source
        super().__init__(str(self))

    def for_source(self, source: str) -> ParseError:
        """The same error, naming ``source`` (the spec's id)."""
        return ParseError(self.file, self.message, self.row, self.column, source)

    def __str__(self) -> str:
        where = f"{self.source}: {self.file}" if self.source else str(self.file)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass
class Quarantine:
    """Collects rows that could not be staged, each with the column and reason."""

    rows: list[dict] = field(default_factory=list)

    def add(self, source_row: int | None, column: str | None, reason: str, raw: object,
            kind: str = UNREADABLE) -> None:
        if kind not in QUARANTINE_KINDS:
            raise ValueError(f"quarantine kind must be one of {QUARANTINE_KINDS}, not {kind!r}")
        if not isinstance(raw, str):
            raw = json.dumps(raw, ensure_ascii=False, default=str)
        self.rows.append({"source_row": source_row, "column_name": column, "kind": kind,
                          "reason": reason, "raw_record": raw})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=QUARANTINE_COLUMNS)
        return df.astype({"source_row": "Int64"})

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class ParseResult:
    staged: pd.DataFrame
    source_rows: int
    no_data: int = 0
    quarantine: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    notes: dict = field(default_factory=dict)  # parser facts worth showing (schema version…)

    def reconcile(self) -> None:
        """Raise if any source row is unaccounted for."""
        total = len(self.staged) + self.no_data + len(self.quarantine)
        if total != self.source_rows:
            raise AssertionError(
                f"rows do not reconcile: staged {len(self.staged)} + no-data {self.no_data} + "
                f"quarantined {len(self.quarantine)} = {total} != source rows {self.source_rows}")


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), falling back to cp1252 only for bytes UTF-8 rejects."""
    if b"\x00" in data[:4096]:
        raise ParseError(file, "binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def sniff_delimiter(header_line: str, candidates: str = ",;\t|") -> str:
    """The candidate that splits the header into the most fields (robust for one line)."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in candidates}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv_records(text: str, delimiter: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV text, with RFC 4180 quoting (multi-line fields kept whole)."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = delimiter or sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [r for r in reader]
    if not rows:
        return [], []
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    return header, body


# ---------------------------------------------------------------------------------------------
# typing a staged frame by its table spec (the one place column types are declared)

_INTEGER = {"bigint", "integer", "smallint", "int", "int4", "int8", "int2"}
_FLOAT = {"double precision", "real", "numeric", "float8", "float4"}


def pandas_dtype(sql_type: str) -> str | None:
    """The pandas dtype a staged column of ``sql_type`` is held in (None: leave as is, e.g.
    arrays and JSON, which stay Python objects)."""
    t = sql_type.lower().strip()
    if t.endswith("[]") or t in ("jsonb", "json"):
        return None
    if t in _INTEGER:
        return "Int64"
    if t in _FLOAT or t.startswith("numeric"):
        return "float64"
    if t == "boolean":
        return "boolean"
    if t == "date" or t == "timestamp" or t == "timestamp without time zone":
        return "datetime64[ns]"
    if t in ("timestamptz", "timestamp with time zone"):
        return "datetime64[ns, UTC]"
    return "str"


def conform(frame: pd.DataFrame, columns, source: str, what: str = "staged rows"
            ) -> pd.DataFrame:
    """``frame`` with exactly ``columns`` (``platform.tables.Column``; order as declared), each
    cast to the pandas dtype of its SQL type. A parser hands over rows by column name; the
    table spec alone says the types. A missing or unexpected column is a programming error in
    the parser and raises, naming the source and the columns."""
    names = [c.name for c in columns]
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame(columns=names)
    missing = [n for n in names if n not in frame.columns]
    extra = [c for c in frame.columns if c not in names]
    if missing or extra:
        raise ValueError(f"{source}: {what} do not match the staging table: missing "
                         f"{missing}, unexpected {extra}")
    out = {}
    for column in columns:
        series = frame[column.name]
        dtype = pandas_dtype(column.sql_type)
        try:
            out[column.name] = _cast(series, dtype)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: column {column.name!r} cannot be held as "
                             f"{column.sql_type}: {exc}") from exc
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _cast(series: pd.Series, dtype: str | None) -> pd.Series:
    if dtype is None or str(series.dtype) == dtype:
        return series
    if series.dtype == object and not series.notna().any():
        # a column the source does not fill: all missing, typed at once (not value by value)
        return pd.Series(index=series.index, dtype=dtype)
    if dtype.startswith("datetime64"):
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            converted = series.dt.tz_convert("UTC") if "UTC" in dtype else series
            return converted.astype(dtype) if "UTC" in dtype else converted
        if "UTC" in dtype:
            return pd.to_datetime(series, utc=True).astype(dtype)
        return pd.to_datetime(series).astype(dtype)
    if dtype == "Int64" and series.dtype == object:
        return pd.array(series.where(series.notna(), None).tolist(), dtype="Int64")
    if dtype == "str":
        return series.astype("str").where(series.notna(), None).astype("str")
    return series.astype(dtype)
