"""A table of a tier: built by SQL in Postgres, audited, then published (write-audit-publish).

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

from smartchange_assets.platform.audit import (
    Audit,
    AuditFailed,
    TableCheck,
    check_specs,
    run_checks,
    write_audit_publish,
)
from smartchange_assets.platform.quality import Expect
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.platform.spec import GX_SUITE_CHECK
from smartchange_assets.platform.suites import suite_result
from smartchange_assets.platform.tables import PUBLIC, TableSpec, table_metadata
from smartchange_assets.platform.warehouse import Shadow
from smartchange_assets.tiers import scan
from smartchange_assets.tiers.pseudonym import KEY_ENV, hmac_pads, pseudonym_key
from smartchange_assets.tiers.roles import (
    OPEN_READER,
    OPEN_SCHEMA,
    RESTRICTED_SCHEMA,
    ensure_roles,
    hide_from_readers,
    show_to_readers,
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


def tier_checks(spec: TierTable) -> list[TableCheck]:
    """The blocking checks every tier table's new version passes before it is published."""
    checks = [TableCheck(
        spec.key, GX_SUITE_CHECK,
        f"Great Expectations suite for {spec.table.label}: "
        + "; ".join(e.label for e in spec.expectations),
        lambda audit: suite_result(audit, list(spec.expectations)))]
    if spec.is_open:
        checks.append(TableCheck(
            spec.key, PERSONAL_DATA_CHECK,
            f"No text value of {spec.table.label} holds a phone number, e-mail, NIK, licence "
            "plate, address or introduced name (platform.pii.find_pii; digests masked); the "
            f"published table is read as {OPEN_READER}",
            lambda audit: _personal_data(spec, audit)))
    return checks


def build_tier_table(spec: TierTable) -> dg.AssetsDefinition:
    checks = tier_checks(spec)

    @dg.multi_asset(
        name="__".join(spec.key.path),
        specs=[dg.AssetSpec(
            spec.key, deps=[ACCESS_KEY, *spec.deps], group_name=GROUPS[spec.table.schema],
            description=f"{spec.description}\n\n{spec.table.docs_markdown()}",
            kinds={"postgres", "sql"},
            metadata={"dagster/table_name": spec.table.label,
                      "dagster/column_schema": spec.table.dagster_schema(),
                      "tier": spec.table.schema},
            tags={"layer": spec.table.schema})],
        check_specs=check_specs(checks), can_subset=True)
    def tier_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        wh = warehouse.get()
        selected = {k.name for k in context.selected_asset_check_keys}
        if spec.key not in context.selected_asset_keys:  # checks run alone: the live table
            audit = Audit(wh, spec.table, spec.table.qualified, published=True)
            yield from run_checks(checks, audit, selected)
            return
        started = time.monotonic()
        params, extra = dict(spec.params), {}
        if spec.pseudonymised:
            key, origin = pseudonym_key()
            params |= hmac_pads(key)
            extra["pseudonym_key_from"] = KEY_ENV if origin == "env" else origin

        def hide(shadow: Shadow) -> None:
            with wh.transaction() as conn:
                hide_from_readers(conn, spec.table.schema, shadow.name)

        def publish(shadow: Shadow) -> None:
            wh.publish(shadow, also=None)
            with wh.transaction() as conn:
                show_to_readers(conn, spec.table.schema, spec.table.name)

        try:
            rows, results = write_audit_publish(
                context, wh, spec.table, checks,
                lambda shadow: wh.insert_into(shadow, spec.select_sql, **params),
                publish=publish, prepare=hide)
        except AuditFailed as failed:
            yield from failed.results
            raise dg.Failure(str(failed)) from None
        context.log.info("%s: %d rows in %.1f s", spec.table.label, rows,
                         time.monotonic() - started)
        yield dg.MaterializeResult(
            asset_key=spec.key, metadata={**table_metadata(spec.table, rows), **extra},
            check_results=[r for r in results if r.check_name in selected])

    return tier_asset


def _personal_data(spec: TierTable, audit: Audit) -> dg.AssetCheckResult:
    expected = {c.name for c in spec.table.columns
                if c.sql_type in ("text", "jsonb", "json") or c.sql_type.endswith("[]")}
    schema, table = (part.strip('"') for part in audit.relation.split(".", 1))
    with audit.wh.engine.begin() as conn:
        if audit.published:  # the live table, as its reader sees it
            read_as(conn, OPEN_READER)
        columns = [c for t, c in scan.text_columns(conn, schema) if t == table]
        findings = [f for c in columns for f in scan.scan_column(conn, schema, table, c)]
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
