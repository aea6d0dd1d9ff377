"""The Jakarta economy parsers (BPS employment by sector, labour force by education, Potensi
Kelurahan and expenditure tables) on their real seed files, held against pandas readings of
the same files, and on copies with one planted change each."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from smartchange_assets.jakarta.consumption.parser import parse_consumption
from smartchange_assets.jakarta.consumption.source import SOURCE as CONSUMPTION
from smartchange_assets.jakarta.employment.parser import SECTORS, parse_employment
from smartchange_assets.jakarta.employment.source import SOURCE as EMPLOYMENT
from smartchange_assets.jakarta.labour_force.parser import parse_labour_force
from smartchange_assets.jakarta.labour_force.source import SOURCE as LABOUR
from smartchange_assets.jakarta.potensi_kelurahan.parser import parse_potensi_kelurahan
from smartchange_assets.jakarta.potensi_kelurahan.source import SOURCE as PODES
from smartchange_assets.platform.parsing import INCONSISTENT, ParseError

from ..seed_files import seed_bytes, seed_path

EMP = "emp_prov_sect17_2015-2023.xlsx"
LF = "idbt_district_lf_educ.csv"
INCOME = "bps_potensi_kelurahan_2024_profil_penghasilan_utama.csv"
FACILITIES = "bps_potensi_kelurahan_2024_sarana_ekonomi_kelurahan.csv"
SPENDING = "bps_pola_konsumsi_2024_pengeluaran_per_kapita_wilayah.csv"


def employment_frame() -> pd.DataFrame:
    return pd.read_excel(seed_path(EMPLOYMENT.source_id, EMP))


def test_employment_seed_stages_every_province_year_as_pandas_reads_it():
    result = parse_employment(seed_bytes(EMPLOYMENT.source_id, EMP), EMP)
    frame = employment_frame()
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (306, 306, 0)
    dki = result.staged[result.staged["prov_code"] == "31"].set_index("year")
    want = frame[frame["prov_kode"] == 31].set_index("year")
    assert dki.loc[2023, "total"] == want.loc[2023, "bekerja_total"] == 5_072_737
    assert dki.loc[2023, "kbli_c"] == want.loc[2023, "bekerja_mfg"] == 562_017
    for staged, (published, _) in SECTORS.items():
        assert dki[staged].tolist() == want[published].tolist()
    sums = frame[[p for p, _ in SECTORS.values()]].sum(axis=1)
    assert int((sums != frame["bekerja_total"]).sum()) == 13 == \
        int((~result.staged["sectors_sum_to_total"]).sum())
    assert dki["sectors_sum_to_total"].all()


def test_employment_csv_reexport_in_another_order_reads_the_same():
    frame = employment_frame()
    # planted: a CSV re-export with prov_nama first and ';' as delimiter
    cols = ["prov_nama", *[c for c in frame.columns if c != "prov_nama"]]
    data = frame[cols].to_csv(sep=";", index=False).encode()
    original = parse_employment(seed_bytes(EMPLOYMENT.source_id, EMP), EMP).staged
    pd.testing.assert_frame_equal(parse_employment(data, "emp.csv").staged, original)


def test_employment_nine_sector_layout_is_refused_naming_the_column():
    frame = employment_frame()
    # planted: the 9-sector file's column names (KBLI 2009 grouping)
    renamed = frame.rename(columns={"bekerja_agr": "bekerja_agri", "bekerja_mfg":
                                    "bekerja_manuf", "bekerja_fin": "bekerja_finance"})
    buffer = io.BytesIO()
    renamed.to_excel(buffer, index=False)
    with pytest.raises(ParseError) as err:
        parse_employment(buffer.getvalue(), "emp_prov_sect9.xlsx")
    assert err.value.column == "bekerja_agri" and "9-sector" in err.value.message


def test_labour_force_seed_against_pandas():
    result = parse_labour_force(seed_bytes(LABOUR.source_id, LF), LF)
    frame = pd.read_csv(seed_path(LABOUR.source_id, LF), dtype={"kabkot_kode": str})
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (423, 423, 0)
    dki = result.staged[result.staged["prov_code"] == "31"].set_index("bps_code")
    want = frame[frame["prov"] == 31].set_index("kabkot_kode")
    assert sorted(dki.index) == ["3101", "3171", "3172", "3173", "3174", "3175"]
    assert dki["lf_tertiary"].to_dict() == want["lf_tert"].to_dict()
    assert dki["lf_total"].to_dict() == want["lf"].to_dict()
    groups = want[["lf_non", "lf_sd", "lf_smp", "lf_sma", "lf_tert"]].sum(axis=1)
    assert dki["groups_sum_to_total"].to_dict() == (groups == want["lf"]).to_dict()
    assert not dki.loc["3101", "groups_sum_to_total"]  # Kepulauan Seribu: 9 843 of 10 779


def test_labour_force_code_outside_its_province_is_quarantined():
    text = seed_bytes(LABOUR.source_id, LF).decode()
    # planted: Jakarta Selatan's row says province 32
    text = text.replace("Kota Jakarta Selatan,3171,31,", "Kota Jakarta Selatan,3171,32,")
    result = parse_labour_force(text.encode(), LF)
    bad = result.quarantine.iloc[0]
    assert (bad["kind"], bad["column_name"]) == (INCONSISTENT, "kabkot_kode")
    assert "not in province 32" in bad["reason"]


@pytest.mark.parametrize("name", [INCOME, FACILITIES])
def test_potensi_kelurahan_tables_stage_one_record_per_cell(name):
    result = parse_potensi_kelurahan(seed_bytes(PODES.source_id, name), name)
    frame = pd.read_csv(seed_path(PODES.source_id, name))
    measures = frame.columns[1:]
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (
        7 * len(measures), 7 * len(measures), 0)
    total = result.staged[result.staged["level"] == "province"]
    assert total["row_label"].unique().tolist() == [frame.iloc[-1, 0]]
    assert total["kelurahan"].tolist() == frame.iloc[:-1, 1:].sum().tolist() \
        == frame.iloc[-1, 1:].tolist()
    assert total["kota_name"].isna().all()


def test_potensi_kelurahan_total_that_is_not_the_sum_is_quarantined():
    text = seed_bytes(PODES.source_id, FACILITIES).decode()
    # planted: the total row's permanent markets 158 -> 160
    text = text.replace("DKI Jakarta,218,158,", "DKI Jakarta,218,160,")
    result = parse_potensi_kelurahan(text.encode(), FACILITIES)
    bad = result.quarantine.iloc[0]
    assert (bad["kind"], bad["column_name"]) == (INCONSISTENT, "pasar_permanen")
    assert "not the sum" in bad["reason"] and len(result.staged) == 27


def test_potensi_kelurahan_unknown_column_is_refused():
    text = seed_bytes(PODES.source_id, INCOME).decode()
    # planted: a fifth sector column the parser does not know
    lines = text.split("\r\n")
    lines = [lines[0] + ",jasa", *[line + ",1" for line in lines[1:] if line]]
    with pytest.raises(ParseError) as err:
        parse_potensi_kelurahan("\r\n".join(lines).encode(), INCOME)
    assert err.value.column == "jasa"


def test_consumption_records_per_kota_and_year_against_pandas():
    result = parse_consumption(seed_bytes(CONSUMPTION.source_id, SPENDING), SPENDING)
    frame = pd.read_csv(seed_path(CONSUMPTION.source_id, SPENDING))
    assert (result.source_rows, len(result.staged), len(result.quarantine)) == (14, 14, 0)
    staged = result.staged.set_index(["row_label", "year"])["expenditure_rp"]
    for row in frame.itertuples(index=False):
        assert staged[(row.kabupaten_kota, 2023)] == row.pengeluaran_2023_rp
        assert staged[(row.kabupaten_kota, 2024)] == row.pengeluaran_2024_rp
    province = result.staged[result.staged["level"] == "province"]
    assert province["row_label"].unique().tolist() == ["Rata-rata DKI Jakarta"]


def test_consumption_average_outside_the_kota_range_is_quarantined():
    text = seed_bytes(CONSUMPTION.source_id, SPENDING).decode()
    # planted: the province average of 2024 written as a sum would be
    text = text.replace("Rata-rata DKI Jakarta,2791716,2794485",
                        "Rata-rata DKI Jakarta,2791716,15348895")
    result = parse_consumption(text.encode(), SPENDING)
    bad = result.quarantine.iloc[0]
    assert (bad["kind"], bad["column_name"]) == (INCONSISTENT, "pengeluaran_2024_rp")
