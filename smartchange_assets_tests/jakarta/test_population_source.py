"""jakarta/population through Dagster on a real Postgres, and the totals_agree comparisons on the
real seed files (and on faults derived from them, each saying which file it starts from)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from smartchange_assets.jakarta.population.source import COLUMNS, SOURCE
from smartchange_assets.jakarta.population.totals import (
    compare_totals,
    compare_totals_in,
    kota_key,
    totals_result,
)
from smartchange_assets.platform.landing import LandingArchive, sha256_of

from ..seed_files import seed_entries
from ..source_harness import check_results, materialize_source
from .test_population_parser import (
    BPS,
    DUKCAPIL_CSV,
    DUKCAPIL_XLSX,
    EXPECTED,
    SATUDATA,
    edit_line,
    parse,
    parsed,
    seed_bytes,
)

STAGING = SOURCE.staging_key.to_user_string()


def staged_like_the_warehouse(payloads: dict[str, bytes]) -> pd.DataFrame:
    """What the check reads: staged rows of each payload with its hash and file name."""
    frames = []
    for name, data in payloads.items():
        staged = parse(data, name).staged
        frames.append(staged.assign(payload_sha256=sha256_of(data), file_name=name))
    return pd.concat(frames, ignore_index=True)


SEED_PAYLOADS = {name: seed_bytes(name) for name in EXPECTED}


# --------------------------------------------------------------------------------------------
# totals_agree on the real files


def test_seed_files_agree_inside_rows_and_where_they_repeat_and_do_not_overlap():
    found = compare_totals(staged_like_the_warehouse(SEED_PAYLOADS))
    assert found["internal"].empty
    repeated = found["repeated"]
    # the Dukcapil CSV kept 5 of the XLSX's 8 Jakarta Utara bands for semester 1 2025
    assert sorted(repeated["age_band"]) == ["00-09", "20-29", "30-39", "50-59", "70+"]
    assert set(repeated["kota_name"]) == {"JAKARTA UTARA"}
    assert (repeated["difference"] == 0).all()
    # satudata 2013–2015, BPS 2017, Dukcapil 2024-12-31/2025-06-30: no common reference date
    assert found["cross_table"].empty
    result = totals_result(found)
    assert result.passed
    assert "nothing overlapped across tables" in result.description
    assert result.metadata["repeated_keys_compared"].value == 5
    assert result.metadata["cross_table_compared"].value == 0


def test_male_plus_female_not_total_fails_and_names_the_row():
    # derived from the real Dukcapil CSV: row 1's L 84168 -> 84169 (JML stays 163213)
    bad = edit_line(DUKCAPIL_CSV, 1, ",84168,", ",84169,")
    found = compare_totals(staged_like_the_warehouse({**SEED_PAYLOADS, "bad.csv": bad}))
    internal = found["internal"]
    assert len(internal) == 1
    first = internal.iloc[0]
    assert (first["file_name"], first["source_row"], first["difference"]) == ("bad.csv", 1, 1)
    # every key of the CSV now comes from two payloads; only 2024 JAKARTA PUSAT 10-19 differs
    repeated = found["repeated"]
    assert len(repeated) == 50
    differing = repeated[repeated["difference"] != 0]
    assert list(zip(differing["year"], differing["kota_name"], differing["age_band"],
                    differing["difference"])) == [(2024, "JAKARTA PUSAT", "10-19", 1)]
    result = totals_result(found)
    assert not result.passed
    assert result.description.startswith("1 row(s) where male + female != total")


def test_bps_against_dukcapil_when_the_years_meet():
    # derived from the real BPS file: its year line relabelled 2024, so it meets Dukcapil S2 2024
    bps_2024 = edit_line(BPS, 2, ",2017", ",2024")
    found = compare_totals(staged_like_the_warehouse({DUKCAPIL_CSV: seed_bytes(DUKCAPIL_CSV),
                                                      "bps-2024.csv": bps_2024}))
    cross = found["cross_table"].set_index("kota")
    assert set(cross["comparison"]) == {"dukcapil_semester_kota vs bps_kota_total"}
    # Kep Seribu is not in the Dukcapil sample; the five kota are, with 5 of 8 bands each
    assert sorted(cross.index) == ["JAKARTA BARAT", "JAKARTA PUSAT", "JAKARTA SELATAN",
                                   "JAKARTA TIMUR", "JAKARTA UTARA"]
    pusat = cross.loc["JAKARTA PUSAT"]
    assert pusat["value_left"] == 163213 + 80868 + 145935 + 42045 + 163817
    assert (pusat["rows_left"], pusat["value_right"], pusat["rows_right"]) == (5, 921344, 1)
    assert pusat["difference"] == pusat["value_left"] - 921344
    result = totals_result(found)
    assert result.passed  # cross-table differences are reported, never failed
    assert result.metadata["cross_table_differing"].value == 5


def test_satudata_kelurahan_sums_against_bps_kota_totals():
    # derived from the real BPS file: relabelled 2013 to meet the satudata 2013 rows
    bps_2013 = edit_line(BPS, 2, ",2017", ",2013")
    found = compare_totals(staged_like_the_warehouse({SATUDATA: seed_bytes(SATUDATA),
                                                      "bps-2013.csv": bps_2013}))
    cross = found["cross_table"]
    assert len(cross) == 6  # all six kab/kota, Kep Seribu matched across spellings
    satudata = parsed(SATUDATA).staged
    sums = satudata[satudata["year"] == 2013].groupby("kota_name")["residents"].sum()
    seribu = cross.set_index("kota").loc["KEPULAUAN SERIBU"]
    assert seribu["value_left"] == sums["KAB.ADM.KEP.SERIBU"]
    assert seribu["value_right"] == 23897
    assert int(cross["value_left"].sum()) == 12_933_757


def test_satudata_five_year_bands_are_summed_into_dukcapil_ten_year_bands():
    # derived from the real Dukcapil CSV: its semester-2 2024 rows relabelled 2013, semester 2
    relabelled = seed_bytes(DUKCAPIL_CSV).replace(b"\n2024,2,", b"\n2013,2,")
    found = compare_totals(staged_like_the_warehouse({SATUDATA: seed_bytes(SATUDATA),
                                                      "dukcapil-2013.csv": relabelled}))
    cross = found["cross_table"]
    cross = cross[cross["comparison"] == "satudata_age_sex_kelurahan vs dukcapil_semester_kota"]
    got = cross.set_index(["kota", "age_group", "sex"]).loc[("JAKARTA PUSAT", "00-09", "male")]
    satudata = parsed(SATUDATA).staged
    pusat = satudata[(satudata["year"] == 2013) & (satudata["kota_name"] == "JAKARTA PUSAT")
                     & (satudata["sex"] == "male")]
    assert got["value_left"] == pusat.loc[pusat["age_band"].isin(["00-04", "05-09"]),
                                          "residents"].sum()
    assert got["value_right"] == 75379  # the real L of 2024,2,71,JAKARTA PUSAT,00-09
    # 70+ gathers 70-74 and 75+; "all" and "total" roll up bands and sexes on both sides
    assert {"70+", "all"} <= set(cross["age_group"]) and set(cross["sex"]) == {
        "male", "female", "total"}


def test_an_empty_table_has_nothing_to_compare():
    empty = pd.DataFrame(columns=["payload_sha256", *(c.name for c in COLUMNS), "file_name"])
    result = totals_result(compare_totals(empty))
    assert result.passed and "nothing overlapped" in result.description


@pytest.mark.parametrize(("name", "key"), [
    ("KAB.ADM.KEP.SERIBU", "KEPULAUAN SERIBU"), ("Kep Seribu", "KEPULAUAN SERIBU"),
    ("Kota Administrasi Jakarta Utara ", "JAKARTA UTARA"), ("JAKARTA TIMUR", "JAKARTA TIMUR"),
    ("BOGOR", "BOGOR"),
])
def test_kota_key(name, key):
    assert kota_key(name) == key


# --------------------------------------------------------------------------------------------
# through Dagster on Postgres


def test_population_materialises_from_its_seed_with_green_checks(fresh_database):
    result = materialize_source(SOURCE, fresh_database.url)
    assert result.success
    checks = check_results(result, of=SOURCE.staging_key)
    assert checks == {f"{STAGING}:payload_reconciliation": True, f"{STAGING}:gx_suite": True,
                      f"{STAGING}:totals_agree": True, f"{STAGING}:area_resolution": True}
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=SOURCE.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(SOURCE.source_id)}
    counts = {r.file_name: (r.source_rows, r.staged, r.no_data, r.quarantined)
              for r in recon.itertuples()}
    assert counts == EXPECTED
    assert recon["error"].isna().all()
    staged = fresh_database.read_frame(f"SELECT * FROM {SOURCE.staging.qualified}")
    assert len(staged) == sum(e[1] for e in EXPECTED.values())
    assert set(staged["table_kind"]) == {"satudata_age_sex_kelurahan", "dukcapil_semester_kota",
                                         "bps_kota_total"}
    quarantine = fresh_database.read_frame(
        "SELECT kind, count(*) AS n FROM raw.quarantine WHERE source = :s GROUP BY kind",
        s=SOURCE.source_id)
    assert quarantine.set_index("kind")["n"].to_dict() == {"duplicate": 13_423}
    totals = next(e for e in result.get_asset_check_evaluations()
                  if e.check_name == "totals_agree")
    assert "nothing overlapped across tables" in totals.description


def test_a_payload_with_l_plus_p_not_jml_fails_totals_agree(fresh_database):
    # derived from the real Dukcapil CSV: row 1's L raised by one, landed next to the seed
    bad = edit_line(DUKCAPIL_CSV, 1, ",84168,", ",84169,")
    LandingArchive(fresh_database).land(
        SOURCE.source_id, bad, origin="test://penduduk_2024-2025-l-plus-one.csv",
        landed_by="test", file_name="penduduk_2024-2025-l-plus-one.csv",
        period_start=dt.date(2024, 7, 1), period_end=dt.date(2025, 6, 30))
    result = materialize_source(SOURCE, fresh_database.url)
    checks = check_results(result)
    assert checks[f"{STAGING}:payload_reconciliation"] is True
    assert checks[f"{STAGING}:gx_suite"] is True
    assert checks[f"{STAGING}:totals_agree"] is False
    totals = next(e for e in result.get_asset_check_evaluations()
                  if e.check_name == "totals_agree")
    assert totals.metadata["internal_inconsistencies"].value == 1
    assert "penduduk_2024-2025-l-plus-one.csv | 1 |" in totals.metadata["internal"].value


def test_xlsx_seed_payload_is_read_from_the_archive(fresh_database):
    # the archive hands the parser bytes and a file name; the XLSX must survive that path
    materialize_source(SOURCE, fresh_database.url)
    rows = fresh_database.read_frame(
        f"SELECT s.age_band, s.residents FROM {SOURCE.staging.qualified} s"
        " JOIN raw.landing_manifest m ON m.sha256 = s.payload_sha256"
        " WHERE m.file_name = :f ORDER BY s.source_row", f=DUKCAPIL_XLSX)
    assert list(rows["residents"]) == list(parsed(DUKCAPIL_XLSX).staged["residents"])


def test_the_warehouse_path_gives_the_same_comparisons_as_pandas(fresh_database):
    # the check reads only what each comparison needs (SQL filters and kota sums); on real
    # payloads and two derived ones (a relabelled BPS year that meets Dukcapil, one L + 1 row)
    # it must find exactly what the pandas functions find on the whole table
    payloads = {**SEED_PAYLOADS, "bps-2024.csv": edit_line(BPS, 2, ",2017", ",2024"),
                "l-plus-one.csv": edit_line(DUKCAPIL_CSV, 1, ",84168,", ",84169,")}
    archive = LandingArchive(fresh_database)
    for name, data in payloads.items():
        archive.land(SOURCE.source_id, data, origin=f"test://{name}", landed_by="test",
                     file_name=name)
    staged = staged_like_the_warehouse(payloads)
    # area columns are filled after staging by area resolution; the check does not read them
    fresh_database.replace_table(SOURCE.staging, staged.drop(columns=["file_name"]).assign(
        area_code=None, area_level=None, area_match="unresolved", area_note=None))
    from_sql = compare_totals_in(fresh_database, SOURCE.staging.qualified, SOURCE.source_id)
    from_pandas = compare_totals(staged)
    # the L + 1 copy repeats every key of the Dukcapil CSV, one of them with a difference
    assert len(from_sql["internal"]) == 1 and len(from_sql["repeated"]) > 5
    assert len(from_sql["cross_table"]) == 5  # the five kota of the Dukcapil sample
    for part in ("internal", "repeated", "cross_table"):
        # Postgres returns dates, pandas Timestamps: the same days either way
        got, want = (f.assign(**{c: pd.to_datetime(f[c]) for c in f.columns if "date" in c})
                     .sort_values(list(f.columns)[:6]).reset_index(drop=True)
                     for f in (from_sql[part], from_pandas[part]))
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_like=True,
                                      obj=part)
