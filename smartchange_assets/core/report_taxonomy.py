"""The shared category taxonomy of citizen reports and each city's native categories on it.

This module is the one description of the mapping: ``core.report_category_map`` is loaded from
it, the fact ``core.fact_citizen_reports`` takes its ``shared_category`` from that table, and
the blocking ``taxonomy_mapping_complete`` check (``core/reports.py``) fails as soon as the
staging data holds a native category that has no row here — add it here, with a note when the
choice is not obvious.

Native categories are, for Jakarta, the CRM ``category`` as staged (HTML-unescaped, trimmed),
and for Berlin the Ordnungsamt ``category_main`` (the portal's Hauptthema, or the main topic of
one of its fixed short titles, normalised by ``berlin/citizen_reports/categories.py``). A report
without one (a Berlin title in the citizen's own words) has the native category
:data:`NO_CATEGORY`.

The taxonomy follows the issue's list and adds ``traffic``: Jakarta's CRM has a category for
traffic flow (*Arus Lalu Lintas*) and Berlin one for traffic orders, and neither is roads
(the surface) nor parking.
"""

from __future__ import annotations

from smartchange_assets.core.keys import BERLIN, JAKARTA

SHARED_CATEGORIES = ("roads", "traffic", "waste", "parking", "noise", "greenery",
                     "public_order", "water_drainage", "other")

# a report without a native category: a Berlin betreff in the citizen's own words (no
# Hauptthema), a CRM record without a category
NO_CATEGORY = "(no category)"

# native category -> (shared category, note why where the choice is not obvious)
JAKARTA_CATEGORIES: dict[str, tuple[str, str | None]] = {
    "Jalan": ("roads", None),
    "Trotoar": ("roads", "pavements belong to the street surface"),
    "Arus Lalu Lintas": ("traffic", None),
    "Parkir Liar": ("parking", "illegal parking"),
    "Sampah": ("waste", None),
    "Saluran Air, Kali/Sungai": ("water_drainage", None),
    "Penanganan Banjir": ("water_drainage", "flood handling"),
    "Kawasan Dilarang Merokok": ("public_order", "no-smoking zones, like Berlin's "
                                                 "Nichtraucherschutz"),
    "Keluhan Fasilitas Gedung Pemda (sekolah, kantor)": ("other", "government buildings "
                                                                  "(schools, offices)"),
    NO_CATEGORY: ("other", "the CRM record has no category"),
}

BERLIN_CATEGORIES: dict[str, tuple[str, str | None]] = {
    "Abfall": ("waste", None),
    "Drogenutensilien (z.B. Spritze)": ("waste", "discarded syringes are collected as waste"),
    "Straßenaufsicht": ("roads", "street supervision: damage, obstructions on the street"),
    "Baustellen": ("roads", "construction sites on public streets"),
    "Regeneinläufe, Gully": ("water_drainage", None),
    "Parkraumbewirtschaftung": ("parking", None),
    "Verkehr": ("parking", "in the seed almost only parked or abandoned vehicles (Parken auf "
                           "Gehweg, Gehweg zugeparkt, Kfz ohne Kennzeichen)"),
    "Motorroller/Kleinkraftrad": ("parking", "parked or abandoned scooters"),
    "LKW": ("parking", "lorries parked in residential streets"),
    "Straßenverkehrsrechtliche Anordnungen": ("traffic", "traffic orders"),
    "Lärm": ("noise", None),
    "Grünanlage/Park": ("greenery", None),
    "Baumschutz": ("greenery", "tree protection"),
    "Spielplätze": ("greenery", "playgrounds in green spaces"),
    "Sondernutzung": ("public_order", "special use of public street space"),
    "Gewerbe/Gaststätten": ("public_order", "trade and restaurant supervision"),
    "Gesundheitsschutz/Hygiene": ("public_order", None),
    "Nichtraucherschutz": ("public_order", None),
    "Jugendschutz": ("public_order", None),
    "Hund": ("public_order", "dogs (leash, fouling)"),
    "Feuerwerk": ("public_order", None),
    "Bauaufsicht": ("public_order", "building control"),
    "Shisha bar": ("public_order", "a citizen's own topic before ' - ' (seed, Nov 2023)"),
    "Ladenöffnung": ("public_order", "shop opening hours (Sundays, holidays)"),
    "Winterdienst": ("roads", "winter service: snow and ice on pavements, carriageways, stops"),
    "Naturschutzgebiet": ("greenery", "nature reserves"),
    "PKW": ("parking", "a citizen's own topic before ' - ' (Jan 2024): a car blocking "
                       "charging bays, like LKW"),
    "Tierschutz": ("other", "animal welfare"),
    "Umweltamt": ("other", "environment office, topic unspecified"),
    "Privatfläche": ("other", "private land"),
    "Sonstiges": ("other", None),
    NO_CATEGORY: ("other", "a citizen's own title; its text is not guessed into a topic"),
}

MAPPINGS = {JAKARTA: JAKARTA_CATEGORIES, BERLIN: BERLIN_CATEGORIES}


def rows() -> list[tuple[str, str, str, str | None]]:
    """``(city, native_category, shared_category, note)`` of every mapping; a shared category
    outside :data:`SHARED_CATEGORIES` is a programming error and raises."""
    out = []
    for city, mapping in MAPPINGS.items():
        for native, (shared, note) in mapping.items():
            if shared not in SHARED_CATEGORIES:
                raise ValueError(f"{city} category {native!r} maps to {shared!r}, which is not "
                                 f"in the shared taxonomy {SHARED_CATEGORIES}")
            out.append((city, native, shared, note))
    return out


def shared_category(city: str, native: str | None) -> str | None:
    """The shared category of a native one (None when unmapped); a missing native category
    counts as :data:`NO_CATEGORY`."""
    found = MAPPINGS[city].get(NO_CATEGORY if native is None else native)
    return found[0] if found else None
