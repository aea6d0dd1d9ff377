"""The marts (schema ``marts``): comparable city indicators built in SQL from the core.

* ``theme.py``      – what a theme declares (``Theme``, ``Indicator``, ``YearSource``);
* ``themes/``       – one module per indicator theme (air, floods, reports, transit and
  bicycles, weather, residents): catalogue entries, measures SQL, facts, lineage;
* ``catalogue.py``  – the themes found in ``themes/`` and every indicator, as SQL rows;
* ``scope.py``      – city or district scope, and the columns every theme's measures return;
* ``tables.py``     – the tables of ``marts.city_indicators`` and ``marts.district_scorecard``;
* ``indicators.py`` – ``marts.city_indicators`` and ``marts.district_scorecard``;
* ``comparison.py`` – ``marts.city_comparison``;
* ``charts.py``     – the PNG charts in the materialisation metadata;
* ``checks.py``     – the blocking ``integrity`` checks of the marts.

The SQL lives in ``.sql`` files beside the modules. The indicators are documented in
``docs/indicators.md``.
"""
