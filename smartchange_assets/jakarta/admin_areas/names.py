"""The comparable form of a Jakarta area name, as every admin-area module compares names.

Builds on the platform's :func:`~smartchange_assets.platform.names.ascii_fold` with the rules
of Jakarta's publishers (docs/sources/jakarta-admin-areas.md §3): administrative prefixes
(``KOTA ADMINISTRASI``, ``KAB.ADM.``, ``KELURAHAN``) are dropped and the abbreviations ``P.``
(Pulau), ``KEP.`` (Kepulauan) and ``DKI`` are written out.
"""

from __future__ import annotations

import re

from smartchange_assets.platform.names import ascii_fold

_PREFIX = re.compile(
    r"^(?:PROVINSI|PROV\.)\s*"
    r"|^(?:KABUPATEN|KAB\.?|KOTA)\s*(?:ADMINISTRASI|ADM)\b\.?\s*"  # KAB.ADM., KOTA ADM.
    r"|^KOTA\s+(?=JAKARTA)"  # only before JAKARTA: 'Kota Bambu Utara' is a kelurahan
    r"|^(?:KABUPATEN|KAB\.?)\s*(?=KEP)"
    r"|^(?:KELURAHAN|KEL\.|KECAMATAN|KEC\.)\s*")  # CRM: 'KELURAHAN KLENDER'
_ABBREVIATIONS = (
    (re.compile(r"\bP\.\s*"), "PULAU "),  # P. HARAPAN
    (re.compile(r"\bKEP\b\.?\s*"), "KEPULAUAN "),  # KEP. SERIBU, BPS 'Kep Seribu'
    (re.compile(r"\bDKI\b"), "DAERAH KHUSUS IBUKOTA "),  # DKI JAKARTA (BPS, population)
)
_NOT_LETTERS = re.compile(r"[^A-Z]")


def normalise_name(text: object) -> str:
    """The comparable form of an area name: upper case, letters only, abbreviations expanded,
    administrative prefixes removed.

    ``'Kota Administrasi Jakarta Utara '`` and ``'JAKARTA UTARA'`` -> ``JAKARTAUTARA``;
    ``'KAB.ADM.KEP.SERIBU'`` -> ``KEPULAUANSERIBU``; ``'P. HARAPAN'`` -> ``PULAUHARAPAN``;
    ``'KELURAHAN KLENDER'`` -> ``KLENDER``; ``'nihil'`` -> ``NIHIL``; ``'-'`` -> ``''``.
    """
    upper = ascii_fold(text).upper().strip()
    while True:  # prefixes can stack: 'KAB. ADM. KEP. SERIBU'
        stripped = _PREFIX.sub("", upper, count=1).strip()
        if stripped == upper:
            break
        upper = stripped
    for pattern, replacement in _ABBREVIATIONS:
        upper = pattern.sub(replacement, upper)
    return _NOT_LETTERS.sub("", upper)
