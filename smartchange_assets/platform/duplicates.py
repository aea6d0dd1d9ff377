"""One rule for rows that share a key, applied the same way by every source.

Within one payload, rows with the same key (the staging table's key without the payload hash):

* **exact repeats** – every staged value equal: the first row is staged, each repeat is
  quarantined as ``duplicate`` ("exact duplicate of source row N"); nothing is lost, so the
  repeats do not count towards the payload's quarantine share;
* **conflicts** – the rows disagree on some value: *none* of them is staged, since which one
  is right is a guess. The first row of each distinct version is quarantined as
  ``inconsistent`` with the key, the rows and the columns that disagree; repeats of a version
  as ``duplicate``. A conflict counts towards the quarantine share, and the key is missing from
  the table until the publisher (or a corrected landed file) settles it.

docs/parsers.md states the rule for readers; tests plant the same conflict in sources of both
cities and get the same outcome.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from smartchange_assets.platform.parsing import DUPLICATE, INCONSISTENT, Quarantine


def settle_duplicates(rows: pd.DataFrame, key: Sequence[str], quarantine: Quarantine, *,
                      source_row: str = "source_row", raw: str | pd.Series | None = None,
                      compare: Sequence[str] | None = None) -> pd.DataFrame:
    """``rows`` without the repeats and conflicts of ``key``, which go to ``quarantine``.

    ``source_row`` names the column with each row's position in the payload; ``raw`` the
    column (or a Series aligned with ``rows``) with the record as published, for the
    quarantine; ``compare`` the columns whose values decide "equal" (default: every column but
    ``source_row`` and ``raw``). Row order is kept.
    """
    key = list(key)
    if rows.empty:
        return rows
    raw_values = (rows[raw] if isinstance(raw, str) else raw) if raw is not None else None
    skip = {source_row, raw if isinstance(raw, str) else None}
    compare = list(compare) if compare is not None else [c for c in rows.columns
                                                          if c not in skip]
    repeated = rows.duplicated(key, keep=False)
    if not repeated.any():
        return rows
    # plain Python tuples, missing values as None: one pass, however many keys repeat
    group = rows[repeated]
    keys = list(_plain(group[key]).itertuples(index=False, name=None))
    versions = list(_plain(group[compare]).itertuples(index=False, name=None))
    labels = list(group[key].itertuples(index=False, name=None))
    numbers = [int(n) for n in group[source_row]]
    positions_of: dict[tuple, list[int]] = {}
    for pos, k in enumerate(keys):
        positions_of.setdefault(k, []).append(pos)
    drop: list = []
    for positions in positions_of.values():
        first_of_version: dict = {}
        for pos in positions:
            first_of_version.setdefault(versions[pos], pos)
        conflict = len(first_of_version) > 1
        label = ", ".join(f"{c}={v}" for c, v in zip(key, labels[positions[0]], strict=True))
        if conflict:
            differing = [c for j, c in enumerate(compare)
                         if len({versions[pos][j] for pos in positions}) > 1]
            rows_named = ", ".join(str(numbers[pos]) for pos in positions)
        for pos in positions:
            first = first_of_version[versions[pos]]
            if pos == first and not conflict:
                continue  # the row staged for an exact repeat
            idx = group.index[pos]
            record = raw_values.at[idx] if raw_values is not None else \
                rows.loc[idx].to_dict()
            if pos != first:
                quarantine.add(numbers[pos], key[0], f"exact duplicate of source row "
                               f"{numbers[first]} ({label})", record, kind=DUPLICATE)
            else:
                quarantine.add(numbers[pos], differing[0] if differing else key[0],
                               f"conflicting rows for {label}: source rows {rows_named} "
                               f"differ in {', '.join(differing)}; none is staged", record,
                               kind=INCONSISTENT)
            drop.append(idx)
    return rows.drop(index=drop)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)
