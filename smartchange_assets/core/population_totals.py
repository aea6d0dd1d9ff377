"""Blocking ``berlin_total_is_sum_of_bezirke`` check of ``core.dim_area_population``.

Berlin's residents come from the EWR payloads in two steps (``core.fact_population``: one
payload per LOR version and reference date; ``core.dim_area_population``: summed up the area
hierarchy). The check holds every complete Berlin figure to its source, per payload and
reference date:

* a complete Bezirk or Berlin total rests on **one** payload (two payloads of one reference
  date, e.g. a whole-city file and an excerpt of it, would be counted twice or mixed), and
  equals the sum of the staged Planungsraum totals of that payload (the Bezirk's, or all);
* a complete Berlin total has all twelve Bezirke complete, of the same reference date and
  payload, and equals their sum (residents, male, female).

An incomplete total (NULL: a Planungsraum without data, an excerpt) is listed with its year but
not held to a sum. The query is ``population_totals.sql``; it returns one row per Berlin and
Bezirk row of the version under audit (a few hundred at most).
"""

import dagster as dg
import pandas as pd

from smartchange_assets.berlin.population.source import SOURCE as BERLIN_POPULATION
from smartchange_assets.core import keys
from smartchange_assets.core.area_population import DIM_KEY, DIM_TABLE
from smartchange_assets.core.dim_area import KEY as DIM_AREA_KEY
from smartchange_assets.core.dim_area import TABLE as DIM_AREA
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_files import bind, sql_file

CHECK_NAME = "berlin_total_is_sum_of_bezirke"

_PARAMS = bind(berlin=keys.BERLIN, city_level=keys.CITY, district_level=keys.DISTRICT)


def totals_sql(relation: str = DIM_TABLE.qualified) -> str:
    return sql_file(__file__, "population_totals.sql", area_population=relation,
                    dim_area=DIM_AREA.qualified,
                    berlin_staging=BERLIN_POPULATION.staging.qualified)


def _differs(a, b) -> bool:
    return pd.isna(a) or pd.isna(b) or int(a) != int(b)


def _n(value) -> str:
    """A count as read back (a float where the column has NULLs) written as an integer."""
    return "NULL" if pd.isna(value) else str(int(value))


def findings(rows: pd.DataFrame) -> list[str]:
    """What breaks the rule, one line per offending Berlin or Bezirk row."""
    problems = []
    for r in rows[rows["complete"].astype(bool)].itertuples():
        where = f"{r.area_key} {r.reference_year} ({r.reference_date})"
        if r.payloads != 1:
            problems.append(f"{where}: {r.payloads} payloads behind one total")
        elif _differs(r.residents, r.staged_residents):
            problems.append(f"{where}: {_n(r.residents)} residents, but its payload's "
                            f"staged Planungsräume add up to {_n(r.staged_residents)}")
        if r.level != keys.CITY:
            continue
        if r.bezirke_complete != r.bezirke_expected or r.bezirke != r.bezirke_expected:
            problems.append(f"{where}: complete, but {r.bezirke_complete} of "
                            f"{r.bezirke_expected} Bezirke are")
        for column in ("residents", "male", "female"):
            if _differs(getattr(r, column), getattr(r, f"bezirke_{column}")):
                problems.append(f"{where}: {column} {_n(getattr(r, column))} is not the sum "
                                f"of its Bezirke ({_n(getattr(r, f'bezirke_{column}'))})")
        if r.bezirke_reference_dates != 1 or r.bezirke_reference_date != r.reference_date:
            problems.append(f"{where}: its Bezirke count on {r.bezirke_reference_dates} "
                            "reference dates, not the total's")
        if not r.bezirke_same_payloads:
            problems.append(f"{where}: its Bezirke rest on other payloads than the total")
    return problems


def _evaluate(audit: Audit) -> dg.AssetCheckResult:
    wh = audit.wh
    rows = wh.read_frame(totals_sql(audit.relation), **_PARAMS)
    problems = findings(rows)
    files = wh.read_frame("SELECT DISTINCT ON (sha256) sha256 AS payload_sha256, file_name"
                          " FROM raw.landing_manifest WHERE source = :s ORDER BY sha256,"
                          " fetched_at", s=BERLIN_POPULATION.source_id)
    city = rows[rows["level"] == keys.CITY].merge(files, how="left", on="payload_sha256")
    shown = city[["reference_year", "reference_date", "complete", "residents",
                  "bezirke_residents", "staged_residents", "bezirke_complete", "file_name"]]
    return dg.AssetCheckResult(
        passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
        description=("; ".join(problems[:5]) if problems else
                     f"{int(city['complete'].sum())} complete Berlin totals, each the sum of "
                     "its 12 Bezirke and of its one payload's Planungsräume"),
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems)
                                                  or "none"),
                  "berlin_per_year": dg.MetadataValue.md(md_table(shown))})


BERLIN_TOTAL_CHECK = TableCheck(
    DIM_KEY, CHECK_NAME,
    "Every complete Berlin and Bezirk total in core.dim_area_population rests on one EWR "
    "payload per reference date and equals the sum of that payload's staged Planungsräume; "
    "a complete Berlin total equals the sum of its 12 Bezirke (residents, male, female).",
    _evaluate, reads=(DIM_AREA_KEY, BERLIN_POPULATION.staging_key))
