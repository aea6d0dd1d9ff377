"""Live connector: BPBD flood-event datasets from the Satu Data Jakarta JSON API
(docs/sources/jakarta-flood.md §7).

Pages come through :func:`~smartchange_assets.jakarta.satudata.fetch_satudata_pages` (BOM kept,
``totalFiledata`` verified); the flood parser reads them through ``records_from_json``. A slug's
content rolls over time (``data-kejadian-bencana-banjir`` held 2023 in early 2024 and 2025-26
later), so no period is assumed from the slug: the parser takes it from the rows or the reply.
"""

from __future__ import annotations

from smartchange_assets.jakarta.satudata import fetch_satudata_pages
from smartchange_assets.platform.http import HttpClient
from smartchange_assets.platform.spec import LivePayload

#: Flood-EVENT datasets named in docs/sources/jakarta-flood.md §1 (from third-party fetch code;
#: unverified live).
#: Left out: `data-kejadian-bencana-di-provinsi-dki-jakarta-tahun-2021` (all disaster kinds, schema
#: unknown), the 2013-2020 annual recap, flooded-area sizes, flood-prone points, sluice gates and
#: pump houses: none of them is one row per kelurahan and month of flooding.
FLOOD_SLUGS: tuple[str, ...] = (
    "data-kejadian-bencana-banjir",  # rolling
    "data-kejadian-bencana-banjir-tahun-2024",
    "data-kejadian-bencana-banjir-tahun-2023",
    "data-kejadian-bencana-banjir-di-provinsi-dki-jakarta-tahun-2020",
    "data-kejadian-bencana-banjir-di-provinsi-dki-jakarta-tahun-2019",
)


def fetch_live(client: HttpClient, slugs: tuple[str, ...] = FLOOD_SLUGS) -> list[LivePayload]:
    """Every page of every flood slug. All slugs are fetched before anything is returned, so a
    failing slug lands nothing of this pull (the raw asset retries the whole pull)."""
    return [LivePayload(page) for slug in slugs for page in fetch_satudata_pages(client, slug)]
