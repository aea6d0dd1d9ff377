"""The ``payloads_agree`` check: do payloads holding the same month say the same thing?

The 2021 seed holds that year twice, as the satudata CSV download and as the satudata XLSX
download of the same table (docs/sources/jakarta-transjakarta.md §1, §5). Only one of them feeds
``core.fact_mobility_monthly`` (the CSV: ``core.mobility`` takes a month whole from one payload,
a spreadsheet export last), so a difference between them would go unseen. This check compares
every pair of payloads that hold a month, line for line on (month, row kind, route code) over
the months both hold: service type, route name, published code (outer spaces aside: the XLSX
writes ``1A `` where the CSV writes ``1A``) and passengers must be equal, and no line may be in
one payload only. It runs in Postgres and returns one summary row per
pair with at most 20 differing lines.

Severity WARN, not blocking: the fact's choice of payload does not depend on the outcome, and a
legitimate re-publication with corrections (a newer download of a month) also differs; what a
difference means needs a person.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.sql_files import Subquery, sql_file

CHECK_NAME = "payloads_agree"


def payloads_agree_check(spec) -> TableCheck:
    """Factory for ``SourceSpec.extra_checks``: the check on the spec's staging table."""

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        sql = sql_file(__file__, "payloads_agree.sql", staged=Subquery(audit.rows_sql))
        pairs = audit.wh.read_frame(sql, **audit.params)
        names = audit.wh.read_frame(
            "SELECT DISTINCT ON (sha256) sha256, file_name FROM raw.landing_manifest"
            " WHERE source = :s ORDER BY sha256, fetched_at", s=spec.source_id)
        file_of = dict(zip(names["sha256"], names["file_name"], strict=True))
        pairs = pairs.assign(
            file_a=pairs["payload_a"].map(lambda s: file_of.get(s, s[:12])),
            file_b=pairs["payload_b"].map(lambda s: file_of.get(s, s[:12])))
        bad = pairs[(pairs["lines_differ"] + pairs["only_in_a"] + pairs["only_in_b"]) > 0]
        shown = pairs[["file_a", "file_b", "months", "lines_agree", "lines_differ",
                       "only_in_a", "only_in_b"]]
        samples = [f"{r.file_a} / {r.file_b}: {'; '.join(r.sample)}"
                   for r in bad.itertuples() if r.sample]
        return dg.AssetCheckResult(
            passed=bad.empty,
            severity=dg.AssetCheckSeverity.WARN,
            description=(f"{len(pairs)} pair(s) of payloads share months; "
                         + (f"{len(bad)} disagree: " + " | ".join(samples) if len(bad) else
                            "every shared line agrees")),
            metadata={
                "pairs": dg.MetadataValue.int(len(pairs)),
                "pairs_disagreeing": dg.MetadataValue.int(len(bad)),
                "lines_compared": dg.MetadataValue.int(int(
                    pairs[["lines_agree", "lines_differ", "only_in_a", "only_in_b"]]
                    .to_numpy().sum())),
                "comparison": dg.MetadataValue.md(md_table(shown)),
            })

    return TableCheck(
        spec.staging_key, CHECK_NAME,
        ("Payloads holding the same month (the 2021 CSV and XLSX downloads) compared "
         "line for line: service type, route name, published code and passengers equal, "
         "no line in one payload only. Warns; the fact takes one payload per month."),
        evaluate, blocking=False)
