"""What the definitions wire for the marts: ``MART_TABLES`` (SqlTables, built with
``build_sql_table``) and ``MART_CHECKS`` (their blocking ``integrity`` checks)."""

from smartchange_assets.marts.checks import (
    CITY_COMPARISON_CHECK,
    CITY_INDICATORS_CHECK,
    DISTRICT_SCORECARD_CHECK,
)
from smartchange_assets.marts.comparison import CITY_COMPARISON
from smartchange_assets.marts.indicators import CITY_INDICATORS, DISTRICT_SCORECARD

MART_TABLES = [CITY_INDICATORS, DISTRICT_SCORECARD, CITY_COMPARISON]
MART_CHECKS = [CITY_INDICATORS_CHECK, DISTRICT_SCORECARD_CHECK, CITY_COMPARISON_CHECK]
