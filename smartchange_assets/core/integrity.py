"""Blocking ``integrity`` checks: referential integrity and row rules, evaluated in Postgres.

A core or mart table declares

* :class:`Reference` s – its key columns must exist in a parent table (``dim_area``,
  ``dim_date``, ``dim_station``), optionally with an extra condition on the pair (a parent one
  level up, a district-level area); NULLs are not references;
* :class:`Rule` s – a SQL condition every row must meet (a value consistent with its
  numerator and denominator, a NULL value that says why).

:func:`integrity_check` turns them into one blocking check, run by the asset that writes the
table on the version it just wrote, before that is published (platform/audit.py). The parent
assets become ``additional_deps`` of the check, so in a run the check waits for the dimensions
it reads without the table depending on them. The check lists every broken reference and rule
with its row count and a few examples (a bounded sample: never the whole table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
import pandas as pd

from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.tables import TableSpec

INTEGRITY_CHECK = "integrity"
EXAMPLES = 5
SAMPLE = 20  # offending values or rows read back per reference or rule


@dataclass(frozen=True)
class Reference:
    """``child.columns`` must match ``parent.parent_columns`` (aliases ``c`` and ``p``)."""

    columns: tuple[str, ...]
    parent: TableSpec
    parent_columns: tuple[str, ...]
    parent_key: dg.AssetKey
    condition: str | None = None  # extra SQL on c and p, e.g. "p.level = 'district'"
    note: str | None = None

    @property
    def label(self) -> str:
        extra = f" where {self.note}" if self.note else ""
        return (f"{', '.join(self.columns)} -> {self.parent.label}"
                f"({', '.join(self.parent_columns)}){extra}")


@dataclass(frozen=True)
class Rule:
    """Every row of the table satisfies ``condition`` (SQL on alias ``c``)."""

    name: str
    condition: str
    shown: tuple[str, ...]  # columns to show for offending rows


def _as_tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def references(columns: str | Sequence[str], parent: TableSpec,
               parent_columns: str | Sequence[str], parent_key: dg.AssetKey,
               condition: str | None = None, note: str | None = None) -> Reference:
    return Reference(_as_tuple(columns), parent, _as_tuple(parent_columns), parent_key,
                     condition, note)


def orphans_sql(child: TableSpec, ref: Reference, relation: str | None = None) -> str:
    """SQL: the child's values that have no parent, with their row counts (``relation``: the
    version of the child under audit; a reference to the child itself reads it too)."""
    relation = relation or child.qualified
    parent = relation if ref.parent == child else ref.parent.qualified
    match = " AND ".join(f'p."{pc}" = c."{cc}"' for cc, pc in zip(ref.columns, ref.parent_columns,
                                                                   strict=True))
    if ref.condition:
        match += f" AND ({ref.condition})"
    present = " AND ".join(f'c."{cc}" IS NOT NULL' for cc in ref.columns)
    cols = ", ".join(f'c."{cc}"' for cc in ref.columns)
    return (f"SELECT {cols}, count(*) AS rows FROM {relation} c WHERE {present} "
            f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match}) "
            f"GROUP BY {cols} ORDER BY rows DESC, {cols} LIMIT {SAMPLE}")


def breaches_sql(child: TableSpec, rule: Rule, relation: str | None = None) -> str:
    """SQL: a sample of the rows breaking ``rule``, each with the number of all of them."""
    cols = ", ".join(f'c."{c}"' for c in rule.shown)
    return (f"SELECT {cols}, count(*) OVER () AS breaking FROM {relation or child.qualified} c "
            f"WHERE NOT coalesce(({rule.condition}), false) LIMIT {SAMPLE}")


@dataclass
class Findings:
    orphans: dict[str, pd.DataFrame]
    breaches: dict[str, pd.DataFrame]
    missing_tables: list[str]

    @property
    def problems(self) -> list[str]:
        found = [f"{t} does not exist" for t in self.missing_tables]
        for label, frame in self.orphans.items():
            if len(frame):
                values = "; ".join(", ".join(str(v) for v in row[:-1])
                                   for row in frame.head(EXAMPLES).itertuples(index=False))
                found.append(f"{int(frame['rows'].sum())} row(s) break {label}: {values}")
        for name, frame in self.breaches.items():
            if len(frame):
                example = frame.drop(columns="breaking").head(1).to_dict("records")[0]
                found.append(f"{int(frame['breaking'].iloc[0])} row(s) break rule {name}, "
                             f"e.g. {example}")
        return found


def find_problems(wh, child: TableSpec, refs: Sequence[Reference],
                  rules: Sequence[Rule], relation: str | None = None) -> Findings:
    """Evaluate every reference and rule of ``child`` (the version ``relation``, by default
    the live table) on the warehouse."""
    parents = {r.parent for r in refs if r.parent != child}
    missing = sorted(t.label for t in parents if not wh.table_exists(t))
    if relation is None and not wh.table_exists(child):
        missing.append(child.label)
    if missing:
        return Findings({}, {}, missing)
    orphans = {ref.label: wh.read_frame(orphans_sql(child, ref, relation)) for ref in refs}
    breaches = {rule.name: wh.read_frame(breaches_sql(child, rule, relation))
                for rule in rules}
    return Findings(orphans, breaches, [])


def integrity_check(asset_key: dg.AssetKey, child: TableSpec, refs: Sequence[Reference] = (),
                    rules: Sequence[Rule] = ()) -> TableCheck:
    """The blocking ``integrity`` check of ``child`` (the table of ``asset_key``)."""
    parents = tuple(sorted({r.parent_key for r in refs if r.parent_key != asset_key},
                           key=lambda k: k.to_user_string()))
    described = [f"references: {r.label}" for r in refs] + [f"rule {r.name}: {r.condition}"
                                                           for r in rules]

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        findings = find_problems(audit.wh, child, refs, rules, audit.relation)
        problems = findings.problems
        summary = {**{f"references {k}": int(v["rows"].sum()) if len(v) else 0
                      for k, v in findings.orphans.items()},
                   **{f"rule {k}": int(v["breaking"].iloc[0]) if len(v) else 0
                      for k, v in findings.breaches.items()}}
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems[:5]) if problems else
            f"{len(refs)} reference(s) and {len(rules)} rule(s) hold",
            metadata={"offending_rows": dg.MetadataValue.json(summary),
                      "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems)
                                                      or "none")})

    return TableCheck(asset_key, INTEGRITY_CHECK, f"{child.label}: " + "; ".join(described),
                      evaluate, reads=parents)
