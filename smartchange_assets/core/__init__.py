"""The conformed core (schema ``core``): dimensions and facts shared by both cities.

* ``dim_area.py``    – one area hierarchy for Jakarta and Berlin (``core.dim_area``);
* ``dim_date.py``    – the calendar of every date the facts use;
* ``dim_station.py`` – the air-quality stations, located in dim_area (``stations.py``: where);
* ``population.py``  – ``fact_population`` (residents per area and date, as published);
* ``area_population.py`` – ``dim_area_population`` (residents per area and year);
* ``flood.py``       – ``fact_flood_events`` (Jakarta, per kelurahan and month);
* ``integrity.py``   – the blocking ``integrity`` checks (references, row rules);
* ``assets.py``      – ``CORE_TABLES`` and ``CORE_CHECKS`` for the definitions.

The air-quality fact stays in ``air_quality/fact.py``; its references to ``dim_date`` and
``dim_station`` are checked from here.
"""
