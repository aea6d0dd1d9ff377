"""Jakarta's two data portals, shared by every Jakarta source (docs/sources/jakarta-portals.md).

* **Satu Data Jakarta** (current portal). Its single-page app is backed by an undocumented
  endpoint::

      POST https://satudata.jakarta.go.id/backend/api/v2/satudata/detail
      {"page_url": <slug>, "kategori": "dataset", "data_no": <page>, "per_page": 100}

  which answers ``{"data": {...}, "filedata": [rows], "totalFiledata": n, "periodeData": [...],
  "lastUpdatefiledata": [...]}`` with a UTF-8 BOM in front. The sibling ``get-table-data``
  endpoint answers ``{"data": [rows], "total_pages": n}``.
* **Legacy CKAN** at data.jakarta.go.id: ``/api/3/action/datastore_search?resource_id=…&limit=…
  &offset=…`` answers ``{"success": true, "result": {"fields", "records", "total", ...}}``.

Connectors (:func:`fetch_satudata_pages`, :func:`fetch_ckan_datastore`) parse each reply only to
drive pagination; the bytes go to the archive unchanged (BOM included). Parsers then read a
landed reply through :func:`records_from_json`, which gives the same header + records shape a CSV
download has, without the portal's system columns.

Satudata pagination: pages are numbered from 1. Stop once the rows collected reach
``totalFiledata`` or a page comes back empty, then require ``rows == totalFiledata``. Pages may be
shorter than ``per_page`` (one script says the server caps pages at 25 rows), so the page size is
never used to decide the end. A slug's content changes over time, so a ``totalFiledata`` that
changes between pages, or an ``rn`` seen twice, is an error too: re-run rather than archive a mix.
CKAN pagination works the same way on ``offset`` and ``total``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError

logger = logging.getLogger("smartchange.jakarta.satudata")

SATUDATA_DETAIL_URL = "https://satudata.jakarta.go.id/backend/api/v2/satudata/detail"
LEGACY_CKAN_URL = "https://data.jakarta.go.id"

#: Columns satudata adds to every row; they describe the upload, not the data
#: (docs/sources/jakarta-portals.md §1).
SATUDATA_SYSTEM_COLUMNS = frozenset({
    "id", "rn", "user_id", "tanggal_upload", "tanggal_update", "uid_upload", "batch_upload",
    "jadwal_rilis", "created_at", "updated_at"})
#: CKAN datastore's own columns: the row id, and the search index a ``q=`` query adds.
CKAN_SYSTEM_COLUMNS = frozenset({"_id", "_full_text"})

_BOM = b"\xef\xbb\xbf"


class SatudataError(PayloadValidationError):
    """A satudata reply that cannot drive pagination, or a row count that does not add up."""


class CkanError(PayloadValidationError):
    """A CKAN reply with ``success: false``, a broken envelope, or a row count that is off."""


class JsonRecordsError(ValueError):
    """A landed JSON reply that holds no readable row list. ``row`` is 1-based when known.

    Parsers turn it into a ParseError naming the file (the staging engine adds the source)."""

    def __init__(self, message: str, row: int | None = None):
        self.row = row
        super().__init__(message)


# ---------------------------------------------------------------------------------------------
# reading a landed reply (parsers)


def records_from_json(data: bytes) -> tuple[list[str], list[dict]]:
    """Header and records of a satudata or CKAN datastore reply, as a CSV download would have them.

    Accepts a satudata ``detail`` reply (``filedata`` list), a ``get-table-data`` reply (``data``
    list), a CKAN ``datastore_search`` reply (``result.records``; the header follows
    ``result.fields``), or a bare list of row objects; a leading UTF-8 BOM is allowed. System
    columns (:data:`SATUDATA_SYSTEM_COLUMNS`, :data:`CKAN_SYSTEM_COLUMNS`) are dropped. The header
    is the union of the remaining keys in first-seen order. Every record has every header key and
    its values are text as the CSV would hold it: ``null``/missing -> ``""``, numbers via
    ``str`` (``51.0`` stays ``"51.0"``), nested objects as JSON.

    Raises :class:`JsonRecordsError` when the bytes are not JSON, a CKAN reply says
    ``success: false``, no row list is found, or a row is not an object.
    """
    doc = _decode_json(data)
    rows, fields = _row_list(doc)
    header: list[str] = [f for f in fields if f not in CKAN_SYSTEM_COLUMNS]
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise JsonRecordsError(f"JSON row is a {type(row).__name__}, not an object", row=n)
        header.extend(k for k in row if k not in _SYSTEM and k not in header)
    records = [{k: _cell(row.get(k)) for k in header} for row in rows]
    return header, records


def reply_metadata(data: bytes) -> dict[str, Any]:
    """What a reply says about itself, for parsers that need the dataset's period or title.

    Keys (each present only when the reply has it): ``title`` (satudata ``data.title``),
    ``periode_data`` (the values in ``periodeData``), ``total`` (``totalFiledata`` or CKAN
    ``result.total``), ``resource_id`` (CKAN). Raises :class:`JsonRecordsError` if not JSON.
    """
    doc = _decode_json(data)
    meta: dict[str, Any] = {}
    if not isinstance(doc, dict):
        return meta
    if isinstance(doc.get("data"), dict) and isinstance(doc["data"].get("title"), str):
        meta["title"] = doc["data"]["title"]
    periods = doc.get("periodeData")
    if isinstance(periods, list):
        meta["periode_data"] = [p.get("periode_data") for p in periods if isinstance(p, dict)]
    if isinstance(doc.get("totalFiledata"), int):
        meta["total"] = doc["totalFiledata"]
    result = doc.get("result")
    if isinstance(result, dict):
        if isinstance(result.get("total"), int):
            meta["total"] = result["total"]
        if result.get("resource_id"):
            meta["resource_id"] = result["resource_id"]
    return meta


_SYSTEM = SATUDATA_SYSTEM_COLUMNS | CKAN_SYSTEM_COLUMNS


def _decode_json(data: bytes) -> Any:
    raw = data[len(_BOM):] if data.startswith(_BOM) else data
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonRecordsError(f"reply is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonRecordsError(f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                               f"{exc.msg}") from None


def _row_list(doc: Any) -> tuple[list, list[str]]:
    """The rows of a reply and, for CKAN, the declared field order."""
    if isinstance(doc, list):
        return doc, []
    if not isinstance(doc, dict):
        raise JsonRecordsError(f"expected a JSON object or list, got {type(doc).__name__}")
    if doc.get("success") is False:
        raise JsonRecordsError(f"CKAN reply says success: false; error: {doc.get('error')!r}")
    if isinstance(doc.get("filedata"), list):
        return doc["filedata"], []
    if isinstance(doc.get("data"), list):
        return doc["data"], []
    result = doc.get("result")
    if isinstance(result, dict) and isinstance(result.get("records"), list):
        fields = [f["id"] for f in result.get("fields") or []
                  if isinstance(f, dict) and isinstance(f.get("id"), str)]
        return result["records"], fields
    raise JsonRecordsError("JSON reply has no row list ('filedata', a 'data' list or "
                           f"'result.records'); top-level keys: {sorted(doc)}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------------------------------------
# satudata connector


def decode_satudata_reply(content: bytes, *, slug: str, page: int) -> dict[str, Any]:
    """Parse one ``/satudata/detail`` reply (leading BOM allowed). Raises SatudataError."""
    raw = content[len(_BOM):] if content.startswith(_BOM) else content
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SatudataError(
            f"satudata {slug!r} page {page}: reply is not JSON ({exc}); "
            f"starts with {content[:80]!r}") from exc
    if not isinstance(doc, dict):
        raise SatudataError(
            f"satudata {slug!r} page {page}: expected a JSON object, got {type(doc).__name__}")
    return doc


def _count_of(value: Any) -> int | None:
    """A non-negative row count from JSON (an int, or digits as text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value if isinstance(value, int) and value >= 0 else None


def _satudata_total(doc: dict[str, Any], *, slug: str, page: int) -> int:
    total = _count_of(doc.get("totalFiledata"))
    if total is None:
        raise SatudataError(f"satudata {slug!r} page {page}: missing or invalid totalFiledata "
                            f"{doc.get('totalFiledata')!r}")
    return total


def _satudata_rows(doc: dict[str, Any], *, slug: str, page: int) -> list[Any]:
    rows = doc.get("filedata")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise SatudataError(
            f"satudata {slug!r} page {page}: filedata is {type(rows).__name__}, not a list")
    return rows


def fetch_satudata_pages(client: HttpClient, slug: str,
                         per_page: int = 100) -> list[FetchedPayload]:
    """Fetch every page of a satudata dataset; return the replies as received.

    Raises :class:`SatudataError` (naming the slug) when a reply is not the expected JSON
    envelope, ``totalFiledata`` changes between pages, a row number repeats, or the rows
    collected differ from ``totalFiledata``; :class:`~smartchange_assets.platform.http.HttpError`
    for transport failures (after the client's retries). Nothing is returned on error.
    """
    if not slug or not isinstance(slug, str):
        raise ValueError("slug must be a non-empty string")
    if per_page < 1:
        raise ValueError("per_page must be >= 1")

    payloads: list[FetchedPayload] = []
    total: int | None = None
    collected = 0
    seen_rn: set[Any] = set()
    page = 0
    while True:
        page += 1
        body = {"page_url": slug, "kategori": "dataset", "data_no": page, "per_page": per_page}
        payload = client.post_json(SATUDATA_DETAIL_URL, body)
        doc = decode_satudata_reply(payload.content, slug=slug, page=page)
        page_total = _satudata_total(doc, slug=slug, page=page)
        rows = _satudata_rows(doc, slug=slug, page=page)
        if total is None:
            total = page_total
        elif page_total != total:
            raise SatudataError(
                f"satudata {slug!r}: totalFiledata changed from {total} to {page_total} at page "
                f"{page}; the dataset changed during the pull, fetch it again")
        for row in rows:
            rn = row.get("rn") if isinstance(row, dict) else None
            if rn is None:
                continue
            if rn in seen_rn:
                raise SatudataError(
                    f"satudata {slug!r} page {page}: row rn={rn!r} was already returned "
                    f"(server ignored data_no?)")
            seen_rn.add(rn)
        payloads.append(payload)
        collected += len(rows)
        logger.info("satudata %s page %d: %d rows (%d/%d)", slug, page, len(rows), collected,
                    total)
        if not rows or collected >= total:
            break

    if collected != total:
        raise SatudataError(
            f"satudata {slug!r}: collected {collected} rows over {len(payloads)} page(s) but "
            f"totalFiledata is {total}")
    return payloads


# ---------------------------------------------------------------------------------------------
# legacy CKAN connector


def ckan_datastore_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/api/3/action/datastore_search"


def _decode_ckan_reply(payload: FetchedPayload, *, page: int) -> dict[str, Any]:
    try:
        doc = json.loads(payload.content.removeprefix(_BOM).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CkanError(f"CKAN {payload.url} page {page}: reply is not JSON ({exc}); "
                        f"starts with {payload.content[:80]!r}") from exc
    if not isinstance(doc, dict):
        raise CkanError(f"CKAN {payload.url} page {page}: expected a JSON object, got "
                        f"{type(doc).__name__}")
    if doc.get("success") is not True:
        raise CkanError(f"CKAN {payload.url} page {page}: success is {doc.get('success')!r}; "
                        f"error: {doc.get('error')!r}")
    result = doc.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("records"), list):
        raise CkanError(f"CKAN {payload.url} page {page}: no result.records list")
    if _count_of(result.get("total")) is None:
        raise CkanError(f"CKAN {payload.url} page {page}: missing or invalid result.total "
                        f"{result.get('total')!r}")
    return result


def fetch_ckan_datastore(client: HttpClient, base_url: str, resource_id: str,
                         page_size: int = 1000) -> list[FetchedPayload]:
    """Fetch every record of a CKAN datastore resource, ``page_size`` rows per request.

    Pages by ``offset`` until the records collected reach ``result.total`` (or a page comes back
    empty), then requires ``collected == total``. Raises :class:`CkanError` naming the URL on
    ``success: false``, a broken envelope, a total that changes between pages, or a count
    mismatch; :class:`~smartchange_assets.platform.http.HttpError` for transport failures.
    Nothing is returned on error.
    """
    if not resource_id or not isinstance(resource_id, str):
        raise ValueError("resource_id must be a non-empty string")
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    url = ckan_datastore_url(base_url)
    payloads: list[FetchedPayload] = []
    total: int | None = None
    collected = 0
    while True:
        page = len(payloads) + 1
        params = {"resource_id": resource_id, "limit": page_size, "offset": collected}
        payload = client.get(url, params=params)
        result = _decode_ckan_reply(payload, page=page)
        page_total = _count_of(result["total"])
        if total is None:
            total = page_total
        elif page_total != total:
            raise CkanError(f"CKAN {payload.url}: total changed from {total} to {page_total} "
                            f"at offset {collected}; the resource changed during the pull")
        rows = result["records"]
        payloads.append(payload)
        collected += len(rows)
        logger.info("CKAN %s offset %d: %d records (%d/%d)", resource_id, params["offset"],
                    len(rows), collected, total)
        if not rows or collected >= total:
            break
    if collected != total:
        raise CkanError(f"CKAN {url} resource {resource_id}: collected {collected} records over "
                        f"{len(payloads)} page(s) but total is {total}")
    return payloads
