"""Resources, chosen per environment in this one place.

* Warehouse: ``SMARTCHANGE_WAREHOUSE_URL`` (set by the CLI, or by you for an external server)
  through ``EnvVar`` so no secret sits in the repo; without it, the embedded server under
  ``SMARTCHANGE_HOME`` is started on first use.
* Portal client: the polite HTTP client used in live mode.
"""

from __future__ import annotations

import os

import dagster as dg
from pydantic import PrivateAttr

from smartchange_assets.platform import settings
from smartchange_assets.platform.landing import LandingArchive
from smartchange_assets.platform.warehouse import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The Postgres warehouse and the raw landing archive stored in it."""

    url: str | None = None
    _warehouse: Warehouse | None = PrivateAttr(default=None)

    def get(self) -> Warehouse:
        if self._warehouse is None:
            url = self.url
            if not url:
                from smartchange_assets.platform import embedded

                url = embedded.ensure_databases().warehouse
            self._warehouse = Warehouse(url)
            self._warehouse.ensure_platform_tables()
        return self._warehouse

    def archive(self) -> LandingArchive:
        return LandingArchive(self.get())


class PortalResource(dg.ConfigurableResource):
    """How sources reach the portals: ``replay`` from the archive, or ``live`` over HTTP."""

    mode: str = "replay"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_attempts: int = 5

    def client(self):
        from smartchange_assets.platform.http import HttpClient

        return HttpClient(connect_timeout=self.connect_timeout_s,
                          read_timeout=self.read_timeout_s, max_attempts=self.max_attempts)


def resources_for_environment() -> dict:
    warehouse = (WarehouseResource(url=dg.EnvVar("SMARTCHANGE_WAREHOUSE_URL"))
                 if os.environ.get("SMARTCHANGE_WAREHOUSE_URL") else WarehouseResource())
    return {"warehouse": warehouse, "portal": PortalResource(mode=settings.mode())}
