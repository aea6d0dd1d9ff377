"""Publishing the open tier (issue 7): CSV, Parquet and a Frictionless data dictionary per open
dataset, one DCAT-AP 3.0.1 catalogue validated against the official SHACL shapes, a publish log,
and an optional CKAN push. See docs/tiers.md.

For definitions.py: ``from smartchange_assets.publish.assets import PUBLISH_ASSETS,
PUBLISH_CHECKS``.
"""
