"""Economy and welfare: measures from ``core.fact_economy``, ``core.fact_social_status`` and
``core.fact_businesses`` (docs/indicators.md, "Economy and welfare").

Five themes, each with its SQL beside it:

* ``economy_shares`` (``economy_share_measures.sql``): a part of a published total, e.g.
  manufacturing employment / all employment. Only rows that add up (``consistent``) count;
  a scope's share needs every area the statistic publishes inside it (coverage = areas with a
  consistent row / areas expected), so a kota whose education groups do not add up leaves the
  city's share NULL with the reason.
* ``economy_levels`` (``economy_level_measures.sql``): a published figure as it is (persons
  employed in construction, turnover, expenditure per capita) for the scope's own area. A year
  of a monthly series without its annual figure (``…`` until December) is NULL with the months
  published as coverage; months have their own rows.
* ``economy_kelurahan`` (``economy_kelurahan_measures.sql``): kelurahan with a property (PODES)
  / all kelurahan of the scope in ``core.dim_area``.
* ``social_status`` (``economy_status_measures.sql``): residents of Planungsräume with MSS
  status ``niedrig`` or ``sehr niedrig`` / all residents of the scope. Residents come from the
  population fact (EWR, LOR 2021 Planungsräume), from the year nearest to the MSS data year,
  within :data:`~smartchange_assets.marts.theme.MAX_POPULATION_GAP` years, preferring a year
  that counts every Planungsraum of the scope; coverage = Planungsräume with residents and an
  MSS row / Planungsräume of the scope.
* ``businesses`` (``economy_business_measures.sql``): IHK member businesses / residents ×
  1 000; a month per snapshot, a year from its latest snapshot; residents from
  ``core.dim_area_population`` as for the other rates. A figure resting on a payload that is
  not the whole register is flagged ``register_sample``.

Provenance travels as flags: ``third_party_rekeyed`` (BPS figures re-keyed by a repository
owner), ``third_party_transcription`` (typed from a PDF or an XLSX by a third party).
"""

import dagster as dg

from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY as AREA_POPULATION_KEY
from smartchange_assets.core.area_population import DIM_TABLE as AREA_POPULATION
from smartchange_assets.core.businesses import KEY as BUSINESSES_KEY
from smartchange_assets.core.businesses import TABLE as BUSINESSES
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.core.economy import (
    CONSTRUCTION_STATISTIC,
    CONSUMPTION_STATISTIC,
    EMPLOYMENT_STATISTIC,
    LABOUR_STATISTIC,
    PODES_STATISTIC,
)
from smartchange_assets.core.economy import KEY as ECONOMY_KEY
from smartchange_assets.core.economy import TABLE as ECONOMY
from smartchange_assets.core.population import EWR_LOR2021
from smartchange_assets.core.population import FACT_KEY as POPULATION_KEY
from smartchange_assets.core.population import FACT_TABLE as POPULATION
from smartchange_assets.core.social_status import KEY as SOCIAL_STATUS_KEY
from smartchange_assets.core.social_status import TABLE as SOCIAL_STATUS
from smartchange_assets.marts.scope import Scope
from smartchange_assets.marts.theme import (
    FULL,
    MAX_POPULATION_GAP,
    NOT_COMPARABLE,
    ONE_CITY,
    Indicator,
    Theme,
    YearSource,
)
from smartchange_assets.platform.sql_files import bind, sql_file

JAKARTA, BERLIN = (keys.JAKARTA,), (keys.BERLIN,)
SHARE = "share (0–1)"

_NO_BERLIN = ("Jakarta only, and for DKI as one province (no kota split): no Berlin file "
              "gives employment by sector (Berlin's labour proxies are relative indices: MSS "
              "z-scores, GSSA sub-index DI)")
_NO_BERLIN_KOTA = "Jakarta only: a BPS kab/kota table with no Berlin counterpart in the seed"
_NO_JAKARTA = ("Berlin only: no Jakarta UMKM / izin usaha (OSS) register per kota or kecamatan "
               "exists as a data file (REPORT: only news totals), so business counts have no "
               "Jakarta pair")
