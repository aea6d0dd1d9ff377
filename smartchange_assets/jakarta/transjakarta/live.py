"""Live connector: Transjakarta ridership from the Satu Data Jakarta JSON API
(docs/sources/jakarta-transjakarta.md §6, docs/sources/jakarta-portals.md §1).

Pagination, the BOM and the row-count checks are :func:`fetch_satudata_pages`'s (shared by the
Jakarta satudata sources); this module only knows the slug and refuses an empty dataset.
"""

from __future__ import annotations

from smartchange_assets.jakarta.satudata import (
    SatudataError,
    decode_satudata_reply,
    fetch_satudata_pages,
)
from smartchange_assets.platform.http import FetchedPayload, HttpClient

#: Dataset "Data Jumlah Penumpang Trans Jakarta" (docs/sources/jakarta-transjakarta.md §1). The
#: slug follows satudata's
#: title-to-slug rule but is NOT verified against the portal (the 2021 seed file came from a
#: mirror); a wrong slug fails loudly (no totalFiledata, or the empty-dataset check below).
TRANSJAKARTA_SLUG = "data-jumlah-penumpang-trans-jakarta"


def fetch_transjakarta_pages(client: HttpClient, slug: str = TRANSJAKARTA_SLUG,
                             per_page: int = 100) -> list[FetchedPayload]:
    """Every page of the ridership dataset, as received (see ``fetch_satudata_pages``).

    Raises :class:`SatudataError` when the dataset has no rows at all: ridership is published
    every month, so an empty reply means a wrong or retired slug, not "no passengers".
    """
    pages = fetch_satudata_pages(client, slug, per_page)
    first = decode_satudata_reply(pages[0].content, slug=slug, page=1)
    if not first.get("filedata"):
        raise SatudataError(f"satudata {slug!r}: dataset has no rows (totalFiledata "
                            f"{first.get('totalFiledata')!r}); wrong or retired slug?")
    return pages
