"""Small tables in Dagster's UI metadata: a DataFrame as a bounded markdown table.

Cells are cut at 80 characters and pipes escaped, so a long or hostile value cannot break the
table or flood the UI; callers pass only what may be shown (hashes, counts, redacted text).
"""

from __future__ import annotations

import pandas as pd

MAX_CELL = 80


def md_table(df: pd.DataFrame, max_rows: int = 50) -> str:
    """``df`` as a markdown table of at most ``max_rows`` rows (then "… n more rows")."""
    if df.empty:
        return "(none)"
    shown = df.head(max_rows)
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |",
             "|" + "---|" * len(shown.columns)]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(md_cell(v) for v in row) + " |")
    if len(df) > max_rows:
        lines.append(f"\n… {len(df) - max_rows} more rows")
    return "\n".join(lines)


def md_cell(value) -> str:
    """One value as a table cell: empty for missing, one line, at most :data:`MAX_CELL`."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 3] + "…"
