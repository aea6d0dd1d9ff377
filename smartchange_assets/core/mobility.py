"""``core.fact_mobility_monthly``: counts of people and vehicles per city, site, mode and month.

Monthly grain, because Transjakarta publishes monthly passengers per route: finer Berlin days
would have no Jakarta counterpart, and the marts need months and years only. One row per city,
counter kind, site, mode and month:

* **Jakarta** — ``staging.jakarta_transjakarta_monthly``: passengers (boardings) per route,
  the site being the route code. Mode from the service type: BRT corridors
  ``bus_rapid_transit``, integrated feeder routes ``feeder_bus``, Mikrotrans ``minibus``, and
  the services only the legacy December 2019 file publishes: Rusun feeders ``rusun_feeder``,
  Transjabodetabek ``regional_bus``, Royal Trans ``premium_bus``, tourist buses
  ``tourist_bus``, "Angkutan Umum Lainnya" (free buses, charter groups, shuttles)
  ``other_bus``. The legacy appendix lines (``row_kind = free_ride_breakdown``) break down free
  rides counted on other lines and are not passengers of their own: they stay in staging. A
  monthly figure covers its whole month (``days_reported = days_in_month``).
  **One payload per month**: when two payloads hold a month, the month is taken whole from one
  of them, never mixed, so a route-month is never counted twice: a payload that is not a
  spreadsheet export first (the satudata CSV or JSON over the XLSX download of the same table:
  the 2021 CSV feeds the fact, the 2021 XLSX is the ``payloads_agree`` cross-check), then the
  most recently fetched (a re-publication), then the hash.
* **Berlin** — ``staging.berlin_mobility_daily`` (bike counters, Telraam, traffic detectors;
  already deduplicated across payloads in ``mobility_counts``), summed to the month in the
  warehouse. ``days_reported`` are days with any hour, ``days_complete`` days with every hour
  and no suspected outage; the installation and removal dates of the site come from
  ``staging.berlin_mobility_sites`` so that the marts can tell a silent counter from one not
  yet built.

Area keys: Transjakarta is city-wide. Berlin counters are kept at the city too: their sites
have coordinates, but ``dim_area`` holds no geometry to place a point in a Bezirk, and the
Bezirk letters inside the official ids (``02-MI-JAN-N``) are a naming habit, not a published
key (``17-SK-BRE`` lies in Steglitz-Zehlendorf); ``area_note`` says so.
"""

import dagster as dg

from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility.counts import (
    COUNTS_KEY,
    COUNTS_TABLE,
    DAILY_KEY,
    DAILY_TABLE,
    SITES_KEY,
    SITES_TABLE,
)
from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.transjakarta import services
from smartchange_assets.jakarta.transjakarta.source import SOURCE as TRANSJAKARTA
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_mobility_monthly"])

TRANSJAKARTA_KIND = "transjakarta_route"
# Transjakarta service type (staged, canonical) -> mode
TRANSJAKARTA_MODES = {services.BRT: "bus_rapid_transit", services.FEEDER: "feeder_bus",
                      services.MIKROTRANS: "minibus",
                      "Angkutan Umum Integrasi Rusun": "rusun_feeder",
                      "Transjabodetabek": "regional_bus", "Royal Trans": "premium_bus",
                      "Angkutan Wisata": "tourist_bus", "Angkutan Umum Lainnya": "other_bus"}
# payload content types read last when two payloads hold a month (a spreadsheet export of a
# table that is also downloaded as CSV)
SPREADSHEET_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "application/vnd.ms-excel")
MODES = (*TRANSJAKARTA_MODES.values(), *common.MODES)
COUNTER_KINDS = (TRANSJAKARTA_KIND, *common.COUNTER_KINDS)
# what one unit of ``count`` is, per mode
UNITS = {**{m: "passengers" for m in TRANSJAKARTA_MODES.values()}, "bike": "bicycles",
         "pedestrian": "pedestrians"}
COUNT_UNITS = ("passengers", "bicycles", "pedestrians", "vehicles")
BERLIN_AREA_NOTE = ("kept at the city: dim_area has no geometry to place the site's "
                    "coordinates in a Bezirk")

