"""Jakarta CRM citizen reports parser: one payload's bytes -> ParseResult
(docs/sources/jakarta-citizen-reports.md).

Two payload shapes:

* **the research CSV** (GEMASTIK 2024 scrape of crm.jakarta.go.id, 2023):
  ``report_id,number,date,month,year,image_path,description,location,category,dinas,
  dinas_clean,image,dinas_final,label``. CRM fields are ``report_id``, ``description``,
  ``location`` (``KELURAHAN <NAME>``), ``category``, ``dinas``. ``number,date,month,year`` were
  derived from the report id by the researchers (checked against it here), and
  ``image_path, image, dinas_clean, dinas_final, label`` are their model's inputs and
  predictions: not CRM data, dropped (still visible in a quarantined row's raw_record).
  Quirks: multi-line quoted descriptions, HTML entities (``&amp;``), categories with trailing
  spaces, two-digit years.
* **the CRM public dashboard API** (``distribution-map``): a JSON list of
  ``{id, code, content, lat, lng, tstatus:{name}, complaintCategory:{name}, zone:{name},
  createdAt}``; ``content`` is ``Permasalahan: … Kategori: … Lokasi: … Detail Alamat Laporan:
  …``. Only the problem text (``Permasalahan``) is kept, redacted; the street address
  (``Detail Alamat Laporan``) and the coordinates (``lat``, ``lng``: where the reporter stood,
  often their home) are personal data and never staged.

Report ids are ``JK`` + yymmdd + a 4-digit daily sequence (``JK2306180342``). The CSV has a
date only, so ``created_at_local``/``created_at_utc`` are null there and ``created_date`` comes
from the id; the API's ``createdAt`` gives all three (a time without offset is read as
Asia/Jakarta wall time, the CRM's own zone).

A report id published twice follows the one duplicate-key rule of every source
(:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat stages once,
a repeat with other content (status changed mid-scrape?) stages neither. Staged rows carry the
staging table's column names; the engine types them by the table spec in source.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from functools import partial
from zoneinfo import ZoneInfo

import pandas as pd

from smartchange_assets.jakarta.citizen_reports import text as tx
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.headers import HeaderSpec, header_key
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
    decode_text,
    read_csv_records,
    sniff_delimiter,
)

JAKARTA = ZoneInfo("Asia/Jakarta")

# CSV header: canonical column -> spellings (compared by header_key). Only report_id is
# required; the rest may be absent from a re-export and is then null.
CSV_HEADER = HeaderSpec({
    "report_id": ("kode_laporan", "code"),
    "description": ("deskripsi", "permasalahan"),
    "location": ("lokasi", "kelurahan"),
    "category": ("kategori",),
    "agency": ("dinas", "opd"),
    "status": (),
    "channel": ("kanal", "sumber"),
    "day": ("date",),
    "month": (),
    "year": (),
}, required=("report_id",))
KEY = ("report_id",)
# Added by the researchers, not by the CRM: never staged.
RESEARCH_COLUMNS = ("number", "image_path", "image", "dinas_clean", "dinas_final", "label")

_REPORT_ID = re.compile(r"([A-Z]{2})(\d{2})(\d{2})(\d{2})(\d{4})")
_CONTENT_LABELS = ("Permasalahan", "Kategori", "Lokasi", "Detail Alamat Laporan")
_HEADER_SEARCH_LINES = 20


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        super().__init__(reason)
        self.column, self.reason, self.kind = column, reason, kind


# --------------------------------------------------------------------------------------------
# values


def report_id_date(report_id: str) -> dt.date:
    """The creation date a report id carries (``JK2306180342`` -> 2023-06-18). ValueError."""
    match = _REPORT_ID.fullmatch(report_id)
    if not match:
        raise ValueError(f"report id {report_id!r} is not JK + yymmdd + 4 digits")
    _, yy, mm, dd, _ = match.groups()
    try:
        return dt.date(2000 + int(yy), int(mm), int(dd))
    except ValueError:
        raise ValueError(f"report id {report_id!r} carries no valid date "
                         f"(20{yy}-{mm}-{dd})") from None


def split_content(content: str) -> dict[str, str]:
    """The parts of a dashboard ``content`` text, by label.

    Labels are searched from the end (``Detail Alamat Laporan`` last, then ``Lokasi``, then
    ``Kategori``), so a citizen who writes "Lokasi:" inside the problem text does not move the
    boundaries. Text without the template is all ``Permasalahan``.
    """
    parts: dict[str, str] = {}
    end = len(content)
    for label in reversed(_CONTENT_LABELS[1:]):
        at = content.rfind(f"{label}:", 0, end)
        if at < 0:
            continue
        parts[label] = content[at + len(label) + 1:end].strip()
        end = at
    head = content[:end]
    start = head.find("Permasalahan:")
    parts["Permasalahan"] = (head[start + len("Permasalahan:"):] if start >= 0 else head).strip()
    return parts


def created_at(value: str) -> tuple[dt.date, dt.datetime | None, dt.datetime | None]:
    """``createdAt`` -> (local date, local wall time, UTC instant); date-only text gives
    (date, None, None). A time without offset is Asia/Jakarta wall time. ValueError."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text), None, None
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=JAKARTA)
    local = stamp.astimezone(JAKARTA)
    return local.date(), local.replace(tzinfo=None), stamp.astimezone(dt.UTC)


