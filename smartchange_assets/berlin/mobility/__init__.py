"""Berlin mobility counts: bicycle counters, Telraam (Berlin zählt Mobilität), traffic detectors.

Three count sources share one staging table design (:mod:`.common`), so their staging tables
union cleanly into ``berlin/staging/mobility_counts`` (:mod:`.counts`); the site metadata of all
three lands in ``berlin/staging/mobility_sites``.
"""
