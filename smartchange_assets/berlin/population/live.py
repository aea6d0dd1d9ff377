"""Live connector: the EWR "Matrix" CSVs of the Amt für Statistik Berlin-Brandenburg.

One file per year, the population on 31 December (docs/sources/berlin-population.md §1)::

    https://www.statistik-berlin-brandenburg.de/opendata/EWR{YYYY}12E_Matrix.csv      2008-2020
    https://www.statistik-berlin-brandenburg.de/opendata/EWR_L21_{YYYY}12E_Matrix.csv 2024 on

2021-2023 were not published as CSV. There is no pagination: a year is one GET. The bytes are
returned unchanged for the archive; the body is only checked for its shape, so that a reply
that is not the CSV never lands as a payload:

* an HTML page (since the site relaunch the old ``/opendata/`` URLs reportedly answer with the
  website) fails with :class:`EwrPayloadError` naming the URL;
* the header must name ``ZEIT``, ``RAUMID`` and ``E_E``; there must be data rows;
* the last row must have every field of the header (a body cut mid-row). A body shorter than
  its ``Content-Length`` is already refused by :class:`HttpClient`.

The nightly live run pulls the LOR 2021 files from 2024 to last year (:func:`live_years`); the
newest year may not be published yet, so a 404 for that year only is logged and skipped. The
old-scheme years are closed history whose URLs reportedly serve HTML now: fetch one explicitly
with :func:`fetch_ewr_year` (it fails loudly if it gets a web page), or land a downloaded file
with ``smartchange land berlin/population FILE.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging

from smartchange_assets.platform.http import (
    FetchedPayload,
    HttpClient,
    HttpError,
    PayloadValidationError,
)
from smartchange_assets.platform.parsing import sniff_delimiter
from smartchange_assets.platform.spec import LivePayload

logger = logging.getLogger("smartchange.berlin.population.live")

EWR_BASE_URL = "https://www.statistik-berlin-brandenburg.de/opendata/"
OLD_LOR_URL = EWR_BASE_URL + "EWR{year}12E_Matrix.csv"
LOR2021_URL = EWR_BASE_URL + "EWR_L21_{year}12E_Matrix.csv"
OLD_LOR_YEARS = range(2008, 2021)
FIRST_LOR2021_YEAR = 2024

_REQUIRED_HEADER = ("ZEIT", "RAUMID", "E_E")


class EwrPayloadError(PayloadValidationError):
    """A 2xx reply that is not an EWR Matrix CSV (names the URL)."""


def ewr_url(year: int) -> str:
    """The CSV of the population on 31 December ``year``."""
    if year in OLD_LOR_YEARS:
        return OLD_LOR_URL.format(year=year)
    if year >= FIRST_LOR2021_YEAR:
        return LOR2021_URL.format(year=year)
    if 2021 <= year < FIRST_LOR2021_YEAR:
        raise ValueError(f"EWR {year}: not published as CSV (2021-2023 exist only as XLSX "
                         "reports)")
    raise ValueError(f"EWR {year}: no Matrix CSV before {OLD_LOR_YEARS.start}")


def validate_ewr_csv(payload: FetchedPayload) -> int:
    """Check the body is an EWR Matrix CSV; return its data-row count. Raises EwrPayloadError."""
    url, content = payload.url, payload.content
    head = content[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    content_type = (payload.content_type or "").lower()
    if head.startswith(b"<") or "html" in content_type:
        raise EwrPayloadError(f"EWR {url}: an HTML page, not the CSV (content type "
                              f"{payload.content_type!r}; starts with {head[:80]!r})")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise EwrPayloadError(f"EWR {url}: empty body")
    delimiter = sniff_delimiter(lines[0], candidates=";,\t")
    header = [h.strip().upper() for h in next(csv.reader([lines[0]], delimiter=delimiter))]
    missing = [c for c in _REQUIRED_HEADER if c not in header]
    if missing:
        raise EwrPayloadError(f"EWR {url}: header lacks {missing}; first line reads "
                              f"{lines[0][:120]!r}")
    if len(lines) < 2:
        raise EwrPayloadError(f"EWR {url}: header only, no data rows")
    last = next(csv.reader([lines[-1]], delimiter=delimiter))
    if len(last) != len(header):
        raise EwrPayloadError(f"EWR {url}: last row has {len(last)} of {len(header)} fields; "
                              "the body is truncated")
    return len(lines) - 1


def fetch_ewr_year(client: HttpClient, year: int) -> FetchedPayload:
    """Fetch the Matrix CSV of 31 December ``year``; return the reply unchanged."""
    payload = client.get(ewr_url(year))
    rows = validate_ewr_csv(payload)
    logger.info("EWR %d: %d data rows from %s", year, rows, payload.url)
    return payload


def live_years(today: dt.date | None = None) -> list[int]:
    """LOR 2021 years a live run pulls: 2024 up to last year (31 December is past)."""
    today = today or dt.date.today()
    return list(range(FIRST_LOR2021_YEAR, today.year))


def fetch_live(client: HttpClient, years: list[int] | None = None) -> list[LivePayload]:
    years = sorted(years if years is not None else live_years())
    payloads = []
    for year in years:
        try:
            fetched = fetch_ewr_year(client, year)
        except HttpError as err:
            if err.status == 404 and year == years[-1]:
                logger.warning("EWR %d not published yet (404 at %s); skipped", year, err.url)
                continue
            raise
        day = dt.date(year, 12, 31)
        payloads.append(LivePayload(fetched, day, day))
    return payloads
