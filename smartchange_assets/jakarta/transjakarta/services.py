"""Transjakarta service types ('jenis') as the two dataset generations publish them
(docs/sources/jakarta-transjakarta.md §3).

The satudata dataset (2021) has three: BRT, Angkutan Umum Integrasi, Mikrotrans. The legacy
monthly files (December 2019) spell types in capitals with stray spaces, call Mikrotrans
"Angkutan Integrasi Bus Kecil" (its JAK-nn codes are the 2021 Mikrotrans codes), publish six
more services, and append two "LAMPIRAN" (appendix) blocks that break down free rides already
counted on other lines: by entitlement for BRT, and by stop for the "Gratis Gate Non BRT" line
(its five stops add up to that line). Appendix lines are staged as ``free_ride_breakdown``,
never as passengers of their own.
"""

from __future__ import annotations

ROUTE, FREE_RIDE_BREAKDOWN = "route", "free_ride_breakdown"
ROW_KINDS = (ROUTE, FREE_RIDE_BREAKDOWN)

BRT, FEEDER, MIKROTRANS = "BRT", "Angkutan Umum Integrasi", "Mikrotrans"

# published spelling, upper-cased with single spaces -> (service type, row kind)
SERVICE_TYPES = {
    "BRT": (BRT, ROUTE),
    "ANGKUTAN UMUM INTEGRASI": (FEEDER, ROUTE),
    "MIKROTRANS": (MIKROTRANS, ROUTE),
    "ANGKUTAN INTEGRASI BUS KECIL": (MIKROTRANS, ROUTE),
    "ANGKUTAN UMUM INTEGRASI RUSUN": ("Angkutan Umum Integrasi Rusun", ROUTE),
    "TRANSJABODETABEK": ("Transjabodetabek", ROUTE),
    "ANGKUTAN EKSEKUTIF ROYAL TRANS": ("Royal Trans", ROUTE),
    "ANGKUTAN WISATA": ("Angkutan Wisata", ROUTE),
    "ANGKUTAN UMUM LAINNYA": ("Angkutan Umum Lainnya", ROUTE),
    "LAMPIRAN LAYANAN GRATIS BRT": ("Lampiran Layanan Gratis BRT", FREE_RIDE_BREAKDOWN),
    "LAMPIRAN RINCIAN GRATIS GATE NON BRT": ("Lampiran Rincian Gratis Gate Non BRT",
                                             FREE_RIDE_BREAKDOWN),
}

#: every service type staged; a type not listed is staged as published and fails the suite on
#: purpose: someone should look at it before it is mixed into passenger statistics
ROUTE_TYPES = tuple(dict.fromkeys(t for t, _ in SERVICE_TYPES.values()))


def service_type(text: str) -> tuple[str | None, str]:
    """(service type, row kind) of a published ``jenis``; an unknown type as published."""
    tidy = " ".join(text.split())
    return SERVICE_TYPES.get(tidy.upper(), (tidy or None, ROUTE))
