"""The indicator themes of the marts, one module each, each with one or more module-level
:class:`~smartchange_assets.marts.theme.Theme` objects and their measures SQL beside them.
Every theme here is found by :mod:`smartchange_assets.marts.catalogue`: adding a theme is
adding a module (docs/indicators.md describes the indicators for people)."""
