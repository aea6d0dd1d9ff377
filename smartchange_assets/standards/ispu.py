"""Indonesian ISPU (Indeks Standar Pencemar Udara): concentration <-> index, both regimes.

* ``P.14/2020`` – Permen LHK P.14/MENLHK/SETJEN/KUM.1/7/2020, all values µg/m³, 24-hour
  averages as the reproduced Lampiran reads. In force from :data:`P14_2020_IN_FORCE`.
* ``KEP-107/1997`` – Kep Bapedal KEP-107/KABAPEDAL/11/1997 (bands per KEP-45/MENLH/10/1997).
  The jakarta REPORT gives this table from memory ("verify before use"), so every conversion
  that rests on it is flagged ``verified=False``. CO is published in mg/m³ there; we store µg/m³.

The regulation's formula ``I = (Ia-Ib)/(Xa-Xb) * (Xx-Xb) + Ib`` is linear interpolation inside
the band; we take each band's lower bound as the previous band's upper bound, which makes the
mapping continuous and exactly invertible (index -> concentration is the same line read back).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

P14_2020 = "P.14/2020"
KEP107_1997 = "KEP-107/1997"

# The 2020 regulation was signed in July 2020 (KUM.1/7/2020). No seed file covers 2020, so the
# exact day matters little; we use the first of that month and say so in the README.
P14_2020_IN_FORCE = dt.date(2020, 7, 1)

POLLUTANTS = ("pm10", "pm25", "so2", "co", "o3", "no2", "hc")


@dataclass(frozen=True)
class Breakpoints:
    regime: str
    pollutant: str
    index_points: tuple[float, ...]
    conc_points: tuple[float | None, ...]  # µg/m³; None = band not defined by the regulation
    averaging: str
    verified: bool


_P14_INDEX = (0, 50, 100, 200, 300, 500)
# upper concentration of each band, µg/m³ (Lampiran "Batas Indeks ISPU dalam Satuan SI")
_P14_CONC = {
    "pm10": (0, 50, 150, 350, 420, 500),
    "pm25": (0, 15.5, 55.4, 150.4, 250.4, 500),
    "so2": (0, 52, 180, 400, 800, 1200),
    "co": (0, 4000, 8000, 15000, 30000, 45000),
    "o3": (0, 120, 235, 400, 800, 1000),
    "no2": (0, 80, 200, 1130, 2260, 3000),
    "hc": (0, 45, 100, 215, 432, 648),
}
# O3 and NO2 averaging in P.14/2020 is what a reproduction says, not read from the PDF.
_P14_VERIFIED = {"pm10": True, "pm25": True, "so2": True, "co": True, "o3": False,
                 "no2": False, "hc": True}

_K97_INDEX = (0, 50, 100, 200, 300, 400, 500)
_K97_CONC = {
    "pm10": ((0, 50, 150, 350, 420, 500, 600), "24h"),
    "so2": ((0, 80, 365, 800, 1600, 2100, 2620), "24h"),
    "co": ((0, 5000, 10000, 17000, 34000, 46000, 57500), "8h"),  # 5…57.5 mg/m³
    "o3": ((0, 120, 235, 400, 800, 1000, 1200), "1h"),
    "no2": ((None, None, None, 1130, 2260, 3000, 3750), "1h"),  # bands up to 200 not defined
}

BREAKPOINTS: dict[tuple[str, str], Breakpoints] = {}
for _p, _c in _P14_CONC.items():
    BREAKPOINTS[(P14_2020, _p)] = Breakpoints(P14_2020, _p, _P14_INDEX, _c,
                                             "24h", _P14_VERIFIED[_p])
for _p, (_c, _avg) in _K97_CONC.items():
    BREAKPOINTS[(KEP107_1997, _p)] = Breakpoints(KEP107_1997, _p, _K97_INDEX, _c, _avg, False)

# Category bands: (upper inclusive limit, label). P.14/2020: 101–200 Tidak Sehat;
# KEP-45/1997: 101–199 Tidak Sehat, 200–299 Sangat Tidak Sehat, >=300 Berbahaya.
CATEGORIES = ("BAIK", "SEDANG", "TIDAK SEHAT", "SANGAT TIDAK SEHAT", "BERBAHAYA")
NO_DATA_CATEGORY = "TIDAK ADA DATA"
# (upper limit, upper limit included) of each category but the last
_CATEGORY_LIMITS = {
    P14_2020: ((50, True), (100, True), (200, True), (300, True)),
    KEP107_1997: ((50, True), (100, True), (200, False), (300, False)),
}
UNHEALTHY_OR_WORSE = CATEGORIES[2:]


def regime_for(day: dt.date) -> str:
    return P14_2020 if day >= P14_2020_IN_FORCE else KEP107_1997


def category_for_index(index: float | None, day: dt.date) -> str | None:
    """The category label for a (daily) ISPU value under the regime in force on ``day``."""
    if index is None or index != index:  # None or NaN
        return None
    for category, (limit, included) in zip(CATEGORIES, _CATEGORY_LIMITS[regime_for(day)]):
        if index < limit or (included and index == limit):
            return category
    return CATEGORIES[-1]


def _interp(x: float, xs: tuple, ys: tuple) -> float | None:
    if x < xs[0]:
        return None
    if x > xs[-1]:
        return None  # beyond the table: not extrapolated
    i = max(1, bisect.bisect_left(xs, x))
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    if y0 is None or y1 is None:
        return None
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


@dataclass(frozen=True)
class Conversion:
    value: float | None
    regime: str
    verified: bool


def index_from_concentration(pollutant: str, conc_ugm3: float,
                             regime: str = P14_2020) -> Conversion:
    bp = BREAKPOINTS.get((regime, pollutant))
    if bp is None:
        return Conversion(None, regime, False)
    concs = tuple(c for c in bp.conc_points)
    if any(c is None for c in concs):
        # only the defined part of the table can be read
        pairs = [(c, i) for c, i in zip(concs, bp.index_points) if c is not None]
        if conc_ugm3 < pairs[0][0]:
            return Conversion(None, regime, bp.verified)
        xs, ys = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    else:
        xs, ys = concs, bp.index_points
    return Conversion(_interp(conc_ugm3, xs, ys), regime, bp.verified)


def concentration_from_index(pollutant: str, index: float, regime: str = P14_2020) -> Conversion:
    bp = BREAKPOINTS.get((regime, pollutant))
    if bp is None:
        return Conversion(None, regime, False)
    return Conversion(_interp(index, bp.index_points, bp.conc_points), regime, bp.verified)


def category_rows() -> list[dict]:
    """Category bands per regime, for ``core.ref_ispu_categories`` (rank 1 = BAIK)."""
    rows = []
    for regime, limits in _CATEGORY_LIMITS.items():
        for rank, category in enumerate(CATEGORIES, start=1):
            limit, included = limits[rank - 1] if rank <= len(limits) else (None, None)
            rows.append({"regime": regime, "rank": rank, "category": category,
                         "upper_limit": limit, "upper_included": included})
    return rows


def reference_rows() -> list[dict]:
    """One row per band, for the warehouse table ``core.ref_ispu_breakpoints``."""
    rows = []
    for bp in BREAKPOINTS.values():
        for k in range(1, len(bp.index_points)):
            rows.append({
                "regime": bp.regime, "pollutant": bp.pollutant,
                "index_lo": bp.index_points[k - 1], "index_hi": bp.index_points[k],
                "conc_lo_ugm3": bp.conc_points[k - 1], "conc_hi_ugm3": bp.conc_points[k],
                "averaging": bp.averaging, "verified": bp.verified,
            })
    return rows
