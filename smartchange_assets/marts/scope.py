"""The scopes indicators are computed for, and the columns every theme's measures return.

A theme's measures (``marts/themes/``) are one SQL SELECT returning :data:`MEASURE_COLUMNS`
for a :class:`Scope`: the whole city (``marts.city_indicators``) or each district
(``marts.district_scorecard``). The same SQL serves both, so a district figure and the city
figure follow the same definition. What differs between scopes is bound as parameters
(:attr:`Scope.params`) or, for a column that places a station or an area in the scope, filled
in as an identifier (``station_key``, ``area_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from smartchange_assets.core import keys
from smartchange_assets.platform.sql_files import bind


@dataclass(frozen=True)
class Scope:
    name: str                 # city or district
    station_key: str          # dim_station column that places a station in the scope
    area_key: str             # dim_area column that places an area in the scope
    level: str                # dim_area level of the scope's areas
    include_city_max: bool    # Jakarta's daily-worst-station rows belong to the whole city only

    @property
    def params(self) -> dict[str, object]:
        """:scope_level, :city_scope (the whole city, not its districts), :include_city_max"""
        return bind(scope_level=self.level, city_scope=self.name == CITY.name,
                    include_city_max=self.include_city_max)


CITY = Scope("city", "city_key", "city_key", keys.CITY, include_city_max=True)
DISTRICT = Scope("district", "district_key", "district_key", keys.DISTRICT,
                 include_city_max=False)

# every theme's measures return these columns, in this order
MEASURE_COLUMNS = (
    "scope_key",        # dim_area key of the city or district
    "city",
    "indicator",        # catalogue code
    "period_type",      # year or month
    "period_start",     # first day of the period
    "value",            # before the coverage rule is applied
    "numerator",
    "denominator",      # NULL for counts (value = numerator)
    "value_scale",      # value = numerator / denominator * value_scale
    "coverage",         # share of days, stations, months or areas with data, in [0, 1]
    "shortfall",        # what is missing, for null_reason
    "flags",            # text[]: derived_from_ispu, conversion_unverified, single_station, …
    "pollutants",       # text[]: pollutants behind an air-quality figure
    "population_year",  # reference year of the residents used
    "basis",            # what the figure rests on, in words
    "payload_sha256s",  # text[]: payloads behind the figure
)
