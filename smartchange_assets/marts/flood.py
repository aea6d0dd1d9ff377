"""Flood measures (Jakarta) from ``core.fact_flood_events``, per scope and period.

Coverage is the share of the period's months the publisher reported on, city-wide:

* a month with any row (events, or the publisher's 'nihil' no-flood rows) is reported;
* the F2 layout (satudata 2023) marks unreported months with all-'-' rows, so in it a month
  without rows is *not* reported (August and September 2023);
* F1 (2020 Q1) and F3 (2024) list only kelurahan with events and carry no such marks; a month
  inside the period their payload declares (``raw.landing_manifest``) is reported, with zero
  events if it has no rows (October 2024).

Every district of Jakarta gets a row for every reported period (zero when it had no event);
the payloads behind a period are those reporting any of its months.
``flood_affected_per_100k`` divides by the scope's residents in the nearest year, within
:data:`MAX_POPULATION_GAP` years, that has a complete count.
"""

from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.flood import TABLE as FLOOD_FACT
from smartchange_assets.jakarta.flood.source import SOURCE as FLOOD
from smartchange_assets.marts.scope import PERIODS, Scope, merge_arrays

MAX_POPULATION_GAP = 5
EVENT_LISTS = ("F1", "F3")  # layouts that list only events, without no-data marks


def flood_measures(scope: Scope) -> str:
    place = (f"'{keys.JAKARTA_CITY_KEY}'" if scope.name == "city" else "f.district_key")
    variants = ", ".join(f"'{v}'" for v in EVENT_LISTS)
    return f"""
WITH reported AS (  -- month and the payload that reports it
  SELECT DISTINCT event_month AS month, payload_sha256 FROM {FLOOD_FACT.qualified}
  UNION
  SELECT generate_series(date_trunc('month', m.period_start), m.period_end,
                         interval '1 month')::date, m.sha256
  FROM raw.landing_manifest m
  WHERE m.source = '{FLOOD.source_id}' AND m.period_start IS NOT NULL
    AND m.sha256 IN (SELECT payload_sha256 FROM {FLOOD_FACT.qualified}
                     WHERE variant IN ({variants}))
), reported_periods AS (
  SELECT periods.period_type, date_trunc(periods.period_type, r.month)::date AS period_start,
         count(DISTINCT r.month) AS months,
         CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
         array_agg(DISTINCT r.payload_sha256 ORDER BY r.payload_sha256) AS payloads
  FROM reported r CROSS JOIN {PERIODS} GROUP BY 1, 2
), scopes AS (
  SELECT area_key AS scope_key FROM {DIM_AREA.qualified}
  WHERE city = '{keys.JAKARTA}' AND level = '{scope.level}'
), events AS (
  SELECT {place} AS scope_key, periods.period_type,
         date_trunc(periods.period_type, f.event_month)::date AS period_start,
         sum(f.events) AS events, sum(f.affected_people) AS affected
  FROM {FLOOD_FACT.qualified} f CROSS JOIN {PERIODS}
  WHERE {place} IS NOT NULL GROUP BY 1, 2, 3
), base AS (
  SELECT s.scope_key, p.*, coalesce(e.events, 0) AS events, coalesce(e.affected, 0) AS affected,
         p.payloads AS period_payloads,
         CASE WHEN p.months < p.of_months THEN format('%s of %s months reported', p.months,
              p.of_months) END AS months_short
  FROM scopes s CROSS JOIN reported_periods p
  LEFT JOIN events e ON e.scope_key = s.scope_key AND e.period_type = p.period_type
                    AND e.period_start = p.period_start
), residents AS (
  SELECT DISTINCT ON (b.scope_key, b.period_type, b.period_start)
         b.scope_key, b.period_type, b.period_start, ap.reference_year, ap.residents,
         ap.payload_sha256s
  FROM base b JOIN {AREA_POPULATION.qualified} ap ON ap.area_key = b.scope_key AND ap.complete
   AND abs(ap.reference_year - extract(year FROM b.period_start)) <= {MAX_POPULATION_GAP}
  ORDER BY b.scope_key, b.period_type, b.period_start,
           abs(ap.reference_year - extract(year FROM b.period_start)), ap.reference_year
)
SELECT b.scope_key, '{keys.JAKARTA}', 'flood_events', b.period_type, b.period_start,
       b.events::float8, b.events::float8, NULL::float8, 1.0::float8,
       b.months::float8 / b.of_months, b.months_short, '{{}}'::text[], NULL::text[], NULL::int,
       format('%s of %s months reported', b.months, b.of_months), b.period_payloads
FROM base b
UNION ALL
SELECT b.scope_key, '{keys.JAKARTA}', 'flood_affected_people', b.period_type, b.period_start,
       b.affected, b.affected, NULL, 1.0, b.months::float8 / b.of_months, b.months_short,
       '{{}}'::text[], NULL, NULL, format('%s of %s months reported', b.months, b.of_months),
       b.period_payloads
FROM base b
UNION ALL
SELECT b.scope_key, '{keys.JAKARTA}', 'flood_affected_per_100k', b.period_type,
       b.period_start, b.affected::float8 / r.residents * 100000, b.affected, r.residents,
       100000.0, b.months::float8 / b.of_months,
       concat_ws('; ', b.months_short, CASE WHEN r.residents IS NULL THEN format('no complete '
         'residents count within %s years', {MAX_POPULATION_GAP}) END),
       '{{}}'::text[], NULL, r.reference_year,
       format('%s of %s months reported; residents %s', b.months, b.of_months,
              coalesce(r.reference_year::text, 'missing')),
       {merge_arrays("b.period_payloads", "r.payload_sha256s")}
FROM base b LEFT JOIN residents r ON r.scope_key = b.scope_key
  AND r.period_type = b.period_type AND r.period_start = b.period_start
"""
