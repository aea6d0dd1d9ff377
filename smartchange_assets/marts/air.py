"""Air-quality measures from ``core.fact_air_quality_daily``, per scope and period.

* ``<pollutant>_mean`` (PM2.5, PM10, NO2): mean over days of the daily mean over the scope's
  stations; station rows only. Jakarta's 'city_max' rows (the daily worst station) are not a
  city mean and never enter a mean; the shortfall says when a period has only those.
* ``pm25_mean_population_weighted`` (year only): see the catalogue; weights from
  ``core.dim_area_population`` at district level.
* ``days_above_who_<pollutant>``: days on which any station's daily value exceeded the WHO
  2021 24-hour guideline; station rows only.
* ``days_ispu_unhealthy``: days with any sub-index 'Tidak Sehat' or worse; for the city,
  'city_max' rows count too (the worst station decides the day's ISPU).
* ``days_eaqi_poor``: days with any EAQI band 'Poor' or worse; station rows only.

``pollutants`` lists, for the any-pollutant day counts, the pollutants with data on at least
75 % of the period's days, so a comparison can see when the cities measured different things.
"""

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_station import TABLE as DIM_STATION
from smartchange_assets.marts.catalogue import DAY_SHARE
from smartchange_assets.marts.scope import PERIODS, Scope, days_in, merge_arrays
from smartchange_assets.standards import eaqi
from smartchange_assets.standards.ispu import UNHEALTHY_OR_WORSE

MEAN_POLLUTANTS = ("pm25", "pm10", "no2")
_IN_MEAN = ", ".join(f"'{p}'" for p in MEAN_POLLUTANTS)
_UNHEALTHY = ", ".join(f"'{c}'" for c in UNHEALTHY_OR_WORSE)
_GASES = "ARRAY['no2', 'o3', 'so2']"
_CONC = "granularity = 'station' AND concentration_ugm3 IS NOT NULL"


def _flags(*pairs: tuple[str, str]) -> str:
    """SQL text[] of the flag names whose condition holds."""
    items = ", ".join(f"CASE WHEN {cond} THEN '{name}' END" for name, cond in pairs)
    return f"array_remove(ARRAY[{items}]::text[], NULL)"


