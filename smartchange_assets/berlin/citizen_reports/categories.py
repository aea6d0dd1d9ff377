"""Bezirk names and report categories, normalised.

``betreff`` comes in two shapes (docs/sources/berlin-citizen-reports.md §3): "Hauptthema -
Unterthema" from the portal's topic picker ("Abfall - Sperrmüll"), or a short title
("Sperrmüll abgelagert"), some of which are the publisher's own fixed titles and some typed by
the citizen ("Falschparker vor Schule"). Fixed titles seen in the November 2023 snapshot are
mapped to a main topic in :data:`TITLE_TOPICS`; any other title keeps ``category_main`` and
``category_sub`` NULL (its text stays in ``betreff_raw``), rather than being guessed into a
topic.
"""

from __future__ import annotations

import re
import unicodedata

from smartchange_assets.platform.names import fold, tidy

BEZIRKE = (
    "Mitte", "Friedrichshain-Kreuzberg", "Pankow", "Charlottenburg-Wilmersdorf", "Spandau",
    "Steglitz-Zehlendorf", "Tempelhof-Schöneberg", "Neukölln", "Treptow-Köpenick",
    "Marzahn-Hellersdorf", "Lichtenberg", "Reinickendorf",
)

# Hauptthemen of the portal's topic picker: the 25 prefixes of the November 2023 snapshot that
# are topics (not "shisha bar", a citizen's own text) and the one with a leading space folded.
MAIN_TOPICS = (
    "Abfall", "Bauaufsicht", "Baumschutz", "Baustellen", "Drogenutensilien (z.B. Spritze)",
    "Feuerwerk", "Gesundheitsschutz/Hygiene", "Gewerbe/Gaststätten", "Grünanlage/Park", "Hund",
    "Jugendschutz", "LKW", "Lärm", "Nichtraucherschutz", "Parkraumbewirtschaftung",
    "Privatfläche", "Sondernutzung", "Sonstiges", "Straßenaufsicht",
    "Straßenverkehrsrechtliche Anordnungen", "Tierschutz", "Umweltamt", "Verkehr",
    # fixed short titles that are topics of their own, without an Unterthema
    "Motorroller/Kleinkraftrad", "Regeneinläufe, Gully", "Spielplätze",
    # picker topics first seen in the January 2024 snapshot (with Unterthemen such as
    # "Gehwege", "Sonn- und Feiertage", "Sonstiges")
    "Winterdienst", "Ladenöffnung", "Naturschutzgebiet",
)

# Fixed short titles (the spelling the publisher uses, seen at least twice or as an obvious
# variant in the November 2023 snapshot) -> (main topic, sub topic). The sub topic is the
# picker's Unterthema where the title names one, else the title itself.
TITLE_TOPICS: dict[str, tuple[str, str | None]] = {
    "Sperrmüll abgelagert": ("Abfall", "Sperrmüll"),
    "Sperrmüll": ("Abfall", "Sperrmüll"),
    "Müllablagerung": ("Abfall", "Müllablagerung"),
    "Elektroschrott abgelagert": ("Abfall", "Elektroschrott"),
    "Bauabfälle abgelagert": ("Abfall", "Bauabfälle, Bauschutt"),
    "Papierkörbe": ("Abfall", "Papierkörbe"),
    "Bioabfälle": ("Abfall", "Bioabfälle"),
    "Schrottfahrräder": ("Abfall", "Schrottfahrräder"),
    "Weihnachtsbäume": ("Abfall", "Weihnachtsbäume"),
    "Kanister (unbekannte Stoffe) abgelagert": ("Abfall",
                                                "Kanister (unbekannte Stoffe) abgelagert"),
    "KFZ-Teile,die möglicherweise Betriebsstoffe enthalten (gefährliche Abfälle) abgelagert": (
        "Abfall", "KFZ-Teile, die möglicherweise Betriebsstoffe enthalten (gefährliche Abfälle) "
                  "abgelagert"),
    "Verkehr": ("Verkehr", None),
    "Verkehrsbehinderung allgemein": ("Verkehr", "Verkehrsbehinderung allgemein"),
    "Park- und Haltverbot nicht berücksichtigt": ("Verkehr",
                                                  "Park- und Haltverbot nicht berücksichtigt"),
    "Parken auf Gehweg": ("Verkehr", "Parken auf Gehweg"),
    "Gehweg/Radweg zugeparkt": ("Verkehr", "Gehweg/Radweg zugeparkt"),
    "Feuerwehrzufahrt": ("Verkehr", "Feuerwehrzufahrt"),
    "Anhänger (14 Tage)": ("Verkehr", "Anhänger (14 Tage)"),
    "Kfz ohne gültiges Kennzeichen": ("Verkehr", "Kfz ohne gültiges Kennzeichen"),
    "Kfz ohne Kennzeichen (außer Autowrack)": ("Verkehr",
                                               "Kfz ohne Kennzeichen (außer Autowrack)"),
    "KfZ ohne TÜV": ("Verkehr", "Hauptuntersuchung, TÜV"),
    "Motorroller/Kleinkraftrad": ("Motorroller/Kleinkraftrad", None),
    "Regeneinläufe, Gully": ("Regeneinläufe, Gully", None),
    "Spielplätze": ("Spielplätze", None),
    "Spielplätze, Schließdienst": ("Spielplätze", "Schließdienst"),
    "Schankvorgärten, Herausstellen von Waren/ Gegenständen, Baumscheiben, Märkte u.a.": (
        "Sondernutzung",
        "Schankvorgärten, Herausstellen von Waren/Gegenständen, Baumscheiben, Märkte u.a."),
    "Ordnungswidrigkeitsverfahren": ("Sonstiges", "Ordnungswidrigkeitsverfahren"),
}

