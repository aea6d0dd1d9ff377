"""Live connector: ISPU pages from the Satu Data Jakarta JSON API (docs/sources/jakarta-ispu.md
§5, docs/sources/jakarta-portals.md §1).

Pagination, BOM handling and the row-count checks live in :mod:`smartchange_assets.jakarta.satudata`
(shared by every Jakarta satudata source); this module only knows the ISPU slugs.
"""

from __future__ import annotations

from smartchange_assets.jakarta.satudata import fetch_satudata_pages
from smartchange_assets.platform.http import FetchedPayload, HttpClient

#: Current satudata slugs (docs/sources/jakarta-ispu.md §1): the rolling dataset (2024 onwards)
#: and 2023.
ISPU_SLUGS: tuple[str, ...] = (
    "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta",
    "data-indeks-standar-pencemar-udara-ispu-di-provinsi-dki-jakarta-2023",
)

#: Older years, by analogy with the downloaded file names and one data.jakarta.go.id link
#: (docs/sources/jakarta-ispu.md §1). NOT verified as satudata slugs; kept out of ISPU_SLUGS for
#: that reason.
ISPU_YEAR_SLUG_TEMPLATE = "indeks-standar-pencemaran-udara-ispu-tahun-{year}"


def ispu_year_slug(year: int) -> str:
    """The (unverified) slug of a pre-2023 yearly ISPU dataset."""
    return ISPU_YEAR_SLUG_TEMPLATE.format(year=int(year))


def fetch_ispu_pages(client: HttpClient, slug: str, per_page: int = 100) -> list[FetchedPayload]:
    """Every page of an ISPU satudata dataset, as received (see ``fetch_satudata_pages``)."""
    return fetch_satudata_pages(client, slug, per_page)
