"""The indicators of the marts: every theme's catalogue entries, found in ``marts/themes/``.

:data:`THEMES` are the module-level :class:`~.theme.Theme` objects of the theme modules (in
module name order); :data:`INDICATORS` their entries, one per indicator (code, unit, standard,
definition, coverage rule, comparability). The marts' SQL reads the catalogue as rows
(``catalogue.sql``, ``applicable.sql``, bound to :data:`PARAMS`), and ``docs/indicators.md``
describes the same entries for people. An indicator whose coverage is below its ``threshold``
is NULL with a ``null_reason``.
"""

from __future__ import annotations

from smartchange_assets.marts import themes
from smartchange_assets.marts.theme import Indicator, Theme
from smartchange_assets.platform.discovery import collect, package_modules
from smartchange_assets.platform.sql_files import bind, sql_file

THEMES: tuple[Theme, ...] = tuple(collect(package_modules(themes), (Theme,))[Theme])
INDICATORS: tuple[Indicator, ...] = tuple(i for t in THEMES for i in t.indicators)
BY_CODE = {i.code: i for i in INDICATORS}

if len(BY_CODE) != len(INDICATORS) or len({t.name for t in THEMES}) != len(THEMES):
    raise ValueError("marts/themes: an indicator code or a theme name is defined twice")

# ``catalogue(indicator, unit, standard, method_note, coverage_basis, threshold,
# comparability, comparability_note, monthly)``, one row per indicator
CATALOGUE_SQL = sql_file(__file__, "catalogue.sql")
# ``applicable(city, indicator)``: which indicators a city reports
APPLICABLE_SQL = sql_file(__file__, "applicable.sql")

PARAMS = bind(
    catalogue_indicators=[i.code for i in INDICATORS],
    catalogue_units=[i.unit for i in INDICATORS],
    catalogue_standards=[i.standard for i in INDICATORS],
    catalogue_method_notes=[i.definition for i in INDICATORS],
    catalogue_coverage_bases=[i.coverage_basis for i in INDICATORS],
    catalogue_thresholds=[i.threshold for i in INDICATORS],
    catalogue_comparabilities=[i.comparability for i in INDICATORS],
    catalogue_comparability_notes=[i.comparability_note for i in INDICATORS],
    catalogue_monthly=[i.monthly for i in INDICATORS],
    applicable_cities=[city for i in INDICATORS for city in i.cities],
    applicable_indicators=[i.code for i in INDICATORS for _ in i.cities],
)
