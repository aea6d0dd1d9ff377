"""The columns of an EWR "Matrix" CSV across vintages, and which LOR version its keys use.

Vintages seen (docs/sources/berlin-population.md §2, and the public mirror the seed excerpts
come from):

* 2009: ``…;STADTRAUM;E_E;E_EM;E_EW;E_E00_01;…;E_E95_110;E_U1;E_1U6;…;E_80U110`` – grouped
  bands named without the second ``E``;
* 2015: the same columns with ``E_EU1;E_E1U6;…``, every field quoted (``"201512";"01011101"``)
  and counts written with a decimal comma (``3090,00``);
* 2019: bare fields, bare integers, ``E_EU1…``, ``STADTRAUM`` (old LOR);
* 2024 ``EWR_L21_``: ``BEZPGR`` (4-digit Bezirk + Prognoseraum) instead of ``STADTRAUM``, keys of
  LOR 2021.

The id and total columns are found by name with
:class:`~smartchange_assets.platform.headers.HeaderSpec` (case, spacing, quotes, BOM). Bands are
recognised by the ages in their names, not by a fixed list: ``E_E<lo>_<hi>`` is a
single-age band [lo, hi), ``E_E<lo>U<hi>``/``E_<lo>U<hi>`` (``E_EU1``/``E_U1`` from 0) a
grouped band. The single-age bands must tile 0–110 and each grouped band must be a union of
them, so the per-row sums are meaningful whatever the cut points of a vintage.

**LOR version** (the meaning of the 8-digit key; ``01011101`` in 2019 and ``01100101`` in 2024
are different areas): decided from the header, confirmed by the file name.
``BEZPGR`` -> ``LOR2021``; ``STADTRAUM`` -> ``LOR_OLD`` (the pre-2021 scheme, files up to
2020). Without either column the file name decides (``EWR_L21_…`` -> ``LOR2021``,
``EWR<YYYYMM>…`` -> ``LOR_OLD``); header and file name disagreeing, or neither telling, is a
ParseError: a key whose scheme is guessed is worse than no key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smartchange_assets.platform.headers import HeaderSpec
from smartchange_assets.platform.parsing import ParseError

LOR_OLD, LOR2021 = "LOR_OLD", "LOR2021"

# staged column -> [lo, hi) years; the publisher's top band ends at 110
GROUPED_BANDS: dict[str, tuple[int, int]] = {
    "age_under_1": (0, 1), "age_1_6": (1, 6), "age_6_15": (6, 15), "age_15_18": (15, 18),
    "age_18_25": (18, 25), "age_25_55": (25, 55), "age_55_65": (55, 65),
    "age_65_80": (65, 80), "age_80_plus": (80, 110),
}
TOP_AGE = 110

ID_COLUMNS = ("ZEIT", "RAUMID", "BEZ", "PGR", "BZR", "PLR", "STADTRAUM", "BEZPGR")
TOTAL_COLUMNS = {"E_E": "total", "E_EM": "male", "E_EW": "female"}
# the id and total columns by their published names (every vintage spells them alike)
HEADER = HeaderSpec({c: () for c in (*ID_COLUMNS, *TOTAL_COLUMNS)},
                    required=("ZEIT", "RAUMID", "BEZ", *TOTAL_COLUMNS))

_SINGLE = re.compile(r"E_E(\d+)_(\d+)")
_GROUPED = re.compile(r"E_E?(\d*)U(\d+)")
_FILE_L21 = re.compile(r"EWR_L21_(\d{6})", re.IGNORECASE)
_FILE_OLD = re.compile(r"EWR(\d{6})[A-Z]?_", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    header: list[str]
    ids: dict[str, int]  # ZEIT, RAUMID, … -> field index
    totals: dict[str, int]  # total, male, female -> field index
    grouped: dict[str, int]  # age_under_1 … -> field index
    single: list[tuple[int, int, int]]  # (lo, hi, field index), sorted by lo
    lor_version: str
    version_evidence: str
    file_zeit: str | None  # YYYYMM named in the file name, if any

    def published(self, index: int) -> str:
        return self.header[index]

    def column_of(self, staged: str) -> str:
        """The published column a staged column is read from (the staged name when it is
        computed, e.g. ``single_age_total``)."""
        by_staged = {"plr_code": self.ids["RAUMID"], "bez": self.ids["BEZ"],
                     "reference_date": self.ids["ZEIT"], **self.totals, **self.grouped}
        if "STADTRAUM" in self.ids:
            by_staged["stadtraum"] = self.ids["STADTRAUM"]
        return self.header[by_staged[staged]] if staged in by_staged else staged

    def singles_in(self, band: str) -> list[int]:
        lo, hi = GROUPED_BANDS[band]
        return [i for s_lo, s_hi, i in self.single if lo <= s_lo and s_hi <= hi]


def normalise(name: str) -> str:
    return re.sub(r"\s+", "", name).upper()


def read_layout(header: list[str], file_name: str) -> Layout:
    try:
        named = HEADER.positions(header, file_name, row=1)
    except ParseError as err:
        raise ParseError(file_name, f"not an EWR Matrix CSV: {err.message}", row=1) from None
    ids = {c: i for c, i in named.items() if c in ID_COLUMNS}
    totals = {staged: named[c] for c, staged in TOTAL_COLUMNS.items()}
    grouped, single = {}, []
    for i, name in enumerate(normalise(h) for h in header):
        if i in named.values():
            continue
        if match := _SINGLE.fullmatch(name):
            single.append((int(match[1]), int(match[2]), i))
        elif (match := _GROUPED.fullmatch(name)) and (band := _band_of(match)):
            grouped[band] = i
    missing = [b for b in GROUPED_BANDS if b not in grouped]
    if missing:
        raise ParseError(file_name, f"not an EWR Matrix CSV: header lacks the grouped age "
                         f"bands {missing}; it reads {header[:10]}", row=1)
    grouped = {band: grouped[band] for band in GROUPED_BANDS}  # the table's order
    single.sort()
    _check_tiling(single, file_name)
    version, evidence = _lor_version(ids, file_name)
    zeit = _file_zeit(file_name)
    return Layout(header, ids, totals, grouped, single, version, evidence, zeit)


def _band_of(match: re.Match) -> str | None:
    lo, hi = int(match[1] or 0), int(match[2])
    return next((b for b, r in GROUPED_BANDS.items() if r == (lo, hi)), None)


def _check_tiling(single: list[tuple[int, int, int]], file_name: str) -> None:
    edges = [0]
    for lo, hi, _ in single:
        if lo != edges[-1] or hi <= lo:
            raise ParseError(file_name, f"single-age bands do not tile 0-{TOP_AGE}: "
                             f"band {lo}-{hi} follows {edges[-1]}", row=1)
        edges.append(hi)
    if edges[-1] != TOP_AGE:
        raise ParseError(file_name, f"single-age bands end at {edges[-1]}, "
                         f"not {TOP_AGE}", row=1)
    for band, (lo, hi) in GROUPED_BANDS.items():
        if lo not in edges or hi not in edges:
            raise ParseError(file_name, f"grouped band {band} ({lo}-{hi}) is not a "
                             "union of single-age bands", row=1)


def _lor_version(ids: dict[str, int], file_name: str) -> tuple[str, str]:
    by_header = LOR2021 if "BEZPGR" in ids else LOR_OLD if "STADTRAUM" in ids else None
    by_name = (LOR2021 if _FILE_L21.search(file_name)
               else LOR_OLD if _FILE_OLD.search(file_name) else None)
    if by_header and by_name and by_header != by_name:
        raise ParseError(file_name, f"header says {by_header} "
                         f"({'BEZPGR' if by_header == LOR2021 else 'STADTRAUM'} column) but the "
                         f"file name says {by_name}: the scheme of the keys is unclear", row=1)
    if by_header:
        column = "BEZPGR" if by_header == LOR2021 else "STADTRAUM"
        return by_header, f"header column {column}" + (" and file name" if by_name else "")
    if by_name:
        return by_name, "file name"
    raise ParseError(file_name, "cannot tell the LOR version of the keys: no STADTRAUM "
                     "(old LOR) or BEZPGR (LOR 2021) column, and the file name is neither "
                     "EWR<YYYYMM>… nor EWR_L21_<YYYYMM>…", row=1)


def _file_zeit(file_name: str) -> str | None:
    match = _FILE_L21.search(file_name) or _FILE_OLD.search(file_name)
    return match[1] if match else None
