"""Where an export without coordinates was taken: the station its file name names.

The Jakarta station tables (docs/sources/global-weather-exports.md §1) were exported from
Open-Meteo for the five ISPU (SPKU) air-quality stations and lost the location preamble on the
way, so the file holds no coordinates. Its name does: ``cuaca-harian-dki<N>-<place>.csv``. The
mapping below is the one stated in that document: the station code DKI1–DKI5 and the place
each file name spells, as the platform's station list has them (DKI4 Lubang Buaya, DKI5 Kebon
Jeruk; ``core/stations.py``). A file name whose code and place disagree is refused: which of
the two is right would be a guess.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Station(NamedTuple):
    code: str
    city: str
    place: str  # as the file names spell it: lower case, no spaces
    name: str


STATIONS = {s.code: s for s in (
    Station("DKI1", "jakarta", "bundaranhi", "Bundaran HI"),
    Station("DKI2", "jakarta", "kelapagading", "Kelapa Gading"),
    Station("DKI3", "jakarta", "jagakarsa", "Jagakarsa"),
    Station("DKI4", "jakarta", "lubangbuaya", "Lubang Buaya"),
    Station("DKI5", "jakarta", "kebonjeruk", "Kebon Jeruk"),
)}

# "dki3", "dki3-jagakarsa", "DKI3_Jagakarsa": the code, then optionally the place
_NAMED = re.compile(r"(?<![a-z0-9])dki(\d+)(?:[-_ ]([a-z]+))?", re.IGNORECASE)


class StationNameError(ValueError):
    """The file name names a station this mapping does not know, or a wrong place for it."""


def station_in_name(file_name: str) -> Station | None:
    """The station a file name names, None when it names none; raises StationNameError."""
    found = list(_NAMED.finditer(file_name))
    if not found:
        return None
    if len({m[1] for m in found}) > 1:
        raise StationNameError(f"the file name names several stations "
                               f"({', '.join('DKI' + m[1] for m in found)})")
    code, place = f"DKI{found[0][1]}", found[0][2]
    station = STATIONS.get(code)
    if station is None:
        raise StationNameError(f"the file name names station {code}, not one of "
                               f"{', '.join(STATIONS)}")
    if place is not None and place.lower() != station.place:
        raise StationNameError(f"the file name names {code} at {place!r}, but {code} is "
                               f"{station.name} ({station.place!r})")
    return station
