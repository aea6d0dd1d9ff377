"""Live connector: ISPU pages from the Satu Data Jakarta JSON API (Jakarta REPORT §0.1, §1.1).

The portal's single-page app is backed by an undocumented endpoint::

    POST https://satudata.jakarta.go.id/backend/api/v2/satudata/detail
    {"page_url": <slug>, "kategori": "dataset", "data_no": <page>, "per_page": 100}

which answers ``{"data": {...}, "filedata": [rows], "totalFiledata": n, "periodeData": [...],
"lastUpdatefiledata": [...]}``, with a UTF-8 BOM in front. The connector parses each reply only to
drive pagination; the bytes go to the archive unchanged (BOM included) and the ISPU parser reads
them from there.

Pagination: pages are numbered from 1. Stop once the rows collected reach ``totalFiledata`` or a
page comes back empty, then require ``rows == totalFiledata``. Pages may be shorter than
``per_page`` (one script says the server caps pages at 25 rows), so the page size is never used
to decide the end. A slug's content changes over time, so a ``totalFiledata`` that changes
between pages, or an ``rn`` seen twice, is an error too: re-run rather than archive a mix.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from smartchange_assets.platform.http import FetchedPayload, HttpClient, PayloadValidationError

logger = logging.getLogger("smartchange.jakarta.ispu.live")

SATUDATA_DETAIL_URL = "https://satudata.jakarta.go.id/backend/api/v2/satudata/detail"

#: Current satudata slugs (REPORT §1.1): the rolling dataset (2024 onwards) and 2023.
ISPU_SLUGS: tuple[str, ...] = (
    "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta",
    "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta-2023",
)

#: Older years, by analogy with the downloaded file names and one data.jakarta.go.id link
#: (REPORT §1.1). NOT verified as satudata slugs; kept out of ISPU_SLUGS for that reason.
ISPU_YEAR_SLUG_TEMPLATE = "indeks-standar-pencemaran-udara-ispu-tahun-{year}"

_BOM = b"\xef\xbb\xbf"


class SatudataError(PayloadValidationError):
    """A satudata reply that cannot drive pagination, or a row count that does not add up."""


def ispu_year_slug(year: int) -> str:
    """The (unverified) slug of a pre-2023 yearly ISPU dataset."""
    return ISPU_YEAR_SLUG_TEMPLATE.format(year=int(year))


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


def _total_of(doc: dict[str, Any], *, slug: str, page: int) -> int:
    total = doc.get("totalFiledata")
    if isinstance(total, bool):
        total = None
    if isinstance(total, str) and total.strip().isdigit():
        total = int(total.strip())
    if not isinstance(total, int) or total < 0:
        raise SatudataError(
            f"satudata {slug!r} page {page}: missing or invalid totalFiledata {total!r}")
    return total


def _rows_of(doc: dict[str, Any], *, slug: str, page: int) -> list[Any]:
    rows = doc.get("filedata")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise SatudataError(
            f"satudata {slug!r} page {page}: filedata is {type(rows).__name__}, not a list")
    return rows


def fetch_ispu_pages(client: HttpClient, slug: str, per_page: int = 100) -> list[FetchedPayload]:
    """Fetch every page of an ISPU satudata dataset; return the replies as received.

    Raises :class:`SatudataError` (naming the slug) when a reply is not the expected JSON
    envelope, ``totalFiledata`` changes between pages, a row number repeats, or the rows
    collected differ from ``totalFiledata``; :class:`~smartchange_assets.platform.http.HttpError`
    for transport failures.
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
        page_total = _total_of(doc, slug=slug, page=page)
        rows = _rows_of(doc, slug=slug, page=page)
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
