"""Run a Great Expectations suite on a DataFrame the way the platform runs it: inside Postgres.

Suites run as SQL on tables (platform/quality.py), so a test that wants to see a suite judge a
few rows loads them into a new table first (typed by the table spec when one is given) and
runs the suite there.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd

from smartchange_assets.platform import quality
from smartchange_assets.platform.tables import Column, TableSpec

_SQL_TYPES = {"Int64": "bigint", "int64": "bigint", "float64": "double precision",
              "bool": "boolean", "boolean": "boolean"}


def _sql_type(series: pd.Series) -> str:
    dtype = str(series.dtype)
    if dtype in _SQL_TYPES:
        return _SQL_TYPES[dtype]
    if dtype.startswith("datetime64"):
        return "timestamptz" if "," in dtype else "timestamp"
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], dt.date):
        return "date"
    return "text"


def run_suite_on_frame(wh, frame: pd.DataFrame, expectations, name: str,
                       table: TableSpec | None = None, **kwargs) -> quality.SuiteOutcome:
    """Load ``frame`` into a new table of ``wh`` (the columns of ``table`` when given, else
    types inferred from the frame) and run the suite on it in Postgres."""
    suffix = uuid.uuid4().hex[:10]
    if table is not None:
        columns = tuple(c for c in table.columns if c.name in frame.columns)
    else:
        columns = tuple(Column(c, _sql_type(frame[c])) for c in frame.columns)
    spec = TableSpec("public", f"suite_{suffix}", columns)
    wh.replace_table(spec, frame[[c.name for c in columns]])
    return quality.run_suite(wh.url, quality.table(spec.schema, spec.name), list(expectations),
                             name, **kwargs)
