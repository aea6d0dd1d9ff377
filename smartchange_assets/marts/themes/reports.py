"""Citizen reports: measures from ``core.fact_citizen_reports``, per scope, period and shared
category (plus ``'all'``): reports per 100 000 residents, share resolved, median days to
resolution. The measures return :data:`~smartchange_assets.marts.scope.MEASURE_COLUMNS` plus
``category`` (the theme ``splits_by_category``). The SQL is ``reports_measures.sql``.

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
years. Rates divide by residents of the nearest year within
:data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years with a complete count (as the
flood rate). The median counts only reports whose resolution time is known
(``fact_citizen_reports.days_to_resolution``); its coverage is the share of resolved reports
that have one.
"""

import dagster as dg

from smartchange_assets.berlin.citizen_reports.source import SOURCE as BERLIN
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.report_taxonomy import SHARED_CATEGORIES
from smartchange_assets.core.reports import KEY as REPORTS_KEY
from smartchange_assets.core.reports import TABLE as REPORTS
from smartchange_assets.jakarta.citizen_reports.source import SOURCE as JAKARTA
from smartchange_assets.marts.scope import Scope
from smartchange_assets.marts.theme import (
    ALL_CATEGORIES,
    BOTH,
    MAX_POPULATION_GAP,
    NOT_COMPARABLE,
    Indicator,
    Theme,
    YearSource,
)
from smartchange_assets.platform.sql_files import bind, sql_file

COMPLETE_SHARE = 0.95  # Jakarta: reports present / reports the ids' sequence numbers imply
WINDOW_DAYS = 28       # Berlin: a snapshot this soon after a month's end has seen all of it
REPORT_MONTHS = 1.0    # every month of the period observed completely (a count needs all)
REPORT_TIMED = 0.75    # resolved reports with a known resolution time / resolved reports

_SCOPE = ("Berlin's Ordnungsamt-Online covers what the public-order offices handle (waste, "
          "parking, street use, noise …), Jakarta's CRM every complaint to the provincial "
          "government (roads, floods, public buildings …); channels, promotion and district "
          "uptake differ (the Berlin seed is dominated by three Bezirke), so levels are not "
          "comparable, only the same city over time")

INDICATORS = (
    Indicator("reports_per_100k", "Citizen reports per 100 000 residents",
              "reports per 100 000 residents",
              "City service demand: no ISO 37120 equivalent (closest: ISO 37120 profile "
              "indicators); own definition",
              "Reports created in the period (by local creation day) in the shared category "
              "/ residents of the area × 100 000; residents from the nearest year (within 5 "
              "years) with a complete count. Coverage: share of the period's months the "
              "payloads observed completely (Jakarta: the ids' daily sequence numbers are "
              "reached; Berlin: a snapshot within 28 days after the month's end).",
              "months", REPORT_MONTHS, BOTH, NOT_COMPARABLE, _SCOPE),
    Indicator("reports_share_resolved", "Share of citizen reports resolved", "share (0–1)",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Reports of the period whose published status is a closing one (Jakarta "
              "'Selesai', Berlin 'Erledigt') / reports of the period with a published status, "
              "as of the latest payload listing each report.",
              "months", REPORT_MONTHS, BOTH, NOT_COMPARABLE, _SCOPE + "; status "
              "vocabularies differ and the status is read at different ages of the reports"),
    Indicator("reports_median_days_to_resolution", "Median days to resolution", "days",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Median over the period's resolved reports with a known resolution time of the "
              "days from creation to resolution. Berlin: known only when a report was seen open "
              "in one snapshot and resolved in a later one; Jakarta: the CRM publishes no "
              "resolution time. Every month of the period must be observed completely.",
              "resolved reports", REPORT_TIMED, BOTH, NOT_COMPARABLE, _SCOPE),
)


def reports_measures(scope: Scope) -> str:
    return sql_file(__file__, "reports_measures.sql", reports_fact=REPORTS.qualified,
                    dim_area=DIM_AREA.qualified, area_population=AREA_POPULATION.qualified)


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=REPORTS_KEY, column_name=column)


_VALUES = tuple(_dep(c) for c in ("created_date", "resolved", "days_to_resolution"))

REPORTS_THEME = Theme(
    name="reports",
    indicators=INDICATORS,
    measures=reports_measures,
    params=bind(jakarta_source=JAKARTA.source_id, berlin_source=BERLIN.source_id,
                complete_share=COMPLETE_SHARE, window_days=WINDOW_DAYS,
                all_categories=ALL_CATEGORIES, categories=(ALL_CATEGORIES, *SHARED_CATEGORIES),
                max_population_gap=MAX_POPULATION_GAP, **keys.CITY_PARAMS),
    fact_deps=(REPORTS_KEY, DIM_AREA_KEY, AREA_POPULATION_KEY),
    # the payloads' years, not old cases' creation years
    year_sources=(YearSource(REPORTS, year_column="observed_year"),),
    splits_by_category=True,
    lineage={
        "scope_key": (_dep("district_key"),),
        "category": (_dep("shared_category"),),
        "value": _VALUES,
        "numerator": _VALUES,
        "denominator": (dg.TableColumnDep(AREA_POPULATION_KEY, "residents"), _dep("resolved")),
        "population_year": (dg.TableColumnDep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep("payload_sha256"),),
    },
)
