"""What the comparison report's modules share: the cities, the estimate flags, escaping and
numbers for people (publish/report.py)."""

from __future__ import annotations

import html
import math

import pandas as pd

CITIES = {"jakarta": ("Jakarta", "#d95f02"), "berlin": ("Berlin", "#1b9e77")}
# flags that make a value an estimate, a derivation or otherwise less than a measurement
ESTIMATE_FLAGS = frozenset({
    "derived_from_ispu", "conversion_unverified", "includes_forecast", "city_max_included",
    "ispu_computed_from_concentration", "eaqi_gas_daily_mean_approx", "third_party_rekeyed",
    "third_party_transcription", "register_sample", "residents_year_differs",
    "value_provisional", "value_estimated", "value_limited_reliability"})


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) \
        and not pd.isna(value)


def flag_list(value) -> list[str]:
    """Flags as a list, whether a list/array or the open tier's ``;``-joined text."""
    if value is None or (not isinstance(value, str) and not hasattr(value, "__iter__")):
        return []
    if isinstance(value, str):
        return [f for f in value.split(";") if f]
    return [str(f) for f in value]


def is_estimate(flags) -> bool:
    return bool(ESTIMATE_FLAGS & set(flag_list(flags)))


def fmt(value) -> str:
    """A value for people: thousands separated, about three significant digits."""
    if not present(value):
        return "—"
    v = float(value)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"