_CONSTRUCTION = ("Not comparable: different statistics (Jakarta: BPS Sakernas household survey, "
                 "everyone working in KBLI section F in August, DKI province; Berlin: the "
                 "establishment report of the main construction trade, establishments with 20+ "
                 "persons, annual average of months, the Land), different years covered "
                 "(Jakarta 2015–2023, Berlin from 2022), and finishing trades in Jakarta's "
                 "figure but not in Berlin's")
_TRANSCRIBED = ("third-party transcription of a BPS PDF (docs/sources/): check against the "
                "publication before citing")

INDICATORS = (
    Indicator("employment_share_agriculture", "Employment share: agriculture", SHARE,
              "ILO / ILOSTAT employment by economic activity, broad sector agriculture (ISIC "
              "Rev. 4 / KBLI 2015 section A)",
              "Employed persons in KBLI section A / all employed persons (BPS Sakernas, August "
              "round; DKI Jakarta as one province). Only years whose 17 sector groups add up "
              "to the published total.",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN, monthly=False),
    Indicator("employment_share_industry", "Employment share: industry", SHARE,
              "ILO / ILOSTAT employment by economic activity, broad sector industry (ISIC "
              "Rev. 4 sections B–F)",
              "Employed persons in KBLI sections B (mining), C (manufacturing), D, E (utilities) "
              "and F (construction) / all employed persons (BPS Sakernas, August; province).",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN, monthly=False),
    Indicator("employment_share_manufacturing", "Employment share: manufacturing", SHARE,
              "SDG 9.2.2 Manufacturing employment as a proportion of total employment (ISIC "
              "Rev. 4 section C)",
              "Employed persons in KBLI section C / all employed persons (BPS Sakernas, August; "
              "province).",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN, monthly=False),
    Indicator("employment_share_services", "Employment share: services", SHARE,
              "ILO / ILOSTAT employment by economic activity, broad sector services (ISIC "
              "Rev. 4 sections G–U)",
              "Employed persons in KBLI sections G to U (trade, transport, accommodation, "
              "information, finance, real estate, business services, public administration, "
              "education, health, other services) / all employed persons (Sakernas; province).",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN, monthly=False),
    Indicator("construction_employed_persons", "Persons employed in construction", "persons",
              "Jakarta: BPS Sakernas employed persons, KBLI section F; Berlin: Statistischer "
              "Bericht E II 1 – m, tätige Personen im Bauhauptgewerbe (Monatsberichtskreis)",
              "Jakarta: persons employed in construction (KBLI F) in the August survey, DKI "
              "province. Berlin: persons employed in the main construction trade "
              "(establishments with 20+ persons), monthly; the year is the publisher's annual "
              "average (published with the December issue).",
              "months", FULL, (keys.JAKARTA, keys.BERLIN), NOT_COMPARABLE, _CONSTRUCTION),
    Indicator("construction_turnover", "Construction turnover (main construction trade)",
              "EUR thousand",
              "Statistik Berlin-Brandenburg, Statistischer Bericht E II 1 – m: Gesamtumsatz im "
              "Bauhauptgewerbe",
              "Total turnover of the main construction trade (establishments with 20+ persons), "
              "EUR thousand as published; the year is the publisher's annual sum, a month the "
              "month's figure; a period restated by a later issue takes the latest.",
              "months", FULL, BERLIN, ONE_CITY, "Berlin only: no Jakarta construction "
              "turnover file"),
    Indicator("construction_new_orders", "Construction new orders (main construction trade)",
              "EUR thousand",
              "Statistik Berlin-Brandenburg, Statistischer Bericht E II 1 – m: Auftragseingang "
              "im Bauhauptgewerbe",
              "Value of new orders received by the main construction trade, EUR thousand; the "
              "year is the publisher's annual sum, a month the month's figure.",
              "months", FULL, BERLIN, ONE_CITY, "Berlin only: no Jakarta order statistics"),
    Indicator("labour_force_tertiary_share", "Labour force with tertiary education", SHARE,
              "ILO / ILOSTAT labour force by education (advanced level: diploma and "
              "university, ISCED 5–8)",
              "Labour force with a diploma (D I–IV) or university degree / labour force (BPS "
              "Keadaan Angkatan Kerja per kab/kota, re-keyed); the city sums its six kab/kota "
              "and needs each to add up (education groups = total).",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN_KOTA, monthly=False),
    Indicator("expenditure_per_capita_month", "Expenditure per capita per month",
              "IDR per capita per month",
              "BPS Susenas (Pola Konsumsi Penduduk): average monthly expenditure per capita",
              "Average expenditure per capita and month, Rupiah (units), per kab/kota; the city "
              "figure is BPS's own province average (not a sum). " + _TRANSCRIBED + ".",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN_KOTA, monthly=False),
    Indicator("kelurahan_share_permanent_market", "Kelurahan with a permanent market", SHARE,
              "BPS Potensi Kelurahan (PODES): kelurahan having a permanent market building",
              "Kelurahan reported as having a permanent market / kelurahan of the area "
              "(core.dim_area, Kemendagri 2025: 267 in DKI, as PODES 2024). " + _TRANSCRIBED
              + ".",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN_KOTA, monthly=False),
    Indicator("kelurahan_share_main_income_manufacturing",
              "Kelurahan living mainly from manufacturing", SHARE,
              "BPS Potensi Kelurahan (PODES): main income source of the majority of residents",
              "Kelurahan whose majority of residents live mainly from manufacturing / "
              "kelurahan of the area (core.dim_area). " + _TRANSCRIBED + ".",
              "areas", FULL, JAKARTA, ONE_CITY, _NO_BERLIN_KOTA, monthly=False),
    Indicator("social_status_low_share", "Residents in areas of low social status", SHARE,
              "Monitoring Soziale Stadtentwicklung Berlin (MSS): Status-Index classes "
              "'niedrig' and 'sehr niedrig' (unemployment, transfer payments, child poverty)",
              "Residents of the scope living in LOR 2021 Planungsräume whose MSS status class "
              "is 'niedrig' or 'sehr niedrig' / all residents of the scope. The year is the MSS "
              "data year (MSS 2021: 31.12.2020); residents from the EWR population fact in the "
              "nearest year (within 5) counting every Planungsraum (flag "
              "residents_year_differs when it is not the MSS year). Planungsräume without an "
              "index (< 300 residents) count as not low.",
              "areas", FULL, BERLIN, ONE_CITY, "Berlin only: a relative index of Berlin's "
              "Planungsräume (z-scores against the Berlin mean); Jakarta has no such "
              "monitoring"),
    Indicator("businesses_per_1000", "IHK member businesses per 1 000 residents",
              "businesses per 1 000 residents",
              "IHK Berlin Gewerbedaten (member-business register, a stock); own definition",
              "IHK member businesses (head offices and branches) placed in the scope by their "
              "LOR Planungsraum id at the snapshot month / residents of the scope in the "
              "nearest year (within 5) with a complete count × 1 000. A year takes its latest "
              "snapshot. Flag register_sample: the payload is not the register (the seed is "
              "the IHK's schema sample of 30 rows), so the figure shows the pipeline, not "
              "Berlin.",
              "areas", FULL, BERLIN, ONE_CITY, _NO_JAKARTA),
)

