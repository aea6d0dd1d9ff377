"""``marts.city_indicators`` and ``marts.district_scorecard``: every indicator of the catalogue
per city (or district), year and month, with value, numerator, denominator, coverage, the
coverage rule applied, method, standard and the payloads behind it.

Both tables come from one query, ``indicator_rows.sql``, over the measures of every theme of
:data:`~smartchange_assets.marts.catalogue.THEMES` for a scope. The rule: a value is kept only
when it exists and its coverage reaches the catalogue threshold; otherwise value, numerator and
denominator are NULL and ``null_reason`` says what was missing. For the cities every
applicable indicator has a row for every year in which any of the city's facts has data (the
themes' ``year_sources``, so a missing year is a NULL with its reason, not a missing row);
months and districts have rows where there is data.

Extension point: a new theme is a new module in ``marts/themes/`` (see :mod:`.theme`); nothing
here lists the themes.
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.marts import catalogue
from smartchange_assets.marts.catalogue import THEMES
from smartchange_assets.marts.charts import ranking_metadata
from smartchange_assets.marts.scope import CITY, DISTRICT, MEASURE_COLUMNS, Scope
from smartchange_assets.marts.tables import CITY_KEY, CITY_TABLE, DISTRICT_KEY, DISTRICT_TABLE
from smartchange_assets.marts.theme import ALL_CATEGORIES, Theme, YearSource
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import Subquery, bind, merge, sql_file

# dim_area names the districts; the integrity checks reference dim_date
FACT_DEPS = list(dict.fromkeys([DIM_AREA_KEY, DIM_DATE_KEY,
                                *(key for t in THEMES for key in t.fact_deps)]))


def _theme_rows(theme: Theme, scope: Scope) -> str | None:
    """SQL: the theme's measure rows with their category ('all' unless it splits by one)."""
    measures = theme.measures(scope)
    if measures is None:
        return None
    name = "theme_rows_by_category.sql" if theme.splits_by_category else "theme_rows.sql"
    return sql_file(__file__, name, measures=Subquery(measures),
                    measure_columns=", ".join(MEASURE_COLUMNS))


def _years(source: YearSource) -> str:
    """SQL: (city, year) of every year the source's rows cover."""
    if source.year_column is not None:
        return sql_file(__file__, "years_from_year_column.sql", fact=source.table.qualified,
                        year_column=source.year_column)
    return sql_file(__file__, "years_from_date_column.sql", fact=source.table.qualified,
                    date_column=source.date_column)


def indicator_rows(scope: Scope) -> tuple[str, dict[str, object]]:
    """SQL and its bound values: every indicator row of ``scope``, the coverage rule applied."""
    rows = [part for theme in THEMES if (part := _theme_rows(theme, scope)) is not None]
    sources = dict.fromkeys(s for theme in THEMES for s in theme.year_sources)
    sql = sql_file(__file__, "indicator_rows.sql",
                   measures=Subquery("\nUNION ALL\n".join(rows)),
                   catalogue=Subquery(catalogue.CATALOGUE_SQL),
                   applicable=Subquery(catalogue.APPLICABLE_SQL),
                   years=Subquery("\nUNION\n".join(_years(s) for s in sources)))
    params = merge(catalogue.PARAMS, scope.params,
                   bind(all_categories=ALL_CATEGORIES, city_keys=keys.CITY_KEYS),
                   *(theme.params for theme in THEMES))
    return sql, params


_CITY_ROWS, CITY_PARAMS = indicator_rows(CITY)
CITY_SQL = sql_file(__file__, "city_indicators.sql", indicator_rows=Subquery(_CITY_ROWS))

_DISTRICT_ROWS, DISTRICT_PARAMS = indicator_rows(DISTRICT)
DISTRICT_SQL = sql_file(__file__, "district_scorecard.sql",
                        indicator_rows=Subquery(_DISTRICT_ROWS), dim_area=DIM_AREA.qualified)


def lineage(scope_column: str) -> dg.TableColumnLineage:
    """Every indicator column back to the fact (and dimension) columns the themes compute it
    from; a theme's ``scope_key`` lineage goes to ``scope_column``."""
    deps: dict[str, dict[tuple, dg.TableColumnDep]] = {}
    for theme in THEMES:
        for column, column_deps in theme.lineage.items():
            into = deps.setdefault(scope_column if column == "scope_key" else column, {})
            for dep in column_deps:
                into.setdefault((dep.asset_key, dep.column_name), dep)
    return dg.TableColumnLineage(deps_by_column={c: list(d.values()) for c, d in deps.items()})


def _expectations(key_columns: list[str]) -> tuple:
    return (
        q.compound_unique(key_columns),
        q.in_set("indicator", [i.code for i in catalogue.INDICATORS]),
        q.in_set("city", list(keys.CITIES)),
        q.in_set("period_type", ["year", "month"]),
        q.between("value", 0, None),
        q.between("numerator", 0, None),
        q.between("denominator", 0, None, strict_min=True),
        q.between("coverage", 0, 1),
        q.between("coverage_threshold", 0, 1),
        q.between("month", 1, 12),
        *[q.not_null(c) for c in ("unit", "standard", "method_note", "coverage_basis")],
    )


CITY_INDICATORS = SqlTable(
    key=dg.AssetKey(["marts", CITY_KEY]),
    table=CITY_TABLE,
    select_sql=CITY_SQL,
    params=CITY_PARAMS,
    deps=FACT_DEPS,
    description="Comparable indicators of Jakarta and Berlin per year and month (ISO 37120 "
                "air quality, SDG 11.6.2-style population-weighted PM2.5, WHO 2021 exceedance "
                "days, ISPU and EAQI bad days, floods per 100 000, residents), each with "
                "numerator, denominator, coverage, method, standard and payload hashes; NULL "
                "with a reason below the coverage threshold.",
    group="marts",
    expectations=_expectations(["city", "indicator", "category", "period_type",
                                "period_start"]),
    column_lineage=lineage("area_key"),
)

DISTRICT_SCORECARD = SqlTable(
    key=dg.AssetKey(["marts", DISTRICT_KEY]),
    table=DISTRICT_TABLE,
    select_sql=DISTRICT_SQL,
    params=DISTRICT_PARAMS,
    deps=FACT_DEPS,
    description="The city indicators per district (kota / Bezirk) where the data allow: air "
                "quality where a station stands in the district, floods, residents; ranked "
                "within the city. Its metadata shows the district ranking per city.",
    group="marts",
    expectations=(*_expectations(["district_key", "indicator", "category", "period_type",
                                  "period_start"]),
                  q.between("rank_in_city", 1, 20)),
    column_lineage=lineage("district_key"),
    after_load=ranking_metadata,
)