# --------------------------------------------------------------------------------------------
# public entry point


def parse_citizen_reports(data: bytes, file_name: str) -> ParseResult:
    """Parse one CRM payload (research CSV or dashboard API JSON)."""
    try:
        text = decode_text(data, file_name).lstrip("\ufeff")
    except UnicodeDecodeError as err:
        raise ParseError(file_name, f"not a text file ({err.reason})") from None
    if text.lstrip()[:1] in ("[", "{"):
        records, notes = _read_json(text, file_name), {"format": "crm dashboard json"}
        clean = _clean_api_row
    else:
        records, notes = _read_csv(text, file_name)
        clean = partial(_clean_csv_row, col=notes["column_map"])
    quarantine, rows, raws = Quarantine(), [], []
    for source_row, raw in enumerate(records, start=1):
        try:
            rows.append({"source_row": source_row, **clean(raw)})
            raws.append(raw)
        except _RowError as err:
            quarantine.add(source_row, err.column, err.reason, _quarantine_record(raw),
                           kind=err.kind)
    staged = _staged_frame(_settle(rows, raws, quarantine))
    notes.update(_summary_notes(staged, quarantine))
    result = ParseResult(staged=staged, source_rows=len(records), quarantine=quarantine.frame(),
                         notes=notes)
    result.reconcile()
    return result


def _quarantine_record(raw: dict) -> dict:
    """What raw_record may keep of a rejected report: never its free text, address or
    coordinates (raw.quarantine is a table too)."""
    safe = {}
    for key, value in raw.items():
        if key in ("lat", "lng", "latitude", "longitude"):
            continue
        if isinstance(value, str):
            safe[key] = tx.safe(value)
        elif isinstance(value, dict):
            safe[key] = {k: tx.safe(v) if isinstance(v, str) else v for k, v in value.items()}
        else:
            safe[key] = value
    if isinstance(raw.get("content"), str):
        parts = split_content(raw["content"])
        safe["content"] = {"Permasalahan": tx.redact_description(parts["Permasalahan"]),
                           "Kategori": tx.safe(parts.get("Kategori")),
                           "Lokasi": tx.safe(parts.get("Lokasi"))}
    return safe


# --------------------------------------------------------------------------------------------
# CSV (research scrape)


def _read_csv(text: str, file_name: str) -> tuple[list[dict], dict]:
    if text.count('"') % 2:
        # Quotes are doubled inside fields, so an odd count is a field that never closes: a
        # cut-off download. The multi-line descriptions make a partial read dangerous.
        raise ParseError(file_name, "unterminated quoted field: payload truncated?")
    lines = text.splitlines(keepends=True)
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    for i in nonblank:
        delimiter = sniff_delimiter(lines[i].rstrip("\r\n"), candidates=",;\t")
        if not CSV_HEADER.missing(next(csv.reader([lines[i]], delimiter=delimiter))):
            header, rows = read_csv_records("".join(lines[i:]), delimiter)
            mapped = CSV_HEADER.names(header, file_name)
            records = []
            for row in rows:
                record = dict(zip(header, row, strict=False))
                if len(row) != len(header):
                    record["_field_count"] = f"{len(row)} fields, header has {len(header)}"
                records.append(record)
            return records, {"format": "research csv", "delimiter": delimiter,
                             "column_map": mapped,
                             "dropped_columns": [h for h in header if header_key(h)
                                                 in RESEARCH_COLUMNS]}
    first = lines[nonblank[0]].strip()[:120] if nonblank else ""
    raise ParseError(file_name, "no CRM header (needs a report_id column) in the first "
                     f"{_HEADER_SEARCH_LINES} lines; first line reads {first!r}", row=1)


def _clean_csv_row(raw: dict, col: dict[str, str]) -> dict:
    """``col``: canonical column -> the header as published (:data:`CSV_HEADER`)."""
    if "_field_count" in raw:
        raise _RowError(None, f"row has {raw['_field_count']}")
    value = {c: raw[name] for c, name in col.items()}
    report_id = _report_id(value.get("report_id", ""), col.get("report_id", "report_id"))
    created = report_id_date(report_id)
    if all(k in value for k in ("day", "month", "year")):
        published = _published_date(value, col)
        if published != created:
            raise _RowError(col["day"], f"date {published} (date/month/year) disagrees with the "
                            f"date in report id {report_id} ({created})", INCONSISTENT)
    category_raw = value.get("category")
    return {"report_id": report_id, "created_date": created, "created_at_local": None,
            "created_at_utc": None, "category": tx.clean_label(category_raw),
            "category_raw": category_raw or None,
            "kelurahan_name": tx.kelurahan_name(value.get("location")),
            "agency": tx.clean_label(value.get("agency")),
            "status": tx.clean_label(value.get("status")),
            "channel": tx.clean_label(value.get("channel")),
            "description_redacted": tx.redact_description(value.get("description"))}


