"""The platform's clock: what "now" is when a payload lands and when staleness is judged.

One function, read through the module (``clock.now()``), so that a test moves time by
replacing it instead of sleeping, and the landing archive and the freshness check always agree
on the time.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)
