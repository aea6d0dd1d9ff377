"""Construction industry monthly report "Baugewerbe in Berlin" (Statistischer Bericht E II 1 /
E III 1 – m): the one description (docs/sources/berlin-construction.md)."""

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .checks import report_consistency_check
from .labels import BREAKDOWNS, CHANGES, MEASURE_UNITS, STATUS_LETTERS
from .parser import KEY, parse_construction

AGGREGATIONS = ["level", "annual_average", "annual_sum", *CHANGES.values()]
STATUSES = [*STATUS_LETTERS.values(), "limited_reliability", "nothing"]

COLUMNS = [
    Column("source_row", "bigint", "value-cell number in the workbook (1-based: sheet by sheet, "
           "row by row)", nullable=False),
    Column("report_month", "date", "month of the issue (file name …_2023m06_…); every issue "
           "restates earlier months", nullable=False),
    Column("sheet", "text", "table sheet (Tab1 … Tab8)", nullable=False),
    Column("cell", "text", "cell of the value (C12)", nullable=False),
    Column("table_title", "text", "the table's title, normalised", nullable=False),
    Column("branch", "text", "bauhauptgewerbe (main construction trade, establishments with "
           "20+ persons: Monatsberichtskreis), ausbaugewerbe (finishing trades), bautraeger",
           nullable=False),
    Column("wz_code", "text", "WZ 2008 code of a row of Tab6/Tab8 (41.2, 43.99.1; totals "
           "'41.2/42/43.1/43.9'); NULL in the time series (the branch as a whole)"),
    Column("wz_name", "text", "WZ 2008 branch name as published"),
    Column("period_type", "text", "month, quarter or year", nullable=False),
    Column("period_start", "date", "first day of the period", nullable=False),
    Column("measure", "text", ", ".join(f"{m} ({u})" for m, u in MEASURE_UNITS.items()),
           nullable=False),
    Column("breakdown", "text", "type of construction: " + ", ".join(BREAKDOWNS),
           nullable=False),
    Column("aggregation", "text", "level (the period's figure), annual_average (stocks), "
           "annual_sum (flows), or a % change: " + ", ".join(CHANGES.values()),
           nullable=False),
    Column("unit", "text", "unit of value: count, persons, days, EUR thousand, hours thousand, "
           "percent", nullable=False),
    Column("value", "double precision", "the figure (EUR and hours in thousands as published)",
           nullable=False),
    Column("value_status", "text", "NULL, or " + ", ".join(STATUSES) + " (from the "
           "Zeichenerklärung: p, r, s, parentheses, '–' = nothing = 0)"),
    Column("footnote", "text", "footnote marks on the row label (¹)"),
]

SOURCE = SourceSpec(
    seed=seed_folder(__file__),
    city="berlin",
    name="construction",
    title="Construction industry in Berlin, monthly report (Statistik Berlin-Brandenburg)",
    description=("Establishments, persons employed, hours, wages, turnover, new orders and "
                 "order backlog of the main construction trade (monthly, by type of "
                 "construction), the finishing trades (quarterly) and both by WZ 2008 branch. "
                 "Berlin as a whole: no Bezirke. One staged row per value cell of Tab1–Tab8."),
    publisher="Amt für Statistik Berlin-Brandenburg",
    licence="CC BY 3.0 DE (sheet Impressum)",
    portal_url="https://www.statistik-berlin-brandenburg.de/e-ii-1-e-iii-1-m",
    parser=parse_construction,
    staging=staging_table("berlin", "construction_report", COLUMNS, ("payload_sha256", *KEY),
                          "Construction report figures, one row per value cell and issue"),
    date_column="period_start",
    publisher_cadence="monthly",
    key_columns=(),
    expectations=(
        q.compound_unique(["payload_sha256", *KEY]),
        *[q.not_null(c.name) for c in COLUMNS if not c.nullable],
        q.in_set("branch", ["bauhauptgewerbe", "ausbaugewerbe", "bautraeger"]),
        q.in_set("period_type", ["month", "quarter", "year"]),
        q.in_set("measure", list(MEASURE_UNITS)),
        q.in_set("breakdown", list(BREAKDOWNS)),
        q.in_set("aggregation", AGGREGATIONS),
        q.in_set("unit", sorted({*MEASURE_UNITS.values(), "percent"})),
        q.in_set("value_status", STATUSES),
        q.between("value", 0, None, row_condition='unit != "percent"',
                  condition_parser="pandas"),
    ),
    extra_checks=(report_consistency_check,),
    group="economy",
    tags={"domain": "economy"},
)
