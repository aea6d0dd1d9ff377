"""Kemendagri 2025 <-> BPS MFD 2018 codes, per area, built in SQL from the staged code lists.

The two systems number the five kota differently (docs/sources/jakarta-admin-areas.md §2), so
a join on the digits is wrong for every city kota: Kemendagri 31.71 Jakarta Pusat is BPS 3173,
not 3171 (BPS 3171 is Jakarta Selatan). The kota mapping is therefore the fixed table
:data:`KOTA_KEMENDAGRI_TO_BPS`, never derived from the codes; the table carries both names and
``names_agree``, and the suite fails if the BPS name for a fixed code is not the same kota.

Below the kota, areas are matched by normalised name within the matched parent (kecamatan
inside the kota, kelurahan inside the kecamatan), then through the curated alias table (BPS
spellings such as ``PAL MERIEM``, ``KAMPUNG TENGAH``). Kecamatan numbering differs too
(Kemendagri 31.74.01 is Tebet, BPS 3171010 is Jagakarsa), which name matching absorbs.

Kemendagri areas without a BPS match stay, with ``bps_code`` NULL and method ``none`` (the 2018
scrape lacks 13 kelurahan). A BPS area matched by nothing would be a row with no Kemendagri
code (``bps_only``), which the suite rejects: every BPS area must find its Kemendagri twin.
"""

import dagster as dg

from smartchange_assets.jakarta.admin_areas.aliases import ALIAS, ALIASES_KEY
from smartchange_assets.jakarta.admin_areas.aliases import TABLE as ALIAS_TABLE
from smartchange_assets.jakarta.admin_areas.codes import BPS, KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.source import GROUP
from smartchange_assets.jakarta.admin_areas.source import SOURCE as ADMIN_AREAS
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

CROSSWALK_KEY = dg.AssetKey(["jakarta", "staging", "area_crosswalk"])

# docs/sources/jakarta-admin-areas.md §2 (Kepmendagri 300.2.2-2138/2025 against BPS MFD).
# Province 31 is 31 in both.
KOTA_KEMENDAGRI_TO_BPS = {
    "31": "31",
    "31.01": "3101",  # Kab. Adm. Kepulauan Seribu
    "31.71": "3173",  # Jakarta Pusat
    "31.72": "3175",  # Jakarta Utara
    "31.73": "3174",  # Jakarta Barat
    "31.74": "3171",  # Jakarta Selatan
    "31.75": "3172",  # Jakarta Timur
}
FIXED, NAME, ALIAS_MATCH, NONE, BPS_ONLY = "fixed_table", "name", "alias", "none", "bps_only"

TABLE = TableSpec("staging", "jakarta_area_crosswalk", (
    Column("level", "text", "province, kota, kecamatan or kelurahan", nullable=False),
    Column("kemendagri_code", "text", "Kemendagri 2025 code (the warehouse key)"),
    Column("kemendagri_name", "text", "Kemendagri name"),
    Column("bps_code", "text", "BPS MFD 2018 code; NULL when BPS 2018 lacks the area"),
    Column("bps_name", "text", "BPS name"),
    Column("match_method", "text", "fixed_table (province, kota: docs/sources/"
           "jakarta-admin-areas.md §2), name (same "
           "normalised name inside the matched parent), alias (a BPS spelling in "
           "staging.jakarta_area_aliases), none (no BPS area), bps_only (a BPS area nothing "
           "matched: rejected by the suite)", nullable=False),
    Column("names_agree", "boolean", "normalised Kemendagri and BPS names are equal"),
), (), "Kemendagri 2025 <-> BPS MFD 2018 area codes")

SELECT_SQL = sql_file(__file__, "area_crosswalk.sql", areas=ADMIN_AREAS.staging.qualified,
                      aliases=ALIAS_TABLE.qualified)


def _where(condition: str, expect: Expect, name: str) -> Expect:
    """``expect`` on the rows matching the pandas query ``condition`` only."""
    return Expect(expect.kind, expect.column, {**expect.kwargs, "row_condition": condition,
                                               "condition_parser": "pandas"}, name=name)


CROSSWALK = SqlTable(
    key=CROSSWALK_KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(fixed_kota=KOTA_KEMENDAGRI_TO_BPS, kemendagri=KEMENDAGRI, bps=BPS,
                alias_kind=ALIAS, fixed_method=FIXED, name_method=NAME,
                alias_method=ALIAS_MATCH, none_method=NONE, bps_only_method=BPS_ONLY),
    deps=[ADMIN_AREAS.staging_key, ALIASES_KEY],
    description=("Kemendagri 2025 <-> BPS MFD 2018 codes per area: kota by the fixed table of "
                 "docs/sources/jakarta-admin-areas.md §2 (Kemendagri 31.71 Jakarta Pusat = BPS "
                 "3173, 31.74 Jakarta Selatan "
                 "= BPS 3171, ...), kecamatan and kelurahan by normalised name, then alias, "
                 "inside the matched parent. Never join the two systems on their digits."),
    group=GROUP,
    expectations=(
        q.not_null("kemendagri_code"),  # a BPS area left unmatched is a bps_only row
        q.unique("kemendagri_code"),
        q.unique("bps_code"),
        q.in_set("match_method", [FIXED, NAME, ALIAS_MATCH, NONE]),
        q.in_set("level", ["province", "kota", "kecamatan", "kelurahan"]),
        # above the kelurahan both systems are complete: every area has its twin
        _where('level != "kelurahan"', q.not_null("bps_code"), "not_null_above_kelurahan"),
        # the fixed kota table must pair areas of the same name
        _where(f'match_method == "{FIXED}"', q.in_set("names_agree", [True]),
               "fixed_table_names_agree"),
    ),
)
