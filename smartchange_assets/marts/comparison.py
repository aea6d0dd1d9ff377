"""``marts.city_comparison``: Jakarta and Berlin side by side per indicator and year.

``comparable`` is true only when both cities have a value, the indicator is not single-city,
neither figure rests on an unverified conversion and, for the day counts over all pollutants,
both cities had each of the :data:`MAIN_POLLUTANTS` on most days (SO2 and CO, which Berlin's
seed stations mostly lack, rarely decide a bad day). ``comparability_note`` gives the
catalogue's standing caveat, what made the pair not comparable, and remarks that do not
(a figure resting on one station, pollutants only one city measured).
"""

import dagster as dg

from smartchange_assets.marts import catalogue
from smartchange_assets.marts.charts import comparison_metadata
from smartchange_assets.marts.indicators import CITY_INDICATORS, CITY_TABLE
from smartchange_assets.marts.scope import merge_arrays
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["marts", "city_comparison"])

_SIDE = ("value", "coverage", "null_reason", "basis", "flags", "pollutants")
MAIN_POLLUTANTS = ("no2", "o3", "pm10", "pm25")
_MAIN = "ARRAY[" + ", ".join(f"'{p}'" for p in MAIN_POLLUTANTS) + "]::text[]"
_ANY_POLLUTANT = "('days_ispu_unhealthy', 'days_eaqi_poor')"


def _side_columns(city: str) -> list[Column]:
    return [Column(f"{city}_value", "double precision"),
            Column(f"{city}_coverage", "double precision"),
            Column(f"{city}_null_reason", "text"),
            Column(f"{city}_basis", "text"),
            Column(f"{city}_flags", "text[]"),
            Column(f"{city}_pollutants", "text[]")]


TABLE = TableSpec("marts", "city_comparison", (
    Column("indicator", "text", nullable=False),
    Column("category", "text", "shared citizen-report category; 'all' otherwise",
           nullable=False),
    Column("year", "integer", nullable=False),
    Column("unit", "text", nullable=False),
    Column("standard", "text", nullable=False),
    *_side_columns("jakarta"),
    *_side_columns("berlin"),
    Column("jakarta_to_berlin", "double precision", "Jakarta value / Berlin value (both > 0)"),
    Column("comparable", "boolean", "the two values can be set side by side", nullable=False),
    Column("comparability", "text", "comparable, comparable_with_caveats, not_comparable, "
           "one_city_only", nullable=False),
    Column("comparability_note", "text", nullable=False),
    Column("payload_sha256s", "text[]", "payloads behind both figures", nullable=False),
), ("indicator", "category", "year"),
    "Jakarta and Berlin side by side per indicator and year")


def _side(alias: str, city: str) -> str:
    return ", ".join(f"{alias}.{c} AS {city}_{c}" for c in _SIDE)


