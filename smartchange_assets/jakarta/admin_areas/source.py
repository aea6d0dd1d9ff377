"""Jakarta administrative areas (Kemendagri 2025 and BPS MFD 2018 codes): the one description."""

import dagster as dg
import pandas as pd

from smartchange_assets.jakarta.admin_areas.codes import BPS, CODE_SYSTEMS, KEMENDAGRI, LEVELS
from smartchange_assets.jakarta.admin_areas.parser import parse_admin_areas
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

GROUP = "admin_areas"

COLUMNS = [
    Column("source_row", "bigint", "record number in the payload (1-based)", nullable=False),
    Column("code_system", "text", "kemendagri_2025 (Kepmendagri 300.2.2-2138/2025, the "
           "warehouse key) or bps_mfd_2018 (BPS Master File Desa, 2018 scrape)", nullable=False),
    Column("code", "text", "area code as published: Kemendagri dotted 31.71.01.1001, BPS "
           "plain digits 3171010001", nullable=False),
    Column("level", "text", "province, kota (kota/kabupaten), kecamatan or kelurahan",
           nullable=False),
    Column("name", "text", "name as published, trimmed", nullable=False),
    Column("name_normalised", "text", "names.normalise_name(name): upper case, letters only, "
           "P./KEP. expanded, administrative prefixes removed", nullable=False),
    Column("parent_code", "text", "code of the enclosing area in the same code system "
           "(NULL for the province)"),
]

KEY = ("code_system", "code")

# docs/sources/jakarta-admin-areas.md §2: what each code list must hold for DKI Jakarta. The BPS
# 2018 scrape lacks 13 kelurahan (Senen, Menteng, Gunung, Krukut, Guntur, Ceger, ...): a scrape
# artefact.
EXPECTED_COUNTS = {
    KEMENDAGRI: {"province": 1, "kota": 6, "kecamatan": 44, "kelurahan": 267},
    BPS: {"province": 1, "kota": 6, "kecamatan": 44, "kelurahan": 254},
}
_PARENT_LEVEL = {"kota": "province", "kecamatan": "kota", "kelurahan": "kecamatan"}
HIERARCHY_CHECK = "area_hierarchy"


def hierarchy_findings(counts: pd.DataFrame, broken: pd.DataFrame) -> list[str]:
    """Why the area table fails its hierarchy check (empty list: it passes).

    ``counts`` has code_system, level, n; ``broken`` lists rows whose parent is missing or sits
    at the wrong level (code_system, code, level, parent_code, parent_level)."""
    got = {(r.code_system, r.level): int(r.n) for r in counts.itertuples()}
    problems = [f"{system}: {got.get((system, level), 0)} {level} rows, expected {n}"
                for system, expected in EXPECTED_COUNTS.items()
                for level, n in expected.items() if got.get((system, level), 0) != n]
    for r in broken.head(20).itertuples():
        problems.append(f"{r.code_system}: {r.level} {r.code} has parent {r.parent_code!r} "
                        f"({r.parent_level or 'not in the table'}), expected a "
                        f"{_PARENT_LEVEL.get(r.level, 'no parent')}")
    if len(broken) > 20:
        problems.append(f"… {len(broken) - 20} more rows with a broken parent")
    return problems


def _hierarchy_check(spec: SourceSpec) -> TableCheck:
    counts_sql = "SELECT code_system, level, count(*) AS n FROM {table} GROUP BY 1, 2"
    broken_sql = (
        "SELECT c.code_system, c.code, c.level, c.parent_code, p.level AS parent_level "
        "FROM {table} c LEFT JOIN {table} p "
        "ON p.code_system = c.code_system AND p.code = c.parent_code "
        "WHERE (c.level = 'province' AND c.parent_code IS NOT NULL) OR (c.level <> 'province'"
        " AND p.level IS DISTINCT FROM (CASE c.level WHEN 'kota' THEN 'province' "
        "WHEN 'kecamatan' THEN 'kota' WHEN 'kelurahan' THEN 'kecamatan' END)) "
        "ORDER BY c.code_system, c.code")

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        counts = wh.read_frame(counts_sql.format(table=audit.relation))
        broken = wh.read_frame(broken_sql.format(table=audit.relation))
        problems = hierarchy_findings(counts, broken)
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems[:5]) if problems else "counts and parents as "
                        "expected",
            metadata={"counts": dg.MetadataValue.md(md_table(counts.sort_values(
                          ["code_system", "level"]))),
                      "broken_parents": dg.MetadataValue.int(len(broken)),
                      "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems)
                                                      or "none")})

    return TableCheck(
        spec.staging_key, HIERARCHY_CHECK,
        ("Kemendagri 2025 holds 1 province, 6 kota/kab, 44 kecamatan and 267 "
         "kelurahan, BPS MFD 2018 1/6/44/254; every area's parent exists in the "
         "same code system one level up."),
        evaluate, blocking=True)


SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="jakarta",
    name="admin_areas",
    title="Jakarta administrative areas (kode wilayah)",
    description=("The area code lists every Jakarta table joins to: Kemendagri 2025 (province, "
                 "6 kota/kab, 44 kecamatan, 267 kelurahan; the warehouse key) and BPS MFD 2018 "
                 "(whose kota codes differ: Kemendagri 31.71 Jakarta Pusat is BPS 3173). One "
                 "row per area per code system."),
    publisher=("Kementerian Dalam Negeri (Kepmendagri 300.2.2-2138/2025, via cahyadsn/wilayah, "
               "MIT) and Badan Pusat Statistik (MFD, scraped 2018-01-11 by "
               "edwardsamuel/Wilayah-Administratif-Indonesia, MIT/ODbL)"),
    licence="Government code lists (public); mirrors MIT (cahyadsn/wilayah), MIT and ODbL 1.0 "
            "(edwardsamuel/Wilayah-Administratif-Indonesia)",
    portal_url="https://github.com/cahyadsn/wilayah",
    parser=parse_admin_areas,
    staging=staging_table("jakarta", "admin_areas", COLUMNS, ("payload_sha256", *KEY),
                          "Jakarta admin areas, one row per area per code system"),
    date_column=None,
    publisher_cadence="yearly",
    # an unreadable code stops the line (the quarantine names these columns)
    key_columns=("kode", "id"),
    expectations=(
        q.not_null("code_system"), q.not_null("code"), q.not_null("level"), q.not_null("name"),
        q.not_null("name_normalised"),
        q.in_set("code_system", list(CODE_SYSTEMS)),
        q.in_set("level", list(LEVELS)),
        q.compound_unique(list(KEY)),
        # two siblings with one normalised name would make name resolution ambiguous
        q.compound_unique(["code_system", "parent_code", "level", "name_normalised"]),
    ),
    group=GROUP,
    tags={"domain": "reference"},
    extra_checks=(_hierarchy_check,),
)
