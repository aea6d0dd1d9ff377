"""Transjakarta's services as its quarterly report names them
(docs/sources/jakarta-transjakarta-services.md §3).

The report names the BRT service two ways: ``Layanan BRT`` (202312-202409, 202506, 202509)
and ``Layanan Bus Rapid Transit`` (202412, 202503). BRT is Bus Rapid Transit, and the two
never appear in the same quarter: one service, staged under the long name, the published name
kept. Every other name is the same in every quarter.
"""

from __future__ import annotations

BRT = "Layanan Bus Rapid Transit"

# published name, upper-cased with single spaces -> service
SERVICES = {
    "LAYANAN BRT": BRT,
    "LAYANAN BUS RAPID TRANSIT": BRT,
    **{name.upper(): name for name in (
        "Layanan Angkutan Pengumpan Integrasi",
        "Layanan Angkutan Pengumpan Bus Kecil",
        "Layanan Angkutan Pengumpan Rusun",
        "Layanan Angkutan Pengumpan Transjabodetabek",
        "Layanan Angkutan Premium Royal Trans",
        "Layanan Angkutan Pariwisata",
        "Layanan Angkutan Penugasan",
        "Layanan Angkutan Transjakarta Cares",
    )},
}

#: every service staged; a name not listed is staged as published and fails the suite on
#: purpose (a new service, or another spelling, should be looked at first)
SERVICE_NAMES = tuple(dict.fromkeys(SERVICES.values()))


def service(text: str) -> str | None:
    """The service a published ``jenis_layanan`` names; an unknown name as published."""
    tidy = " ".join(text.split())
    return SERVICES.get(tidy.upper(), tidy or None)
