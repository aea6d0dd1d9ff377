"""What an indicator theme declares: its catalogue entries, its measures and what they rest on.

A *theme* (air quality, floods, citizen reports, …) is one :class:`Theme` object in one module
of ``marts/themes/``. ``marts.city_indicators``, ``marts.district_scorecard`` and
``marts.city_comparison`` iterate over the themes found there (:mod:`.catalogue`), so a new
theme is one new module: its measures SQL beside it, its :class:`Indicator` entries, the facts
it reads, the tables whose years it covers and its column lineage.

* ``measures(scope)``: SQL returning :data:`~.scope.MEASURE_COLUMNS` (plus ``category`` when
  ``splits_by_category``) for a :class:`~.scope.Scope`, or None when the theme has no rows at
  that scope (weather and mobility are city-wide). Its values are bound parameters:
  ``params``, plus the scope's own (:attr:`.scope.Scope.params`).
* ``year_sources``: the fact tables whose years make a city's grid (every applicable indicator
  gets a row for every year in which any of the city's facts has data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import dagster as dg

from smartchange_assets.core.keys import BERLIN, JAKARTA
from smartchange_assets.marts.scope import Scope
from smartchange_assets.platform.sql_files import merge
from smartchange_assets.platform.tables import TableSpec

BOTH = (JAKARTA, BERLIN)
COMPARABLE, CAVEATS, NOT_COMPARABLE, ONE_CITY = (
    "comparable", "comparable_with_caveats", "not_comparable", "one_city_only")
COMPARABILITIES = (COMPARABLE, CAVEATS, NOT_COMPARABLE, ONE_CITY)

FULL = 1.0  # every month reported / every area counted
ALL_CATEGORIES = "all"  # the category of an indicator not split by report category
# a rate divides by the residents of the nearest year, within this many years, with a
# complete count
MAX_POPULATION_GAP = 5


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (docs/indicators.md describes the same entries for people)."""
    code: str
    label: str
    unit: str
    standard: str
    definition: str
    coverage_basis: str      # days, stations, months, areas
    threshold: float
    cities: tuple[str, ...]
    comparability: str
    comparability_note: str
    monthly: bool = True     # also per month
    main: bool = False       # in the comparison chart


@dataclass(frozen=True)
class YearSource:
    """A fact table whose rows give a city's years: ``year_column`` holds the year, or
    ``date_column`` a date in it (exactly one of the two)."""
    table: TableSpec
    year_column: str | None = None
    date_column: str | None = None

    def __post_init__(self):
        if (self.year_column is None) == (self.date_column is None):
            raise ValueError(f"{self.table.label}: give year_column or date_column")


@dataclass(frozen=True)
class Theme:
    name: str
    indicators: tuple[Indicator, ...]
    measures: Callable[[Scope], str | None]
    fact_deps: tuple[dg.AssetKey, ...]
    params: Mapping[str, object] = field(default_factory=dict)
    year_sources: tuple[YearSource, ...] = ()
    splits_by_category: bool = False
    # indicator column -> the fact columns it is computed from; "scope_key" stands for the
    # table's scope column (area_key, district_key)
    lineage: Mapping[str, tuple[dg.TableColumnDep, ...]] = field(default_factory=dict)

    def params_for(self, scope: Scope) -> dict[str, object]:
        """The values bound to ``measures(scope)``."""
        return merge(self.params, scope.params)