_SEPARATOR = " - "  # between Hauptthema and Unterthema; titles never contain it
_PARENTHESIS_RE = re.compile(r"\s*\([^()]*\)$")


def collapse(text: str) -> str:
    """Trimmed, with every whitespace run (newlines, NBSP) one space, Unicode NFC."""
    return unicodedata.normalize("NFC", tidy(text))


def _fold(text: str) -> str:
    return collapse(text).casefold().rstrip(" .!?:")


def _bezirk_key(name: str) -> str:
    """"Tempelhof-Schöneberg", "TEMPELHOF - SCHOENEBERG", "Tempelhof–Schöneberg": one key
    (:func:`platform.names.fold`, with umlauts spelled out first so that 'ö' and 'oe' meet)."""
    spelled = collapse(name)
    for plain, letters in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                           ("Ü", "Ue")):
        spelled = spelled.replace(plain, letters)
    return fold(spelled)


_BEZIRK_BY_KEY = {_bezirk_key(b): b for b in BEZIRKE}
_MAIN_BY_FOLD = {_fold(m): m for m in MAIN_TOPICS}
_TITLE_BY_FOLD = {_fold(t): topics for t, topics in TITLE_TOPICS.items()}


def normalise_bezirk(name: str) -> str | None:
    """The official spelling of a Bezirk name, or None if it is not one of the twelve."""
    return _BEZIRK_BY_KEY.get(_bezirk_key(name))


# quotation marks around a topic are noise like a leading space ('"Parkraumbewirtschaftung - …',
# January 2024 snapshot)
_QUOTES = "\"'„“”«»"


def _main_topic(text: str) -> str:
    known = _MAIN_BY_FOLD.get(_fold(text).strip(_QUOTES + " "))
    if known:
        return known
    text = collapse(text)
    return text[:1].upper() + text[1:]  # an ad-hoc topic ("shisha bar"): sentence case


def categorise(betreff: str | None) -> tuple[str | None, str | None]:
    """``(category_main, category_sub)`` of a ``betreff`` (already repaired and redacted)."""
    if betreff is None or not collapse(betreff):
        return None, None
    text = collapse(betreff)
    if _SEPARATOR in text:
        main, sub = text.split(_SEPARATOR, 1)
        sub = collapse(sub)
        return _main_topic(main), (sub or None)
    for candidate in (text, _PARENTHESIS_RE.sub("", text)):
        # "Sperrmüll abgelagert (Spiegel)": a fixed title with the citizen's detail appended
        topics = _TITLE_BY_FOLD.get(_fold(candidate))
        if topics:
            return topics
    return None, None
