"""Berlin Monitoring Soziale Stadtentwicklung (MSS), index indicators per Planungsraum: the one
description (docs/sources/berlin-social-monitoring.md)."""

from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.berlin.plr_keys import plr_keys_check
from smartchange_assets.platform import quality as q
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import (
    DYNAMICS_CLASSES,
    KEY,
    LOR2021,
    LOR_OLD,
    STATUS_CLASSES,
    VALUE_COLUMNS,
    parse_mss_index,
)

_Z = "z-score (standardised share; 0 = Berlin mean, 1 = one standard deviation; higher = " \
     "more disadvantaged)"

COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("reference_date", "date", "day the data refer to, from the residents column "
           "('EW 31.12.2020' -> 2020-12-31)", nullable=False),
    Column("lor_version", "text", "scheme of plr_code: LOR2021 (data from 31.12.2020 on) or "
           "LOR_OLD", nullable=False),
    Column("plr_code", "text", "8-digit Planungsraum id, leading zeros kept", nullable=False),
    Column("bezirk_code", "text", "2-digit Bezirk (first 2 digits of plr_code)",
           nullable=False),
    Column("plr_name", "text", "Planungsraum name as published, tidied", nullable=False),
    Column("edition", "integer", "MSS report edition named in the file name (mss_2021_…); "
           "NULL when the name does not say"),
    Column("residents", "integer", "residents on the reference date (EW), as published",
           nullable=False),
    Column("z_s1", "double precision", f"S1 unemployment (SGB II and III), {_Z}"),
    Column("z_s3", "double precision", f"S3 transfer payments (SGB II / XII, not employed), "
           f"{_Z}"),
    Column("z_s4", "double precision", f"S4 child poverty (under 15 in SGB II households), {_Z}"),
    Column("status_sum", "double precision", "Status-Summe = zS1 + zS3 + zS4"),
    Column("status_index", "double precision", "Status-Index: the standardised status sum"),
    Column("z_d1", "double precision", f"D1 two-year change of S1, {_Z}"),
    Column("z_d3", "double precision", f"D3 two-year change of S3, {_Z}"),
    Column("z_d4", "double precision", f"D4 two-year change of S4, {_Z}"),
    Column("dynamics_sum", "double precision", "Dynamik-Summe = zD1 + zD3 + zD4"),
    Column("dynamics_index", "double precision", "Dynamik-Index: the standardised dynamics sum"),
    Column("status_class", "text", "status class: hoch, mittel, niedrig, sehr niedrig (NULL: "
           "no index, fewer than 300 residents)"),
    Column("dynamics_class", "text", "dynamics class: positiv, stabil, negativ (NULL: no index)"),
    Column("indexed", "boolean", "the publisher computed the index for this Planungsraum "
           "(false below 300 residents)", nullable=False),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="social_monitoring",
    title="Berlin Monitoring Soziale Stadtentwicklung: index indicators per Planungsraum",
    description=("MSS table 3: unemployment (S1), transfer payments (S3) and child poverty "
                 "(S4) as z-scores per Planungsraum, their two-year dynamics (D1, D3, D4), the "
                 "status and dynamics indices and classes. The seed is MSS 2021 (data "
                 "31.12.2020, 542 LOR 2021 Planungsräume), copied by hand from the official "
                 "XLSX into CSV by a third party (values official, layout the copier's)."),
    publisher="Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin (MSS); CSV copy "
              "by github.com/jascha-je/Data-Visualization",
    licence="Not stated for the copy; the MSS tables are published by the Land Berlin (verify "
            "before redistribution)",
    portal_url="https://www.berlin.de/sen/sbw/stadtdaten/stadtwissen/"
               "monitoring-soziale-stadtentwicklung/bericht-2021/tabellen/",
    parser=parse_mss_index,
    staging=staging_table("berlin", "social_monitoring", COLUMNS, ("payload_sha256", *KEY),
                          "MSS index indicators, one row per Planungsraum and edition"),
    date_column="reference_date",
    publisher_cadence="yearly",
    key_columns=("PLR-ID",),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("lor_version", [LOR2021, LOR_OLD]),
        Expect("ExpectColumnValuesToMatchRegex", "plr_code", {"regex": r"^\d{8}$"}),
        q.in_set("bezirk_code", [f"{n:02d}" for n in range(1, 13)]),
        q.in_set("status_class", list(STATUS_CLASSES)),
        q.in_set("dynamics_class", list(DYNAMICS_CLASSES)),
        # the most populous Planungsraum has about 30 000 residents
        q.between("residents", 0, 100_000),
        # z-scores: a value beyond ±15 standard deviations is a misread, not a Planungsraum
        *[q.between(c, -15, 15) for c in VALUE_COLUMNS if c.startswith("z_")],
    ),
    extra_deps=(LOR.staging_key,),
    extra_checks=(lambda spec: plr_keys_check(spec, version_column="lor_version",
                                              every_plr=True, name_column="plr_name"),),
    group="economy",
    tags={"domain": "economy"},
)
