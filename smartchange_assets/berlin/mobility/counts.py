"""Mobility tables derived in Postgres from the staging tables, and the site resolution check.

``berlin/staging/mobility_counts`` — the three count staging tables unioned and turned long:
one row per counter kind, site, hour and mode (``count`` as published).

* **One row per site and hour across payloads.** ``data-2012.csv`` ("Jahresdatei 2012") also
  holds all of 2013, byte-identical to the separate 2013 sheet; overlapping monthly files can do
  the same. For a (counter kind, site, wall time, fold) held by several payloads, the row of the
  NEWEST payload wins (latest ``fetched_at`` in the manifest), then the payload with the shorter
  period (the dedicated year sheet over a spill-over), then the payload hash (deterministic).
* **Outages versus zeros.** Missing hours are absent rows everywhere; they are counted per day
  in ``mobility_daily`` (``hours_reported`` against ``hours_in_day``). Bike counters also write
  zeros during outages (the workbook marks faulty cells only by a yellow background, lost in the
  CSV): ``zero_run_hours`` is the length of the run of consecutive zero hours a zero belongs to,
  and ``suspected_outage`` flags bike-counter zeros in a run of at least
  :data:`OUTAGE_RUN_HOURS` hours or with at least :data:`OUTAGE_DAYTIME_HOURS` hours between
  07:00 and 19:59. Calibrated on the 2015 seed: the longest night lull is 6 h (24-MH-ALB), while
  05-FK-OBB-O (Oberbaumbrücke, hundreds of cyclists an hour) has 0 from 16:00 to 20:00 on
  2015-06-07 and from 09:00 to 19:00 on 2015-07-05. Other counter kinds never flag.
* ``speed_kmh``: the detectors' mean speed of that class (``speed_statistic = 'mean'``), or
  Telraam's v85 of cars (``'v85'``); NULL where not published.

``berlin/staging/mobility_daily`` — per counter kind, site, mode and Europe/Berlin day:
``count_total`` (every published row of the day, the non-existent DST hour included),
``hours_reported`` (real hours with a row), ``hours_in_day`` (23/24/25), zero hours, suspected
outage hours, and ``complete`` = every hour of the day reported and none suspected. The bike
counters' fall-back day has 24 rows for 25 hours (the publisher merged or dropped one), so it is
never complete; Telraam V1 days (daylight only) are never complete either.

``berlin/staging/mobility_sites`` — one row per counter kind and site from the site records:
bike stations (location-info, with their Eco-Counter site ids and renamed raw ids), Telraam
segments, lane detectors, and cross-sections (MQ) built from their detectors (mean position,
earliest installation, deinstalled when all its detectors are). Newest payload per site wins.

Check ``sites_resolve`` on ``mobility_counts``: every counted site has a row in
``mobility_sites``. The master data of 2022-07-20 lacks the cross-sections renamed or added
later with an ``n`` suffix (``TE015n``, ``TE118n``, ``TE134n`` in the seed):
docs/sources/berlin-traffic-detectors.md §3 says they are genuinely missing there, so they are a
stated allowance, listed in the check's metadata. Any other unresolved site fails the check
(severity WARN, not blocking: counts are valid without their site's name and position).
"""

from __future__ import annotations

import re

import dagster as dg

from smartchange_assets.berlin.bike_counters.parser import SITE_ID_MAP
from smartchange_assets.berlin.bike_counters.source import SOURCE as BIKE_COUNTERS
from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility_sites.source import SOURCE as MOBILITY_SITES
from smartchange_assets.berlin.telraam.source import SOURCE as TELRAAM
from smartchange_assets.berlin.traffic_detectors.source import SOURCE as TRAFFIC_DETECTORS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

GROUP = "mobility"
OUTAGE_RUN_HOURS = 8
OUTAGE_DAYTIME_HOURS = 3
DAYTIME = (7, 19)  # local hours counted as daytime, inclusive
# cross-sections newer than the 2022-07-20 master data (REPORT §3): allowed to be unresolved
ALLOWED_UNRESOLVED = {common.DETECTOR_MQ: re.compile(r"^TE\d{3}n$")}

COUNTS_KEY = dg.AssetKey(["berlin", "staging", "mobility_counts"])
DAILY_KEY = dg.AssetKey(["berlin", "staging", "mobility_daily"])
SITES_KEY = dg.AssetKey(["berlin", "staging", "mobility_sites"])
MODES = list(common.MODES)

