"""Live connectors for the mobility sources. Bytes are landed as received (gzip stays gzip).

Traffic detectors (VIZ open data blob store)
--------------------------------------------
``https://mdhopendata.blob.core.windows.net/verkehrsdetektion/{YYYY}/{folder}/mq_hr_{YYYY}_{MM}.csv.gz``
(and ``det_val_hr_…`` for lane detectors). The folder name differs by year, as seen in public
download scripts (not verified against the store here):

* ``Messquerschnitt (fahrtrichtungsbezogen)`` for most years (2017–2022),
* ``Messquerschnitt`` in 2021, ``Messquerschnitte (fahrtrichtungsbezogen)`` in 2023,
* ``Detektoren (einzelne Fahrspur)`` for lane detectors (2021).

So each month tries the folder known for its year first, then the other spellings; a 404 moves
on to the next candidate, any other error stops. A month not found under any spelling is not
published (yet) and is skipped; a run that finds nothing at all fails. Months are published after
they end, so a run fetches the last :data:`DETECTOR_MONTHS_BACK` complete months.

Telraam (Berlin zählt Mobilität)
--------------------------------
``https://berlin-zaehlt.de/csv/bzm_telraam_{YYYY}_{MM}.csv.gz`` (the download page named in the
official READ_ME; file pattern from we-count's backup code, no such file seen). Files are updated
several times a day, so a run re-fetches the current and the previous month. Months are cut by
UTC month: the first local hour of a month sits in the previous month's file, so a payload's
period runs to the first day of the next month.

Bike counters
-------------
The publisher offers one workbook (``gesamtdatei-stundenwerte.xlsx``, wide "Jahresdatei" sheets,
over 4 MiB, updated once a year); no wide sample exists to build and test a parser on, so there
is no live connector: new years are landed by hand (``smartchange land berlin/bike_counters``)
as long CSV.

Site metadata
-------------
The Telraam segments GeoJSON (``https://berlin-zaehlt.de/csv/bzm_telraam_segments.geojson``,
used by we-count's dashboard) and the detector master data xlsx (URL used by several public
projects). The bike station list is a sheet of the same workbook as the counts (by hand).

Every body is checked before it is returned: gzip must unpack completely (a truncated stream
fails), and the header must be the expected layout, so a cut or wrong body is never landed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import zlib
from urllib.parse import quote

from smartchange_assets.platform.http import (
    FetchedPayload,
    HttpClient,
    HttpError,
    PayloadValidationError,
)

logger = logging.getLogger("smartchange.berlin.mobility.live")

DETECTOR_BASE = "https://mdhopendata.blob.core.windows.net/verkehrsdetektion"
STAMMDATEN_URL = f"{DETECTOR_BASE}/Stammdaten_Verkehrsdetektion_2022_07_20.xlsx"
TELRAAM_MONTH_URL = "https://berlin-zaehlt.de/csv/bzm_telraam_{year}_{month:02d}.csv.gz"
TELRAAM_SEGMENTS_URL = "https://berlin-zaehlt.de/csv/bzm_telraam_segments.geojson"

# level -> (file stem, header id column, folder spellings in trial order, folder known per year)
MQ, DET = "mq", "det"
LEVELS = {
    MQ: ("mq_hr", "mq_name",
         ("Messquerschnitt (fahrtrichtungsbezogen)", "Messquerschnitte (fahrtrichtungsbezogen)",
          "Messquerschnitt", "Messquerschnitte"),
         {2021: "Messquerschnitt", 2023: "Messquerschnitte (fahrtrichtungsbezogen)"}),
    DET: ("det_val_hr", "detid_15", ("Detektoren (einzelne Fahrspur)", "Detektoren"), {}),
}
DETECTOR_MONTHS_BACK = 2
TELRAAM_MONTHS_BACK = 2


class MobilityPayloadError(PayloadValidationError):
    """A reply whose body is not the expected file (names the URL)."""


def detector_urls(level: str, year: int, month: int) -> list[str]:
    """Candidate URLs of one month's file, the folder known for ``year`` first."""
    stem, _, folders, known = LEVELS[level]
    ordered = [known[year]] if year in known else []
    ordered += [f for f in folders if f not in ordered]
    name = f"{stem}_{year:04d}_{month:02d}.csv.gz"
    return [f"{DETECTOR_BASE}/{year:04d}/{quote(folder)}/{name}" for folder in ordered]


def fetch_detector_month(client: HttpClient, level: str, year: int, month: int
                         ) -> FetchedPayload | None:
    """One month of one level, or None when no folder spelling has it (not published)."""
    for url in detector_urls(level, year, month):
        try:
            payload = client.get(url)
        except HttpError as exc:
            if exc.status == 404:
                logger.info("%s: not there (404), trying the next folder spelling", url)
                continue
            raise
        check_csv_body(payload, required=(LEVELS[level][1], "tag", "stunde", "qualitaet"))
        return payload
    logger.warning("detectors %s %04d-%02d: not published under any known folder", level, year,
                   month)
    return None


def fetch_telraam_month(client: HttpClient, year: int, month: int) -> FetchedPayload:
    payload = client.get(TELRAAM_MONTH_URL.format(year=year, month=month))
    check_csv_body(payload, required=("segment_id", "date_local", "car_total"))
    return payload


def fetch_metadata(client: HttpClient) -> list[FetchedPayload]:
    segments = client.get(TELRAAM_SEGMENTS_URL)
    try:
        doc = json.loads(segments.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MobilityPayloadError(f"{segments.url}: not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise MobilityPayloadError(f"{segments.url}: not a GeoJSON FeatureCollection")
    master = client.get(STAMMDATEN_URL)
    if master.content[:4] != b"PK\x03\x04":
        raise MobilityPayloadError(f"{master.url}: not an xlsx workbook (starts with "
                                   f"{master.content[:20]!r})")
    return [segments, master]


def check_csv_body(payload: FetchedPayload, required: tuple[str, ...]) -> None:
    """Raise MobilityPayloadError unless the body (gzip or plain) unpacks completely and its
    header names every ``required`` column."""
    body = payload.content
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (EOFError, OSError, zlib.error) as exc:
            raise MobilityPayloadError(
                f"{payload.url}: gzip body is truncated or corrupt ({exc}); "
                f"{len(payload.content)} bytes received") from exc
    header = body.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    missing = [c for c in required if c not in header]
    if missing:
        raise MobilityPayloadError(f"{payload.url}: header lacks {missing}: {header[:120]!r}")


def recent_months(today: dt.date, back: int, include_current: bool) -> list[tuple[int, int]]:
    """The last ``back`` months before ``today``'s month (or ending with it), newest first."""
    year, month = today.year, today.month
    if not include_current:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    out = []
    for _ in range(back):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def month_period(year: int, month: int, spill_days: int = 0) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1) + dt.timedelta(days=spill_days)