SELECT_SQL = f"""
WITH {catalogue.catalogue_values_sql()}, yearly AS (
  SELECT * FROM {CITY_TABLE.qualified} WHERE period_type = 'year'
), pairs AS (
  SELECT coalesce(j.indicator, b.indicator) AS indicator,
         coalesce(j.category, b.category) AS category, coalesce(j.year, b.year) AS year,
         {_side("j", "jakarta")}, {_side("b", "berlin")},
         {merge_arrays("j.payload_sha256s", "b.payload_sha256s")} AS payload_sha256s
  FROM (SELECT * FROM yearly WHERE city = 'jakarta') j
  FULL JOIN (SELECT * FROM yearly WHERE city = 'berlin') b
    ON b.indicator = j.indicator AND b.category = j.category AND b.year = j.year
), judged AS (
  SELECT p.*, c.unit, c.standard, c.comparability, c.comparability_note,
         concat_ws('; ',
           CASE WHEN c.comparability = '{catalogue.ONE_CITY}' THEN NULL
                WHEN p.jakarta_value IS NULL AND p.berlin_value IS NULL THEN 'no value for '
                  'either city'
                WHEN p.jakarta_value IS NULL THEN 'no Jakarta value'
                WHEN p.berlin_value IS NULL THEN 'no Berlin value' END,
           CASE WHEN 'conversion_unverified' = ANY(p.jakarta_flags || p.berlin_flags)
                THEN 'a value rests on an unverified ISPU conversion' END,
           CASE WHEN p.indicator IN {_ANY_POLLUTANT}
                 AND p.jakarta_value IS NOT NULL AND p.berlin_value IS NOT NULL
                 AND NOT ({_MAIN} <@ coalesce(p.jakarta_pollutants, '{{}}')
                          AND {_MAIN} <@ coalesce(p.berlin_pollutants, '{{}}'))
                THEN format('pollutants on most days: Jakarta %s, Berlin %s; both need %s',
                            coalesce(array_to_string(p.jakarta_pollutants, ','), 'none'),
                            coalesce(array_to_string(p.berlin_pollutants, ','), 'none'),
                            array_to_string({_MAIN}, ',')) END)
           AS obstacles
  FROM pairs p JOIN catalogue c ON c.indicator = p.indicator
), remarked AS (
  SELECT j.*, concat_ws('; ',
           CASE WHEN 'single_station' = ANY(j.jakarta_flags) THEN 'Jakarta rests on one station'
           END,
           CASE WHEN 'single_station' = ANY(j.berlin_flags) THEN 'Berlin rests on one station'
           END,
           CASE WHEN j.indicator IN {_ANY_POLLUTANT} AND j.obstacles = ''
                 AND j.jakarta_pollutants IS DISTINCT FROM j.berlin_pollutants
                THEN format('pollutants only one city had on most days: %s', array_to_string(
                  ARRAY(SELECT x FROM unnest(j.jakarta_pollutants || j.berlin_pollutants) x
                        EXCEPT SELECT y FROM unnest(j.jakarta_pollutants) y
                          INTERSECT SELECT z FROM unnest(j.berlin_pollutants) z ORDER BY 1),
                  ',')) END) AS remarks
  FROM judged j
)
SELECT indicator, category, year, unit, standard,
       {", ".join(f"jakarta_{c}" for c in _SIDE)}, {", ".join(f"berlin_{c}" for c in _SIDE)},
       CASE WHEN jakarta_value > 0 AND berlin_value > 0 THEN jakarta_value / berlin_value END,
       comparability <> '{catalogue.ONE_CITY}' AND comparability <> '{catalogue.NOT_COMPARABLE}'
         AND obstacles = '',
       comparability,
       concat_ws(' — ', comparability_note, nullif(obstacles, ''), nullif(remarks, '')),
       payload_sha256s
FROM remarked
"""

CITY_COMPARISON = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    deps=[CITY_INDICATORS.key],
    description="Jakarta and Berlin side by side per indicator and year, with a "
                "comparability flag and note. Its metadata shows the main indicators over "
                "the years as a small multiple.",
    group="marts",
    expectations=(
        q.compound_unique(["indicator", "category", "year"]),
        q.in_set("indicator", [i.code for i in catalogue.INDICATORS]),
        q.in_set("comparability", [catalogue.COMPARABLE, catalogue.CAVEATS,
                                   catalogue.NOT_COMPARABLE, catalogue.ONE_CITY]),
        q.between("jakarta_value", 0, None), q.between("berlin_value", 0, None),
        q.between("jakarta_coverage", 0, 1), q.between("berlin_coverage", 0, 1),
        q.between("jakarta_to_berlin", 0, None, strict_min=True),
        q.not_null("comparability_note"),
    ),
    column_lineage=dg.TableColumnLineage(deps_by_column={
        **{f"{city}_{c}": [dg.TableColumnDep(CITY_INDICATORS.key, c)]
           for city in ("jakarta", "berlin") for c in _SIDE},
        "jakarta_to_berlin": [dg.TableColumnDep(CITY_INDICATORS.key, "value")],
        "comparable": [dg.TableColumnDep(CITY_INDICATORS.key, c)
                       for c in ("value", "flags", "pollutants")],
        "payload_sha256s": [dg.TableColumnDep(CITY_INDICATORS.key, "payload_sha256s")],
    }),
    after_load=comparison_metadata,
)
