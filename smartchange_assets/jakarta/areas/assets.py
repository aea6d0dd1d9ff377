"""The area assets and checks beyond the ``jakarta/admin_areas`` SourceSpec, for definitions:

* ``jakarta/staging/area_aliases``   (plain asset) + its blocking ``gx_suite``;
* ``jakarta/staging/area_crosswalk`` (SQL table)   + its blocking ``gx_suite``.
"""

from smartchange_assets.jakarta.areas.aliases import area_aliases, area_aliases_suite
from smartchange_assets.jakarta.areas.crosswalk import CROSSWALK
from smartchange_assets.platform.sql_asset import build_sql_table

_crosswalk_asset, _crosswalk_suite = build_sql_table(CROSSWALK)

AREA_ASSETS = [area_aliases, _crosswalk_asset]
AREA_CHECKS = [area_aliases_suite, _crosswalk_suite]
