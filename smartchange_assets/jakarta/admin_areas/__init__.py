"""Jakarta administrative areas: the code lists every Jakarta table joins to.

* ``parser.py``    – Kemendagri 2025 SQL tuples and BPS MFD 2018 CSVs -> one staging shape;
* ``source.py``    – the ``jakarta/admin_areas`` source and its hierarchy check;
* ``aliases.py``   – curated spellings seen in the real datasets -> Kemendagri codes;
* ``crosswalk.py`` – Kemendagri <-> BPS codes (the five kota disagree, REPORT §6);
* ``resolver.py``  – pure name resolution (normalise, index, resolve);
* ``linking.py``   – what other sources use: ``AREA_COLUMNS``, ``area_transform``,
  ``AREA_DEPS``, ``area_resolution_check``;
* ``assets.py``    – ``AREA_ASSETS`` and ``AREA_CHECKS`` for the definitions.
"""
