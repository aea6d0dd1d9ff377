"""Concurrency pools, one per external portal, so runs respect each portal's rate limit.

Only a source's **raw** asset talks to its portal (live mode), so only raw assets carry a pool;
staging and SQL assets work inside the warehouse. Every pool gets ``default_limit: 1`` from
``dagster.yaml`` (``concurrency: pools:``): at most one fetch per portal at a time across all
runs, on top of each HTTP client's own throttle. Dagster keeps per-pool limits in its database,
not in ``dagster.yaml``; raise one where a portal allows more, e.g.
``dagster instance concurrency set open-meteo 2`` (or in the UI, *Deployment → Concurrency*).

Sources without a live connector (admin areas, LOR, bike counters) only replay files and need
no pool.
"""

from __future__ import annotations

import dataclasses

# portal -> why it is one pool (hosts behind it)
POOLS = {
    "satudata": "satudata.jakarta.go.id and the legacy CKAN data.jakarta.go.id (one operator, "
                "Diskominfotik DKI Jakarta)",
    "crm-jakarta": "crm.jakarta.go.id (Jakarta CRM report search)",
    "luftdaten-berlin": "luftdaten.berlin.de (BLUME API: measurements and stations)",
    "ordnungsamt-berlin": "ordnungsamt.berlin.de (Ordnungsamt-online reports)",
    "open-meteo": "api.open-meteo.com and archive-api.open-meteo.com",
    "openaq": "api.openaq.org (API key, 60 requests/minute)",
    "statistik-berlin-brandenburg": "www.statistik-berlin-brandenburg.de (EWR population)",
    "berlin-zaehlt": "berlin-zaehlt.de (Telraam counts and sites)",
    "mdhopendata": "mdhopendata.blob.core.windows.net (VIZ traffic detectors)",
}

POOL_BY_SOURCE = {
    "jakarta/ispu": "satudata",
    "jakarta/flood": "satudata",
    "jakarta/population": "satudata",
    "jakarta/transjakarta": "satudata",
    "jakarta/citizen_reports": "crm-jakarta",
    "berlin/blume_air_quality": "luftdaten-berlin",
    "berlin/blume_stations": "luftdaten-berlin",
    "berlin/citizen_reports": "ordnungsamt-berlin",
    "berlin/population": "statistik-berlin-brandenburg",
    "berlin/telraam": "berlin-zaehlt",
    "berlin/mobility_sites": "berlin-zaehlt",
    "berlin/traffic_detectors": "mdhopendata",
    "global/weather": "open-meteo",
    "global/openaq": "openaq",
}


def pool_for(source_id: str) -> str | None:
    return POOL_BY_SOURCE.get(source_id)


def spec_supports_pools(spec) -> bool:
    """Whether ``SourceSpec`` has the ``pool`` field (proposed to the platform's owner)."""
    return any(f.name == "pool" for f in dataclasses.fields(spec))


def assign_pools(specs: list) -> list:
    """The specs with ``pool`` set from :data:`POOL_BY_SOURCE` (unchanged while the platform's
    ``SourceSpec`` has no ``pool`` field yet). For ``definitions.py``: the mapping stays here,
    in one place, and no source's spec file changes."""
    return [dataclasses.replace(s, pool=pool_for(s.source_id))
            if spec_supports_pools(s) and getattr(s, "pool", None) is None else s
            for s in specs]
