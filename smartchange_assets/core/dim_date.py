"""``core.dim_date``: the calendar every fact date must be in.

Both cities' facts carry *local* calendar dates (Asia/Jakarta, Europe/Berlin); a calendar day
is the same row for both, so there is one calendar. It is a plain calendar without gaps from
:data:`FIRST_DAY` (before the oldest seed payload, BLUME March 2008) to 31 December of the year
after the build, so month and year starts used by the marts are in it too, and the nightly
refresh keeps it ahead of live data.

It reads no table on purpose: the facts' integrity checks depend on it, and the facts come
from sources refreshed on different cadences (monthly air quality, yearly population), so a
calendar built from their dates could only be built after all of them. A fact date outside
the calendar (a garbled year) fails the fact's ``integrity`` check instead.
"""

import dagster as dg

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.sql_asset import SqlTable
from smartchange_assets.platform.sql_files import bind, sql_file
from smartchange_assets.platform.tables import Column, TableSpec

KEY = dg.AssetKey(["core", "dim_date"])

FIRST_DAY = "2000-01-01"

TABLE = TableSpec("core", "dim_date", (
    Column("date", "date", "calendar day (a local date in either city)", nullable=False),
    Column("year", "integer", nullable=False),
    Column("quarter", "integer", nullable=False),
    Column("month", "integer", nullable=False),
    Column("month_name", "text", "January … December", nullable=False),
    Column("day", "integer", "day of the month", nullable=False),
    Column("day_of_year", "integer", nullable=False),
    Column("iso_year", "integer", "ISO 8601 week-numbering year", nullable=False),
    Column("iso_week", "integer", "ISO 8601 week 1–53", nullable=False),
    Column("iso_weekday", "integer", "1 = Monday … 7 = Sunday", nullable=False),
    Column("weekday_name", "text", "Monday … Sunday", nullable=False),
    Column("is_weekend", "boolean", "Saturday or Sunday", nullable=False),
    Column("month_start", "date", nullable=False),
    Column("year_start", "date", nullable=False),
    Column("days_in_month", "integer", nullable=False),
    Column("days_in_year", "integer", "365 or 366", nullable=False),
), ("date",), "Calendar every fact date must be in")

SELECT_SQL = sql_file(__file__, "dim_date.sql")

DIM_DATE = SqlTable(
    key=KEY,
    table=TABLE,
    select_sql=SELECT_SQL,
    params=bind(first_day=FIRST_DAY),
    deps=[],
    description="Calendar (year, quarter, month, ISO week, weekday) from 2000 to the end of "
                "next year, without gaps: every fact date must be in it.",
    group="core",
    expectations=(
        q.unique("date"),
        *[q.not_null(c.name) for c in TABLE.columns],
        q.between("month", 1, 12), q.between("quarter", 1, 4), q.between("day", 1, 31),
        q.between("iso_week", 1, 53), q.between("iso_weekday", 1, 7),
        q.in_set("days_in_year", [365, 366]), q.between("days_in_month", 28, 31),
    ),
)
