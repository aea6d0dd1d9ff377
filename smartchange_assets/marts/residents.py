"""Residents per scope and year from ``core.dim_area_population``.

The value is the complete count of the year; coverage is the share of the areas the table
counts at (kota, Planungsraum, …) inside the scope that have a complete count, so Berlin with
only Mitte's Planungsräume in the seed has coverage 49/542 and no total. A year whose only
counts come from a table not used for totals (satudata, see ``core.population``) gets a row
with coverage 0 that says so.
"""

from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.population import FACT_TABLE as POPULATION_FACT
from smartchange_assets.marts.scope import Scope


def residents_measures(scope: Scope) -> str:
    return f"""
SELECT ap.area_key, a.city, 'residents', 'year', make_date(ap.reference_year, 1, 1),
       ap.residents::float8, ap.residents::float8, NULL::float8, 1.0::float8, ap.coverage,
       format('%s of %s %s areas counted completely (%s, %s)', ap.parts_complete,
              ap.parts_expected, ap.base_level, ap.source_table, ap.reference_date),
       '{{}}'::text[], NULL::text[], ap.reference_year,
       format('%s, %s, %s', ap.source_table, ap.reference_date, ap.method),
       ap.payload_sha256s
FROM {AREA_POPULATION.qualified} ap
JOIN {DIM_AREA.qualified} a ON a.area_key = ap.area_key AND a.level = '{scope.level}'
UNION ALL
SELECT u.scope_key, u.city, 'residents', 'year', make_date(u.reference_year, 1, 1), NULL,
       NULL, NULL, 1.0, 0, format('only %s counts, not used for totals: %s', u.source_table,
       u.note), '{{}}'::text[], NULL, NULL, NULL, u.payload_sha256s
FROM (
  SELECT a.{scope.area_key} AS scope_key, f.city, f.reference_year, min(f.source_table)
           AS source_table, min(f.note) AS note,
         array_agg(DISTINCT s.sha ORDER BY s.sha) AS payload_sha256s
  FROM {POPULATION_FACT.qualified} f
  JOIN {DIM_AREA.qualified} a ON a.area_key = f.area_key
  CROSS JOIN LATERAL unnest(f.payload_sha256s) AS s(sha)
  WHERE NOT f.usable_for_totals AND a.{scope.area_key} IS NOT NULL
  GROUP BY 1, 2, 3
) u
WHERE NOT EXISTS (SELECT 1 FROM {AREA_POPULATION.qualified} ap
                  WHERE ap.area_key = u.scope_key AND ap.reference_year = u.reference_year)
"""
