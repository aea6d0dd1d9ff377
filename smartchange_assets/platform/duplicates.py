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
    drop: list = []
    for _, group in rows[repeated].groupby(key, sort=False, dropna=False):
        versions = group[compare].astype(object).where(group[compare].notna(), None) \
            .apply(tuple, axis=1)
        first_of_version: dict = {}
        for idx, version in versions.items():
            first_of_version.setdefault(version, idx)
        conflict = len(first_of_version) > 1
        label = _key_label(group.iloc[0], key)
        if conflict:
            differing = [c for c in compare if group[c].astype(object)
                         .where(group[c].notna(), None).nunique(dropna=False) > 1]
            rows_named = ", ".join(str(int(r)) for r in group[source_row])
        for idx, version in versions.items():
            first = first_of_version[version]
            if idx == first and not conflict:
                continue  # the row staged for an exact repeat
            row_no = int(rows.at[idx, source_row])
            record = raw_values.at[idx] if raw_values is not None else \
                rows.loc[idx].to_dict()
            if idx != first:
                quarantine.add(row_no, key[0], f"exact duplicate of source row "
                               f"{int(rows.at[first, source_row])} ({label})", record,
                               kind=DUPLICATE)
            else:
                quarantine.add(row_no, differing[0] if differing else key[0],
                               f"conflicting rows for {label}: source rows {rows_named} "
                               f"differ in {', '.join(differing)}; none is staged", record,
                               kind=INCONSISTENT)
            drop.append(idx)
    return rows.drop(index=drop)


def _key_label(row: pd.Series, key: list[str]) -> str:
    return ", ".join(f"{c}={row[c]}" for c in key)
