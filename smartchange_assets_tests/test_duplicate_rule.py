"""One duplicate-key rule for every source (docs/parsers.md): the same planted duplicates in a
Jakarta and a Berlin source give the same outcome.

Fault cases derived from real seed files: the first data row is repeated twice at the end of
the file, once exactly and once with one non-key value changed (a conflict)."""

from __future__ import annotations

import pytest

from smartchange_assets.berlin.population.parser import parse_ewr
from smartchange_assets.jakarta.transjakarta.parser import parse_transjakarta
from smartchange_assets.platform.parsing import DUPLICATE, INCONSISTENT

from .seed_files import seed_bytes


def _planted(data: bytes, delimiter: bytes, changed_field: int, value: bytes
             ) -> tuple[bytes, int]:
    """The file with its first data row repeated exactly, then repeated with one field changed
    to a made-up ``value``; and the number of data rows of the original."""
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines = [line for line in data.split(newline) if line.strip()]
    first = lines[1]
    fields = first.split(delimiter)
    fields[changed_field] = value
    conflicting = delimiter.join(fields)
    return newline.join([*lines, first, conflicting]) + newline, len(lines) - 1


CASES = {
    # Jakarta: passengers per route and month; the route name changes
    "jakarta/transjakarta": (lambda: seed_bytes("jakarta/transjakarta", "penumpang_2021.csv"),
                             b",", 3, b'"changed"', parse_transjakarta, "penumpang_2021.csv"),
    # Berlin: residents per Planungsraum; the Stadtraum number changes (not a count, so the
    # row's sums still hold)
    "berlin/population": (lambda: seed_bytes("berlin/population", "EWR201912E_Matrix.csv"),
                          b";", 6, b"9", parse_ewr, "EWR201912E_Matrix.csv"),
}


def _outcome(source: str) -> dict:
    read, delimiter, field, value, parse, name = CASES[source]
    original = parse(read(), name)
    planted, rows = _planted(read(), delimiter, field, value)
    result = parse(planted, name)
    result.reconcile()
    before = set(zip(original.quarantine["source_row"], original.quarantine["reason"]))
    new = result.quarantine[[(r, why) not in before for r, why in
                             zip(result.quarantine["source_row"], result.quarantine["reason"])]]
    return {
        "source_rows": result.source_rows - original.source_rows,
        "staged": len(result.staged) - len(original.staged),
        "kinds": sorted(zip(new["source_row"].tolist(), new["kind"].tolist())),
        "reasons": new["reason"].tolist(),
        "rows": rows,
    }


@pytest.mark.parametrize("source", sorted(CASES))
def test_the_rule_on_a_real_file(source):
    out = _outcome(source)
    rows = out["rows"]
    # three rows now share the key: the original (row 1), its exact repeat and a conflict
    assert out["source_rows"] == 2
    assert out["staged"] == -1  # the key is staged by none of its rows any more
    assert out["kinds"] == [(1, INCONSISTENT), (rows + 1, DUPLICATE),
                            (rows + 2, INCONSISTENT)]
    conflict = out["reasons"][[r for r, _ in out["kinds"]].index(1)]
    assert f"source rows 1, {rows + 1}, {rows + 2} differ in" in conflict
    assert conflict.endswith("none is staged")


def test_both_cities_get_the_same_outcome():
    shapes = []
    for source in sorted(CASES):
        out = _outcome(source)
        shapes.append((out["source_rows"], out["staged"],
                       [(r if r == 1 else r - out["rows"], k) for r, k in out["kinds"]]))
    assert shapes[0] == shapes[1]
