"""Headless Chromium for the tests (Debian's ``chromium``; no browser download).

Without a browser the tests are skipped, unless ``CI`` is set: then a missing browser is a
failure (``.ci/run`` installs it), so the browser tests cannot silently stop running in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  # wide enough that graph nodes show full names, not "fac…_daily"
                  "--window-size=2400,1400"]


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium"
                                         if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing but CI is set: .ci/run installs it (apt-get install "
                    "chromium); the browser tests must run in CI")
    pytest.skip("chromium not installed (Debian: apt-get install chromium); runs in CI")


def dump_dom(url: str, profile: Path, *extra: str, timeout: int = 180) -> str:
    """The DOM Chromium built from ``url`` (``--dump-dom``); fails with Chromium's stderr when
    it printed nothing."""
    result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra,
                             "--dump-dom", url], capture_output=True, text=True, timeout=timeout)
    assert result.stdout.strip(), f"{url}: chromium printed no DOM; stderr: {result.stderr[-1000:]}"
    return result.stdout
