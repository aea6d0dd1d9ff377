"""EEA European Air Quality Index bands (6-band version, EEA c. 2021-2024, CAMS/Open-Meteo).

Edges are read as half-open ``[lo, hi)``, because the published ranges share their end points.
PM bands apply to 24-hour means; NO2, O3 and SO2 bands are defined on hourly values, so a band
taken from a daily mean of those gases is an approximation, and the fact table says so.
"""

from __future__ import annotations

import bisect

VERSION = "EEA-2021"
BANDS = ("Good", "Fair", "Moderate", "Poor", "Very poor", "Extremely poor")
POOR_OR_WORSE_FROM = 4  # band number of "Poor"

# lower edges of bands 2..6, µg/m³
_EDGES = {
    "pm25": (10, 20, 25, 50, 75),
    "pm10": (20, 40, 50, 100, 150),
    "no2": (40, 90, 120, 230, 340),
    "o3": (50, 100, 130, 240, 380),
    "so2": (100, 200, 350, 500, 750),
}
AVERAGING = {"pm25": "24h", "pm10": "24h", "no2": "1h", "o3": "1h", "so2": "1h"}


def band_number(pollutant: str, conc_ugm3: float | None) -> int | None:
    if conc_ugm3 is None or conc_ugm3 != conc_ugm3 or pollutant not in _EDGES:
        return None
    if conc_ugm3 < 0:
        return None
    return bisect.bisect_right(_EDGES[pollutant], conc_ugm3) + 1


def band_label(pollutant: str, conc_ugm3: float | None) -> str | None:
    n = band_number(pollutant, conc_ugm3)
    return None if n is None else BANDS[n - 1]


def reference_rows() -> list[dict]:
    rows = []
    for pollutant, edges in _EDGES.items():
        lows = (0.0, *edges)
        highs = (*edges, None)
        for n, (lo, hi) in enumerate(zip(lows, highs), start=1):
            rows.append({"version": VERSION, "pollutant": pollutant, "band": n,
                         "label": BANDS[n - 1], "conc_lo_ugm3": lo, "conc_hi_ugm3": hi,
                         "averaging": AVERAGING[pollutant]})
    return rows
