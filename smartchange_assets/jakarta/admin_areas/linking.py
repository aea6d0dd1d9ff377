"""Give any Jakarta source an area code: columns, transform, dependencies and check.

A source with kota/kecamatan/kelurahan names adds four things to its ``SourceSpec``::

    from smartchange_assets.jakarta.admin_areas.linking import (
        AREA_COLUMNS, AREA_DEPS, area_resolution_check, area_transform)

    COLUMNS = [..., *AREA_COLUMNS]
    SOURCE = SourceSpec(...,
        transform=area_transform("wilayah", "kecamatan", "kelurahan"),  # None where absent
        extra_deps=AREA_DEPS,
        extra_checks=(area_resolution_check,))

The transform reads the Kemendagri areas and the alias table from the warehouse, resolves each
distinct name triple once (:class:`~smartchange_assets.jakarta.admin_areas.resolver.AreaIndex`) and
adds the area columns to every row; it never drops a row. The check fails when fewer than
:data:`MIN_RESOLVED_SHARE` of the rows that name an area resolved, and lists every unresolved
name with its payload file and row count.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import pandas as pd

from smartchange_assets.jakarta.admin_areas.aliases import ALIASES_KEY
from smartchange_assets.jakarta.admin_areas.aliases import TABLE as ALIAS_TABLE
from smartchange_assets.jakarta.admin_areas.codes import KEMENDAGRI
from smartchange_assets.jakarta.admin_areas.resolver import (
    METHODS,
    PARENT_MISMATCH,
    PLACEHOLDER,
    RESOLVED_METHODS,
    UNRESOLVED,
    AreaIndex,
)
from smartchange_assets.jakarta.admin_areas.source import SOURCE as ADMIN_AREAS
from smartchange_assets.platform.audit import Audit, TableCheck
from smartchange_assets.platform.tables import Column

AREA_RESOLUTION_CHECK = "area_resolution"
MIN_RESOLVED_SHARE = 0.99

AREA_COLUMNS = [
    Column("area_code", "text", "Kemendagri 2025 code of the finest area the row names "
           "(staging.jakarta_admin_areas); NULL when unresolved or a placeholder"),
    Column("area_level", "text", "level of area_code: kota, kecamatan or kelurahan"),
    Column("area_match", "text", "how the names matched: " + ", ".join(METHODS),
           nullable=False),
    Column("area_note", "text", "alias used, fuzzy similarity, parent_mismatch (the row's "
           "kota/kecamatan is not the area's), placeholders, what was not found"),
]
AREA_COLUMN_NAMES = [c.name for c in AREA_COLUMNS]

# the assets the transform reads: they become upstream of the source's staging asset
AREA_DEPS = (ADMIN_AREAS.staging_key, ALIASES_KEY)


def load_area_index(warehouse) -> AreaIndex:
    """The resolver over the warehouse's Kemendagri areas and alias table."""
    for spec in (ADMIN_AREAS.staging, ALIAS_TABLE):
        if not warehouse.table_exists(spec):
            raise RuntimeError(f"{spec.label} does not exist yet: materialise "
                               f"{' and '.join(k.to_user_string() for k in AREA_DEPS)} first")
    areas = warehouse.read_frame(
        f"SELECT code, level, name, name_normalised, parent_code "
        f"FROM {ADMIN_AREAS.staging.qualified} WHERE code_system = :s", s=KEMENDAGRI)
    aliases = warehouse.read_frame(
        f"SELECT alias, alias_normalised, level, kemendagri_code, kind "
        f"FROM {ALIAS_TABLE.qualified}")
    return AreaIndex.from_frames(areas, aliases)


def resolve_frame(frame: pd.DataFrame, index: AreaIndex, kota_col: str | None,
                  kecamatan_col: str | None, kelurahan_col: str | None) -> pd.DataFrame:
    """``frame`` with the area columns added; every row kept, in order.

    Each distinct (kota, kecamatan, kelurahan) triple is resolved once."""
    columns = (kota_col, kecamatan_col, kelurahan_col)
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise KeyError(f"area name column(s) {missing} not in the staged frame")
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() if c
              else [None] * len(frame) for c in columns]
    triples = list(zip(*values, strict=True))
    resolved = {t: index.resolve(*t) for t in dict.fromkeys(triples)}
    out = frame.copy()
    out["area_code"] = pd.Series([resolved[t].code for t in triples], index=frame.index,
                                 dtype="str")
    out["area_level"] = pd.Series([resolved[t].level for t in triples], index=frame.index,
                                  dtype="str")
    out["area_match"] = pd.Series([resolved[t].method for t in triples], index=frame.index,
                                  dtype="str")
    out["area_note"] = pd.Series([resolved[t].note or None for t in triples],
                                 index=frame.index, dtype="str")
    return out


@dataclass(frozen=True)
class AreaTransform:
    """``SourceSpec.transform``: adds the area columns from the named name columns."""

    kota_col: str | None
    kecamatan_col: str | None
    kelurahan_col: str | None

    @property
    def name_columns(self) -> list[str]:
        return [c for c in (self.kota_col, self.kecamatan_col, self.kelurahan_col) if c]

    def __call__(self, frame: pd.DataFrame, warehouse) -> pd.DataFrame:
        return resolve_frame(frame, load_area_index(warehouse), self.kota_col,
                             self.kecamatan_col, self.kelurahan_col)