# share indicators: (statistic, measure, numerator breakdowns, denominator breakdown)
SHARES = {
    "employment_share_agriculture": (EMPLOYMENT_STATISTIC, "employed_persons", ("kbli_a",),
                                     "total"),
    "employment_share_industry": (EMPLOYMENT_STATISTIC, "employed_persons",
                                  ("kbli_b", "kbli_c", "kbli_d", "kbli_e", "kbli_f"), "total"),
    "employment_share_manufacturing": (EMPLOYMENT_STATISTIC, "employed_persons", ("kbli_c",),
                                       "total"),
    "employment_share_services": (EMPLOYMENT_STATISTIC, "employed_persons",
                                  ("kbli_g", "kbli_h", "kbli_i", "kbli_j", "kbli_k", "kbli_l",
                                   "kbli_mn", "kbli_o", "kbli_p", "kbli_q", "kbli_rstu"),
                                  "total"),
    "labour_force_tertiary_share": (LABOUR_STATISTIC, "labour_force", ("lf_tertiary",),
                                    "lf_total"),
}
# level indicators: the observations each city's figure is (statistic, sector, measure,
# breakdown, the aggregation of a year's figure)
LEVELS = {
    "construction_employed_persons": [
        (keys.JAKARTA, EMPLOYMENT_STATISTIC, "all", "employed_persons", "kbli_f", "level"),
        (keys.BERLIN, CONSTRUCTION_STATISTIC, "bauhauptgewerbe", "persons_employed", "total",
         "annual_average")],
    "construction_turnover": [
        (keys.BERLIN, CONSTRUCTION_STATISTIC, "bauhauptgewerbe", "turnover_total", "total",
         "annual_sum")],
    "construction_new_orders": [
        (keys.BERLIN, CONSTRUCTION_STATISTIC, "bauhauptgewerbe", "new_orders", "total",
         "annual_sum")],
    "expenditure_per_capita_month": [
        (keys.JAKARTA, CONSUMPTION_STATISTIC, "all", "expenditure_per_capita_month", "total",
         "level")],
}
# kelurahan shares: the Potensi Kelurahan measure counted
KELURAHAN = {"kelurahan_share_permanent_market": "has_permanent_market",
             "kelurahan_share_main_income_manufacturing": "main_income_manufacturing"}
