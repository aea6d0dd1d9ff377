"""Every source in the code location, materialised alone on a fresh database from its seed:
all checks pass and every seed payload reconciles."""

import pytest

from smartchange_assets.definitions import SOURCES

from .seed_files import seed_entries
from .source_harness import check_results, materialize_source


@pytest.mark.parametrize("spec", SOURCES, ids=lambda s: s.source_id)
def test_source_materialises_from_its_seed_with_green_checks(spec, fresh_database):
    result = materialize_source(spec, fresh_database.url)
    assert result.success
    checks = check_results(result)
    assert checks and all(checks.values()), checks
    recon = fresh_database.read_frame(
        "SELECT * FROM raw.payload_reconciliation WHERE source = :s", s=spec.source_id)
    assert set(recon["payload_sha256"]) == {e.sha256 for e in seed_entries(spec.source_id)}
    assert (recon["staged"] + recon["no_data"] + recon["quarantined"]
            == recon["source_rows"]).all()
