"""What a user sees in the UI, in headless Chromium (Debian's ``chromium``; no browser download).

Chromium renders the Dagster UI from the shared webserver after the runs of
:func:`air_quality_incident` and dumps the DOM; the tests read the text a user would read: the
asset graph of the air-quality group, and the failed check's page, opened through the link the
alert carried.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ..browser import CHROMIUM_FLAGS, chromium
from .conftest import AIR_QUALITY_CHAIN, CORRUPTED_BLUME_NAME, FAILING_CHECK

pytestmark = pytest.mark.slow


class _Text(HTMLParser):
    """Visible text, and the text of each asset node of the graph."""

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self.nodes: list[list[str]] = []
        self._skip = 0
        self._node_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "foreignobject":  # the graph draws each asset node in one
            self.nodes.append([])
            self._node_depth += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "foreignobject":
            self._node_depth -= 1

    def handle_data(self, data):
        if self._skip or not data.strip():
            return
        self.chunks.append(data.strip())
        if self._node_depth:
            self.nodes[-1].append(data.strip())


def render(url: str, profile: Path, expect: str, attempts: int = 3) -> _Text:
    """The page's DOM after its scripts ran (virtual time lets the GraphQL fetches finish);
    retried while ``expect`` is not on the page yet (a slow first load)."""
    for _ in range(attempts):
        result = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--virtual-time-budget=30000", "--dump-dom", url],
            capture_output=True, text=True, timeout=180)
        page = _Text()
        page.feed(result.stdout)
        if expect in " ".join(page.chunks):
            return page
    raise AssertionError(f"{url}: {expect!r} never appeared; page text: "
                         f"{' '.join(page.chunks)[:2000]}\nstderr: {result.stderr[-1000:]}")


def test_asset_graph_shows_the_air_quality_chain_and_the_failed_check(dagster_ui,
                                                                      air_quality_incident,
                                                                      tmp_path):
    page = render(f"{dagster_ui.url}/locations/smartchange/asset-groups/air_quality",
                  tmp_path / "profile", expect="ispu_daily")
    nodes = {texts[0]: " ".join(texts) for texts in page.nodes if texts}
    for key in AIR_QUALITY_CHAIN:
        assert key.split("/")[-1] in nodes, (key, sorted(nodes))
    # the staging table whose blocking check failed says so on its node
    checks = re.search(r"Asset checks\s+(\d+) / (\d+) Passed", nodes["air_quality_hourly"])
    assert checks, nodes["air_quality_hourly"]
    assert int(checks.group(1)) < int(checks.group(2))
    # write-audit-publish: the failed version was not published, so the staging table's
    # partitions of that run show failed; the daily means downstream were held back
    assert re.search(r"Partitions .*\(\d+ failed\)", nodes["air_quality_hourly"]), \
        nodes["air_quality_hourly"]


def test_alert_link_opens_the_failed_checks_page_with_its_details(dagster_ui,
                                                                  air_quality_incident,
                                                                  tmp_path):
    [alert] = air_quality_incident["first_alert"]
    [link] = [c["url"] for c in alert["smartchange"]["checks"]]
    assert link.startswith(dagster_ui.url)
    page = render(link, tmp_path / "profile", expect="row 10")
    text = " ".join(page.chunks)
    assert FAILING_CHECK in text and "This is a blocking asset check" in text
    assert re.search(rf"{FAILING_CHECK}\s+Failed", text), text[:1500]
    assert f"{CORRUPTED_BLUME_NAME}: row 10, column 'datetime'" in text
    assert "'2024-13-45T25:00:00+01:00'" in text