def _report_id(text: str, column: str) -> str:
    report_id = text.strip().upper()
    try:
        report_id_date(report_id)
    except ValueError as err:
        raise _RowError(column, str(err)) from None
    return report_id


def _published_date(value: dict, col: dict) -> dt.date:
    try:
        day, month, year = (int(value[k].strip()) for k in ("day", "month", "year"))
        return dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        raise _RowError(col["day"], f"date/month/year {value['day']!r}/{value['month']!r}/"
                        f"{value['year']!r} is not a date") from None


# --------------------------------------------------------------------------------------------
# JSON (dashboard API)


def _read_json(text: str, file_name: str) -> list[dict]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(file_name, f"invalid JSON at line {err.lineno} column "
                         f"{err.colno}: {err.msg}") from None
    rows = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        keys = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(file_name, f"expected a JSON list of reports (or a 'data' "
                         f"list); got {keys}")
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ParseError(file_name, f"report is a {type(row).__name__}, not an "
                             "object", row=n)
    return rows


def _name(value) -> str | None:
    """``{name: …}`` objects of the API (or a bare string)."""
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _clean_api_row(raw: dict) -> dict:
    report_id = _report_id(str(raw.get("code") or ""), "code")
    try:
        created_date, local, utc = created_at(str(raw.get("createdAt") or ""))
    except ValueError:
        raise _RowError("createdAt", f"createdAt {raw.get('createdAt')!r} is not an ISO "
                        "date or timestamp") from None
    content = raw.get("content") if isinstance(raw.get("content"), str) else ""
    parts = split_content(content)
    category_raw = _name(raw.get("complaintCategory")) or parts.get("Kategori")
    kelurahan = tx.kelurahan_name(_name(raw.get("zone"))) or tx.kelurahan_name(
        parts.get("Lokasi"))
    return {"report_id": report_id, "created_date": created_date, "created_at_local": local,
            "created_at_utc": utc, "category": tx.clean_label(category_raw),
            "category_raw": category_raw or None, "kelurahan_name": kelurahan,
            "agency": tx.clean_label(_name(raw.get("dinas")) or _name(raw.get("agency"))),
            "status": tx.clean_label(_name(raw.get("tstatus"))),
            "channel": tx.clean_label(_name(raw.get("channel"))),
            "description_redacted": tx.redact_description(parts["Permasalahan"])}


# --------------------------------------------------------------------------------------------
# duplicates, frame, notes


def _settle(rows: list[dict], raws: list[dict], quarantine: Quarantine) -> pd.DataFrame:
    """The one duplicate-key rule (platform.duplicates) on the report id. A quarantined repeat
    keeps only what :func:`_quarantine_record` lets through, never the raw text."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    repeated = frame.duplicated(list(KEY), keep=False)
    safe = pd.Series([_quarantine_record(raw) if twice else None
                      for raw, twice in zip(raws, repeated, strict=True)],
                     index=frame.index, dtype=object)
    return settle_duplicates(frame, KEY, quarantine, raw=safe)


def _staged_frame(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    # the defensive last pass: no staged text may still match find_pii (see text.py)
    frame = frame.map(lambda v: tx.safe(v) if isinstance(v, str) else v)
    return frame.sort_values(["created_date", "report_id"], kind="stable").reset_index(drop=True)


def _summary_notes(staged: pd.DataFrame, quarantine: Quarantine) -> dict:
    if staged.empty:
        staged = pd.DataFrame(columns=["description_redacted", "category", "category_raw",
                                       "kelurahan_name", "created_at_utc", "created_date"])
    return {
        "redacted_descriptions": int(staged["description_redacted"]
                                     .str.contains(r"\[(?:EMAIL|NIK|PHONE|PLATE|ADDRESS|NAME)\]",
                                                   regex=True, na=False).sum()),
        "categories_cleaned": int((staged["category"].fillna("")
                                   != staged["category_raw"].fillna("")).sum()),
        "without_kelurahan": int(staged["kelurahan_name"].isna().sum()),
        "with_time": int(staged["created_at_utc"].notna().sum()),
        "quarantined_by_column": dict(Counter(r["column_name"] for r in quarantine.rows)),
        "date_range": ([staged["created_date"].min().isoformat(),
                        staged["created_date"].max().isoformat()] if len(staged) else None),
    }
