"""Citizen-report measures from ``core.fact_citizen_reports``, per scope, period and shared
category (plus ``'all'``): reports per 100 000 residents, share resolved, median days to
resolution. This block returns :data:`~smartchange_assets.marts.scope.MEASURE_COLUMNS` plus
``category`` (it is in ``indicators.CATEGORY_BLOCKS``).

**Coverage: months the payloads observed completely.** A count of reports means something only
when every report of the period was seen:

* Jakarta CRM: a month counts when a payload's declared period (``raw.landing_manifest``)
  holds the whole month *and* its reports reach :data:`COMPLETE_SHARE` of those the report ids
  imply (``JK`` + yymmdd + the day's sequence number: the highest number of a day is at least
  the day's report count). The seed's 15-report research sample implies thousands and covers
  no month, so its figures are NULL with that reason.
* Berlin Ordnungsamt: the API is a rolling window; the seed snapshot still lists resolved
  reports from eight weeks back, so a snapshot taken within :data:`WINDOW_DAYS` days after a
  month's end has seen all of that month's reports. The seed snapshot (22 Nov 2023) covers
  October 2023; older reports still open in the window are in the fact but in no period.

Periods are the months of the payloads' declared periods and the months they cover, and their
years. Rates divide by residents of the nearest year within ``flood.MAX_POPULATION_GAP`` with a
complete count (as the flood rate). The median counts only reports whose resolution time is
known (``fact_citizen_reports.days_to_resolution``); its coverage is the share of resolved
reports that have one.
"""

from smartchange_assets.berlin.citizen_reports.source import SOURCE as BERLIN
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.report_taxonomy import SHARED_CATEGORIES
from smartchange_assets.core.reports import TABLE as REPORTS
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA
from smartchange_assets.marts.flood import MAX_POPULATION_GAP
from smartchange_assets.marts.scope import PERIODS, Scope, merge_arrays

COMPLETE_SHARE = 0.95  # Jakarta: reports present / reports the ids' sequence numbers imply
WINDOW_DAYS = 28       # Berlin: a snapshot this soon after a month's end has seen all of it
ALL = "all"

_CATEGORIES = ", ".join(f"('{c}')" for c in (ALL, *SHARED_CATEGORIES))


def _observed_months() -> str:
    """SQL: ``observed(city, month, complete, payload_sha256, present, implied, note)``:
    the months the payloads observe; ``present``/``implied`` are Jakarta's report counts."""
    return f"""
jakarta_declared AS (
  SELECT DISTINCT g::date AS month, m.sha256
  FROM raw.landing_manifest m CROSS JOIN LATERAL generate_series(
    date_trunc('month', m.period_start), m.period_end, interval '1 month') AS g
  WHERE m.source = '{JAKARTA.source_id}' AND m.period_start IS NOT NULL
    AND g >= m.period_start AND (g + interval '1 month - 1 day')::date <= m.period_end
), jakarta_days AS (  -- per day: reports present, and the day's highest sequence number
  SELECT created_date, count(*) AS present,
         max(CASE WHEN report_id ~ '^[A-Z]{{2}}[0-9]{{10}}$'
                  THEN substr(report_id, 9, 4)::int END) AS implied
  FROM {REPORTS.qualified} WHERE city = '{keys.JAKARTA}' GROUP BY 1
), jakarta_months AS (
  SELECT date_trunc('month', created_date)::date AS month, sum(present) AS present,
         sum(coalesce(implied, present)) AS implied
  FROM jakarta_days GROUP BY 1
), berlin_snapshots AS (
  SELECT DISTINCT period_start AS day, sha256 FROM raw.landing_manifest
  WHERE source = '{BERLIN.source_id}' AND period_start IS NOT NULL
), observed AS (
  SELECT '{keys.JAKARTA}' AS city, d.month,
         coalesce(s.present > 0 AND s.present >= {COMPLETE_SHARE} * s.implied, false)
           AS complete, d.sha256 AS payload_sha256, coalesce(s.present, 0) AS present,
         coalesce(s.implied, 0) AS implied, NULL::text AS note
  FROM jakarta_declared d LEFT JOIN jakarta_months s ON s.month = d.month
  UNION ALL  -- the snapshot's own month: seen, not yet complete
  SELECT '{keys.BERLIN}', date_trunc('month', day)::date, false, sha256, NULL, NULL,
         'no snapshot within {WINDOW_DAYS} days after the month''s end'
  FROM berlin_snapshots
  UNION ALL  -- the month before: complete when the snapshot came soon enough after it
  SELECT '{keys.BERLIN}', (date_trunc('month', day) - interval '1 month')::date,
         day - date_trunc('month', day)::date < {WINDOW_DAYS}, sha256, NULL, NULL,
         format('snapshot of %s', day)
  FROM berlin_snapshots
)"""


