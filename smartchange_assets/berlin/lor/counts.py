"""The published shape of LOR 2021 (docs/sources/berlin-lor.md §2), as expectations.

12 Bezirke, 58 Prognoseräume, 143 Bezirksregionen, 542 Planungsräume, and per Bezirk the
table below (counted in the real export, which matches that table row for row). Both the
staged PLR rows and the derived hierarchy are held to it, each with expectations that count
distinct codes under a row condition (GX ``row_condition``: equalities joined by ``and``,
evaluated as SQL by platform/quality.py), so a lost, duplicated or re-parented area fails a
blocking check that names the Bezirk and the level.
"""

from __future__ import annotations

from smartchange_assets.platform.quality import Expect

LOR_VERSION = "LOR2021"

# Bezirk code -> (name, Prognoseräume, Bezirksregionen, Planungsräume)
LOR2021_BEZIRKE: dict[str, tuple[str, int, int, int]] = {
    "01": ("Mitte", 4, 10, 49),
    "02": ("Friedrichshain-Kreuzberg", 5, 8, 36),
    "03": ("Pankow", 7, 16, 60),
    "04": ("Charlottenburg-Wilmersdorf", 5, 11, 53),
    "05": ("Spandau", 4, 9, 45),
    "06": ("Steglitz-Zehlendorf", 4, 8, 44),
    "07": ("Tempelhof-Schöneberg", 6, 15, 48),
    "08": ("Neukölln", 4, 12, 46),
    "09": ("Treptow-Köpenick", 5, 20, 43),
    "10": ("Marzahn-Hellersdorf", 4, 9, 41),
    "11": ("Lichtenberg", 5, 13, 41),
    "12": ("Reinickendorf", 5, 12, 36),
}
LEVELS = ("bezirk", "prognoseraum", "bezirksregion", "planungsraum")
LOR2021_TOTALS = {"bezirk": 12, "prognoseraum": 58, "bezirksregion": 143, "planungsraum": 542}
BEZIRK_NAMES = tuple(name for name, *_ in LOR2021_BEZIRKE.values())


def distinct_count(column: str, n: int, condition: str, name: str) -> Expect:
    """Exactly ``n`` distinct values of ``column`` among the rows matching ``condition``."""
    return Expect("ExpectColumnUniqueValueCountToBeBetween", column,
                  {"min_value": n, "max_value": n, "row_condition": condition,
                   "condition_parser": "pandas"}, name=name)


def _per_bezirk_counts() -> dict[str, list[tuple[str, int]]]:
    """Bezirk code -> [(level, expected count)] for the three levels below the Bezirk."""
    return {bez: list(zip(LEVELS[1:], counts))
            for bez, (_name, *counts) in LOR2021_BEZIRKE.items()}


def staged_plr_expectations() -> tuple[Expect, ...]:
    """Counts on the staged PLR rows (one row per Planungsraum, parent codes as columns)."""
    version = f'lor_version == "{LOR_VERSION}"'
    code_column = {"bezirk": "bezirk_code", "prognoseraum": "prognoseraum_code",
                   "bezirksregion": "bezirksregion_code", "planungsraum": "code"}
    expectations = [distinct_count(code_column[level], n, version, f"lor2021_{level}_count")
                    for level, n in LOR2021_TOTALS.items()]
    for bez, counts in _per_bezirk_counts().items():
        where = f'{version} and bezirk_code == "{bez}"'
        expectations += [distinct_count(code_column[level], n, where, f"bezirk_{bez}_{level}_count")
                         for level, n in counts]
        # every row of the Bezirk carries its name (the counts above prove rows exist)
        expectations.append(Expect(
            "ExpectColumnValuesToBeInSet", "bezirk_name",
            {"value_set": [LOR2021_BEZIRKE[bez][0]], "row_condition": where,
             "condition_parser": "pandas"}, name=f"bezirk_{bez}_name"))
    return tuple(expectations)


def hierarchy_expectations() -> tuple[Expect, ...]:
    """Counts on the derived hierarchy (one row per area of every level)."""
    version = f'lor_version == "{LOR_VERSION}"'
    expectations = [distinct_count("code", n, f'{version} and level == "{level}"',
                                   f"lor2021_{level}_count")
                    for level, n in LOR2021_TOTALS.items()]
    for bez, counts in _per_bezirk_counts().items():
        where = f'{version} and bezirk_code == "{bez}"'
        expectations += [distinct_count("code", n, f'{where} and level == "{level}"',
                                        f"bezirk_{bez}_{level}_count")
                         for level, n in counts]
    return tuple(expectations)