def air_measures(scope: Scope) -> str:
    only_stations = "" if scope.include_city_max else "AND f.granularity = 'station'"
    return f"""
WITH obs AS (
  SELECT s.{scope.station_key} AS scope_key, f.city, f.station_code, f.local_date, f.pollutant,
         f.granularity, f.concentration_ugm3, f.concentration_derived, f.conversion_verified,
         f.ispu, f.ispu_basis, f.ispu_category, f.eaqi_band, f.above_who_24h,
         f.payload_sha256, periods.period_type,
         date_trunc(periods.period_type, f.local_date)::date AS period_start
  FROM {FACT.table.qualified} f
  JOIN {DIM_STATION.qualified} s ON s.city = f.city AND s.station_code = f.station_code
  CROSS JOIN {PERIODS}
  WHERE s.{scope.station_key} IS NOT NULL {only_stations}
), period_days AS (
  SELECT DISTINCT scope_key, city, period_type, period_start,
         {days_in("period_start", "period_type")} AS days
  FROM obs
), evidence AS (  -- per pollutant: what the period has, to say why a figure is missing
  SELECT scope_key, city, pollutant, period_type, period_start,
         count(DISTINCT local_date) FILTER (WHERE granularity = 'city_max') AS city_max_days,
         count(DISTINCT local_date) FILTER (WHERE granularity = 'station'
           AND concentration_ugm3 IS NULL AND ispu IS NOT NULL) AS index_only_days,
         count(DISTINCT station_code) FILTER (WHERE {_CONC}) AS stations,
         coalesce(bool_or(concentration_derived) FILTER (WHERE {_CONC}), false) AS derived,
         coalesce(bool_and(conversion_verified) FILTER (WHERE {_CONC}), true) AS verified,
         array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) FILTER (WHERE {_CONC})
           AS payloads
  FROM obs WHERE pollutant IN ({_IN_MEAN}) GROUP BY 1, 2, 3, 4, 5
), day_means AS (
  SELECT scope_key, city, pollutant, period_type, period_start, local_date,
         avg(concentration_ugm3) AS day_mean, bool_or(above_who_24h) AS above_who
  FROM obs WHERE {_CONC} AND pollutant IN ({_IN_MEAN}) GROUP BY 1, 2, 3, 4, 5, 6
), means AS (
  SELECT scope_key, city, pollutant, period_type, period_start, sum(day_mean) AS total,
         count(*) AS days, count(*) FILTER (WHERE above_who) AS days_above,
         count(above_who) AS days_with_guideline
  FROM day_means GROUP BY 1, 2, 3, 4, 5
), pollutant_rows AS (
  SELECT e.*, p.days AS period_days, coalesce(m.days, 0) AS days_measured, m.total,
         m.days_above, m.days_with_guideline,
         concat_ws('; ', format('%s of %s days have a station-level concentration',
                                coalesce(m.days, 0), p.days),
                   CASE WHEN e.city_max_days > 0 THEN format('%s days are published only as '
                     'the daily worst station (city_max), which is not a city mean',
                     e.city_max_days) END,
                   CASE WHEN e.index_only_days > 0 THEN format('%s days have an ISPU '
                     'sub-index but no concentration (band not defined in the regime in force)',
                     e.index_only_days) END) AS shortfall,
         {_flags(("derived_from_ispu", "e.derived"),
                 ("conversion_unverified", "NOT e.verified"),
                 ("single_station", "e.stations = 1"))} AS flags
  FROM evidence e JOIN period_days p USING (scope_key, city, period_type, period_start)
  LEFT JOIN means m USING (scope_key, city, pollutant, period_type, period_start)
), station_years AS (
  SELECT scope_key, city, station_code, period_start, avg(concentration_ugm3) AS mean,
         count(DISTINCT local_date) AS days
  FROM obs WHERE {_CONC} AND pollutant = 'pm25' AND period_type = 'year'
  GROUP BY 1, 2, 3, 4
), valid_stations AS (
  SELECT y.*, s.district_key FROM station_years y
  JOIN period_days p ON p.scope_key = y.scope_key AND p.city = y.city AND p.period_type = 'year'
                AND p.period_start = y.period_start
  JOIN {DIM_STATION.qualified} s ON s.city = y.city AND s.station_code = y.station_code
  WHERE y.days >= {DAY_SHARE} * p.days
), weight_year AS (  -- nearest year in which every valid station's district has residents
  SELECT DISTINCT ON (v.scope_key, v.period_start) v.scope_key, v.period_start,
         ap.reference_year
  FROM valid_stations v
  JOIN {AREA_POPULATION.qualified} ap ON ap.area_key = v.district_key AND ap.complete
  GROUP BY v.scope_key, v.period_start, ap.reference_year
  HAVING count(DISTINCT v.station_code) = (SELECT count(*) FROM valid_stations w
    WHERE w.scope_key = v.scope_key AND w.period_start = v.period_start)
  ORDER BY v.scope_key, v.period_start,
           abs(ap.reference_year - extract(year FROM v.period_start)), ap.reference_year
), district_means AS (
  SELECT scope_key, city, period_start, district_key, avg(mean) AS mean
  FROM valid_stations GROUP BY 1, 2, 3, 4
), weights AS (
  SELECT d.*, w.reference_year, ap.residents, ap.payload_sha256s
  FROM district_means d
  JOIN weight_year w ON w.scope_key = d.scope_key AND w.period_start = d.period_start
  JOIN {AREA_POPULATION.qualified} ap ON ap.area_key = d.district_key
                                      AND ap.reference_year = w.reference_year
), weighted AS (
  SELECT scope_key, period_start, reference_year, sum(residents * mean) AS total,
         sum(residents)::float8 AS weight
  FROM weights GROUP BY 1, 2, 3
), weight_payloads AS (
  SELECT scope_key, period_start, array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
  FROM weights CROSS JOIN LATERAL unnest(payload_sha256s) AS x(sha) GROUP BY 1, 2
), equal AS (
  SELECT scope_key, period_start, sum(mean) AS total, count(*)::float8 AS weight,
         count(DISTINCT district_key) AS districts
  FROM valid_stations GROUP BY 1, 2
), reporting AS (
  SELECT scope_key, city, period_start, count(*) AS stations FROM station_years GROUP BY 1, 2, 3
), weighted_rows AS (
  SELECT r.scope_key, r.city, 'pm25_mean_population_weighted' AS indicator,
         'year' AS period_type, r.period_start,
         coalesce(w.total / w.weight, e.total / e.weight) AS value,
         coalesce(w.total, e.total) AS numerator, coalesce(w.weight, e.weight) AS denominator,
         1.0::float8 AS value_scale,
         coalesce(e.weight, 0) / r.stations AS coverage,
         format('%s of %s stations have PM2.5 on at least %s of the days',
                coalesce(e.weight, 0)::int, r.stations, '{DAY_SHARE:.0%}') AS shortfall,
         pr.flags || {_flags(("equal_weights", "w.total IS NULL AND e.total IS NOT NULL"))}
           AS flags,
         ARRAY['pm25'] AS pollutants, w.reference_year AS population_year,
         CASE WHEN w.total IS NOT NULL THEN format('%s station(s) in %s district(s), weighted '
                'by the districts'' residents (%s)', e.weight::int, e.districts,
                w.reference_year)
              ELSE format('%s station(s), equal weights: no complete residents count for '
                'every station''s district', coalesce(e.weight, 0)::int) END AS basis,
         {merge_arrays("pr.payloads", "wp.payloads")} AS payload_sha256s
  FROM reporting r
  JOIN pollutant_rows pr ON pr.scope_key = r.scope_key AND pr.pollutant = 'pm25'
                        AND pr.period_type = 'year' AND pr.period_start = r.period_start
  LEFT JOIN equal e ON e.scope_key = r.scope_key AND e.period_start = r.period_start
  LEFT JOIN weighted w ON w.scope_key = r.scope_key AND w.period_start = r.period_start
  LEFT JOIN weight_payloads wp ON wp.scope_key = r.scope_key AND wp.period_start = r.period_start
), any_pollutant AS (  -- ISPU and EAQI days over all pollutants
  SELECT scope_key, city, period_type, period_start, local_date,
         bool_or(ispu_category IN ({_UNHEALTHY})) FILTER (WHERE ispu_category IS NOT NULL)
           AS ispu_bad,
         bool_or(eaqi_band >= {eaqi.POOR_OR_WORSE_FROM})
           FILTER (WHERE granularity = 'station' AND eaqi_band IS NOT NULL) AS eaqi_bad
  FROM obs GROUP BY 1, 2, 3, 4, 5
), index_days AS (
  SELECT scope_key, city, period_type, period_start,
         count(ispu_bad) AS ispu_days, count(*) FILTER (WHERE ispu_bad) AS ispu_bad_days,
         count(eaqi_bad) AS eaqi_days, count(*) FILTER (WHERE eaqi_bad) AS eaqi_bad_days
  FROM any_pollutant GROUP BY 1, 2, 3, 4
), index_evidence AS (
  SELECT scope_key, city, period_type, period_start,
         count(DISTINCT local_date) FILTER (WHERE granularity = 'city_max') AS city_max_days,
         bool_or(granularity = 'city_max' AND ispu_category IS NOT NULL) AS ispu_city_max,
         bool_or(ispu_basis = 'computed_from_concentration' AND ispu_category IS NOT NULL)
           AS ispu_computed,
         bool_or(concentration_derived AND eaqi_band IS NOT NULL AND granularity = 'station')
           AS eaqi_derived,
         bool_or(eaqi_band IS NOT NULL AND granularity = 'station' AND pollutant = ANY({_GASES}))
           AS eaqi_gases,
         count(DISTINCT station_code) FILTER (WHERE granularity = 'station') AS stations,
         array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
           FILTER (WHERE ispu_category IS NOT NULL) AS ispu_payloads,
         array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
           FILTER (WHERE granularity = 'station' AND eaqi_band IS NOT NULL) AS eaqi_payloads
  FROM obs GROUP BY 1, 2, 3, 4
), pollutant_days AS (
  SELECT o.scope_key, o.city, o.period_type, o.period_start, o.pollutant,
         count(DISTINCT o.local_date) FILTER (WHERE o.ispu_category IS NOT NULL) AS ispu,
         count(DISTINCT o.local_date) FILTER (WHERE o.granularity = 'station'
           AND o.eaqi_band IS NOT NULL) AS eaqi
  FROM obs o GROUP BY 1, 2, 3, 4, 5
), well_covered AS (
  SELECT d.scope_key, d.period_type, d.period_start,
         array_agg(d.pollutant ORDER BY d.pollutant) FILTER (WHERE d.ispu >= {DAY_SHARE} * p.days)
           AS ispu_pollutants,
         array_agg(d.pollutant ORDER BY d.pollutant) FILTER (WHERE d.eaqi >= {DAY_SHARE} * p.days)
           AS eaqi_pollutants
  FROM pollutant_days d JOIN period_days p USING (scope_key, city, period_type, period_start)
  GROUP BY 1, 2, 3
), index_rows AS (
  SELECT ie.scope_key, ie.city, 'days_ispu_unhealthy' AS indicator, ie.period_type,
         ie.period_start, i.ispu_bad_days::float8 AS value, i.ispu_bad_days::float8,
         NULL::float8, 1.0::float8, i.ispu_days::float8 / p.days,
         format('%s of %s days have an ISPU sub-index', i.ispu_days, p.days),
         {_flags(("city_max_included", "ie.ispu_city_max"),
                 ("ispu_computed_from_concentration", "ie.ispu_computed"),
                 ("single_station", "ie.stations = 1"))},
         wc.ispu_pollutants, NULL::int,
         format('%s station(s); days with any sub-index in %s', ie.stations,
                '{"/".join(UNHEALTHY_OR_WORSE)}'),
         ie.ispu_payloads
  FROM index_evidence ie JOIN period_days p USING (scope_key, city, period_type, period_start)
  JOIN index_days i USING (scope_key, city, period_type, period_start)
  LEFT JOIN well_covered wc USING (scope_key, period_type, period_start)
  UNION ALL
  SELECT ie.scope_key, ie.city, 'days_eaqi_poor', ie.period_type, ie.period_start,
         i.eaqi_bad_days, i.eaqi_bad_days, NULL, 1.0, i.eaqi_days::float8 / p.days,
         format('%s of %s days have an EAQI band at a station', i.eaqi_days, p.days),
         {_flags(("derived_from_ispu", "ie.eaqi_derived"),
                 ("eaqi_gas_daily_mean_approx", "ie.eaqi_gases"),
                 ("single_station", "ie.stations = 1"))},
         wc.eaqi_pollutants, NULL,
         format('%s station(s); days with any band Poor or worse', ie.stations),
         ie.eaqi_payloads
  FROM index_evidence ie JOIN period_days p USING (scope_key, city, period_type, period_start)
  JOIN index_days i USING (scope_key, city, period_type, period_start)
  LEFT JOIN well_covered wc USING (scope_key, period_type, period_start)
)
SELECT scope_key, city, pollutant || '_mean', period_type, period_start,
       total / nullif(days_measured, 0), total, nullif(days_measured, 0)::float8, 1.0,
       days_measured::float8 / period_days, shortfall, flags, ARRAY[pollutant], NULL::int,
       format('%s station(s); mean of the daily mean over stations', stations), payloads
FROM pollutant_rows
UNION ALL
SELECT scope_key, city, 'days_above_who_' || pollutant, period_type, period_start,
       days_above, days_above, NULL, 1.0, coalesce(days_with_guideline, 0)::float8 / period_days,
       shortfall, flags, ARRAY[pollutant], NULL,
       format('%s station(s); days with any station above the WHO 2021 24-h guideline',
              stations), payloads
FROM pollutant_rows
UNION ALL
SELECT * FROM weighted_rows
UNION ALL
SELECT * FROM index_rows
"""
