"""The blocking ``plr_in_lor`` check of a Berlin source keyed by LOR 2021 Planungsraum.

A source staging Planungsraum ids (MSS, the IHK register, …) declares
``extra_checks=(plr_keys_check(...),)`` and lists the LOR staging table in ``extra_deps``. The
check, evaluated in Postgres on the version under audit:

* fails when a ``LOR2021`` key of the table is not a Planungsraum of LOR 2021 in
  ``staging.berlin_admin_areas`` (a key of the old scheme that looks alike is another area);
* with ``every_plr``, fails when a payload lists LOR 2021 keys but not all 542 Planungsräume
  (a table the publisher gives for every Planungsraum, cut short);
* with ``name_column``, reports (without failing) how many rows give a name other than the
  LOR name of their key, compared on letters and digits only: publishers abbreviate
  (``Stülerstr.``), so a differing name is a hint, the key decides.

Rows of other LOR versions are counted as not resolvable (no official crosswalk exists,
docs/sources/berlin-lor.md) and do not fail the check.
"""

from __future__ import annotations

import dagster as dg

from smartchange_assets.berlin.lor.parser import LOR_VERSION, PLR_LEVEL
from smartchange_assets.berlin.lor.source import SOURCE as LOR
from smartchange_assets.platform.audit import Audit, TableCheck

PLR_IN_LOR = "plr_in_lor"
SHOWN = 10


def _fold_sql(column: str) -> str:
    return f"lower(regexp_replace({column}, '[^[:alnum:]]', '', 'g'))"


def plr_keys_check(spec, code_column: str = "plr_code", version_column: str | None = None,
                   every_plr: bool = False, name_column: str | None = None) -> TableCheck:
    """``plr_in_lor`` for ``spec``'s staging table (``version_column`` NULL: every row is a
    LOR 2021 key)."""
    version = f's."{version_column}" = :v' if version_column else "TRUE"
    lor = (f"(SELECT DISTINCT code, name FROM {LOR.staging.qualified} "
           f"WHERE lor_version = :v AND level = :level)")

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        wh = audit.wh
        if not wh.table_exists(LOR.staging):
            return dg.AssetCheckResult(
                passed=False, severity=dg.AssetCheckSeverity.ERROR,
                description=f"{LOR.staging.label} does not exist: materialise "
                            f"{LOR.source_id} first")
        params = {"v": LOR_VERSION, "level": PLR_LEVEL}
        rel = audit.relation
        unresolved = wh.read_frame(
            f'SELECT s."{code_column}" AS code, count(*) AS rows FROM {rel} s '
            f'WHERE {version} AND s."{code_column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM {lor} l WHERE l.code = s."{code_column}") '
            f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {SHOWN}", **params)
        n_unresolved = int(wh.scalar(
            f'SELECT count(*) FROM {rel} s WHERE {version} AND s."{code_column}" IS NOT NULL '
            f'AND NOT EXISTS (SELECT 1 FROM {lor} l WHERE l.code = s."{code_column}")',
            **params))
        other = (int(wh.scalar(f'SELECT count(*) FROM {rel} s WHERE s."{version_column}" '
                               f"IS DISTINCT FROM :v", v=LOR_VERSION))
                 if version_column else 0)
        problems = []
        if n_unresolved:
            problems.append(f"{n_unresolved} row(s) with a {LOR_VERSION} key that is no "
                            f"Planungsraum of {LOR.staging.label}: "
                            + ", ".join(unresolved["code"].astype(str)))
        missing = {}
        if every_plr:
            short = wh.read_frame(
                f"SELECT s.payload_sha256, count(DISTINCT s.\"{code_column}\") AS listed, "
                f"(SELECT count(DISTINCT code) FROM {lor} l) AS expected "
                f"FROM {rel} s WHERE {version} GROUP BY 1", **params)
            short = short[short["listed"] < short["expected"]]
            missing = {r.payload_sha256[:12]: f"{r.listed} of {r.expected}"
                       for r in short.itertuples()}
            if missing:
                problems.append("payload(s) list only some Planungsräume: "
                                + "; ".join(f"{k}…: {v}" for k, v in missing.items()))
        metadata = {"unresolved_rows": dg.MetadataValue.int(n_unresolved),
                    "other_lor_version_rows": dg.MetadataValue.int(other)}
        if name_column:
            differ = f'{_fold_sql(f"s.{name_column}")} <> {_fold_sql("l.name")}'
            metadata["names_differing_from_lor"] = dg.MetadataValue.int(int(wh.scalar(
                f"SELECT count(*) FROM {rel} s JOIN {lor} l ON l.code = s.\"{code_column}\" "
                f"WHERE {version} AND {differ}", **params)))
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems) if problems else
            f"every {LOR_VERSION} key is a Planungsraum of {LOR.staging.label}"
            + (" and every payload lists all of them" if every_plr else ""),
            metadata=metadata)

    extra = " Every payload lists all Planungsräume." if every_plr else ""
    return TableCheck(
        spec.staging_key, PLR_IN_LOR,
        f"Every {LOR_VERSION} Planungsraum key ({code_column}) is a Planungsraum of "
        f"{LOR.staging.label}.{extra} Keys of another LOR version are counted, not resolved.",
        evaluate, blocking=True, reads=(LOR.staging_key,))
