"""Adding a source is copying a folder: ``_template`` copied into a city folder of a temporary
copy of the package, with its spec filled in, appears in the code location with its raw and
staging assets and both blocking checks, and stages a payload, with no other file touched.
Removing it is deleting the folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import smartchange_assets

PACKAGE = Path(smartchange_assets.__file__).parent

# what the new source's spec gets (docs/adding-a-source.md, step 2)
FILLED = {'city="template"': 'city="berlin"', 'name="example"': 'name="street_trees"',
          'staging_table("template", "example"': 'staging_table("berlin", "street_trees"',
          'title="Example source"': 'title="Berlin street trees"'}

# Made-up payload for this test only (a fault-free CSV in the template's layout, not city data).
PAYLOAD = (b"wert;Datum;bezirk\n"
           b"3,5;2024-05-01;Mitte\n"
           b";2024-05-02;Mitte\n"
           b"4;2024-05-01;Pankow\n")

PROBE = textwrap.dedent("""
    import json, sys
    import dagster as dg
    from smartchange_assets.definitions import SOURCES, defs
    graph = defs.resolve_asset_graph()
    keys = sorted(k.to_user_string() for k in graph.get_all_asset_keys())
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}:{graph.get_check_spec(k).blocking}"
                    for k in graph.asset_check_keys)
    print(json.dumps({"keys": keys, "checks": checks,
                      "sources": [s.source_id for s in SOURCES]}))
""")


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(PACKAGE, root / "smartchange_assets",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _add_source(root: Path) -> Path:
    folder = root / "smartchange_assets" / "berlin" / "street_trees"
    shutil.copytree(root / "smartchange_assets" / "_template", folder)
    source = folder / "source.py"
    text = source.read_text("utf-8")
    for old, new in FILLED.items():
        assert old in text, f"the template no longer has {old}"
        text = text.replace(old, new)
    source.write_text(text, "utf-8")
    manifest = folder / "seed" / "manifest.json"
    manifest.write_text(json.dumps({"source": "berlin/street_trees", "payloads": []}), "utf-8")
    return folder


def _probe(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=root, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["sources"], "the probe loaded no sources"
    return found


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    root = _copy_package(tmp_path_factory.mktemp("adding"))
    folder = _add_source(root)
    return root, folder


def test_a_copied_template_appears_with_raw_staging_and_both_blocking_checks(copied):
    root, _ = copied
    found = _probe(root)
    assert "berlin/street_trees" in found["sources"]
    assert {"berlin/raw/street_trees", "berlin/staging/street_trees"} <= set(found["keys"])
    assert {"berlin/staging/street_trees:payload_reconciliation:True",
            "berlin/staging/street_trees:gx_suite:True"} <= set(found["checks"])
    # the probe ran against the temporary copy, not the installed package
    assert not (PACKAGE / "berlin" / "street_trees").exists()


def test_deleting_the_folder_removes_the_source(copied, tmp_path):
    root = _copy_package(tmp_path)
    folder = _add_source(root)
    shutil.rmtree(folder)
    found = _probe(root)
    assert "berlin/street_trees" not in found["sources"]
    assert not any("street_trees" in k for k in found["keys"])


def test_the_template_itself_is_never_loaded():
    from smartchange_assets.definitions import SOURCES

    assert not any(s.city == "template" for s in SOURCES)


def test_the_template_source_stages_a_payload_with_green_checks(fresh_database):
    """The template as shipped is a working source: land a payload, stage it, checks pass."""
    import dataclasses

    from smartchange_assets._template.source import SOURCE
    from smartchange_assets.platform.landing import LandingArchive

    from .source_harness import check_results, materialize_source

    spec = dataclasses.replace(SOURCE, seed=None)  # nothing recorded: land the test payload
    LandingArchive(fresh_database).land(spec.source_id, PAYLOAD, origin="test://example.csv",
                                        landed_by="test")
    result = materialize_source(spec, fresh_database.url)
    assert result.success
    assert check_results(result) == {"template/raw/example:payload_freshness": True,
                                     "template/staging/example:payload_reconciliation": True,
                                     "template/staging/example:gx_suite": True}
    staged = fresh_database.read_frame("SELECT area, value FROM staging.template_example "
                                       "ORDER BY area")
    assert staged.to_dict("records") == [{"area": "Mitte", "value": 3.5},
                                         {"area": "Pankow", "value": 4.0}]
    recon = fresh_database.read_frame("SELECT source_rows, staged, no_data, quarantined "
                                      "FROM raw.payload_reconciliation")
    assert recon.to_dict("records") == [{"source_rows": 3, "staged": 2, "no_data": 1,
                                         "quarantined": 0}]
