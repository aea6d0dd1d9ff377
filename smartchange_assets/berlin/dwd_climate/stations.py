"""The DWD climate stations this source knows, and which one stands for Berlin.

A DWD ``produkt_klima_tag_*`` file holds one station, named by ``STATIONS_ID`` in every row
and by the last number of the file name. The station's name is not in the file (it is in the
zip's ``Metadaten_Geographie`` file), so the Berlin stations are listed here, with their DWD
station ids (docs/sources/berlin-dwd-climate.md §1). A file of a station not listed here is not
a Berlin observation for this platform: its rows are quarantined as inconsistent, so the load
fails loudly instead of staging another place's weather as Berlin's.

**Which station stands for the city** (docs/indicators.md, Weather): Berlin-Tempelhof is the
reference, Berlin-Dahlem the fallback for a day or value Tempelhof lacks.
"""

from __future__ import annotations

from typing import NamedTuple


class Station(NamedTuple):
    station_id: str  # DWD station id, five digits as in the file names
    name: str
    preference: int  # 1 = the city's reference station, 2 = its fallback, …


TEMPELHOF = Station("00433", "Berlin-Tempelhof", 1)
DAHLEM = Station("00403", "Berlin-Dahlem (FU)", 2)
STATIONS = {s.station_id: s for s in (TEMPELHOF, DAHLEM)}
# station ids in the order the weather fact prefers them (core/weather.py)
PREFERENCE = [s.station_id for s in sorted(STATIONS.values(), key=lambda s: s.preference)]
