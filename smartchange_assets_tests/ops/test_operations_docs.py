"""docs/operations.md keeps its promises: the sections its introduction names exist, and its
table of environment variables lists every variable the package and dagster.yaml read."""

from __future__ import annotations

import re

import yaml

import smartchange_assets
from smartchange_assets.definitions import SOURCES
from smartchange_assets.platform.automation import stale_after
from smartchange_assets_tests.conftest import REPO

DOC = REPO / "docs" / "operations.md"
PACKAGE = REPO / "smartchange_assets"
# how a variable is read: os.environ.get("X"), os.environ["X"], setdefault("X"),
# EnvVar("X"), a constant named *_ENV = "X"
_READS = [r"os\.environ(?:\.get|\.setdefault)?\(\s*\"([A-Z][A-Z0-9_]+)\"",
          r"os\.environ\[\"([A-Z][A-Z0-9_]+)\"\]", r"EnvVar\(\"([A-Z][A-Z0-9_]+)\"\)",
          r"^\w*_ENV\s*=\s*\"([A-Z][A-Z0-9_]+)\"", r"password_env\W+\"([A-Z][A-Z0-9_]+)\"",
          r"TierRole\([^)]*\"([A-Z][A-Z0-9_]+_PASSWORD)\"",
          # any literal naming one of ours (settings.py passes names to a helper)
          r"\"(SMARTCHANGE_[A-Z0-9_]+)\""]


def variables_read() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        for pattern in _READS:
            found |= set(re.findall(pattern, text, re.M))

    def env_refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "env" and isinstance(value, str):
                    yield value
                else:
                    yield from env_refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from env_refs(item)

    for config in (REPO / "dagster.yaml", REPO / "deploy" / "dagster.yaml"):
        found |= set(env_refs(yaml.safe_load(config.read_text())))
    return found


def documented() -> set[str]:
    text = DOC.read_text("utf-8")
    table = text[text.index("## Environment variables"):]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_variable_read_is_in_the_table():
    read = variables_read()
    # the scan finds what the issue names
    assert {"SMARTCHANGE_ARCHIVE_URL", "SMARTCHANGE_DB_STATEMENT_TIMEOUT",
            "SMARTCHANGE_DB_LOCK_TIMEOUT", "SMARTCHANGE_DB_IDLE_IN_TRANSACTION_TIMEOUT",
            "SMARTCHANGE_TABLE_WRITER_WAIT_S", "SMARTCHANGE_AUDIT_KEEP",
            "SMARTCHANGE_HTTP_MAX_BYTES", "SMARTCHANGE_HTTP_BODY_TIMEOUT_S",
            "SMARTCHANGE_PSEUDONYM_KEY", "SMARTCHANGE_DAGSTER_PG_URL",
            "SMARTCHANGE_OPEN_READER_PASSWORD"} <= read
    missing = read - documented()
    assert not missing, f"docs/operations.md lacks {sorted(missing)}"
    # and the AWS variables of an s3:// archive, read by s3fs rather than by us
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"} <= documented()


def test_the_sections_the_introduction_promises_exist():
    text = DOC.read_text("utf-8")
    intro = text[:text.index("## Schedules")]
    headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^## (.+)$", text, re.M)}
    anchors = re.findall(r"\]\(#([a-z0-9-]+)\)", intro)
    assert {"alerts", "concurrency", "moving-to-docker-and-kubernetes",
            "environment-variables"} <= set(anchors)
    assert set(anchors) <= headings, set(anchors) - headings


def test_every_source_declares_its_cadence_and_when_it_is_stale():
    assert SOURCES
    for spec in SOURCES:
        assert spec.publisher_cadence, spec.source_id
        assert stale_after(spec.publisher_cadence, spec.late_after).total_seconds() > 0
    assert smartchange_assets  # the package the scan reads
