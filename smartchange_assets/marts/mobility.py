"""Mobility measures from ``core.fact_mobility_monthly``, per city, year and month.

* **Jakarta, Transjakarta** (``transit_passengers``, ``transit_passengers_per_capita``):
  passengers of every Transjakarta service (BRT, feeder, Mikrotrans) summed over the routes;
  coverage = months of the period with data / months of the period. A route-month the
  publisher gave twice with different values is quarantined in staging, so a payload with
  quarantined rows is flagged (``payload_rows_quarantined``) and counted in ``basis``.
* **Berlin, bike counters** (``bicycle_counts``, ``bicycle_counts_per_capita``): bicycles
  counted at SenMVKU's permanent counting sites. A count at fixed points, not a number of
  trips: one ride passing two counters is counted twice, a ride passing none not at all.
  Coverage = counter-days with a complete day (every hour, no suspected outage) / counter-days
  expected, a counter being expected from its installation (site metadata; else its first
  day with data) to its removal. A counter installed but absent from every payload of the
  period therefore lowers the coverage: the sum would silently miss its bicycles.

Per capita divides by the city's residents in the nearest year, within
:data:`~smartchange_assets.marts.flood.MAX_POPULATION_GAP` years, with a complete count.

District rows: none. Transjakarta is city-wide, and the Berlin counters are not placed in a
Bezirk (see ``core.mobility``).
"""

from smartchange_assets.berlin.mobility import common
from smartchange_assets.berlin.mobility.counts import SITES_TABLE
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.mobility import TABLE as MOBILITY_FACT
from smartchange_assets.core.mobility import TRANSJAKARTA_KIND
from smartchange_assets.jakarta.transjakarta.source import SOURCE as TRANSJAKARTA
from smartchange_assets.marts.flood import MAX_POPULATION_GAP
from smartchange_assets.marts.scope import PERIODS, Scope, days_in, merge_arrays

ABSENT_LISTED = 5  # absent counters named in the shortfall


def _empty() -> str:
    return ("SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::date, NULL::float8, "
            "NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::text, NULL::text[], "
            "NULL::text[], NULL::int, NULL::text, NULL::text[] WHERE false")


def _payloads() -> str:
    """SQL CTE ``period_payloads``: the payloads behind each period of ``counted``."""
    return f"""period_payloads AS (
  SELECT periods.period_type, date_trunc(periods.period_type, c.month_start)::date
           AS period_start, array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
  FROM counted c CROSS JOIN LATERAL unnest(c.payload_sha256s) AS x(sha) CROSS JOIN {PERIODS}
  GROUP BY 1, 2
)"""


def _residents(city: str) -> str:
    """SQL CTE body: per period of ``totals``, the city's nearest complete residents count."""
    return f"""
  SELECT DISTINCT ON (t.period_type, t.period_start) t.period_type, t.period_start,
         ap.reference_year, ap.residents, ap.payload_sha256s
  FROM totals t JOIN {AREA_POPULATION.qualified} ap
    ON ap.area_key = '{keys.CITY_KEYS[city]}' AND ap.complete
   AND abs(ap.reference_year - extract(year FROM t.period_start)) <= {MAX_POPULATION_GAP}
  ORDER BY t.period_type, t.period_start,
           abs(ap.reference_year - extract(year FROM t.period_start)), ap.reference_year"""


def _pair(city: str, count_code: str, rate_code: str) -> str:
    """SQL: the count and per-capita rows of ``totals`` (columns period_type, period_start,
    total, coverage, shortfall, flags, basis, payloads) joined to ``residents``."""
    key = keys.CITY_KEYS[city]
    return f"""
SELECT '{key}', '{city}', '{count_code}', t.period_type, t.period_start, t.total::float8,
       t.total::float8, NULL::float8, 1.0::float8, t.coverage, t.shortfall, t.flags,
       NULL::text[], NULL::int, t.basis, t.payloads
FROM totals t
UNION ALL
SELECT '{key}', '{city}', '{rate_code}', t.period_type, t.period_start,
       t.total::float8 / r.residents, t.total, r.residents, 1.0, t.coverage,
       concat_ws('; ', t.shortfall, CASE WHEN r.residents IS NULL THEN format('no complete '
         'residents count of the city within %s years', {MAX_POPULATION_GAP}) END),
       t.flags, NULL, r.reference_year,
       format('%s; residents %s', t.basis, coalesce(r.reference_year::text, 'missing')),
       {merge_arrays("t.payloads", "r.payload_sha256s")}
FROM totals t LEFT JOIN residents r USING (period_type, period_start)
"""