def area_transform(kota_col: str | None, kecamatan_col: str | None,
                   kelurahan_col: str | None) -> AreaTransform:
    """The transform for a source whose staged frame names areas in these columns (None for a
    level the source does not have)."""
    if not (kota_col or kecamatan_col or kelurahan_col):
        raise ValueError("area_transform needs at least one name column")
    return AreaTransform(kota_col, kecamatan_col, kelurahan_col)


# --------------------------------------------------------------------------------------------
# the check


@dataclass
class ResolutionSummary:
    passed: bool
    description: str
    named_rows: int
    resolved_rows: int
    by_method: dict[str, int]
    unresolved: pd.DataFrame  # name columns, area_note, file_name, rows
    parent_mismatches: pd.DataFrame
    fuzzy: pd.DataFrame


def summarise_resolution(groups: pd.DataFrame, name_columns: list[str],
                         min_share: float = MIN_RESOLVED_SHARE) -> ResolutionSummary:
    """Judge a staging table's area resolution from its rows grouped by name columns,
    area_match, area_note and file_name (with a ``rows`` count)."""
    by_method = groups.groupby("area_match")["rows"].sum().astype(int).to_dict()
    unknown = sorted(set(by_method) - set(METHODS))
    named = int(sum(n for m, n in by_method.items() if m != PLACEHOLDER))
    resolved = int(sum(by_method.get(m, 0) for m in RESOLVED_METHODS))
    share = resolved / named if named else 1.0
    listing = [*name_columns, "area_note", "file_name", "rows"]
    notes = groups["area_note"].fillna("")
    unresolved = groups[groups["area_match"] == UNRESOLVED][listing]
    mismatches = groups[notes.str.contains(PARENT_MISMATCH, regex=False)][listing]
    fuzzy = groups[groups["area_match"] == "fuzzy"][listing]
    problems = []
    if unknown:
        problems.append(f"area_match values outside {list(METHODS)}: {unknown}")
    if share < min_share:
        problems.append(f"{resolved} of {named} rows naming an area resolved ({share:.2%} < "
                        f"{min_share:.0%}); {len(unresolved)} unresolved name(s)")
    description = "; ".join(problems) if problems else (
        f"{resolved} of {named} rows naming an area resolved ({share:.2%}); "
        f"{int(unresolved['rows'].sum()) if len(unresolved) else 0} unresolved")
    return ResolutionSummary(not problems, description, named, resolved, by_method,
                             unresolved.sort_values("rows", ascending=False),
                             mismatches.sort_values("rows", ascending=False),
                             fuzzy.sort_values("rows", ascending=False))


def area_resolution_check(spec) -> TableCheck:
    """``SourceSpec.extra_checks`` entry: the blocking ``area_resolution`` check."""
    transform = spec.transform
    if not isinstance(transform, AreaTransform):
        raise ValueError(f"{spec.source_id}: area_resolution_check needs "
                         f"transform=area_transform(...)")
    names = transform.name_columns
    cols = ", ".join(f's."{c}"' for c in names)
    file_name = "coalesce(m.file_name, s.payload_sha256)"
    sql = (f"SELECT {cols}, s.area_match, s.area_note, {file_name} AS file_name, "
           f"count(*) AS rows FROM {{relation}} s LEFT JOIN ("
           f"SELECT DISTINCT ON (sha256) sha256, file_name FROM raw.landing_manifest "
           f"WHERE source = :source ORDER BY sha256, fetched_at) m "
           f"ON m.sha256 = s.payload_sha256 GROUP BY {cols}, s.area_match, s.area_note, "
           f"{file_name}")

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        groups = audit.wh.read_frame(sql.format(relation=audit.relation),
                                     source=spec.source_id)
        summary = summarise_resolution(groups, names)
        return dg.AssetCheckResult(
            passed=summary.passed, severity=dg.AssetCheckSeverity.ERROR,
            description=summary.description,
            metadata={
                "rows_naming_an_area": dg.MetadataValue.int(summary.named_rows),
                "rows_resolved": dg.MetadataValue.int(summary.resolved_rows),
                "by_method": dg.MetadataValue.json(summary.by_method),
                "unresolved": dg.MetadataValue.md(_markdown(summary.unresolved)),
                "parent_mismatches": dg.MetadataValue.md(_markdown(summary.parent_mismatches)),
                "fuzzy_matches": dg.MetadataValue.md(_markdown(summary.fuzzy)),
            })

    return TableCheck(
        spec.staging_key, AREA_RESOLUTION_CHECK,
        (f"At least {MIN_RESOLVED_SHARE:.0%} of the rows naming an area "
         f"({', '.join(names)}; placeholders excluded) resolve to a Kemendagri "
         f"2025 code; every unresolved name is listed with its file and rows."),
        evaluate, blocking=True)


def _markdown(df: pd.DataFrame) -> str:
    """Every row (these lists are what a reviewer acts on: none is cut)."""
    if df.empty:
        return "none"
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        cells = ["" if v is None or v != v else str(v).replace("|", "\\|") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
