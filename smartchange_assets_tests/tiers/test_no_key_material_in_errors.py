"""A database error while the open tier is built shows no key material: the pseudonym key's
HMAC pads are bind parameters, and SQLAlchemy is told to keep bind values out of error text."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from smartchange_assets.platform.resources import PortalResource, WarehouseResource
from smartchange_assets.tiers.open_reports import JAKARTA_OPEN
from smartchange_assets.tiers.pseudonym import KEY_ENV, hmac_pads
from smartchange_assets.tiers.roles import ensure_roles

# a made-up key for this test
KEY = "test-only-pseudonym-key-6f1d"


def _forms(value: bytes) -> list[str]:
    """Ways the pads could show up in text: hex, Python bytes repr, Postgres bytea hex."""
    return [value.hex(), repr(value)[2:40], "\\x" + value.hex()[:32], value.hex()[:24]]


def test_a_failing_open_tier_build_shows_no_pads_or_key(fresh_database, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    wh = fresh_database
    ensure_roles(wh)
    # the staging table the open table reads exists but lacks a column: the INSERT … SELECT
    # with the pads bound fails inside Postgres
    with wh.transaction() as conn:
        conn.execute(sa.text("CREATE TABLE staging.jakarta_citizen_reports (x int)"))
        conn.execute(sa.text("CREATE TABLE staging.jakarta_admin_areas (x int)"))
    from smartchange_assets.definitions import LOCATION

    result = dg.materialize(LOCATION.assets_for(JAKARTA_OPEN.key),
                            selection=dg.AssetSelection.assets(JAKARTA_OPEN.key),
                            resources={"warehouse": WarehouseResource(url=wh.url),
                                       "portal": PortalResource(mode="replay")},
                            raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures
    text = "\n".join(str(e.event_specific_data.error.to_string()) for e in failures)
    assert "UndefinedColumn" in text or "does not exist" in text  # the real error is there
    assert "parameters hidden" in text.lower() or "[parameters:" not in text
    for pad in hmac_pads(KEY.encode()).values():
        for form in _forms(pad):
            assert form not in text
    assert KEY not in text