def transjakarta_measures(scope: Scope) -> str:
    if scope.name != "city":
        return _empty()
    return f"""
WITH quarantined AS (
  SELECT payload_sha256, count(*) AS rows FROM raw.quarantine
  WHERE source = '{TRANSJAKARTA.source_id}' GROUP BY payload_sha256
), counted AS (
  SELECT f.* FROM {MOBILITY_FACT.qualified} f
  WHERE f.city = '{keys.JAKARTA}' AND f.counter_kind = '{TRANSJAKARTA_KIND}'
), {_payloads()}, periods AS (
  SELECT periods.period_type, date_trunc(periods.period_type, r.month_start)::date
           AS period_start,
         sum(r.count) AS total, count(DISTINCT r.month_start) AS months,
         CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
         count(DISTINCT r.site_id) AS routes
  FROM counted r CROSS JOIN {PERIODS} GROUP BY 1, 2
), totals AS (
  SELECT p.period_type, p.period_start, p.total, p.months::float8 / p.of_months AS coverage,
         CASE WHEN p.months < p.of_months THEN format('%s of %s months with data', p.months,
              p.of_months) END AS shortfall,
         CASE WHEN q.rows > 0 THEN ARRAY['payload_rows_quarantined'] ELSE '{{}}'::text[] END
           AS flags,
         format('%s of %s months, %s routes%s', p.months, p.of_months, p.routes,
                CASE WHEN q.rows > 0 THEN format('; %s row(s) of its payloads quarantined '
                  '(raw.quarantine)', q.rows) ELSE '' END) AS basis,
         pp.payloads
  FROM periods p JOIN period_payloads pp USING (period_type, period_start)
  LEFT JOIN LATERAL (
    SELECT sum(q.rows) AS rows FROM quarantined q WHERE q.payload_sha256 = ANY(pp.payloads)
  ) q ON true
), residents AS ({_residents(keys.JAKARTA)}
)
{_pair(keys.JAKARTA, "transit_passengers", "transit_passengers_per_capita")}
"""


def bicycle_measures(scope: Scope) -> str:
    if scope.name != "city":
        return _empty()
    bike = f"counter_kind = '{common.BIKE_COUNTER}'"
    return f"""
WITH counted AS (
  SELECT f.* FROM {MOBILITY_FACT.qualified} f
  WHERE f.city = '{keys.BERLIN}' AND f.{bike} AND f.mode = 'bike'
), sites AS (  -- every counter that exists: site metadata, and any counted site without it
  SELECT s.site_id, coalesce(s.installed, c.first_day) AS active_from, s.removed
  FROM (SELECT site_id, installed, removed FROM {SITES_TABLE.qualified} WHERE {bike}) s
  FULL JOIN (SELECT site_id, min(month_start) AS first_day FROM counted GROUP BY 1) c
    USING (site_id)
), periods AS (
  SELECT periods.period_type, date_trunc(periods.period_type, c.month_start)::date
           AS period_start,
         sum(c.count) AS total, sum(c.days_complete) AS days_complete,
         count(DISTINCT c.site_id) AS counters
  FROM counted c CROSS JOIN {PERIODS} GROUP BY 1, 2
), {_payloads()}, expected AS (  -- counter-days each period should have had
  SELECT p.period_type, p.period_start, s.site_id,
         least(p.period_start + {days_in("p.period_start", "p.period_type")} - 1,
               coalesce(s.removed, 'infinity'::date))
         - greatest(p.period_start, s.active_from) + 1 AS days
  FROM periods p CROSS JOIN sites s
), expected_sums AS (
  SELECT e.period_type, e.period_start, sum(e.days) AS days, count(*) AS counters,
         string_agg(e.site_id, ', ' ORDER BY e.site_id) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM counted c WHERE c.site_id = e.site_id AND date_trunc(e.period_type,
             c.month_start)::date = e.period_start)) AS absent,
         count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM counted c WHERE c.site_id = e.site_id AND date_trunc(e.period_type,
             c.month_start)::date = e.period_start)) AS absent_n
  FROM expected e WHERE e.days > 0 GROUP BY 1, 2
), totals AS (
  SELECT p.period_type, p.period_start, p.total,
         least(1.0, p.days_complete::float8 / greatest(x.days, 1)) AS coverage,
         concat_ws('; ', format('%s of %s counter-days complete', p.days_complete, x.days),
           CASE WHEN x.absent_n > 0 THEN format('%s counter(s) installed but without data: %s',
             x.absent_n, array_to_string((string_to_array(x.absent, ', '))[1:{ABSENT_LISTED}],
             ', ') || CASE WHEN x.absent_n > {ABSENT_LISTED} THEN ', …' ELSE '' END) END)
           AS shortfall,
         ARRAY['counts_at_sites_not_trips'] AS flags,
         format('%s of %s installed counters with data; %s of %s counter-days complete',
                p.counters, x.counters, p.days_complete, x.days) AS basis,
         pp.payloads
  FROM periods p JOIN expected_sums x USING (period_type, period_start)
  JOIN period_payloads pp USING (period_type, period_start)
), residents AS ({_residents(keys.BERLIN)}
)
{_pair(keys.BERLIN, "bicycle_counts", "bicycle_counts_per_capita")}
"""
