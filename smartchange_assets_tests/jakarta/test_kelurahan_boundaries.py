"""The Jakarta kelurahan layer parser on the real seed zip, held against its DBF read without
GDAL, against the Kemendagri 2025 code list of jakarta/admin_areas, and on copies with a
planted fault (made up here, and said so)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from smartchange_assets.jakarta.kelurahan_boundaries.parser import parse_kelurahan_boundaries

from ..geo.shapefiles import dbf_rows, members, shx_records
from ..seed_files import seed_bytes

SOURCE = "jakarta/kelurahan_boundaries"
ZIP = "BATAS_DESA_DESEMBER_2019_DUKCAPIL_DKI_JAKARTA.zip"


@pytest.fixture(scope="module")
def dbf() -> list[dict]:
    return dbf_rows(members(seed_bytes(SOURCE, ZIP))["dbf"], "utf-8")


@pytest.fixture(scope="module")
def parsed():
    result = parse_kelurahan_boundaries(seed_bytes(SOURCE, ZIP), ZIP)
    result.reconcile()
    return result


def test_every_feature_is_staged_but_the_two_lakes(parsed, dbf):
    assert shx_records(members(seed_bytes(SOURCE, ZIP))["shx"]) == len(dbf) == 269
    assert parsed.source_rows == 269 and len(parsed.staged) == 267
    q = parsed.quarantine
    assert list(q["kind"]) == ["inconsistent"] * 2
    lakes = [r["DESA"] for r in dbf if r["KODE_DESA"] == "31888888"]
    assert sorted(lakes) == ["DANAU SUNTER", "DANAU SUNTER DLL"]
    assert q["reason"].str.contains("not a kelurahan: code '31888888'").all()


def test_codes_are_the_267_kelurahan_of_kemendagri_2025(parsed, dbf):
    rows = seed_bytes("jakarta/admin_areas",
                      "kemendagri_2025_wilayah_dki31_rows.sql.txt").decode("utf-8")
    kemendagri = {c: n for c, n in re.findall(r"\('([\d.]+)','([^']*)'\)", rows)
                  if len(c) == 13}
    staged = parsed.staged.set_index("code")
    assert set(staged.index) == set(kemendagri)
    assert all(staged.loc[c, "name"].replace(" ", "") == n.upper().replace(" ", "")
               for c, n in kemendagri.items())
    assert set(staged["kode_desa"]) == {r["KODE_DESA"] for r in dbf if len(r["KODE_DESA"]) == 10}


def test_residents_are_the_dbf_counts_dated_by_generated(parsed, dbf):
    published = {r["KODE_DESA"]: int(float(r["JUMLAH_PEN"])) for r in dbf}
    staged = parsed.staged.set_index("kode_desa")
    assert staged["residents"].to_dict() == {k: v for k, v in published.items()
                                            if k != "31888888"}
    assert staged["residents"].sum() == 11_011_862
    assert (staged["male"] + staged["female"] == staged["residents"]).all()
    assert {r["GENERATED"] for r in dbf if r["KODE_DESA"] != "31888888"} == {"30 Juni 2019"}
    assert {str(d) for d in staged["residents_reference_date"]} == {"2019-06-30"}
    keagungan = staged.loc["3173031006"]
    assert (keagungan["code"], keagungan["residents"], keagungan["households"]) == (
        "31.73.03.1006", 21_609, 7_255)


def test_areas_are_equal_area_and_near_the_published_ones(parsed):
    staged = parsed.staged
    assert set(staged["crs"]) == {"EPSG:4326"}
    assert staged["area_m2"].sum() / 1e6 == pytest.approx(652.88, abs=0.01)
    # LUAS_WILAY is km² to two decimals: within 0.005 km² or 5 % of ours for most kelurahan
    close = ((staged["area_m2"] / 1e6 - staged["area_published_km2"]).abs()
             <= (0.005 + 0.05 * staged["area_published_km2"]))
    assert close.mean() > 0.9


def _zip_with_dbf(patch) -> bytes:
    parts = members(seed_bytes(SOURCE, ZIP))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for suffix, data in parts.items():
            z.writestr(f"layer.{suffix}", patch(data) if suffix == "dbf" else data)
    return buffer.getvalue()


def test_a_count_that_does_not_add_up_is_quarantined():
    # made up: Keagungan's residents (2.16090000000e+004) changed in place to 21,610
    patched = _zip_with_dbf(lambda d: d.replace(b"2.16090000000e+004", b"2.16100000000e+004", 1))
    result = parse_kelurahan_boundaries(patched, "patched.zip")
    result.reconcile()
    bad = result.quarantine[result.quarantine["kind"] == "inconsistent"]
    assert bad["reason"].str.contains("!= residents 21610").any()
    assert "31.73.03.1006" not in set(result.staged["code"])
