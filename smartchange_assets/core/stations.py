"""Where the Jakarta ISPU stations (SPKU DKI1–DKI5) are: the kota each one stands in.

DKI2, DKI3 and DKI5 are located by the station table of the Jakarta REPORT §1.1 (code,
location, kota). DKI1 and DKI4 are not in that table; their kota comes from the location the
station label names in the seed files, checked against Kemendagri 2025:

* DKI1 "Bunderan HI" / "Bundaran Hotel Indonesia": the Hotel Indonesia roundabout in Kota
  Administrasi Jakarta Pusat (31.71) — a landmark, not an area name, so this one rests on the
  label alone;
* DKI4 "Lubang Buaya": Kemendagri 2025 has exactly one kelurahan of that name,
  31.75.10.1007 (kecamatan Cipayung, Jakarta Timur, 31.75).

Stations are located at kota (district) level only: the REPORT gives no finer location, and a
kota is what the district scorecard and the population weighting need.
"""

from typing import NamedTuple


class IspuStation(NamedTuple):
    code: str
    location: str
    kota_code: str  # Kemendagri 2025
    evidence: str


REPORT_TABLE = "Jakarta REPORT §1.1 station table"

ISPU_STATIONS = (
    IspuStation("DKI1", "Bundaran HI", "31.71",
                "seed label 'DKI1 (Bunderan HI)' / 'DKI1 Bundaran Hotel Indonesia': the Hotel "
                "Indonesia roundabout lies in Jakarta Pusat (not in the REPORT table)"),
    IspuStation("DKI2", "Kelapa Gading", "31.72", f"{REPORT_TABLE}: Jakarta Utara"),
    IspuStation("DKI3", "Jagakarsa", "31.74", f"{REPORT_TABLE}: Jakarta Selatan"),
    IspuStation("DKI4", "Lubang Buaya", "31.75",
                "seed label 'DKI4 (Lubang Buaya)': Kemendagri 2025 kelurahan Lubang Buaya "
                "31.75.10.1007 in Jakarta Timur (not in the REPORT table)"),
    IspuStation("DKI5", "Kebon Jeruk", "31.73",
                f"{REPORT_TABLE}: Jakarta Barat; seed label 'DKI5 (Kebon Jeruk) Jakarta Barat'"),
)

BLUME_UNLOCATED = ("no Bezirk: the station-location source (berlin/blume_stations) gives the "
                   "station no coordinates and no Bezirk, so core.site_placement cannot place "
                   "it")
