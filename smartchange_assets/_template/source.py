"""The example source, described once (copy this folder: docs/adding-a-source.md).

Fill in the spec below; the raw asset, the staging asset, their two blocking checks
(``payload_reconciliation``, ``gx_suite``) and the docs in the UI follow from it. Imports of the
folder's own modules are relative, so the copied folder works under any city and name.
"""

from __future__ import annotations

from smartchange_assets.platform import quality as q
from smartchange_assets.platform.spec import SourceSpec, seed_folder, staging_table
from smartchange_assets.platform.tables import Column

from .parser import KEY, parse_example

# the staging table's columns and types: the one place they are declared
COLUMNS = [
    Column("source_row", "bigint", "data-row number in the payload (1-based)", nullable=False),
    Column("date", "date", "day the value is for (local date)", nullable=False),
    Column("area", "text", "area name as published, tidied", nullable=False),
    Column("value", "double precision", "the measured value, in the unit the doc names"),
]

SOURCE = SourceSpec(
    city="template",                 # jakarta, berlin or global: the asset keys' first part
    name="example",                  # the folder's name: berlin/raw/<name>
    title="Example source",
    description="What the source holds, per what and how often; its caveats.",
    publisher="Who publishes it",
    licence="The publisher's licence (name and version)",
    portal_url="https://example.org/dataset",
    parser=parse_example,
    staging=staging_table("template", "example", COLUMNS, ("payload_sha256", *KEY),
                          "Example values, one row per area and day"),
    date_column="date",
    key_columns=("date", "area"),   # published columns whose unreadable value stops the line
    expectations=(
        q.not_null("date"), q.not_null("area"),
        q.compound_unique(["payload_sha256", *KEY]),
        q.between("value", 0, None),
    ),
    seed=seed_folder(__file__),      # seed/manifest.json and the recorded payloads
    group="example",                 # the UI's asset group (a theme: air_quality, mobility, …)
    publisher_cadence="yearly",      # daily, monthly or yearly: the freshness policy
    # live mode: a connector fetching from the portal, and the pool of that portal
    # fetch_live=fetch_live, pool="example-portal",
    # partitions=monthly(),          # platform/partitions.py, for sources with many periods
)