def reports_measures(scope: Scope) -> str:
    place = ("CASE f.city " + " ".join(f"WHEN '{c}' THEN '{k}'" for c, k in
                                       keys.CITY_KEYS.items()) + " END"
             if scope.name == "city" else "f.district_key")
    return f"""
WITH {_observed_months()}, months AS (  -- per city and month: observed completely or not
  SELECT city, month, bool_or(complete) AS complete,
         array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads,
         max(present) AS present, max(implied) AS implied,
         string_agg(DISTINCT note, '; ' ORDER BY note) AS note
  FROM observed GROUP BY 1, 2
), period_rows AS (
  SELECT m.city, periods.period_type,
         date_trunc(periods.period_type, m.month)::date AS period_start,
         count(*) FILTER (WHERE m.complete) AS months,
         CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
         concat_ws('; ', CASE WHEN m.city = '{keys.JAKARTA}' THEN format(
           '%s reports where the ids'' daily sequence numbers imply %s', sum(m.present),
           sum(m.implied)) END,
           string_agg(DISTINCT m.note, '; ') FILTER (WHERE NOT m.complete)) AS notes
  FROM months m CROSS JOIN {PERIODS} GROUP BY 1, 2, 3
), period_payloads AS (
  SELECT m.city, periods.period_type,
         date_trunc(periods.period_type, m.month)::date AS period_start,
         array_agg(DISTINCT p.sha ORDER BY p.sha) AS payloads
  FROM months m CROSS JOIN LATERAL unnest(m.payloads) AS p(sha) CROSS JOIN {PERIODS}
  GROUP BY 1, 2, 3
), scopes AS (
  SELECT city, area_key AS scope_key FROM {DIM_AREA.qualified} WHERE level = '{scope.level}'
), counted AS (
  SELECT {place} AS scope_key, f.city, periods.period_type,
         date_trunc(periods.period_type, f.created_date)::date AS period_start, c.category,
         count(*) AS reports, count(f.resolved) AS with_status,
         count(*) FILTER (WHERE f.resolved) AS resolved,
         count(f.days_to_resolution) AS timed,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_resolution) AS median_days
  FROM {REPORTS.qualified} f CROSS JOIN {PERIODS}
  CROSS JOIN LATERAL (VALUES (f.shared_category), ('{ALL}')) AS c(category)
  WHERE {place} IS NOT NULL GROUP BY 1, 2, 3, 4, 5
), base AS (
  SELECT s.scope_key, p.*, pp.payloads, c.category, coalesce(n.reports, 0) AS reports,
         coalesce(n.with_status, 0) AS with_status, coalesce(n.resolved, 0) AS resolved,
         coalesce(n.timed, 0) AS timed, n.median_days,
         p.months::float8 / p.of_months AS month_share,
         CASE WHEN p.months < p.of_months THEN format('%s of %s months observed completely '
              '(short: %s)', p.months, p.of_months, p.notes) END AS months_short
  FROM scopes s JOIN period_rows p ON p.city = s.city
  JOIN period_payloads pp ON pp.city = p.city AND pp.period_type = p.period_type
   AND pp.period_start = p.period_start
  CROSS JOIN (VALUES {_CATEGORIES}) AS c(category)
  LEFT JOIN counted n ON n.scope_key = s.scope_key AND n.period_type = p.period_type
                     AND n.period_start = p.period_start AND n.category = c.category
), residents AS (
  SELECT DISTINCT ON (b.scope_key, b.period_type, b.period_start)
         b.scope_key, b.period_type, b.period_start, ap.reference_year, ap.residents,
         ap.payload_sha256s
  FROM (SELECT DISTINCT scope_key, period_type, period_start FROM base) b
  JOIN {AREA_POPULATION.qualified} ap ON ap.area_key = b.scope_key AND ap.complete
   AND abs(ap.reference_year - extract(year FROM b.period_start)) <= {MAX_POPULATION_GAP}
  ORDER BY b.scope_key, b.period_type, b.period_start,
           abs(ap.reference_year - extract(year FROM b.period_start)), ap.reference_year
)
SELECT b.scope_key, b.city, 'reports_per_100k', b.period_type, b.period_start,
       b.reports::float8 / r.residents * 100000, b.reports::float8, r.residents::float8,
       100000.0::float8, b.month_share,
       concat_ws('; ', b.months_short, CASE WHEN r.residents IS NULL THEN format('no complete '
         'residents count within %s years', {MAX_POPULATION_GAP}) END),
       '{{}}'::text[], NULL::text[], r.reference_year,
       format('%s reports; %s of %s months observed; residents %s', b.reports, b.months,
              b.of_months, coalesce(r.reference_year::text, 'missing')),
       {merge_arrays("b.payloads", "r.payload_sha256s")}, b.category
FROM base b LEFT JOIN residents r ON r.scope_key = b.scope_key
  AND r.period_type = b.period_type AND r.period_start = b.period_start
UNION ALL
SELECT b.scope_key, b.city, 'reports_share_resolved', b.period_type, b.period_start,
       CASE WHEN b.with_status > 0 THEN b.resolved::float8 / b.with_status END,
       b.resolved, nullif(b.with_status, 0), 1.0, b.month_share,
       concat_ws('; ', b.months_short, CASE WHEN b.reports = 0 THEN 'no reports'
         WHEN b.with_status = 0 THEN 'no report has a published status' END),
       '{{}}'::text[], NULL, NULL,
       format('%s of %s reports with a status resolved; %s of %s months observed', b.resolved,
              b.with_status, b.months, b.of_months), b.payloads, b.category
FROM base b
UNION ALL
SELECT b.scope_key, b.city, 'reports_median_days_to_resolution', b.period_type, b.period_start,
       CASE WHEN b.months = b.of_months THEN b.median_days END,
       CASE WHEN b.months = b.of_months THEN b.median_days END, NULL, 1.0,
       CASE WHEN b.resolved > 0 THEN least(1.0, b.timed::float8 / b.resolved) ELSE 0 END,
       concat_ws('; ', format('%s of %s resolved reports have a known resolution time', b.timed,
                              b.resolved), b.months_short),
       '{{}}'::text[], NULL, NULL,
       format('median over %s reports with a known resolution time; %s of %s months observed',
              b.timed, b.months, b.of_months), b.payloads, b.category
FROM base b
"""
