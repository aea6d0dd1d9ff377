"""Area keys of the conformed core: one text key per area of either city.

``<city>:<code system and version>:<native code>``, e.g. ``jakarta:kemendagri_2025:31.71.01.1001``
(a kelurahan) or ``berlin:LOR2021:01100101`` (a Planungsraum). The key names the code system,
because the same digits mean different areas in another system (BPS numbers the Jakarta kota
differently; old-LOR Planungsraum keys look like LOR 2021 ones). Berlin as a whole has no LOR
code, so the city row uses its Amtlicher Gemeindeschlüssel.
"""

import re

JAKARTA, BERLIN = "jakarta", "berlin"
CITIES = (JAKARTA, BERLIN)

JAKARTA_PREFIX = "jakarta:kemendagri_2025:"
BERLIN_PREFIX = "berlin:LOR2021:"
JAKARTA_CITY_KEY = JAKARTA_PREFIX + "31"  # DKI Jakarta, province code 31
BERLIN_CITY_KEY = "berlin:AGS:11000000"   # Land Berlin, Amtlicher Gemeindeschlüssel
CITY_KEYS = {JAKARTA: JAKARTA_CITY_KEY, BERLIN: BERLIN_CITY_KEY}
# bound parameters of SQL files that name the cities and their keys: :jakarta, :berlin,
# :jakarta_city_key, :berlin_city_key, and :city_keys (``cast(:city_keys AS jsonb) ->> city``)
CITY_PARAMS = {JAKARTA: JAKARTA, BERLIN: BERLIN, "jakarta_city_key": JAKARTA_CITY_KEY,
               "berlin_city_key": BERLIN_CITY_KEY, "city_keys": CITY_KEYS}

# The common scheme (city -> district -> subdistrict -> unit) plus Berlin's Prognoseraum, kept
# as an extra level between Bezirk and Bezirksregion (see dim_area).
CITY, DISTRICT, PROGNOSERAUM, SUBDISTRICT, UNIT = (
    "city", "district", "prognoseraum", "subdistrict", "unit")
LEVELS = (CITY, DISTRICT, PROGNOSERAUM, SUBDISTRICT, UNIT)


def jakarta_key(code_sql: str) -> str:
    """SQL: the area key of a Kemendagri 2025 code held in ``code_sql``."""
    return f"('{JAKARTA_PREFIX}' || {code_sql})"


def berlin_key(code_sql: str) -> str:
    """SQL: the area key of a LOR 2021 code (2, 4, 6 or 8 digits) held in ``code_sql``."""
    return f"('{BERLIN_PREFIX}' || {code_sql})"


def literal(text: str | None) -> str:
    """A Python string as an SQL literal for ``sqlalchemy.text`` (quotes doubled, a colon
    before a word escaped so that it is not read as a bind parameter); None as NULL."""
    if text is None:
        return "NULL"
    return "'" + re.sub(r":(?=\w)", r"\\:", text.replace("'", "''")) + "'"