COUNTS_TABLE = TableSpec("staging", "berlin_mobility_counts", (
    Column("counter_kind", "text", nullable=False),
    Column("site_id", "text", "canonical site id", nullable=False),
    Column("site_id_raw", "text", "site id as published", nullable=False),
    Column("mode", "text", "bike, pedestrian, car, heavy, motor_vehicle, truck", nullable=False),
    Column("period_start_local", "timestamp", "hour start, Europe/Berlin wall time",
           nullable=False),
    Column("period_start_utc", "timestamptz", "hour start, UTC (NULL: non-existent DST hour)"),
    Column("local_date", "date", nullable=False),
    Column("dst_fold", "smallint", "1 = second occurrence of the repeated fall-back hour",
           nullable=False),
    Column("time_flag", "text", "dst_nonexistent_hour, dst_repeated_hour or NULL"),
    Column("count", "bigint", "count in the hour, as published", nullable=False),
    Column("count_lft", "bigint", "Telraam: left side of the road"),
    Column("count_rgt", "bigint", "Telraam: right side of the road"),
    Column("quality", "double precision", "detector qualitaet (0, 1]; NULL otherwise"),
    Column("speed_kmh", "double precision", "speed of that mode, km/h (see speed_statistic)"),
    Column("speed_statistic", "text", "mean (detectors) or v85 (Telraam cars)"),
    Column("zero_run_hours", "integer", "length of the run of consecutive zero hours this zero "
           "belongs to; 0 when count > 0", nullable=False),
    Column("suspected_outage", "boolean", "bike counter zero in a run long enough to be an "
           "outage rather than a quiet hour", nullable=False),
    Column("payload_sha256", "text", "payload the row came from (newest wins)", nullable=False),
    Column("source_row", "bigint", "row in that payload", nullable=False),
), ("counter_kind", "site_id", "mode", "period_start_local", "dst_fold"),
    "Berlin mobility counts, one row per counter kind, site, hour and mode")

# the three staging tables' columns (common.COLUMNS), source_row after the payload hash
_WIDE = [*(c.name for c in common.COLUMNS if c.name != "source_row"), "payload_sha256",
         "source_row"]


# the three count sources stage the same columns (count_sources.py)
COUNT_SOURCES = (BIKE_COUNTERS, TELRAAM, TRAFFIC_DETECTORS)

COUNTS_SQL = sql_file(__file__, "mobility_counts.sql", wide_columns=", ".join(_WIDE),
                      bike_counters_staging=BIKE_COUNTERS.staging.qualified,
                      telraam_staging=TELRAAM.staging.qualified,
                      traffic_detectors_staging=TRAFFIC_DETECTORS.staging.qualified)

COUNTS = SqlTable(
    key=COUNTS_KEY,
    table=COUNTS_TABLE,
    select_sql=COUNTS_SQL,
    params=bind(count_sources=[s.source_id for s in COUNT_SOURCES],
                bike_counter=common.BIKE_COUNTER, daytime_from=DAYTIME[0],
                daytime_to=DAYTIME[1], outage_run_hours=OUTAGE_RUN_HOURS,
                outage_daytime_hours=OUTAGE_DAYTIME_HOURS),
    deps=[s.staging_key for s in COUNT_SOURCES],
    description="Berlin mobility counts of all counter kinds, long (one row per site, hour and "
                "mode), one row per site and hour across payloads (newest payload wins).",
    group=GROUP,
    expectations=(
        q.compound_unique(["counter_kind", "site_id", "mode", "period_start_local",
                           "dst_fold"]),
        q.not_null("count"), q.between("count", 0, 12_000),
        q.in_set("counter_kind", common.COUNTER_KINDS),
        q.in_set("mode", MODES),
        q.in_set("time_flag", common.TIME_FLAGS),
        q.in_set("speed_statistic", ["mean", "v85"]),
        q.between("quality", 0, 1, strict_min=True),
        q.between("speed_kmh", 0, 250),
        q.between("zero_run_hours", 0, 24 * 366),
    ),
)


DAILY_TABLE = TableSpec("staging", "berlin_mobility_daily", (
    Column("counter_kind", "text", nullable=False),
    Column("site_id", "text", nullable=False),
    Column("mode", "text", nullable=False),
    Column("local_date", "date", "Europe/Berlin calendar day", nullable=False),
    Column("count_total", "bigint", "sum of the day's published counts (non-existent DST "
           "hour included)", nullable=False),
    Column("hours_reported", "integer", "real hours of the day with a row", nullable=False),
    Column("hours_in_day", "integer", "23, 24 or 25", nullable=False),
    Column("zero_hours", "integer", "hours with count 0", nullable=False),
    Column("suspected_outage_hours", "integer", "zero hours flagged suspected_outage",
           nullable=False),
    Column("nonexistent_hour_rows", "integer", "rows at a wall time the day does not have",
           nullable=False),
    Column("complete", "boolean", "every hour reported and no suspected outage",
           nullable=False),
), ("counter_kind", "site_id", "mode", "local_date"),
    "Berlin mobility counts per site, mode and local day, with coverage")

DAILY_SQL = sql_file(__file__, "mobility_daily.sql", mobility_counts=COUNTS_TABLE.qualified)

