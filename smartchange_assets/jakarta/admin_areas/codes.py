"""What every admin-area module shares: the two code systems and the levels of an area.

A module of its own so that the parser, the resolver, the source, the alias table and the
crosswalk can all import it without importing each other (docs/sources/jakarta-admin-areas.md
§2 explains why there are two code systems).
"""

KEMENDAGRI, BPS = "kemendagri_2025", "bps_mfd_2018"
CODE_SYSTEMS = (KEMENDAGRI, BPS)
#: every level a code list holds, coarsest first
LEVELS = ("province", "kota", "kecamatan", "kelurahan")
#: the levels a dataset names an area at (the province is implied: DKI Jakarta)
NAMED_LEVELS = LEVELS[1:]
DKI_JAKARTA = "31"