TABLE = TableSpec("core", "fact_mobility_monthly", (
    Column("city", "text", nullable=False),
    Column("counter_kind", "text", f"{TRANSJAKARTA_KIND} (Jakarta) or the Berlin counter "
           "kind (bike_counter, telraam, traffic_detector_mq, traffic_detector_det)",
           nullable=False),
    Column("site_id", "text", "route code (Transjakarta) or counting site id (Berlin)",
           nullable=False),
    Column("site_name", "text", "route or site name as published"),
    Column("mode", "text", "bus_rapid_transit, feeder_bus, minibus, rusun_feeder, "
           "regional_bus, premium_bus, tourist_bus, other_bus; bike, pedestrian, car, heavy, "
           "motor_vehicle, truck", nullable=False),
    Column("count_unit", "text", "passengers (boardings), bicycles, pedestrians or vehicles "
           "passing the site", nullable=False),
    Column("month_start", "date", "first day of the month", nullable=False),
    Column("year", "integer", nullable=False),
    Column("month", "integer", nullable=False),
    Column("count", "bigint", "passengers or passings counted in the month", nullable=False),
    Column("days_in_month", "integer", nullable=False),
    Column("days_reported", "integer", "days with data (a monthly Transjakarta figure covers "
           "its month)", nullable=False),
    Column("days_complete", "integer", "Berlin: days with every hour and no suspected "
           "outage; Transjakarta: days_reported", nullable=False),
    Column("hours_reported", "integer", "Berlin: hours with a row (NULL for Transjakarta)"),
    Column("suspected_outage_hours", "integer", "Berlin bike counters: zero hours flagged as "
           "a likely outage"),
    Column("site_installed", "date", "Berlin: installation date of the site (site metadata)"),
    Column("site_removed", "date", "Berlin: removal date of the site"),
    Column("area_key", "text", "dim_area key the counts are placed in", nullable=False),
    Column("area_note", "text", "why the counts sit at that level"),
    Column("payload_sha256s", "text[]", "payloads the month's counts came from",
           nullable=False),
), ("city", "counter_kind", "site_id", "mode", "month_start"),
    "Transjakarta passengers and Berlin counts per site, mode and month")

SELECT_SQL = sql_file(__file__, "fact_mobility_monthly.sql",
                      transjakarta_staging=TRANSJAKARTA.staging.qualified,
                      berlin_counts=COUNTS_TABLE.qualified, berlin_daily=DAILY_TABLE.qualified,
                      berlin_sites=SITES_TABLE.qualified)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(key, column)


FACT_MOBILITY = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(transjakarta_source=TRANSJAKARTA.source_id, transjakarta_kind=TRANSJAKARTA_KIND,
                transjakarta_modes=TRANSJAKARTA_MODES, route_row=services.ROUTE,
                spreadsheet_types=SPREADSHEET_TYPES, count_units=UNITS,
                berlin_area_note=BERLIN_AREA_NOTE, **keys.CITY_PARAMS),
    deps=[TRANSJAKARTA.staging_key, COUNTS_KEY, DAILY_KEY, SITES_KEY],
    description="Transjakarta passengers per route and month, and Berlin counts (bike "
                "counters, Telraam, traffic detectors) per site, mode and month, with the "
                "days covered and the payloads behind them.",
    group="core",
    expectations=(
        q.compound_unique(["city", "counter_kind", "site_id", "mode", "month_start"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.in_set("city", list(keys.CITIES)),
        q.in_set("counter_kind", list(COUNTER_KINDS)),
        q.in_set("mode", list(MODES)),
        q.in_set("count_unit", list(COUNT_UNITS)),
        q.between("month", 1, 12),
        q.between("count", 0, None),
        q.between("days_reported", 1, 31),
        q.between("days_complete", 0, 31),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "site_id": [_dep(TRANSJAKARTA.staging_key, "route_code"), _dep(DAILY_KEY, "site_id")],
        "mode": [_dep(TRANSJAKARTA.staging_key, "route_type"), _dep(DAILY_KEY, "mode")],
        "month_start": [_dep(TRANSJAKARTA.staging_key, "month"),
                        _dep(DAILY_KEY, "local_date")],
        "count": [_dep(TRANSJAKARTA.staging_key, "passengers"),
                  _dep(DAILY_KEY, "count_total")],
        "days_complete": [_dep(DAILY_KEY, "complete")],
        "hours_reported": [_dep(DAILY_KEY, "hours_reported")],
        "site_installed": [_dep(SITES_KEY, "installed")],
        "payload_sha256s": [_dep(TRANSJAKARTA.staging_key, "payload_sha256"),
                            _dep(COUNTS_KEY, "payload_sha256")],
    }),
)

FACT_MOBILITY_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY, "p.city = c.city",
               "an area of its city"),
    references("month_start", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("month_start_is_a_first_day", "c.month_start = date_trunc('month', c.month_start)",
         ("city", "site_id", "month_start")),
    Rule("days_within_the_month",
         "c.days_complete <= c.days_reported AND c.days_reported <= c.days_in_month",
         ("city", "site_id", "mode", "month_start", "days_reported", "days_complete")),
    Rule("a_payload_behind_every_row", "cardinality(c.payload_sha256s) > 0",
         ("city", "site_id", "mode", "month_start")),
))
