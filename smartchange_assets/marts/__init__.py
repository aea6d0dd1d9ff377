"""The marts (schema ``marts``): comparable city indicators built in SQL from the core.

* ``catalogue.py``  – every indicator: unit, standard, definition, coverage rule, comparability;
* ``scope.py``      – city or district scope, and the columns every measure block returns;
* ``air.py``, ``flood.py``, ``residents.py`` – the measure blocks (reports, mobility and
  weather add theirs);
* ``indicators.py`` – ``marts.city_indicators`` and ``marts.district_scorecard``;
* ``comparison.py`` – ``marts.city_comparison``;
* ``charts.py``     – the PNG charts in the materialisation metadata;
* ``checks.py``     – the blocking ``integrity`` checks of the marts;
* ``assets.py``     – ``MART_TABLES`` and ``MART_CHECKS`` for the definitions.

The indicators are documented in ``docs/indicators.md``.
"""
