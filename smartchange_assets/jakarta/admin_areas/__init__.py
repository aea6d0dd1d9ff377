"""Jakarta administrative areas: the code lists every Jakarta table joins to
(docs/sources/jakarta-admin-areas.md).

Modules, each importing only those above it (no cycles):

* ``codes.py``     – the two code systems and the levels every module shares;
* ``names.py``     – ``normalise_name``: the comparable form of an area name;
* ``parser.py``    – Kemendagri 2025 SQL tuples and BPS MFD 2018 CSVs -> one staging shape;
* ``resolver.py``  – pure name resolution (index, resolve);
* ``source.py``    – the ``jakarta/admin_areas`` source and its hierarchy check;
* ``aliases.py``   – curated spellings seen in the real datasets -> Kemendagri codes (an asset
  and its check);
* ``crosswalk.py`` – Kemendagri <-> BPS codes (the five kota disagree), an SQL table asset;
* ``linking.py``   – what other sources use: ``AREA_COLUMNS``, ``area_transform``,
  ``AREA_DEPS``, ``area_resolution_check``.
"""