LOW_STATUS = "social_status_low_share"
BUSINESSES_PER_1000 = "businesses_per_1000"
PROVENANCE_FLAGS = {"third_party_rekeyed": "third_party_rekeyed",
                    "third_party_transcription": "third_party_transcription"}


def _by(codes) -> tuple[Indicator, ...]:
    return tuple(i for i in INDICATORS if i.code in codes)


def _dep(key: dg.AssetKey, column: str) -> dg.TableColumnDep:
    return dg.TableColumnDep(asset_key=key, column_name=column)


def share_measures(scope: Scope) -> str:
    return sql_file(__file__, "economy_share_measures.sql", fact_economy=ECONOMY.qualified,
                    dim_area=DIM_AREA.qualified, area_key=scope.area_key)


def level_measures(scope: Scope) -> str:
    return sql_file(__file__, "economy_level_measures.sql", fact_economy=ECONOMY.qualified,
                    dim_area=DIM_AREA.qualified, area_key=scope.area_key)


def kelurahan_measures(scope: Scope) -> str:
    return sql_file(__file__, "economy_kelurahan_measures.sql", fact_economy=ECONOMY.qualified,
                    dim_area=DIM_AREA.qualified, area_key=scope.area_key)


def status_measures(scope: Scope) -> str:
    return sql_file(__file__, "economy_status_measures.sql",
                    social_status=SOCIAL_STATUS.qualified, population=POPULATION.qualified,
                    dim_area=DIM_AREA.qualified, area_key=scope.area_key)


def business_measures(scope: Scope) -> str:
    return sql_file(__file__, "economy_business_measures.sql", businesses=BUSINESSES.qualified,
                    area_population=AREA_POPULATION.qualified, dim_area=DIM_AREA.qualified,
                    area_key=scope.area_key)


_ECONOMY_LINEAGE = {
    "scope_key": (_dep(ECONOMY_KEY, "area_key"),),
    "value": (_dep(ECONOMY_KEY, "value"),),
    "numerator": (_dep(ECONOMY_KEY, "value"),),
    "denominator": (_dep(ECONOMY_KEY, "value"), _dep(DIM_AREA_KEY, "level")),
    "coverage": (_dep(ECONOMY_KEY, "consistent"), _dep(ECONOMY_KEY, "period_type")),
    "flags": (_dep(ECONOMY_KEY, "provenance"),),
    "payload_sha256s": (_dep(ECONOMY_KEY, "payload_sha256s"),),
}
_ECONOMY_YEARS = (YearSource(ECONOMY, year_column="year"),)
_PROVENANCE = bind(economy_provenance_flags=PROVENANCE_FLAGS)

