"""Berlin's residents in the core, held against the EWR seed files read with pandas.

The population sources, the area hierarchy and the two population tables are materialised
once (with every check) on a fresh database into which a second 2019 payload was landed first:
the Bezirk 01 excerpt of the whole 2019 file that the seed used to hold (rebuilt here from the
seed file, byte for byte as it was: header and Mitte rows, LF). The core must take one payload
per reference date (the whole file), never both.
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pytest

from smartchange_assets.berlin.population.source import SOURCE as POPULATION
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY
from smartchange_assets.core.population_totals import BERLIN_TOTAL_CHECK
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.resources import PortalResource, WarehouseResource

from ..conftest import new_database
from ..marts.conftest import materialize_upstream_of, planted_fault, run_check
from ..seed_files import seed_bytes, seed_entries

BERLIN = keys.BERLIN_CITY_KEY
WHOLE_2019 = "EWR201912E_Matrix.csv"
EXCERPT_2019_SHA = "6b07e9033001603013825da6911155e5728c4f5fa6a16a5a3d75ebb21c836d57"


def _excerpt_2019() -> bytes:
    lines = seed_bytes(POPULATION.source_id, WHOLE_2019).split(b"\r\n")
    excerpt = b"\n".join(lines[:42]) + b"\n"
    assert hashlib.sha256(excerpt).hexdigest() == EXCERPT_2019_SHA
    return excerpt


def _file_totals(name: str) -> pd.Series:
    """E_E per Bezirk (as an int 1-12) of a seed file, straight from pandas."""
    raw = pd.read_csv(io.BytesIO(seed_bytes(POPULATION.source_id, name)), sep=";", dtype=str)
    total = pd.to_numeric(raw["E_E"], errors="coerce")  # NA rows: no data
    return total.groupby(pd.to_numeric(raw["BEZ"]).astype(int)).sum().astype("int64")


@pytest.fixture(scope="module")
def wh(database_urls):
    from smartchange_assets.definitions import LOCATION

    with new_database(database_urls) as wh:
        LandingArchive(wh).land(POPULATION.source_id, _excerpt_2019(),
                                origin="test://ewr_EWR201912E_Matrix_bezirk01.csv",
                                landed_by="test", period_start=pd.Timestamp("2019-12-31").date(),
                                period_end=pd.Timestamp("2019-12-31").date())
        results = materialize_upstream_of(
            [DIM_KEY], LOCATION.assets, LOCATION.checks,
            {"warehouse": WarehouseResource(url=wh.url), "portal": PortalResource(mode="replay")})
        assert all(r.success for r in results)
        yield wh


def _population(wh, area_key: str) -> pd.DataFrame:
    return wh.read_frame("SELECT * FROM core.dim_area_population WHERE area_key = :k "
                         "ORDER BY reference_year", k=area_key).set_index("reference_year")


def test_berlin_per_year_is_the_register_total_of_each_whole_city_file(wh):
    berlin = _population(wh, BERLIN)
    files = {2014: "EWR201412E_Matrix.csv", 2016: "EWR201612E_Matrix.csv",
             2017: "EWR201712E_Matrix.csv", 2018: "EWR201812E_Matrix.csv",
             2019: WHOLE_2019, 2020: "EWR202012E_Matrix.csv"}
    for year, name in files.items():
        row = berlin.loc[year]
        assert row["complete"] and row["residents"] == _file_totals(name).sum(), year
        assert row["source_table"] == "ewr_matrix_lor_old" and row["method"] == "sum_of_parts"
    assert berlin.loc[2019, "residents"] == 3_769_495  # the published register total
    # 2024: only Mitte (the excerpt); 2025: two Planungsräume without data -> no total
    assert pd.isna(berlin.loc[2024, "residents"]) and berlin.loc[2024, "parts_complete"] == 49
    assert pd.isna(berlin.loc[2025, "residents"])
    assert (berlin.loc[2025, "parts_complete"], berlin.loc[2025, "parts_expected"]) == (540, 542)


def test_each_bezirk_per_year_is_its_sum_in_the_file(wh):
    got = wh.read_frame(
        "SELECT p.reference_year, a.code, p.residents, p.complete FROM "
        "core.dim_area_population p JOIN core.dim_area a USING (area_key) "
        "WHERE a.city = 'berlin' AND a.level = 'district'")
    for year, name in ((2014, "EWR201412E_Matrix.csv"), (2019, WHOLE_2019),
                       (2025, "EWR_L21_202512E_Matrix.csv")):
        rows = got[got["reference_year"] == year].assign(bez=lambda f: f["code"].astype(int))
        rows = rows.set_index("bez").sort_index()
        expected = _file_totals(name)
        incomplete = {3, 6} if year == 2025 else set()  # 03400831, 06200418 without data
        assert set(rows.index[~rows["complete"].astype(bool)]) == incomplete
        done = rows[rows["complete"].astype(bool)]
        assert done["residents"].astype("int64").to_dict() == expected.drop(
            list(incomplete)).to_dict()


def test_one_payload_per_reference_date_the_whole_file_not_the_excerpt(wh):
    recon = wh.read_frame("SELECT file_name, staged FROM raw.payload_reconciliation "
                          "WHERE source = :s", s=POPULATION.source_id)
    assert dict(zip(recon["file_name"], recon["staged"]))["ewr_EWR201912E_Matrix_bezirk01.csv"] \
        == 41  # landed and staged beside the whole file
    whole = next(e.sha256 for e in seed_entries(POPULATION.source_id) if e.file == WHOLE_2019)
    used = wh.read_frame("SELECT DISTINCT unnest(payload_sha256s) AS sha FROM "
                         "core.fact_population WHERE city = 'berlin' AND reference_year = 2019")
    assert used["sha"].tolist() == [whole]
    assert _population(wh, BERLIN).loc[2019, "payload_sha256s"] == [whole]


def test_the_totals_check_passes_and_names_a_planted_fault(wh):
    result = run_check(BERLIN_TOTAL_CHECK, wh)
    assert result.passed, result.description
    assert result.description.startswith("6 complete Berlin totals")
    # Mitte 2019 one resident more: no longer its payload's sum, nor Berlin's part
    with planted_fault(wh, BERLIN_TOTAL_CHECK,
                       "UPDATE core.dim_area_population SET residents = residents + 1 "
                       "WHERE area_key = 'berlin:LOR2021:01' AND reference_year = 2019",
                       "UPDATE core.dim_area_population SET residents = residents - 1 "
                       "WHERE area_key = 'berlin:LOR2021:01' AND reference_year = 2019"
                       ) as failed:
        assert "berlin:LOR2021:01 2019 (2019-12-31): 385749 residents, but its payload's " \
               "staged Planungsräume add up to 385748" in failed.description
        assert f"{BERLIN} 2019 (2019-12-31): residents 3769495 is not the sum of its " \
               "Bezirke (3769496)" in failed.metadata["problems"].value
    # a second payload behind Berlin's 2020 total
    with planted_fault(wh, BERLIN_TOTAL_CHECK,
                       "UPDATE core.dim_area_population SET payload_sha256s = "
                       "payload_sha256s || ARRAY['x'] WHERE area_key = :k AND "
                       "reference_year = 2020",
                       "UPDATE core.dim_area_population SET payload_sha256s = "
                       "array_remove(payload_sha256s, 'x') WHERE area_key = :k AND "
                       "reference_year = 2020", {"k": BERLIN}) as failed:
        assert "2 payloads behind one total" in failed.description