DAILY = SqlTable(
    key=DAILY_KEY,
    table=DAILY_TABLE,
    select_sql=DAILY_SQL,
    params=bind(nonexistent_hour=common.NONEXISTENT_HOUR, tz=common.TZ),
    deps=[COUNTS_KEY],
    description="Berlin mobility counts per site, mode and local day, with hours reported "
                "against the day's length and suspected outage hours.",
    group=GROUP,
    expectations=(
        q.compound_unique(["counter_kind", "site_id", "mode", "local_date"]),
        q.between("hours_reported", 1, 25),
        q.in_set("hours_in_day", [23, 24, 25]),
        q.between("count_total", 0, 25 * 12_000),
        q.between("nonexistent_hour_rows", 0, 1),
    ),
)

# --------------------------------------------------------------------------- sites

SITES_TABLE = TableSpec("staging", "berlin_mobility_sites", (
    Column("counter_kind", "text", nullable=False),
    Column("site_id", "text", "canonical site id, as in mobility_counts", nullable=False),
    Column("name", "text", "station, road, or road and position"),
    Column("direction", "text"),
    Column("lat", "double precision", "WGS84"),
    Column("lon", "double precision", "WGS84"),
    Column("installed", "date"),
    Column("removed", "date"),
    Column("deinstalled", "boolean"),
    Column("parent_site_id", "text", "lane detector: its cross-section (MQ)"),
    Column("raw_ids", "text", "other ids of the site: renamed raw ids, Eco-Counter site ids, "
           "MQ_ID15 and detector names"),
    Column("records", "integer", "metadata records behind the row", nullable=False),
    Column("payload_sha256", "text", "metadata payload used (newest)", nullable=False),
), ("counter_kind", "site_id"), "Berlin mobility count sites, one row per counter kind and site")

SITES_SQL = sql_file(__file__, "mobility_sites.sql",
                     site_records=MOBILITY_SITES.staging.qualified)

SITES = SqlTable(
    key=SITES_KEY,
    table=SITES_TABLE,
    select_sql=SITES_SQL,
    params=bind(sites_source=MOBILITY_SITES.source_id, alias_raw_ids=list(SITE_ID_MAP),
                alias_site_ids=list(SITE_ID_MAP.values()), detector_det=common.DETECTOR_DET,
                detector_mq=common.DETECTOR_MQ),
    deps=[MOBILITY_SITES.staging_key],
    description="Berlin mobility count sites: bike stations, Telraam segments, lane detectors "
                "and cross-sections, one row per counter kind and site.",
    group=GROUP,
    expectations=(
        q.compound_unique(["counter_kind", "site_id"]),
        q.not_null("site_id"),
        q.in_set("counter_kind", common.COUNTER_KINDS),
        q.between("lat", 52.0, 53.0), q.between("lon", 12.5, 14.5),
    ),
)

SQL_TABLES = [COUNTS, DAILY, SITES]

# --------------------------------------------------------------------------- resolution check

def unresolved_sites(wh, counts: str = COUNTS_TABLE.qualified
                     ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], object]:
    """(allowed, not allowed) unresolved (counter_kind, site_id) pairs of ``counts`` (the
    version under audit), and the frame."""
    frame = wh.read_frame(sql_file(__file__, "unresolved_sites.sql", mobility_counts=counts,
                                   mobility_sites=SITES_TABLE.qualified))
    allowed, failing = [], []
    for kind, site in zip(frame["counter_kind"], frame["site_id"], strict=True):
        pattern = ALLOWED_UNRESOLVED.get(kind)
        (allowed if pattern and pattern.fullmatch(site) else failing).append((kind, site))
    return allowed, failing, frame


def _sites_resolve(audit: Audit) -> dg.AssetCheckResult:
    allowed, failing, frame = unresolved_sites(audit.wh, audit.relation)
    listed = ", ".join(f"{k}/{s}" for k, s in failing)
    return dg.AssetCheckResult(
        passed=not failing,
        severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(failing)} counted site(s) without metadata: {listed}" if failing
                     else f"every counted site resolves ({len(allowed)} allowed exception(s): "
                          + ", ".join(s for _, s in allowed) + ")"),
        metadata={
            "unresolved": dg.MetadataValue.md(md_table(frame)),
            "allowed": dg.MetadataValue.json([f"{k}/{s}" for k, s in allowed]),
            "failing": dg.MetadataValue.json([f"{k}/{s}" for k, s in failing]),
        })


SITES_RESOLVE = TableCheck(
    COUNTS_KEY, "sites_resolve",
    "Every counted site has a row in berlin/staging/mobility_sites; cross-sections newer than "
    "the 2022-07-20 detector master data (MQ names ending in 'n') are a stated allowance.",
    _sites_resolve, blocking=False, reads=(SITES_KEY,))
