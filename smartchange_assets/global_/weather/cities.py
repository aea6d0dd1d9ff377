"""The two cities the weather source asks Open-Meteo about, and how a reply is matched to one.

Open-Meteo answers for the model grid cell nearest to the requested point, so the coordinates in a
reply differ slightly from the request (docs/sources/global-weather.md §3: 52.52/13.41 comes back as
52.52/13.419998). The archive API's ERA5 grid is 0.25°, so a reply can sit up to about 0.125° from
the request; :data:`GRID_TOLERANCE_DEG` allows 0.25° on each axis, far below the distance to
anything that could be confused with either city.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    latitude: float
    longitude: float
    timezone: str  # IANA zone the daily values are aggregated in (local calendar days)


JAKARTA = City("jakarta", -6.2, 106.85, "Asia/Jakarta")
BERLIN = City("berlin", 52.52, 13.41, "Europe/Berlin")
CITIES: tuple[City, ...] = (JAKARTA, BERLIN)

GRID_TOLERANCE_DEG = 0.25


def city_at(latitude: float, longitude: float) -> City | None:
    """The city whose requested point lies within the grid tolerance of these coordinates."""
    for city in CITIES:
        if (abs(latitude - city.latitude) <= GRID_TOLERANCE_DEG
                and abs(longitude - city.longitude) <= GRID_TOLERANCE_DEG):
            return city
    return None