ECONOMY_SHARES = Theme(
    name="economy_shares",
    indicators=_by(SHARES),
    measures=share_measures,
    params=bind(economy_shares={code: {"statistic": s, "measure": m, "numerator": list(n),
                                       "denominator": d}
                                for code, (s, m, n, d) in SHARES.items()},
                **_PROVENANCE),
    fact_deps=(ECONOMY_KEY, DIM_AREA_KEY),
    year_sources=_ECONOMY_YEARS,
    lineage=_ECONOMY_LINEAGE,
)

ECONOMY_LEVELS = Theme(
    name="economy_levels",
    indicators=_by(LEVELS),
    measures=level_measures,
    params=bind(economy_levels={code: [{"city": c, "statistic": s, "sector": sec, "measure": m,
                                        "breakdown": b, "year_aggregation": a}
                                       for c, s, sec, m, b, a in rows]
                                for code, rows in LEVELS.items()},
                **_PROVENANCE),
    fact_deps=(ECONOMY_KEY, DIM_AREA_KEY),
    year_sources=_ECONOMY_YEARS,
    lineage=_ECONOMY_LINEAGE,
)

ECONOMY_KELURAHAN = Theme(
    name="economy_kelurahan",
    indicators=_by(KELURAHAN),
    measures=kelurahan_measures,
    params=bind(economy_kelurahan=KELURAHAN, economy_podes=PODES_STATISTIC,
                economy_unit_level=keys.UNIT, **_PROVENANCE),
    fact_deps=(ECONOMY_KEY, DIM_AREA_KEY),
    year_sources=_ECONOMY_YEARS,
    lineage=_ECONOMY_LINEAGE,
)

SOCIAL_STATUS_THEME = Theme(
    name="social_status",
    indicators=_by((LOW_STATUS,)),
    measures=status_measures,
    params=bind(economy_low_status=LOW_STATUS, economy_ewr_lor2021=EWR_LOR2021,
                economy_unit_level=keys.UNIT, berlin=keys.BERLIN,
                max_population_gap=MAX_POPULATION_GAP),
    fact_deps=(SOCIAL_STATUS_KEY, POPULATION_KEY, DIM_AREA_KEY),
    year_sources=(YearSource(SOCIAL_STATUS, year_column="reference_year"),),
    lineage={
        "scope_key": (_dep(SOCIAL_STATUS_KEY, "district_key"),),
        "value": (_dep(SOCIAL_STATUS_KEY, "low_status"), _dep(POPULATION_KEY, "residents")),
        "numerator": (_dep(SOCIAL_STATUS_KEY, "low_status"), _dep(POPULATION_KEY, "residents")),
        "denominator": (_dep(POPULATION_KEY, "residents"),),
        "coverage": (_dep(POPULATION_KEY, "complete"), _dep(DIM_AREA_KEY, "level")),
        "population_year": (_dep(POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(SOCIAL_STATUS_KEY, "payload_sha256"),
                            _dep(POPULATION_KEY, "payload_sha256s")),
    },
)

BUSINESSES_THEME = Theme(
    name="businesses",
    indicators=_by((BUSINESSES_PER_1000,)),
    measures=business_measures,
    params=bind(economy_businesses=BUSINESSES_PER_1000, berlin=keys.BERLIN,
                max_population_gap=MAX_POPULATION_GAP),
    fact_deps=(BUSINESSES_KEY, AREA_POPULATION_KEY, DIM_AREA_KEY),
    year_sources=(YearSource(BUSINESSES, year_column="year"),),
    lineage={
        "scope_key": (_dep(BUSINESSES_KEY, "district_key"),),
        "value": (_dep(BUSINESSES_KEY, "businesses"), _dep(AREA_POPULATION_KEY, "residents")),
        "numerator": (_dep(BUSINESSES_KEY, "businesses"),),
        "denominator": (_dep(AREA_POPULATION_KEY, "residents"),),
        "flags": (_dep(BUSINESSES_KEY, "register_sample"),),
        "population_year": (_dep(AREA_POPULATION_KEY, "reference_year"),),
        "payload_sha256s": (_dep(BUSINESSES_KEY, "payload_sha256"),
                            _dep(AREA_POPULATION_KEY, "payload_sha256s")),
    },
)
