"""Every source in the code location, materialised alone on a fresh database from its seed:
all checks pass and every seed payload reconciles."""

import pytest

from smartchange_assets.definitions import SOURCES
from smartchange_assets.platform.landing import seed_entries

from .source_harness import check_results, materialize_source


@pytest.mark.parametrize("spec", SOURCES, ids=lambda s: s.source_id)
def test_source_materialises_from_its_seed_with_green_checks(spec, fresh_database):
    upstream = [a for a in _upstream_assets(spec)]
    result = materialize_source(spec, fresh_database.url, *upstream)
    assert result.success
    checks = check_results(result)
    assert checks and all(checks.values()), checks
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=spec.source_id)
    assert set(recon["payload_sha256"]) == {e["sha256"] for e in seed_entries(spec.source_id)}
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()


def _upstream_assets(spec):
    """Assets a source's transform reads (e.g. the area reference), with their own raw assets
    when they are another source's staging table."""
    from smartchange_assets.definitions import all_assets_and_checks
    from smartchange_assets.platform.source import build_source

    unbound = {key: a for a in all_assets_and_checks()[0] for key in a.keys}
    assets = []
    for key in spec.extra_deps:
        other = next((s for s in SOURCES if s.staging_key == key), None)
        assets += build_source(other)[0] if other else [unbound[key]]
    return assets
