"""The blocking ``integrity`` check of the air-quality fact (the fact itself is built in
:mod:`smartchange_assets.air_quality.fact`): every day in ``dim_date``, every station in
``dim_station``."""

from smartchange_assets.air_quality.fact import FACT
from smartchange_assets.core.dim_date import KEY as DIM_DATE_KEY
from smartchange_assets.core.dim_date import TABLE as DIM_DATE_TABLE
from smartchange_assets.core.dim_station import KEY as DIM_STATION_KEY
from smartchange_assets.core.dim_station import TABLE as DIM_STATION_TABLE
from smartchange_assets.core.integrity import integrity_check, references

FACT_AIR_QUALITY_CHECK = integrity_check(FACT.key, FACT.table, refs=(
    references("local_date", DIM_DATE_TABLE, "date", DIM_DATE_KEY),
    references(("city", "station_code"), DIM_STATION_TABLE, ("city", "station_code"),
               DIM_STATION_KEY),
))
