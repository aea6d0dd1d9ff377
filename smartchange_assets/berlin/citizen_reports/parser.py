"""Ordnungsamt-Online bulk reply (one daily snapshot) -> ParseResult, one row per report.

The reply is ``{"messages": {"messages": [], "success": true}, "results": {"count": n,
"itemsPerPage": n}, "index": [report, …]}`` (docs/sources/berlin-citizen-reports.md §2). A
reply that is not JSON (cut short), says ``success: false``, or whose ``count`` differs from
the reports in ``index`` raises :class:`ParseError`: such a snapshot is not a picture of the
window, and staging half a window would make reports look as if they had left it.

Per report (``index`` item, ``source_row`` = its 1-based position):

* ``id`` -> ``report_id``; a missing or non-integer id is unreadable (key column); the same id
  twice follows the platform's one duplicate-key rule
  (:func:`~smartchange_assets.platform.duplicates.settle_duplicates`): an exact repeat is a
  ``duplicate`` and staged once, reports with other values are ``inconsistent`` and none of
  them is staged;
* ``erstellungsDatum`` ``DD.MM.YYYY - HH:MM:SS``, Europe/Berlin wall time without offset ->
  ``created_at_local`` and ``created_at_utc``; a wall time inside the spring-forward gap does not
  exist and is quarantined; one inside the fall-back hour is read as the first (summer-time)
  occurrence, the only reading the publisher's format allows, and counted in ``notes``;
* ``bezirk`` -> one of the twelve names (:mod:`.categories`), otherwise inconsistent;
* ``betreff`` -> ``category_main``/``category_sub`` and ``betreff_raw``; ``status`` trimmed, kept
  as an open set; ``meldungsNummern`` ``;``-joined, each a 3–8 character code;
* ``sachverhalt`` -> ``description_redacted`` only through :func:`.text.redact_free_text`.

``snapshot_at`` and ``snapshot_from`` are NULL here: the real envelope carries no time stamp (its
only keys are ``messages``, ``results`` and ``index``), so the source's transform fills them from
the payload's ``raw.landing_manifest`` row (fetch time, and how it was landed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pandas as pd

from smartchange_assets.berlin.citizen_reports.categories import (
    categorise,
    collapse,
    normalise_bezirk,
)
from smartchange_assets.berlin.citizen_reports.text import (
    REPORT_CODE_RE,
    redact_free_text,
    repair_text,
)
from smartchange_assets.platform.duplicates import settle_duplicates
from smartchange_assets.platform.parsing import (
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    Quarantine,
)

BERLIN = ZoneInfo("Europe/Berlin")
KEY = ["report_id"]
# staged column -> the report field it is read from (the quarantine names fields as published)
FIELD_OF = {"report_id": "id", "created_at_local": "erstellungsDatum",
            "created_at_utc": "erstellungsDatum", "bezirk": "bezirk", "category_main": "betreff",
            "category_sub": "betreff", "betreff_raw": "betreff", "status": "status",
            "report_numbers": "meldungsNummern", "description_redacted": "sachverhalt"}

_CREATED_RE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})\s*-\s*(\d{2}):(\d{2}):(\d{2})$")
_BOM = "\ufeff"


class _Unusable(Exception):
    """One report cannot be staged: the column, the kind and the reason."""

    def __init__(self, column: str | None, reason: str, kind: str = UNREADABLE):
        self.column, self.reason, self.kind = column, reason, kind
        super().__init__(reason)


def parse_citizen_reports(data: bytes, file_name: str) -> ParseResult:
    reports, announced = _read_envelope(data, file_name)
    quarantine = Quarantine()
    rows: list[dict] = []
    for source_row, record in enumerate(reports, start=1):
        try:
            row = _stage_report(record)
        except _Unusable as bad:
            # raw.quarantine is not staging, but it is read by people: no personal data there
            # either, in the record or in a reason quoting a value
            quarantine.add(source_row, bad.column, redact_free_text(bad.reason),
                           _safe_record(record), bad.kind)
            continue
        rows.append({"source_row": source_row, **row, "_raw": _safe_record(record)})
    staged = _settled(rows, quarantine)
    result = ParseResult(
        staged=staged.drop(columns="_ambiguous"), source_rows=len(reports),
        quarantine=quarantine.frame(),
        notes={"announced_count": announced,
               "fall_back_hour_stamps": int(staged["_ambiguous"].sum())})
    result.reconcile()
    return result


def _read_envelope(data: bytes, file_name: str) -> tuple[list, int | None]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(file_name, f"not UTF-8 at byte {exc.start}") from exc
    # NUL characters are stripped defensively (docs/sources/berlin-citizen-reports.md §3);
    # strict=False lets raw
    # control characters inside strings through, as a lenient server may send them.
    text = text.removeprefix(_BOM).replace("\x00", "")
    try:
        doc = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ParseError(file_name, f"not valid JSON (truncated or garbled?): {exc.msg} "
                         f"at line {exc.lineno}, column {exc.colno} (character {exc.pos} of "
                         f"{len(text)})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("index"), list):
        raise ParseError(file_name, "expected the envelope {messages, results, index} "
                         f"with a list 'index', got {_shape(doc)}")
    messages = doc.get("messages")
    if isinstance(messages, dict) and messages.get("success") is False:
        raise ParseError(file_name, "the API answered success=false: "
                         f"{json.dumps(messages.get('messages'), ensure_ascii=False)[:300]}")
    reports = doc["index"]
    results = doc.get("results")
    announced = results.get("count") if isinstance(results, dict) else None
    if announced is not None and announced != len(reports):
        raise ParseError(file_name, f"results.count says {announced!r} reports but "
                         f"'index' holds {len(reports)} (cut short or paginated reply)")
    return reports, announced


def _shape(doc: object) -> str:
    if isinstance(doc, dict):
        return "an object with keys " + ", ".join(sorted(map(str, doc))[:8])
    return type(doc).__name__


def _stage_report(record: object) -> dict:
    if not isinstance(record, dict):
        raise _Unusable(None, f"report is {type(record).__name__}, not an object")
    report_id = _report_id(record.get("id"))
    local, utc, ambiguous = _created_at(record.get("erstellungsDatum"))
    # kept as published (spaces included) apart from repair and redaction: a free title is
    # citizen-written text like the description
    betreff = redact_free_text(_optional_text(record, "betreff"))
    main, sub = categorise(betreff)
    return {
        "report_id": report_id,
        # the envelope carries no time stamp: the source's transform fills it from the manifest
        "snapshot_at": None,
        "snapshot_from": None,
        "created_at_local": local,
        "created_at_utc": utc,
        "bezirk": _bezirk(record.get("bezirk")),
        "category_main": main,
        "category_sub": sub,
        "betreff_raw": betreff,
        "status": _status(record.get("status")),
        "report_numbers": _report_numbers(record.get("meldungsNummern")),
        "description_redacted": redact_free_text(_optional_text(record, "sachverhalt")),
        "_ambiguous": ambiguous,
    }


def _report_id(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Unusable("id", f"report id {value!r} is not a positive integer")
    return value


def _created_at(value: object) -> tuple[dt.datetime, dt.datetime, bool]:
    match = _CREATED_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _Unusable("erstellungsDatum",
                        f"creation stamp {value!r} is not DD.MM.YYYY - HH:MM:SS")
    day, month, year, hour, minute, second = map(int, match.groups())
    try:
        local = dt.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise _Unusable("erstellungsDatum", f"creation stamp {value!r}: {exc}") from exc
    first = local.replace(tzinfo=BERLIN, fold=0)
    utc = first.astimezone(dt.UTC)
    if utc.astimezone(BERLIN).replace(tzinfo=None) != local:
        raise _Unusable("erstellungsDatum", f"creation stamp {value!r} falls in the "
                        "spring-forward gap: that Europe/Berlin wall time does not exist",
                        INCONSISTENT)
    ambiguous = first.utcoffset() != local.replace(tzinfo=BERLIN, fold=1).utcoffset()
    return local, utc, ambiguous


def _bezirk(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Unusable("bezirk", f"Bezirk {value!r} missing")
    name = normalise_bezirk(repair_text(value))
    if name is None:
        raise _Unusable("bezirk", f"{value!r} is not one of the 12 Berlin Bezirke",
                        INCONSISTENT)
    return name


def _status(value: object) -> str:
    status = collapse(repair_text(value)) if isinstance(value, str) else ""
    if not status:
        raise _Unusable("status", f"status {value!r} missing")
    return status


def _report_numbers(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        raise _Unusable("meldungsNummern", f"meldungsNummern {value!r} is not a list of strings")
    numbers = [n.strip() for n in value if n.strip()]
    for number in numbers:
        # a publisher code, never free text (see text.REPORT_CODE_RE)
        if not REPORT_CODE_RE.fullmatch(number):
            raise _Unusable("meldungsNummern", f"report number {numbers.index(number) + 1} "
                            "is not a code of 3–8 letters and digits")
    return ";".join(numbers) or None


def _optional_text(record: dict, field: str) -> str | None:
    value = record.get(field)
    if value is not None and not isinstance(value, str):
        raise _Unusable(field, f"{field} is {type(value).__name__}, not text")
    return value


def _safe_record(record: object) -> str:
    """The record as kept in raw.quarantine: its JSON with personal data redacted like staging
    (a rejected record may carry it in any field, not only the free-text ones)."""
    return redact_free_text(json.dumps(record, ensure_ascii=False, default=str))


def _settled(rows: list[dict], quarantine: Quarantine) -> pd.DataFrame:
    """The staged reports after the platform's one duplicate-key rule; the quarantine names
    the report fields as published (``id``, ``status``, …)."""
    if not rows:
        return pd.DataFrame({"_ambiguous": []})
    frame = pd.DataFrame(rows)
    settled = Quarantine()
    frame = settle_duplicates(frame, KEY, settled, raw="_raw",
                              compare=[c for c in frame if c not in ("source_row", "_raw",
                                                                      "_ambiguous")])
    for entry in settled.rows:
        quarantine.add(entry["source_row"], FIELD_OF.get(entry["column_name"],
                                                         entry["column_name"]),
                       entry["reason"], entry["raw_record"], kind=entry["kind"])
    return frame.drop(columns="_raw").reset_index(drop=True)
