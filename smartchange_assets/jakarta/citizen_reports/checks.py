"""Blocking check: no staged text value of the CRM reports holds personal data.

The parser redacts every text value (text.py); this check re-reads what actually landed in
Postgres and runs the shared detector on it, so a future parser change that lets raw text
through stops the line instead of publishing it. (Berlin's citizen reports carry the same check
under the same name; the lead may move one shared version into the platform.)
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.platform import pii
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.spec import SourceSpec

PERSONAL_DATA_CHECK = "no_personal_data"


def text_columns(spec: SourceSpec) -> list[str]:
    return [c.name for c in spec.staging.columns
            if c.sql_type == "text" and c.name != "payload_sha256"]


def personal_data_kinds(value: str | None) -> list[str]:
    """The kinds of personal data the shared detector finds in one staged value."""
    return [kind for kind, _ in pii.find_pii(value)]


def personal_data_check(spec: SourceSpec) -> TableCheck:
    columns = text_columns(spec)

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        findings: dict[str, dict[str, int]] = {}
        for column in columns:
            values = wh.read_frame(f'SELECT DISTINCT "{column}" AS v FROM '
                                   f'{audit.relation} WHERE "{column}" IS NOT NULL')["v"]
            kinds: dict[str, int] = {}
            for value in values:
                for kind in personal_data_kinds(value):
                    kinds[kind] = kinds.get(kind, 0) + 1
            if kinds:
                findings[column] = kinds
        # metadata names columns and kinds only, never the values themselves
        return dg.AssetCheckResult(
            passed=not findings, severity=dg.AssetCheckSeverity.ERROR,
            description=("no personal data found" if not findings else
                         "personal data in " + ", ".join(
                             f"{c} ({', '.join(f'{n} {k}' for k, n in kinds.items())})"
                             for c, kinds in findings.items())),
            metadata={"columns_scanned": dg.MetadataValue.text(", ".join(columns)),
                      "findings": dg.MetadataValue.json(findings)})

    return TableCheck(
        spec.staging_key, PERSONAL_DATA_CHECK,
        ("No phone number, e-mail, NIK, licence plate, street address "
         f"or introduced name (platform.pii.find_pii) in "
         f"{', '.join(columns)}"),
        evaluate, blocking=True)
