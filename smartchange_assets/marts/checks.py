"""Blocking ``integrity`` checks of the marts: references to the dimensions, and the rules an
indicator row must keep (value consistent with numerator and denominator, a NULL that says
why, the coverage rule, payloads behind every value)."""

from smartchange_assets.core import keys
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE
from smartchange_assets.core.integrity import Rule, integrity_check, references
from smartchange_assets.marts.comparison import CITY_COMPARISON
from smartchange_assets.marts.indicators import CITY_INDICATORS, DISTRICT_SCORECARD

# relative tolerance of the value against numerator / denominator (float rounding only)
TOLERANCE = 1e-9

_SHOWN = ("indicator", "period_type", "period_start", "value", "numerator", "denominator",
          "coverage", "coverage_threshold", "null_reason")

INDICATOR_RULES = (
    Rule("value_matches_numerator_and_denominator",
         "c.value IS NULL OR abs(c.value - CASE WHEN c.denominator IS NULL THEN c.numerator "
         "ELSE c.numerator / c.denominator * c.value_scale END) "
         f"<= {TOLERANCE} * greatest(1, abs(c.value))", _SHOWN),
    Rule("null_value_says_why", "(c.value IS NULL) = (c.null_reason IS NOT NULL)", _SHOWN),
    Rule("coverage_rule_held", "c.value IS NULL OR c.coverage >= c.coverage_threshold", _SHOWN),
    Rule("coverage_in_0_1", "c.coverage BETWEEN 0 AND 1", _SHOWN),
    Rule("values_and_rates_non_negative",
         "coalesce(c.value, 0) >= 0 AND coalesce(c.numerator, 0) >= 0 "
         "AND coalesce(c.denominator, 1) > 0", _SHOWN),
    Rule("payloads_behind_every_value",
         "c.value IS NULL OR cardinality(c.payload_sha256s) > 0", _SHOWN),
)

CITY_INDICATORS_CHECK = integrity_check(CITY_INDICATORS.key, CITY_INDICATORS.table, refs=(
    references("area_key", DIM_AREA, "area_key", DIM_AREA_KEY,
               f"p.level = '{keys.CITY}' AND p.city = c.city", "the city itself"),
    references("period_start", DIM_DATE, "date", DIM_DATE_KEY),
), rules=INDICATOR_RULES)

DISTRICT_SCORECARD_CHECK = integrity_check(
    DISTRICT_SCORECARD.key, DISTRICT_SCORECARD.table, refs=(
        references("district_key", DIM_AREA, "area_key", DIM_AREA_KEY,
                   f"p.level = '{keys.DISTRICT}' AND p.city = c.city", "a district of the city"),
        references("period_start", DIM_DATE, "date", DIM_DATE_KEY),
    ), rules=(
        *INDICATOR_RULES,
        Rule("ranked_rows_have_values", "(c.rank_in_city IS NULL) = (c.value IS NULL)",
             ("district_key", "indicator", "period_start", "value", "rank_in_city")),
    ))

CITY_COMPARISON_CHECK = integrity_check(CITY_COMPARISON.key, CITY_COMPARISON.table, rules=(
    Rule("comparable_needs_both_values",
         "NOT c.comparable OR (c.jakarta_value IS NOT NULL AND c.berlin_value IS NOT NULL)",
         ("indicator", "year", "jakarta_value", "berlin_value", "comparable")),
    Rule("ratio_matches_values",
         "c.jakarta_to_berlin IS NULL OR abs(c.jakarta_to_berlin - c.jakarta_value / "
         f"c.berlin_value) <= {TOLERANCE} * greatest(1, c.jakarta_to_berlin)",
         ("indicator", "year", "jakarta_value", "berlin_value", "jakarta_to_berlin")),
))
