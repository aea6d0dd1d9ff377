"""A real Dagster run of some of the code location's assets, in a process of its own, for the
fault matrix to kill, starve or race: ``python -m smartchange_assets_tests.faults.run_assets
WAREHOUSE_URL KEY... [--range FIRST LAST]``. Exit code 0 when the run succeeded."""

from __future__ import annotations

import argparse
import sys

import dagster as dg

from smartchange_assets.definitions import LOCATION
from smartchange_assets.platform.partitions import range_tags
from smartchange_assets.platform.resources import PortalResource, WarehouseResource


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("keys", nargs="+")
    parser.add_argument("--range", nargs=2, metavar=("FIRST", "LAST"))
    args = parser.parse_args(argv)
    keys = [dg.AssetKey.from_user_string(k) for k in args.keys]
    defs = dg.Definitions(
        assets=LOCATION.assets_for(*keys),
        jobs=[dg.define_asset_job("fault_run", selection=dg.AssetSelection.assets(*keys))],
        resources={"warehouse": WarehouseResource(url=args.url),
                   "portal": PortalResource(mode="replay")})
    job = defs.resolve_job_def("fault_run")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                    tags=range_tags(*args.range) if args.range else None,
                                    raise_on_error=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
