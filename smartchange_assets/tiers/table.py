"""A table of a tier: built by SQL in Postgres, swapped in atomically, checked.

:class:`TierTable` is :class:`~smartchange_assets.platform.sql_asset.SqlTable` plus what a tier
needs: the pseudonym key as bind parameters, and for the open tier a rule enforced when the
table is *defined* (every column public) and a blocking check when it is *built* (no text value
of the table matches the personal-data detector, read as the open reader).
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.suites import run_table_suite
from smartchange_assets.platform.tables import PUBLIC, TableSpec, table_metadata
from smartchange_assets.tiers import scan
from smartchange_assets.tiers.pseudonym import KEY_ENV, hmac_pads, pseudonym_key
from smartchange_assets.tiers.roles import (
    OPEN_READER,
    OPEN_SCHEMA,
    RESTRICTED_SCHEMA,
    ensure_roles,
)

PERSONAL_DATA_CHECK = "no_personal_data"
ACCESS_KEY = dg.AssetKey(["tiers", "access_control"])
GROUPS = {OPEN_SCHEMA: "open_data", RESTRICTED_SCHEMA: "restricted_data"}


@dataclass(frozen=True)
class TierTable:
    table: TableSpec
    select_sql: str
    deps: tuple[dg.AssetKey, ...]
    description: str
    expectations: tuple[Expect, ...]
    # the SELECT computes keyed pseudonyms (needs the key's bind parameters, tiers/pseudonym.py)
    pseudonymised: bool = False
    # the values bound to select_sql's other :parameters (platform.sql_files.bind)
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        if self.table.schema not in GROUPS:
            raise ValueError(f"{self.table.label}: a tier table lives in schema "
                             f"{OPEN_SCHEMA!r} or {RESTRICTED_SCHEMA!r}")
        if self.table.schema == OPEN_SCHEMA:
            closed = [c.name for c in self.table.columns if c.classification != PUBLIC]
            if closed:
                raise ValueError(f"{self.table.label}: the open tier holds public columns "
                                 f"only; {closed} are personal or sensitive")

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey([self.table.schema, self.table.name])

    @property
    def is_open(self) -> bool:
        return self.table.schema == OPEN_SCHEMA


def read_as(conn: sa.Connection, role: str) -> None:
    """Drop to ``role`` for the rest of the transaction: what it cannot see, we cannot read."""
    conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')


def build_access_asset() -> dg.AssetsDefinition:
    @dg.asset(key=ACCESS_KEY, group_name="tiers", kinds={"postgres"},
              tags={"layer": "tiers"},
              description="Schemas `open` and `restricted`, the roles "
                          "`smartchange_open_reader` and `smartchange_analyst`, their grants "
                          "and default privileges (tiers.roles.ensure_roles); idempotent.")
    def access_control(warehouse: WarehouseResource) -> dg.MaterializeResult:
        states = ensure_roles(warehouse.get())
        return dg.MaterializeResult(metadata={
            "roles": dg.MetadataValue.json(states),
            "open_reader_reads": OPEN_SCHEMA,
            "analyst_reads": f"{OPEN_SCHEMA}, {RESTRICTED_SCHEMA}"})

    return access_control


def build_tier_table(spec: TierTable) -> tuple[dg.AssetsDefinition, list]:
    static_meta = {"dagster/table_name": spec.table.label,
                   "dagster/column_schema": spec.table.dagster_schema(),
                   "tier": spec.table.schema}

    @dg.asset(key=spec.key, deps=[ACCESS_KEY, *spec.deps], group_name=GROUPS[spec.table.schema],
              description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
              kinds={"postgres", "sql"}, metadata=static_meta,
              tags={"layer": spec.table.schema})
    def tier_asset(context: dg.AssetExecutionContext,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
        started = time.monotonic()
        wh = warehouse.get()
        params, extra = {}, {}
        if spec.pseudonymised:
            key, origin = pseudonym_key()
            params = hmac_pads(key)
            extra["pseudonym_key_from"] = KEY_ENV if origin == "env" else origin
        rows = wh.replace_table_from_sql(spec.table, spec.select_sql, **spec.params, **params)
        context.log.info("%s: %d rows in %.1f s", spec.table.label, rows,
                         time.monotonic() - started)
        return dg.MaterializeResult(metadata={**table_metadata(spec.table, rows), **extra})

    @dg.asset_check(asset=spec.key, name=GX_SUITE_CHECK, blocking=True,
                    description=f"Great Expectations suite for {spec.table.label}: "
                    + "; ".join(e.label for e in spec.expectations))
    def suite(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return run_table_suite(warehouse.get(), f"SELECT * FROM {spec.table.qualified}",
                               list(spec.expectations), spec.table.label)

    checks = [suite]
    if spec.is_open:
        checks.append(_personal_data_check(spec))
    return tier_asset, checks


def _personal_data_check(spec: TierTable) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=spec.key, name=PERSONAL_DATA_CHECK, blocking=True,
                    description=f"Read as {OPEN_READER}: no text value of {spec.table.label} "
                                "holds a phone number, e-mail, NIK, licence plate, address or "
                                "introduced name (platform.pii.find_pii; digests masked)")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        expected = {c.name for c in spec.table.columns
                    if c.sql_type in ("text", "jsonb", "json") or c.sql_type.endswith("[]")}
        with warehouse.get().engine.begin() as conn:
            read_as(conn, OPEN_READER)
            columns = [c for t, c in scan.text_columns(conn, spec.table.schema)
                       if t == spec.table.name]
            findings = [f for c in columns
                        for f in scan.scan_column(conn, spec.table.schema, spec.table.name, c)]
        # a column the reader cannot see would be "clean" by not being scanned at all
        unseen = sorted(expected - set(columns))
        problems = ([f"not visible to {OPEN_READER}: {', '.join(unseen)}"] if unseen else [])
        if findings:
            problems.append(scan.describe(findings))
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems) or scan.describe(findings),
            metadata={"columns_scanned": dg.MetadataValue.text(", ".join(columns) or "none"),
                      "findings": dg.MetadataValue.json(
                          [{"place": f.place, "kind": f.kind, "values": f.count}
                           for f in findings])})

    return check
