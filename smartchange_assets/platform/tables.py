"""Table descriptions: one place for a table's columns, SQL types, docs and key.

The DDL, the COPY column list and the Dagster column schema shown in the UI all come from
the same :class:`TableSpec`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

# Who may see a column (issue 7): public columns may reach the open tier; personal (about or
# identifying a person: report ids, free text) and sensitive (a quasi-identifier at a precision
# that can single a person out: exact report times, locations as the reporter wrote them)
# columns stay in the closed tier (schema ``restricted``). See smartchange_assets/tiers.
PUBLIC, PERSONAL, SENSITIVE = "public", "personal", "sensitive"
CLASSIFICATIONS = (PUBLIC, PERSONAL, SENSITIVE)


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    description: str = ""
    nullable: bool = True
    classification: str = PUBLIC

    def __post_init__(self):
        if self.classification not in CLASSIFICATIONS:
            raise ValueError(f"column {self.name!r}: classification must be one of "
                             f"{CLASSIFICATIONS}, not {self.classification!r}")


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    description: str = ""

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def public_columns(self) -> list[Column]:
        return [c for c in self.columns if c.classification == PUBLIC]

    def column_ddl(self) -> str:
        parts = [f'"{c.name}" {c.sql_type}{"" if c.nullable else " NOT NULL"}'
                 for c in self.columns]
        return ",\n  ".join(parts)

    def dagster_schema(self) -> dg.TableSchema:
        return dg.TableSchema(columns=[
            dg.TableColumn(name=c.name, type=c.sql_type, description=c.description or None,
                           constraints=dg.TableColumnConstraints(nullable=c.nullable,
                                                                 unique=False),
                           tags={"classification": c.classification})
            for c in self.columns
        ])

    def docs_markdown(self) -> str:
        rows = "\n".join(f"| `{c.name}` | {c.sql_type} | {c.description} |" for c in self.columns)
        key = ", ".join(self.primary_key) or "—"
        return (f"Table `{self.label}` (key: {key})\n\n| column | type | meaning |\n"
                f"|---|---|---|\n{rows}")


def table_metadata(spec: TableSpec, row_count: int) -> dict:
    """Metadata every table asset reports: row count, table name and column schema."""
    return {
        "dagster/row_count": dg.MetadataValue.int(row_count),
        "dagster/table_name": dg.MetadataValue.text(spec.label),
        "dagster/column_schema": spec.dagster_schema(),
    }
