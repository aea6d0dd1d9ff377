"""The blocking ``report_consistency`` check of the construction report (evaluated in
Postgres on the version under audit; ``consistency.sql``):

* the ``insgesamt`` rows of the tables by economic branch (Tab6: the report month, Tab8: the
  report quarter) equal the time series of the same issue (Tab1–Tab3, Tab7);
* Hochbau + Tiefbau = insgesamt, Wohnungsbau + gewerbl./industr. + öffentl. Hochbau =
  Hochbau, gewerbl./industr. + Straßenbau + sonst. Tiefbau = Tiefbau, within :data:`TOLERANCE`
  (each published figure is rounded to a unit);
* an annual figure equals the sum (flows) or mean (stocks) of its twelve months, within
  :data:`ANNUAL_TOLERANCE`.

A misread column (a breakdown or measure taken for another) breaks these sums, so the check
guards the keyword reading of the headers as much as the publisher's arithmetic.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.sql_files import sql_file

REPORT_CONSISTENCY = "report_consistency"
TOLERANCE = 2.0         # three parts rounded to a unit each (observed: at most 1)
ANNUAL_TOLERANCE = 1.0  # annual sum / mean against its months (observed: within 0.5)


def report_consistency_check(spec) -> TableCheck:
    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        problems = audit.wh.read_frame(
            sql_file(__file__, "consistency.sql", relation=audit.relation),
            tolerance=TOLERANCE, annual_tolerance=ANNUAL_TOLERANCE)
        lines = [f"{r.report_month}: {r.problem}" for r in problems.itertuples()]
        return dg.AssetCheckResult(
            passed=not lines, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(lines[:3]) if lines else
            "totals by branch, breakdown sums and annual figures agree",
            metadata={"problems": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in lines) or "none")})

    return TableCheck(
        spec.staging_key, REPORT_CONSISTENCY,
        "The report's arithmetic holds: total rows by WZ 2008 = the time series of the same "
        f"issue; breakdowns add up (±{TOLERANCE:g}); annual figures = sum or mean of their "
        f"months (±{ANNUAL_TOLERANCE:g}).",
        evaluate, blocking=True)
