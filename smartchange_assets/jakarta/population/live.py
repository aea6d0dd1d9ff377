"""Live connector: the satudata population dataset (docs/sources/jakarta-population.md §5).

Only the satudata table has an API: pages of ``/satudata/detail`` through the shared connector
(:func:`smartchange_assets.jakarta.satudata.fetch_satudata_pages`), landed as received and read
by the population parser through ``records_from_json``. The Dukcapil semester files and the BPS
web table are downloads without a known API; they are landed by hand
(``smartchange land jakarta/population FILE``).

The slug is the download name without ``-komponen-data.csv`` (docs/sources/jakarta-portals.md
§1: downloads are named ``<slug>-komponen-data.csv``). It is NOT verified against the live
portal, and despite its name the dataset held 2013–2016 only (docs/sources/jakarta-population.md
§1); a slug's content changes over time, so the period is read from the rows, never assumed from
the slug.
"""

from __future__ import annotations

from smartchange_assets.jakarta.satudata import fetch_satudata_pages
from smartchange_assets.platform.http import HttpClient
from smartchange_assets.platform.spec import LivePayload

POPULATION_SLUGS: tuple[str, ...] = (
    "data-jumlah-penduduk-provinsi-dki-jakarta-berdasarkan-kelompok-usia-dan-jenis-kelamin-"
    "tahun-2013-2021",
)


def fetch_population_pages(client: HttpClient) -> list[LivePayload]:
    """Every page of every population slug. Raises (landing nothing) when a page is refused,
    cut short or the rows do not add up to ``totalFiledata``.

    Each page is its own payload, so an exact duplicate row that falls on another page than its
    twin is not caught by the parser; ``totals_agree`` reports such keys and counts them once.
    """
    pages = [page for slug in POPULATION_SLUGS for page in fetch_satudata_pages(client, slug)]
    return [LivePayload(page) for page in pages]
