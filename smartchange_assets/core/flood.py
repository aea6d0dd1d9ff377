"""``core.fact_flood_events``: Jakarta flood events per area and month, keyed to ``dim_area``.

One row per area and event month, summed over the staged rows (one per kelurahan and month as
published, or in the per-RW layout F4 one per RW or RT line; two spellings resolving to one
kelurahan are added up). The publisher's 'nihil' rows ("no flood in this kota this month") stay
as zero-event rows at kota level: they are what says that the month was reported. A row whose
names resolved to no area is kept at the city (``area_level = 'city'``) so the city totals stay
whole; an F4 line naming no kelurahan sits at its kecamatan.

**Events.** F1-F3 publish an event count per kelurahan and month (``jumlah_kejadian``: the
number of event days, 362 of F1's 363 rows list exactly that many days). F4 publishes none, and
lists the same day on every RW and RT line it flooded, so an area's events in a month are its
**distinct event days** over its lines (``events_derived``); a range ``s/d`` counts each day.

**Overlapping payloads: one payload per month.** When two payloads hold the same month (a
re-published quarter; the 2020 January-March rows are both in the legacy F1 file and in the F4
export of October 2019 - September 2020, line for line), the month is taken whole from ONE
payload, never mixed, so an event present in both counts once. The payload is the one that
covers the month best: the most areas reported that month; on a tie, one that publishes its
event count over one whose count is derived from dates; then the most recently fetched (a
re-publication); then the hash. For January-March 2020 both files report the same kelurahan,
so F1 (published counts) is taken; F4 gives October and December 2019 and April-September
2020.

Which months a payload reports on, for the coverage of the flood indicators, is decided in the
marts from these rows and the payloads' declared periods (``marts.themes.flood``).
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.jakarta.flood.parser import DERIVED_EVENTS
from smartchange_assets.jakarta.flood.source import SOURCE as FLOOD
from smartchange_assets.jakarta.flood.source import VARIANTS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "fact_flood_events"])

COUNTS = {
    "events": "flood events: jumlah_kejadian summed, or for F4 the area's distinct event days "
              "(events_derived)",
    "affected_rw": "RW affected",
    "affected_households": "households (KK) affected",
    "affected_people": "people (jiwa) affected",
    "displaced_people": "evacuees (see evacuee_columns_suspect)",
    "deaths": "deaths",
    "injured": "injured",
}

TABLE = TableSpec("core", "fact_flood_events", (
    Column("city", "text", "jakarta", nullable=False),
    Column("area_key", "text", "dim_area key: kelurahan, kota for 'nihil' rows, the city for "
           "unresolved names", nullable=False),
    Column("area_level", "text", "dim_area level of area_key"),
    Column("district_key", "text", "kota of the area (NULL for the city)"),
    Column("event_month", "date", "first day of the event month", nullable=False),
    Column("year", "integer", nullable=False),
    Column("month", "integer", nullable=False),
    *[Column(name, "bigint", text) for name, text in COUNTS.items()],
    Column("events_derived", "boolean", "events counted as distinct event days (a layout "
           "without jumlah_kejadian: F4)", nullable=False),
    Column("water_max_cm", "double precision", "highest water height reported, cm"),
    Column("no_flood", "boolean", "the publisher's 'nihil' row: no flood that month",
           nullable=False),
    Column("source_rows", "integer", "staged rows summed", nullable=False),
    Column("area_match", "text", "how the names resolved (exact, alias, …; unresolved)"),
    Column("variant", "text", "published layout F1, F2, F3 or F4", nullable=False),
    Column("evacuee_columns_suspect", "boolean", "layout with misaligned evacuee columns",
           nullable=False),
    Column("payload_sha256", "text", "payload the month was taken from", nullable=False),
), ("area_key", "event_month"), "Jakarta flood events per area and month")

SELECT_SQL = sql_file(__file__, "fact_flood_events.sql",
                      flood_staging=FLOOD.staging.qualified, dim_area=DIM_AREA.qualified)


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(FLOOD.staging_key, column)


FACT_FLOOD_EVENTS = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(flood_source=FLOOD.source_id, derived_event_layouts=DERIVED_EVENTS,
                jakarta=keys.JAKARTA,
                jakarta_prefix=keys.JAKARTA_PREFIX, jakarta_city_key=keys.JAKARTA_CITY_KEY),
    deps=[FLOOD.staging_key, DIM_AREA_KEY],
    description="Jakarta flood events, people affected and casualties per kelurahan (or kota "
                "'nihil' row) and month, with the dim_area key.",
    group="core",
    expectations=(
        q.compound_unique(["area_key", "event_month"]),
        *[q.not_null(c.name) for c in TABLE.columns if not c.nullable],
        q.between("month", 1, 12),
        q.in_set("variant", list(VARIANTS)),
        *[q.between(c, 0, None) for c in COUNTS],
        q.in_set("area_level", ["city", "district", "subdistrict", "unit"]),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        "area_key": [_dep("area_code")],
        "event_month": [_dep("event_month")],
        **{c: [_dep(c)] for c in COUNTS},
        "events": [_dep("events"), _dep("event_dates")],
        "no_flood": [_dep("no_flood")],
        "payload_sha256": [_dep("payload_sha256")],
    }),
)

FACT_FLOOD_EVENTS_CHECK = integrity_check(KEY, TABLE, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY, "p.city = c.city",
               "an area of its city"),
    references("district_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.DISTRICT}'", "a district"),
    references("event_month", DIM_DATE, "date", DIM_DATE_KEY),
), rules=(
    Rule("district_key_is_the_areas", "c.area_level = 'city' OR c.district_key IS NOT NULL",
         ("area_key", "area_level", "district_key")),
    Rule("nihil_rows_count_no_events", "NOT c.no_flood OR coalesce(c.events, 0) = 0",
         ("area_key", "event_month", "events")),
))
