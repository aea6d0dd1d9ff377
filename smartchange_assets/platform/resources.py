"""Resources, chosen per environment in this one place.

* Warehouse: ``SMARTCHANGE_WAREHOUSE_URL`` (set by the CLI, or by you for an external server)
  through ``EnvVar`` so no secret sits in the repo; without it, the embedded server under
  ``SMARTCHANGE_HOME`` is started on first use.
* Portal client: the polite HTTP client used in live mode (:mod:`.http`). Its limits come from
  the resource's config, else from the environment, else from the defaults below:

  - ``SMARTCHANGE_HTTP_MAX_BYTES`` – largest decoded reply body read, in bytes (default
    536870912, 512 MiB; the largest portal file today, a month of traffic detectors, is far
    below). A larger reply fails the fetch, nothing of it is landed.
  - ``SMARTCHANGE_HTTP_BODY_TIMEOUT_S`` – wall-clock limit on reading one reply body, in seconds
    (default 1800); ``0`` for none. A portal trickling bytes never trips the per-read timeout.
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


MAX_BYTES_ENV = "SMARTCHANGE_HTTP_MAX_BYTES"
BODY_TIMEOUT_ENV = "SMARTCHANGE_HTTP_BODY_TIMEOUT_S"
DEFAULT_BODY_TIMEOUT_S = 1800.0


class PortalResource(dg.ConfigurableResource):
    """How sources reach the portals: ``replay`` from the archive, or ``live`` over HTTP.

    ``max_bytes`` / ``body_timeout_s`` left unset are read from the environment when the client
    is made (see the module docstring). ``allow_cross_host_redirects=False`` refuses redirects to
    another host; by default they are followed without credential headers."""

    mode: str = "replay"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    max_attempts: int = 5
    max_bytes: int | None = None
    body_timeout_s: float | None = None
    allow_cross_host_redirects: bool = True

    def client(self):
        from smartchange_assets.platform.http import DEFAULT_MAX_BYTES, HttpClient

        max_bytes = self.max_bytes or _env_number(MAX_BYTES_ENV, int) or DEFAULT_MAX_BYTES
        body_timeout = self.body_timeout_s
        if body_timeout is None:
            body_timeout = _env_number(BODY_TIMEOUT_ENV, float)
            body_timeout = DEFAULT_BODY_TIMEOUT_S if body_timeout is None else body_timeout
        return HttpClient(connect_timeout=self.connect_timeout_s,
                          read_timeout=self.read_timeout_s, max_attempts=self.max_attempts,
                          max_bytes=max_bytes, body_timeout_s=body_timeout or None,
                          allow_cross_host_redirects=self.allow_cross_host_redirects)


def _env_number(name: str, kind: type[int] | type[float]) -> int | float | None:
    value = os.environ.get(name, "").strip().replace("_", "")
    if not value:
        return None
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"{name}={os.environ[name]!r} is not a number") from None
    if number < 0:
        raise ValueError(f"{name}={os.environ[name]!r} must not be negative")
    return number


def resources_for_environment() -> dict:
    warehouse = (WarehouseResource(url=dg.EnvVar("SMARTCHANGE_WAREHOUSE_URL"))
                 if os.environ.get("SMARTCHANGE_WAREHOUSE_URL") else WarehouseResource())
    return {"warehouse": warehouse, "portal": PortalResource(mode=settings.mode())}
