"""Comparable forms of names (places, stations, categories) as publishers spell them.

The same name arrives in upper or mixed case, with or without diacritics, with dots, commas,
hyphens, doubled spaces or a non-breaking space. :func:`fold` makes the spellings meet without
changing what the name says; source-specific rules (administrative prefixes, abbreviations)
build on it in the source's own module.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_SPACES = re.compile(r"\s+")


def is_missing(value: object) -> bool:
    """None, pandas' NA, NaN, or a blank string."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def ascii_fold(text: object) -> str:
    """``text`` without diacritics (``'Neukölln'`` -> ``'Neukolln'``); ß as ss; blank -> ''."""
    if is_missing(text):
        return ""
    text = str(text).replace("ß", "ss").replace("ẞ", "SS")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def tidy(text: object) -> str:
    """One line, single spaces, no outer spaces (non-breaking spaces count as spaces)."""
    if is_missing(text):
        return ""
    return _SPACES.sub(" ", str(text).replace("\u00a0", " ")).strip()


def fold(text: object) -> str:
    """The comparable key of a name: ASCII, upper case, letters and digits only
    (``'Charlottenburg-Wilmersdorf'`` and ``'CHARLOTTENBURG WILMERSDORF'`` meet)."""
    return _NOT_ALNUM.sub("", ascii_fold(text).upper())
