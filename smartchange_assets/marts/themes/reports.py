"""Citizen reports: measures from ``core.fact_citizen_reports``, per scope, period and shared
category (plus ``'all'``): reports per 100 000 residents, share resolved, median days to
resolution and its upper bound. The measures return
:data:`~smartchange_assets.marts.scope.MEASURE_COLUMNS` plus ``category`` (the theme
``splits_by_category``). The SQL is ``reports_measures.sql``.

**Coverage: the days whose reports the payloads observed completely.** Every measure counts
the reports created on those days only, and its coverage is their share of the period's days:

* Jakarta CRM: the days of a month count when a payload's declared period
  (``raw.landing_manifest``) holds the whole month *and* its reports reach
  :data:`COMPLETE_SHARE` of those the report ids imply (``JK`` + yymmdd + the day's sequence
  number: the highest number of a day is at least the day's report count). The seed's
  15-report research sample implies thousands and covers no month, so its figures are NULL
  with that reason.
* Berlin Ordnungsamt: the API is a rolling window. Both seed snapshots hold every day's
  reports at the full rate back to about five weeks before they were taken and thin out
  beyond (resolved reports leave the window); a snapshot's newest days are thin too (the
  October 2023 snapshot: 65, 16, 1, 1 reports on its last four days against about 120 a day
  before). So a snapshot observes completely the days from :data:`SNAPSHOT_RETENTION_DAYS`
  to :data:`PUBLICATION_LAG_DAYS` days before the earliest time it can have been taken
  (``snapshot_from``); daily snapshots cover every day.

Counts (``reports_per_100k``) need every day of the period; shares and medians
:data:`SAMPLE_SHARE` of them. Rates divide by residents of the nearest year within
:data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years with a complete count (as the
flood rate). The time to resolution is bounded per report (``days_to_resolution_min`` /
``_max`` of the fact: from the last snapshot seen open to the first seen resolved), so the
period's median lies between the median of the lower and of the upper bounds:
``reports_median_days_to_resolution_max`` publishes the upper one (half the resolved reports
were resolved within it at most), ``reports_median_days_to_resolution`` the median itself
where the two agree within :data:`~smartchange_assets.core.reports.KNOWN_WITHIN_DAYS` day.
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
from smartchange_assets.core.reports import KNOWN_WITHIN_DAYS
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
# Berlin: a snapshot holds every report created this many days before it, at most ...
SNAPSHOT_RETENTION_DAYS = 28
# ... and at least this many (docs/sources/berlin-citizen-reports.md §5)
PUBLICATION_LAG_DAYS = 4
COUNT_DAYS = 1.0     # a count needs every day of the period observed completely
SAMPLE_SHARE = 0.75  # a share or a median: 75 % of the days, as an annual air-quality mean

_SCOPE = ("Berlin's Ordnungsamt-Online covers what the public-order offices handle (waste, "
          "parking, street use, noise …), Jakarta's CRM every complaint to the provincial "
          "government (roads, floods, public buildings …); channels, promotion and district "
          "uptake differ (the Berlin seed is dominated by three Bezirke), so levels are not "
          "comparable, only the same city over time")

_OBSERVED = ("Only reports created on days the payloads observed completely are counted "
             "(Jakarta: the ids' daily sequence numbers are reached; Berlin: 28 to 4 days "
             "before a snapshot); coverage is their share of the period's days.")

INDICATORS = (
    Indicator("reports_per_100k", "Citizen reports per 100 000 residents",
              "reports per 100 000 residents",
              "City service demand: no ISO 37120 equivalent (closest: ISO 37120 profile "
              "indicators); own definition",
              "Reports created in the period (by local creation day) in the shared category "
              "/ residents of the area × 100 000; residents from the nearest year (within 5 "
              "years) with a complete count. " + _OBSERVED,
              "days", COUNT_DAYS, BOTH, NOT_COMPARABLE, _SCOPE),
    Indicator("reports_share_resolved", "Share of citizen reports resolved", "share (0–1)",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Reports of the period whose published status is a closing one (Jakarta "
              "'Selesai', Berlin 'Erledigt') / reports of the period with a published status, "
              "as of the latest payload listing each report. " + _OBSERVED,
              "days", SAMPLE_SHARE, BOTH, NOT_COMPARABLE, _SCOPE + "; status "
              "vocabularies differ and the status is read at different ages of the reports"),
    Indicator("reports_median_days_to_resolution", "Median days to resolution", "days",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Median over the period's resolved reports of the days from creation to "
              "resolution, published where it is known to within a day: each report's "
              "resolution lies between the last snapshot showing it open and the first "
              "showing it resolved, and the medians of those lower and upper bounds agree "
              "within 1 day (daily snapshots). Jakarta: the CRM publishes no resolution time. "
              + _OBSERVED,
              "days", SAMPLE_SHARE, BOTH, NOT_COMPARABLE, _SCOPE),
    Indicator("reports_median_days_to_resolution_max", "Median days to resolution, upper "
              "bound", "days",
              "City service responsiveness: no ISO 37120 equivalent; own definition",
              "Median over the period's resolved reports of the days from creation to the "
              "first snapshot showing each resolved: an upper bound of the median days to "
              "resolution (half the resolved reports were resolved within it at most; the "
              "basis gives the lower bound too). Jakarta: the CRM publishes no resolution "
              "time. " + _OBSERVED,
              "days", SAMPLE_SHARE, BOTH, NOT_COMPARABLE, _SCOPE),
)


def reports_measures(scope: Scope) -> str:
    return sql_file(__file__, "reports_measures.sql", reports_fact=REPORTS.qualified,
                    dim_area=DIM_AREA.qualified, area_population=AREA_POPULATION.qualified,
                    berlin_snapshots=BERLIN.staging.qualified)


def _dep(column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=REPORTS_KEY, column_name=column)


_VALUES = (*(_dep(c) for c in ("created_date", "resolved", "days_to_resolution_min",
                              "days_to_resolution_max")),
           dg.TableColumnDep(BERLIN.staging_key, "snapshot_from"))

REPORTS_THEME = Theme(
    name="reports",
    indicators=INDICATORS,
    measures=reports_measures,
    params=bind(jakarta_source=JAKARTA.source_id, complete_share=COMPLETE_SHARE,
                retention_days=SNAPSHOT_RETENTION_DAYS, lag_days=PUBLICATION_LAG_DAYS,
                known_within_days=KNOWN_WITHIN_DAYS,
                all_categories=ALL_CATEGORIES, categories=(ALL_CATEGORIES, *SHARED_CATEGORIES),
                max_population_gap=MAX_POPULATION_GAP, **keys.CITY_PARAMS),
    fact_deps=(REPORTS_KEY, DIM_AREA_KEY, AREA_POPULATION_KEY, BERLIN.staging_key),
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
