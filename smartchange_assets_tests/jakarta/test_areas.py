"""Jakarta admin areas: parser on the five real wilayah files, resolver on the real datasets'
names, and the source, alias table, crosswalk and area_resolution check on a real Postgres.

Fault cases are built from the real seed files inside the tests and say so. The name lists the
resolver is measured on are byte copies of the real files in ``fixtures/jakarta_names``.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from smartchange_assets.definitions import LOCATION
from smartchange_assets.jakarta.admin_areas.aliases import (
    ALIASES,
    ALIASES_KEY,
    alias_frame,
)
from smartchange_assets.jakarta.admin_areas.crosswalk import CROSSWALK, SELECT_SQL
from smartchange_assets.jakarta.admin_areas.linking import (
    AREA_COLUMN_NAMES,
    AREA_COLUMNS,
    AREA_DEPS,
    area_resolution_check,
    area_transform,
    resolve_frame,
    summarise_resolution,
)
from smartchange_assets.jakarta.admin_areas.names import normalise_name
from smartchange_assets.jakarta.admin_areas.parser import parse_admin_areas
from smartchange_assets.jakarta.admin_areas.resolver import FUZZY_CUTOFF, AreaIndex
from smartchange_assets.jakarta.admin_areas.source import COLUMNS, SOURCE, hierarchy_findings
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.parsing import (
    DUPLICATE,
    INCONSISTENT,
    UNREADABLE,
    ParseError,
    ParseResult,
    conform,
)
from smartchange_assets.platform.quality import render_query, run_suite
from smartchange_assets.platform.reconciliation import reconciliation_findings
from smartchange_assets.platform.source_assets import build_source
from smartchange_assets.platform.spec import SourceSpec, staging_table
from smartchange_assets.platform.sql_files import bind
from smartchange_assets.platform.tables import Column

from ..seed_files import SEED, seed_entries
from ..source_harness import check_results, materialize_source

# the area assets beyond the admin_areas source: alias table and the Kemendagri-BPS crosswalk
AREA_ASSETS = LOCATION.assets_for(ALIASES_KEY, CROSSWALK.key)
AREA_CHECKS: list = []

SEED = SEED / "jakarta" / "admin_areas"
NAMES = Path(__file__).resolve().parents[1] / "fixtures" / "jakarta_names"
KEMENDAGRI_FILE = "kemendagri_2025_wilayah_dki31_rows.sql.txt"

# file -> (source rows, staged, no_data, quarantined, {level: staged rows})
EXPECTED = {
    KEMENDAGRI_FILE: (318, 318, 0, 0, {"province": 1, "kota": 6, "kecamatan": 44,
                                       "kelurahan": 267}),
    "bps_mfd2018_provinces_dki31.csv": (1, 1, 0, 0, {"province": 1}),
    "bps_mfd2018_regencies_dki31.csv": (6, 6, 0, 0, {"kota": 6}),
    "bps_mfd2018_districts_dki31.csv": (44, 44, 0, 0, {"kecamatan": 44}),
    "bps_mfd2018_villages_dki31.csv": (254, 254, 0, 0, {"kelurahan": 254}),
}

# docs/sources/jakarta-admin-areas.md §2, written out here independently of the code's constant
DOC_KOTA = {"31.01": "3101", "31.71": "3173", "31.72": "3175", "31.73": "3174",
               "31.74": "3171", "31.75": "3172"}

# The Kemendagri kelurahan the BPS 2018 scrape lacks (docs/sources/jakarta-admin-areas.md §2:
# "Senen, Menteng, Gunung, Tengah, Krukut, Guntur, Ceger and others"; Tengah is in fact there,
# as KAMPUNG TENGAH).
NO_BPS_KELURAHAN = {"Senen", "Bungur", "Menteng", "Krukut", "Srengseng", "Guntur", "Gunung",
                    "Dukuh", "Ujung Menteng", "Klender", "Munjul", "Setu", "Ceger"}


def seed_bytes(name: str) -> bytes:
    return (SEED / name).read_bytes()


@cache
def parsed(name: str) -> ParseResult:
    return parse_admin_areas(seed_bytes(name), name)


@cache
def index() -> AreaIndex:
    return AreaIndex.from_frames(parsed(KEMENDAGRI_FILE).staged, alias_frame())


def staged_by_code(result: ParseResult) -> dict[str, dict]:
    return {r["code"]: r for r in result.staged.to_dict("records")}


# ---------------------------------------------------------------------------------------------
# parser: every real file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_file_reconciles_with_known_counts(name):
    result = parsed(name)
    result.reconcile()
    rows, staged, no_data, quarantined, levels = EXPECTED[name]
    assert result.source_rows == rows
    assert (len(result.staged), result.no_data, len(result.quarantine)) == (
        staged, no_data, quarantined)
    assert result.staged["level"].value_counts().to_dict() == levels
    typed = conform(result.staged, COLUMNS, SOURCE.source_id)  # exactly the table's columns
    assert str(typed["source_row"].dtype) == "Int64"
    assert result.staged["source_row"].tolist() == list(range(1, rows + 1))


def test_every_seed_file_is_in_the_manifest():
    entries = {Path(e.file).name for e in seed_entries(SOURCE.source_id)}
    assert entries == set(EXPECTED) == {p.name for p in SEED.iterdir()}


def test_kemendagri_codes_parents_and_the_trailing_space_in_jakarta_utara():
    result = parsed(KEMENDAGRI_FILE)
    rows = staged_by_code(result)
    assert set(result.staged["code_system"]) == {"kemendagri_2025"}
    assert (rows["31"]["level"], rows["31"]["name"]) == ("province",
                                                         "Daerah Khusus Ibukota Jakarta")
    assert pd.isna(rows["31"]["parent_code"])
    # published as 'Kota Administrasi Jakarta Utara ' (docs/sources/jakarta-admin-areas.md §3):
    # trimmed, counted in notes
    assert rows["31.72"]["name"] == "Kota Administrasi Jakarta Utara"
    assert rows["31.72"]["name_normalised"] == "JAKARTAUTARA"
    assert result.notes["names_trimmed"] == 1
    assert rows["31.71.01.1001"] == {**rows["31.71.01.1001"], "name": "Gambir",
                                     "level": "kelurahan", "parent_code": "31.71.01"}
    assert rows["31.74.01"]["name"] == "Tebet"  # BPS numbers Tebet 3171090
    # the last line ends the INSERT block with ');'
    assert rows["31.75.10.1008"]["name"] == "Ceger"


def test_bps_codes_parents_and_level_by_length():
    regencies = staged_by_code(parsed("bps_mfd2018_regencies_dki31.csv"))
    assert {c: r["name"] for c, r in regencies.items()} == {
        "3101": "KABUPATEN KEPULAUAN SERIBU", "3171": "KOTA JAKARTA SELATAN",
        "3172": "KOTA JAKARTA TIMUR", "3173": "KOTA JAKARTA PUSAT",
        "3174": "KOTA JAKARTA BARAT", "3175": "KOTA JAKARTA UTARA"}
    assert {r["parent_code"] for r in regencies.values()} == {"31"}
    districts = staged_by_code(parsed("bps_mfd2018_districts_dki31.csv"))
    # BPS orders Kepulauan Seribu the other way round from Kemendagri (31.01.01 = Utara)
    assert districts["3101010"]["name"] == "KEPULAUAN SERIBU SELATAN"
    assert districts["3171010"]["name"] == "JAGAKARSA"
    villages = staged_by_code(parsed("bps_mfd2018_villages_dki31.csv"))
    assert villages["3172040004"] == {**villages["3172040004"], "name": "HALIM PERDANA KUSUMAH",
                                      "parent_code": "3172040", "level": "kelurahan"}
    province = parsed("bps_mfd2018_provinces_dki31.csv").staged.iloc[0]
    assert (province["code"], province["name_normalised"]) == ("31",
                                                               "DAERAHKHUSUSIBUKOTAJAKARTA")


# ---------------------------------------------------------------------------------------------
# parser: faults derived from the real files


def _same_areas(a: ParseResult, b: ParseResult) -> None:
    cols = ["code_system", "code", "level", "name", "name_normalised", "parent_code"]
    pd.testing.assert_frame_equal(a.staged[cols].reset_index(drop=True),
                                  b.staged[cols].reset_index(drop=True))


def test_bps_re_delimited_with_semicolons_reads_the_same():
    # derived: the real villages file with ';' for ','
    data = seed_bytes("bps_mfd2018_villages_dki31.csv").replace(b",", b";")
    result = parse_admin_areas(data, "villages_semicolon.csv")
    assert result.notes["delimiter"] == ";"
    _same_areas(result, parsed("bps_mfd2018_villages_dki31.csv"))


@pytest.mark.parametrize("name", [KEMENDAGRI_FILE, "bps_mfd2018_districts_dki31.csv"])
def test_bom_and_lf_line_endings_read_the_same(name):
    # derived: the real file with a UTF-8 BOM, and with LF instead of CRLF
    for data in (b"\xef\xbb\xbf" + seed_bytes(name), seed_bytes(name).replace(b"\r\n", b"\n")):
        _same_areas(parse_admin_areas(data, name), parsed(name))


def test_bps_with_a_header_in_another_column_order_is_mapped_by_name():
    # derived: the real villages rows written as name,district_id,id under a header
    rows = csv.reader(io.StringIO(seed_bytes("bps_mfd2018_villages_dki31.csv").decode()))
    text = "name,district_id,id\r\n" + "".join(f"{n},{p},{c}\r\n" for c, p, n in rows)
    result = parse_admin_areas(text.encode(), "villages_reordered.csv")
    assert result.notes["columns"] == "mapped by header name"
    _same_areas(result, parsed("bps_mfd2018_villages_dki31.csv"))


def test_garbled_kemendagri_code_is_quarantined_naming_kode_and_fails_the_gate():
    # derived: the real line ('31.71.01.1001','Gambir') with an 'l' for the '1' in 71
    data = seed_bytes(KEMENDAGRI_FILE).replace(b"('31.71.01.1001'", b"('31.7l.01.1001'")
    result = parse_admin_areas(data, "garbled.sql.txt")
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (318, 317, 1)
    q = result.quarantine.iloc[0]
    assert (q["source_row"], q["column_name"], q["kind"]) == (13, "kode", UNREADABLE)
    assert "'31.7l.01.1001'" in q["reason"] and "Gambir" in q["raw_record"]
    recon = pd.DataFrame([{"source": SOURCE.source_id, "payload_sha256": "x",
                           "file_name": "garbled.sql.txt", "source_rows": 318, "staged": 317,
                           "no_data": 0, "quarantined": 1, "error": None,
                           "quarantine_allowance": None}])
    problems = reconciliation_findings(
        SOURCE, recon, result.quarantine.assign(payload_sha256="x", file_name="garbled.sql.txt"))
    assert problems == ["jakarta/admin_areas: garbled.sql.txt: row 13, column 'kode': "
                        "unreadable Kemendagri code '31.7l.01.1001' (expected 31, 31.71, "
                        "31.71.01 or 31.71.01.1001) (key column unreadable)"]


def test_garbled_bps_id_is_quarantined_naming_id():
    # derived: the real village 3171010001 CIPEDAK with an 'l' in its id
    data = seed_bytes("bps_mfd2018_villages_dki31.csv").replace(b"3171010001,", b"31710l0001,")
    result = parse_admin_areas(data, "villages_garbled.csv")
    (q,) = result.quarantine.to_dict("records")
    assert (q["source_row"], q["column_name"], q["kind"]) == (7, "id", UNREADABLE)
    assert "CIPEDAK" in q["raw_record"]


def test_bps_parent_that_contradicts_the_code_is_inconsistent():
    # derived: CIPEDAK 3171010001 given the parent 3171020 (Pasar Minggu)
    data = seed_bytes("bps_mfd2018_villages_dki31.csv").replace(b"3171010001,3171010,",
                                                                b"3171010001,3171020,")
    (q,) = parse_admin_areas(data, "v.csv").quarantine.to_dict("records")
    assert (q["column_name"], q["kind"]) == ("parent_id", INCONSISTENT)


def test_repeats_outsiders_and_orphans_are_quarantined_with_their_kind():
    # derived: the real Kemendagri file with a repeated line, a conflicting repeat, a code of
    # another province, and (separately) the kecamatan Gambir removed
    real = seed_bytes(KEMENDAGRI_FILE)
    extra = (b"('31.71.01.1001','Gambir'),\r\n('31.71.01.1002','Cideng Baru'),\r\n"
             b"('32.01','Kabupaten Bogor'),\r\n")
    result = parse_admin_areas(real + extra, "extra.sql.txt")
    q = result.quarantine
    # 31.71.01.1002 is Cideng in row 14 and Cideng Baru in row 320: neither is staged
    assert q[["source_row", "column_name", "kind"]].values.tolist() == [
        [14, "nama", INCONSISTENT], [319, "kode", DUPLICATE], [320, "nama", INCONSISTENT],
        [321, "kode", INCONSISTENT]]
    assert "source rows 14, 320 differ in name, name_normalised" in q.iloc[0]["reason"]
    assert "31.71.01.1002" not in set(result.staged["code"])
    orphaned = parse_admin_areas(real.replace(b"('31.71.01','Gambir'),\r\n", b""), "o.sql.txt")
    assert len(orphaned.quarantine) == 6  # Gambir's six kelurahan
    assert set(orphaned.quarantine["kind"]) == {INCONSISTENT}
    assert "parent 31.71.01 of 31.71.01.1001 is not in the payload" in \
        orphaned.quarantine["reason"].tolist()


@pytest.mark.parametrize(("name", "cut", "row"), [
    (KEMENDAGRI_FILE, 5000, 150), ("bps_mfd2018_villages_dki31.csv", 3000, 94)])
def test_truncated_payload_raises_naming_file_and_row(name, cut, row):
    # derived: the real file cut off mid-line
    with pytest.raises(ParseError) as err:
        parse_admin_areas(seed_bytes(name)[:cut], "cut_" + name)
    assert err.value.file == "cut_" + name and err.value.row == row
    assert "truncated" in str(err.value)


def test_truncated_last_tuple_raises_even_with_a_line_break():
    # derived: the real file with its last tuple cut inside the name, line break kept
    data = seed_bytes(KEMENDAGRI_FILE).replace(b"'Ceger');\r\n", b"'Ceg\r\n")
    with pytest.raises(ParseError, match=r"row 318: last value tuple is incomplete"):
        parse_admin_areas(data, KEMENDAGRI_FILE)


def test_cut_at_a_line_boundary_is_caught_by_the_hierarchy_check():
    # derived: the real file cut just before kecamatan 31.73.07 (Pal Merah), at a line break:
    # the parser cannot tell, the counts can
    data = seed_bytes(KEMENDAGRI_FILE)
    cut = parse_admin_areas(data[:data.index(b"('31.73.07'")], "cut.sql.txt").staged
    bps = pd.concat([parsed(n).staged for n in EXPECTED if n != KEMENDAGRI_FILE])
    counts = pd.concat([cut, bps]).groupby(["code_system", "level"]).size().rename("n")
    problems = hierarchy_findings(counts.reset_index(), pd.DataFrame(
        columns=["code_system", "code", "level", "parent_code", "parent_level"]))
    assert problems == ["kemendagri_2025: 4 kota rows, expected 6",
                        "kemendagri_2025: 22 kecamatan rows, expected 44",
                        "kemendagri_2025: 125 kelurahan rows, expected 267"]


@pytest.mark.parametrize(("data", "message"), [
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n", "neither Kemendagri"),
    (b"\x00\x01PK\x03\x04", "binary content"),
    (b"", "empty payload"),
    (b"DKI JAKARTA,31\r\n", "neither Kemendagri"),  # headerless and reordered: unreadable
])
def test_garbage_payload_raises_naming_the_file(data, message):
    with pytest.raises(ParseError, match=message) as err:
        parse_admin_areas(data, "garbage.bin")
    assert str(err.value).startswith("garbage.bin")  # the engine adds the source id


def test_hierarchy_findings_pass_on_the_real_lists_and_name_a_broken_parent():
    staged = pd.concat([parsed(n).staged for n in EXPECTED])
    counts = staged.groupby(["code_system", "level"]).size().rename("n").reset_index()
    none = pd.DataFrame(columns=["code_system", "code", "level", "parent_code", "parent_level"])
    assert hierarchy_findings(counts, none) == []
    broken = pd.DataFrame([{"code_system": "bps_mfd_2018", "code": "3171010001",
                            "level": "kelurahan", "parent_code": "3171010",
                            "parent_level": None}])
    assert hierarchy_findings(counts, broken) == [
        "bps_mfd_2018: kelurahan 3171010001 has parent '3171010' (not in the table), "
        "expected a kecamatan"]


# ---------------------------------------------------------------------------------------------
# normalising and resolving names


@pytest.mark.parametrize(("text", "normalised"), [
    ("Kota Administrasi Jakarta Utara ", "JAKARTAUTARA"),
    ("KOTA JAKARTA UTARA", "JAKARTAUTARA"),
    ("Jakarta Utara", "JAKARTAUTARA"),
    ("KAB.ADM.KEP.SERIBU", "KEPULAUANSERIBU"),
    ("Kabupaten Administrasi Kepulauan Seribu", "KEPULAUANSERIBU"),
    ("Kep Seribu", "KEPULAUANSERIBU"),
    ("Kota Adm. Jakarta Barat", "JAKARTABARAT"),
    ("KEP. SERIBU UTR", "KEPULAUANSERIBUUTR"),
    ("P. HARAPAN", "PULAUHARAPAN"),
    ("KALI DERES", "KALIDERES"),
    ("Kota Bambu Utara", "KOTABAMBUUTARA"),  # a kelurahan: 'KOTA' is part of the name
    ("KELURAHAN KLENDER", "KLENDER"),  # CRM location
    ("PROVINSI DKI JAKARTA", "DAERAHKHUSUSIBUKOTAJAKARTA"),
    ("nihil", "NIHIL"), ("-", ""), (None, ""), (float("nan"), ""),
])
def test_normalise_name(text, normalised):
    assert normalise_name(text) == normalised


# file -> kota, kecamatan, kelurahan columns (None: the file has no such column)
NAME_FILES = {
    "data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-januari-maret_tes.csv":
        ("kota_administrasi", "kecamatan", "kelurahan"),
    "data-kejadian-bencana-banjir.csv": ("wilayah", "kecamatan", "kelurahan"),
    "banjir.csv": ("wilayah_adm", "kecamatan", "kelurahan"),
    "data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-kelompok-usia-dan-jenis-kelamin-"
    "tahun-2013-2021-komponen-data.TRUNCATED.csv":
        ("nama_kabupaten_kota", "nama_kecamatan", "nama_kelurahan"),
    "crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv": (None, None, "location"),
}
# file -> (distinct name triples, placeholder triples, resolved, {method: triples})
NAME_RESULTS = {
    "data-kejadian-bencana-banjir-provinsi-dki-jakarta-2020-bulan-januari-maret_tes.csv":
        (209, 0, 209, {"exact": 209}),
    "data-kejadian-bencana-banjir.csv": (100, 1, 99, {"exact": 97, "alias": 2,
                                                      "placeholder": 1}),
    "banjir.csv": (92, 0, 92, {"exact": 91, "alias": 1}),
    "data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-kelompok-usia-dan-jenis-kelamin-"
    "tahun-2013-2021-komponen-data.TRUNCATED.csv": (267, 0, 267, {"exact": 264, "alias": 3}),
    "crm_test_predictions_dinov2_e5_not_pooled.SAMPLE.csv": (15, 0, 15, {"exact": 15}),
}


@cache
def names_resolved(name: str) -> pd.DataFrame:
    frame = pd.read_csv(NAMES / name, dtype=str, keep_default_na=False)
    kota, kec, kel = NAME_FILES[name]
    out = resolve_frame(frame, index(), kota, kec, kel)
    assert len(out) == len(frame) and out.index.equals(frame.index)
    return out.drop_duplicates([c for c in (kota, kec, kel) if c])


@pytest.mark.parametrize("name", sorted(NAME_FILES))
def test_resolver_resolves_99_percent_of_the_real_names_and_lists_the_rest(name):
    triples = names_resolved(name)
    cols = [c for c in NAME_FILES[name] if c]
    named = triples[triples["area_match"] != "placeholder"]
    resolved = named[named["area_match"].isin(["exact", "alias", "fuzzy"])]
    unresolved = named[named["area_match"] == "unresolved"][cols].values.tolist()
    assert unresolved == []  # every one would be listed here, by name
    assert len(resolved) / len(named) >= 0.99
    count, placeholders, n_resolved, methods = NAME_RESULTS[name]
    assert (len(triples), len(triples) - len(named), len(resolved)) == (
        count, placeholders, n_resolved)
    assert triples["area_match"].value_counts().to_dict() == methods


@pytest.mark.parametrize("name", sorted(NAME_FILES))
def test_every_kelurahan_named_resolves_at_kelurahan_level(name):
    triples = names_resolved(name)
    kel = NAME_FILES[name][2]
    real = triples[~triples[kel].map(normalise_name).isin({"", "NIHIL"})]
    assert set(real["area_level"]) == {"kelurahan"}
    assert real["area_code"].str.fullmatch(r"31\.\d{2}\.\d{2}\.1\d{3}").all()


def test_crm_locations_resolve_by_kelurahan_alone():
    r = index().resolve(None, None, "KELURAHAN KLENDER")
    assert (r.code, r.level, r.method) == ("31.75.07.1003", "kelurahan", "exact")


@pytest.mark.parametrize(("triple", "code", "method", "note"), [
    # population 2013-2016 spellings (docs/sources/jakarta-population.md §3)
    (("KAB.ADM.KEP.SERIBU", "KEP. SERIBU UTR", "P. HARAPAN"), "31.01.01.1003", "exact",
     "kecamatan 'KEP. SERIBU UTR' is an alias of Kepulauan Seribu Utara"),
    (("JAKARTA BARAT", "TAMBORA", "KERENDANG"), "31.73.04.1005", "alias",
     "kelurahan 'KERENDANG' is an alias of Krendang"),
    (("JAKARTA TIMUR", "MAKASAR", "HALIM PERDANA KUSUMAH"), "31.75.08.1004", "alias", None),
    (("JAKARTA TIMUR", "KRAMAT JATI", "KAMPUNG TENGAH"), "31.75.04.1002", "alias",
     "kelurahan 'KAMPUNG TENGAH' is an alias of Tengah"),
    (("JAKARTA BARAT", "KALI DERES", "KALIDERES"), "31.73.06.1001", "exact", ""),
    # flood 2023: a truncated kelurahan, a variant spelling, a typo in flood 2020
    (("JAKARTA TIMUR", "MAKASAR", "MAKA"), "31.75.08.1001", "alias", None),
    (("JAKARTA BARAT", "CENGKARENG", "KEDAUNG KALIANGKE"), "31.73.01.1004", "exact", ""),
    (("Jakarta Utara", "CILIINCING", "ROROTAN"), "31.72.04.1006", "exact", None),
    # kota only: Dukcapil NAMA KAB, BPS 2017 short name, flood 'nihil' rows
    (("JAKARTA PUSAT", None, None), "31.71", "exact", ""),
    (("Kep Seribu", None, None), "31.01", "exact", ""),
    (("JAKARTA PUSAT", "nihil", "nihil"), "31.71", "exact",
     "kecamatan 'nihil' is a placeholder; kelurahan 'nihil' is a placeholder"),
])
def test_real_spellings_resolve(triple, code, method, note):
    r = index().resolve(*triple)
    assert (r.code, r.method) == (code, method)
    if note is not None:
        assert r.note == note


@pytest.mark.parametrize(("triple", "code", "mismatch"), [
    # real rows of the flood 2023 file (docs/sources/jakarta-flood.md §3: wrong parents)
    (("JAKARTA BARAT", "PASAR MINGGU", "CILANDAK TIMUR"), "31.74.04.1003",
     "parent_mismatch: kota 'JAKARTA BARAT' is 31.73, but Cilandak Timur (31.74.04.1003) lies "
     "in Kota Administrasi Jakarta Selatan (31.74)"),
    (("JAKARTA TIMUR", "CIPAYUNG", "KAMPUNG MELAYU"), "31.75.03.1001",
     "parent_mismatch: kecamatan 'CIPAYUNG' is 31.75.10, but Kampung Melayu (31.75.03.1001) "
     "lies in Jatinegara (31.75.03)"),
    (("JAKARTA TIMUR", "DUREN SAWIT", "KAMPUNG MELAYU"), "31.75.03.1001", "kecamatan 'DUREN "
     "SAWIT' is 31.75.07"),
    (("Jakarta Selatan", "Kebayoran Lama", "Kramat Pela"), "31.74.07.1003", "lies in "
     "Kebayoran Baru (31.74.07)"),
    (("JAKARTA SELATAN", "KRAMAT JATI", "CAWANG"), "31.75.04.1007", "kota 'JAKARTA SELATAN' "
     "is 31.74"),
])
def test_wrong_parents_resolve_by_name_and_are_flagged(triple, code, mismatch):
    r = index().resolve(*triple)
    assert (r.code, r.level, r.method) == (code, "kelurahan", "exact")
    assert mismatch in r.note and "parent_mismatch" in r.note


def test_wrong_parents_are_counted_in_the_real_flood_2023_file():
    triples = names_resolved("data-kejadian-bencana-banjir.csv")
    flagged = triples[triples["area_note"].fillna("").str.contains("parent_mismatch")]
    assert sorted(flagged[["wilayah", "kecamatan", "kelurahan"]].values.tolist()) == [
        ["JAKARTA BARAT", "JAGAKARSA", "SRENGSENG SAWAH"],
        ["JAKARTA BARAT", "PASAR MINGGU", "CILANDAK TIMUR"],
        ["JAKARTA SELATAN", "KRAMAT JATI", "CAWANG"],
        ["JAKARTA TIMUR", "CIPAYUNG", "CIPINANG MUARA"],
        ["JAKARTA TIMUR", "CIPAYUNG", "KAMPUNG MELAYU"],
        ["JAKARTA TIMUR", "DUREN SAWIT", "KAMPUNG MELAYU"],
        ["Jakarta Selatan", "Kebayoran Lama", "Kramat Pela"]]


@pytest.mark.parametrize(("triple", "code", "note"), [
    # derived from real names: a doubled letter, a dropped letter, a truncation
    (("JAKARTA UTARA", "CILINCING", "ROROTANN"), "31.72.04.1006",
     "kelurahan 'ROROTANN' fuzzy-matched to Rorotan (similarity 0.93)"),
    (("JAKARTA SELATAN", "PASAR MINGGU", "PEJATEN BART"), "31.74.04.1006", "Pejaten Barat"),
    (("JAKARTA TIMUR", "MAKASAR", "PINANGRAN"), "31.75.08.1002",
     "kelurahan 'PINANGRAN' fuzzy-matched to Pinangranti (similarity 0.90)"),
    (("JAKARTA TIMUR", "MAKASAR", "HALIM"), "31.75.08.1004",
     "kelurahan 'HALIM' read as truncated Halim Perdana Kusuma"),
    (("Jakarta Utra", None, None), "31.72", "fuzzy-matched to Kota Administrasi Jakarta Utara"),
])
def test_fuzzy_and_truncated_names_inside_their_parent(triple, code, note):
    r = index().resolve(*triple)
    assert (r.code, r.method) == (code, "fuzzy")
    assert note in r.note


@pytest.mark.parametrize("triple", [
    # Kampung Melayu lies in Jatinegara: a typo of it under Cipayung must not be found at all
    ("JAKARTA TIMUR", "CIPAYUNG", "KAMPUNG MELAYUU"),
    # Cilandak Barat lies in Cilandak; under Pasar Minggu the nearest is Cilandak Timur
    ("JAKARTA SELATAN", "PASAR MINGGU", "CILANDAK BARATT"),
    # a kecamatan we cannot place: no fuzzy across all of Jakarta Timur
    ("JAKARTA TIMUR", "KECAMATAN X", "ROROTANN"),
    # a kecamatan found only outside its kota is no base for fuzzy
    ("JAKARTA BARAT", "PASAR MINGGU", "CILANDAK TIMR"),
    # no parent at all: fuzzy is never city-wide
    (None, None, "ROROTANN"),
    # 'KEBON' starts several kelurahan city-wide: not a truncation
    ("JAKARTA BARAT", "KEBON JERUK", "KEBON"),
    # 'PINANG' starts only Pinangranti in Makasar, but Pinangsia (Taman Sari) too: no guess
    ("JAKARTA TIMUR", "MAKASAR", "PINANG"),
    # BPS 2017's total row is the province, not a kota
    ("DKI Jakarta", None, None),
])
def test_fuzzy_never_crosses_a_kecamatan_or_guesses(triple):
    r = index().resolve(*triple)
    assert (r.code, r.level, r.method) == (None, None, "unresolved")
    assert "not found" in r.note


def test_fuzzy_cutoff_is_above_every_pair_of_real_siblings():
    import difflib
    import itertools

    areas = parsed(KEMENDAGRI_FILE).staged
    worst = max(difflib.SequenceMatcher(None, a, b).ratio()
                for _, siblings in areas.groupby("parent_code")
                for a, b in itertools.combinations(siblings["name_normalised"], 2))
    assert worst < FUZZY_CUTOFF


@pytest.mark.parametrize("triple", [("-", "-", "-"), (None, None, None), ("", " ", float("nan")),
                                    ("nihil", "nihil", "nihil")])
def test_placeholders_are_not_areas(triple):
    r = index().resolve(*triple)
    assert (r.code, r.level, r.method) == (None, None, "placeholder")


def test_resolve_frame_keeps_every_row_in_order_and_handles_missing_values():
    # real rows of the flood 2023 file: the first three, its all-'-' row, a 'nihil' row, and
    # a row of missing values added
    real = pd.read_csv(NAMES / "data-kejadian-bencana-banjir.csv", dtype=str,
                       keep_default_na=False)
    frame = pd.concat([real.head(3), real[real["wilayah"] == "-"].head(1),
                       real[real["kelurahan"] == "nihil"].head(1)])
    frame.loc[999] = {c: None for c in frame.columns}
    out = resolve_frame(frame, index(), "wilayah", "kecamatan", "kelurahan")
    assert out.index.tolist() == frame.index.tolist()
    assert out.columns.tolist() == [*frame.columns, *AREA_COLUMN_NAMES]
    assert out["area_match"].tolist() == ["exact", "exact", "exact", "placeholder", "exact",
                                          "placeholder"]
    assert out["area_code"].tolist()[:3] == ["31.72.01.1005", "31.72.04.1003", "31.74.07.1003"]
    assert out["area_level"].tolist()[4] == "kota"  # 'JAKARTA PUSAT,nihil,nihil'
    assert out["area_code"].isna().tolist() == [False] * 3 + [True, False, True]
    assert [c.name for c in AREA_COLUMNS] == AREA_COLUMN_NAMES


def test_resolution_summary_fails_under_99_percent_and_lists_every_unresolved_name():
    groups = pd.DataFrame([
        {"kel": "PLUIT", "area_match": "exact", "area_note": None, "file_name": "a.csv",
         "rows": 97},
        {"kel": "TIULP", "area_match": "unresolved", "area_note": "kelurahan 'TIULP' not found",
         "file_name": "a.csv", "rows": 2},
        {"kel": "nihil", "area_match": "placeholder", "area_note": None, "file_name": "a.csv",
         "rows": 500},
    ])
    failed = summarise_resolution(groups, ["kel"])
    assert not failed.passed and (failed.named_rows, failed.resolved_rows) == (99, 97)
    assert failed.unresolved[["kel", "file_name", "rows"]].values.tolist() == [
        ["TIULP", "a.csv", 2]]
    groups.loc[0, "rows"], groups.loc[1, "rows"] = 99, 1  # 99 of 100: exactly the threshold
    boundary = summarise_resolution(groups, ["kel"])
    assert boundary.passed and boundary.unresolved["kel"].tolist() == ["TIULP"]


def test_every_alias_points_to_a_kemendagri_area_of_its_level():
    areas = parsed(KEMENDAGRI_FILE).staged.set_index("code")
    for a in ALIASES:
        if a.kemendagri_code is None:
            assert normalise_name(a.spelling) in {"", "NIHIL"}
            continue
        assert areas.loc[a.kemendagri_code, "level"] == a.level, a
        r = index().resolve(**{a.level: a.spelling})
        assert r.code == a.kemendagri_code, (a, r)


# ---------------------------------------------------------------------------------------------
# end to end on Postgres: the source, the alias table, the crosswalk and their checks


def _materialise_areas(url: str) -> dg.ExecuteInProcessResult:
    return materialize_source(SOURCE, url, *AREA_ASSETS, *AREA_CHECKS)


def test_areas_materialise_from_the_seed_with_green_checks(fresh_database):
    result = _materialise_areas(fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert checks == {
        "jakarta/raw/admin_areas:payload_freshness": True,
        "jakarta/staging/admin_areas:payload_reconciliation": True,
        "jakarta/staging/admin_areas:gx_suite": True,
        "jakarta/staging/admin_areas:area_hierarchy": True,
        "jakarta/staging/area_aliases:gx_suite": True,
        "jakarta/staging/area_crosswalk:gx_suite": True,
    }
    wh = fresh_database
    recon = wh.read_frame("SELECT * FROM raw.payload_reconciliation WHERE source = :s",
                          s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(SOURCE.source_id)}
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()
    assert dict(zip(recon["file_name"], recon["staged"], strict=True)) == {
        name: counts[1] for name, counts in EXPECTED.items()}
    counts = wh.read_frame("SELECT code_system, level, count(*) AS n "
                           "FROM staging.jakarta_admin_areas GROUP BY 1, 2")
    assert {(r.code_system, r.level): r.n for r in counts.itertuples()} == {
        ("kemendagri_2025", "province"): 1, ("kemendagri_2025", "kota"): 6,
        ("kemendagri_2025", "kecamatan"): 44, ("kemendagri_2025", "kelurahan"): 267,
        ("bps_mfd_2018", "province"): 1, ("bps_mfd_2018", "kota"): 6,
        ("bps_mfd_2018", "kecamatan"): 44, ("bps_mfd_2018", "kelurahan"): 254}

    crosswalk = wh.read_frame("SELECT * FROM staging.jakarta_area_crosswalk")
    kota = crosswalk[crosswalk["level"] == "kota"]
    assert dict(zip(kota["kemendagri_code"], kota["bps_code"], strict=True)) == DOC_KOTA
    assert set(kota["match_method"]) == {"fixed_table"} and kota["names_agree"].all()
    by_code = crosswalk.set_index("kemendagri_code")
    assert by_code.loc["31.01.01", "bps_code"] == "3101020"  # Kep. Seribu Utara, other order
    assert by_code.loc["31.74.01", "bps_code"] == "3171090"  # Tebet
    kel = crosswalk[crosswalk["level"] == "kelurahan"]
    assert kel["match_method"].value_counts().to_dict() == {"name": 247, "alias": 7, "none": 13}
    assert set(kel[kel["bps_code"].isna()]["kemendagri_name"]) == NO_BPS_KELURAHAN
    alias_rows = kel[kel["match_method"] == "alias"]
    assert dict(zip(alias_rows["bps_name"], alias_rows["kemendagri_name"], strict=True)) == {
        "HALIM PERDANA KUSUMAH": "Halim Perdana Kusuma", "KAMPUNG TENGAH": "Tengah",
        "PAL MERIEM": "Palmeriam", "HARAPAN MULYA": "Harapan Mulia", "PAPANGO": "Papanggo",
        "TANJUNG PRIUK": "Tanjung Priok", "WIJAYA KESUMA": "Wijaya Kusuma"}
    assert len(crosswalk) == 318 and crosswalk["kemendagri_code"].notna().all()

    aliases = wh.read_frame("SELECT * FROM staging.jakarta_area_aliases")
    assert len(aliases) == len(ALIASES)

    # The suite catches the dangerous join: kota paired on their digits (31.71 -> 3171).
    digits = bind(fixed_kota={"31": "31", **{k: k.replace(".", "") for k in DOC_KOTA}})
    outcome = run_suite(wh.url, render_query(SELECT_SQL, **{**CROSSWALK.params, **digits}),
                        list(CROSSWALK.expectations), "digits")
    assert {r.expectation for r in outcome.failed} >= {
        "fixed_table_names_agree(names_agree)", "values_not_null(kemendagri_code)"}


# a minimal source that stages the kota/kecamatan/kelurahan names of a real flood file, to run
# area_transform and area_resolution_check through the platform as a real source would
NAME_COLUMNS = ["wilayah", "kecamatan", "kelurahan"]


def _parse_names(data: bytes, file_name: str) -> ParseResult:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    staged = pd.DataFrame([{"source_row": i, **{c: r[c] for c in NAME_COLUMNS}}
                           for i, r in enumerate(rows, start=1)])
    return ParseResult(staged=staged, source_rows=len(rows))


NAMES_SPEC = SourceSpec(
    city="jakarta", name="test_area_names", title="area names (test)", description="test",
    publisher="test", licence="test", portal_url="https://example.org", parser=_parse_names,
    staging=staging_table("jakarta", "test_area_names", [
        Column("source_row", "bigint", nullable=False),
        *[Column(c, "text") for c in NAME_COLUMNS], *AREA_COLUMNS],
        ("payload_sha256", "source_row"), "test"),
    date_column=None, key_columns=(), expectations=(),
    transform=area_transform(*NAME_COLUMNS), extra_deps=AREA_DEPS,
    extra_checks=(area_resolution_check,), group="test")


def _land(wh, data: bytes, file_name: str) -> None:
    LandingArchive(wh).land(NAMES_SPEC.source_id, data, origin=f"test://{file_name}",
                            landed_by="test", file_name=file_name)


def _area_check(result: dg.ExecuteInProcessResult):
    (evaluation,) = [e for e in result.get_asset_check_evaluations()
                     if e.check_name == "area_resolution"]
    return evaluation


def test_area_transform_and_check_on_the_real_flood_2023_file(fresh_database):
    flood = (NAMES / "data-kejadian-bencana-banjir.csv").read_bytes()
    _land(fresh_database, flood, "data-kejadian-bencana-banjir.csv")
    admin_assets = build_source(SOURCE)
    result = materialize_source(NAMES_SPEC, fresh_database.url, *admin_assets, *AREA_ASSETS)
    assert result.success
    evaluation = _area_check(result)
    assert evaluation.passed
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert (meta["rows_naming_an_area"], meta["rows_resolved"]) == (155, 155)  # 2 all-"-" rows
    assert "CIPAYUNG | KAMPUNG MELAYU" in meta["parent_mismatches"]
    staged = fresh_database.read_frame(
        "SELECT * FROM staging.jakarta_test_area_names ORDER BY source_row")
    assert len(staged) == 157  # every row kept
    row = staged[staged["kelurahan"] == "MAKA"].iloc[0]
    assert (row["area_code"], row["area_level"], row["area_match"]) == (
        "31.75.08.1001", "kelurahan", "alias")
    assert staged["area_match"].value_counts().to_dict() == {"exact": 153, "alias": 2,
                                                             "placeholder": 2}


def test_area_check_fails_and_lists_unresolved_names_with_their_file(fresh_database):
    # derived: the real flood 2023 file with the kelurahan of its first 3 rows reversed
    # (Pluit -> tiulP): 3 of 155 named rows unresolved, 98.1 % < 99 %
    lines = (NAMES / "data-kejadian-bencana-banjir.csv").read_bytes().decode().split("\r\n")
    for i in (1, 2, 3):
        fields = lines[i].split(",")
        fields[4] = fields[4][::-1]
        lines[i] = ",".join(fields)
    _land(fresh_database, "\r\n".join(lines).encode(), "flood_garbled.csv")
    result = materialize_source(NAMES_SPEC, fresh_database.url, *build_source(SOURCE),
                                *AREA_ASSETS)
    evaluation = _area_check(result)
    assert not evaluation.passed
    assert "152 of 155 rows naming an area resolved (98.06% < 99%)" in evaluation.description
    unresolved = evaluation.metadata["unresolved"].value
    for name in ("tiulP", "adnuraM", "aleP tamarK"):
        assert f"| {name} |" in unresolved
    assert unresolved.count("flood_garbled.csv") == 3
