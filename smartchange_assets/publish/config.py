"""Where published files go and where the world fetches them: read from the environment.

* ``SMARTCHANGE_PUBLISH_DIR`` – output folder, default ``$SMARTCHANGE_HOME/publish``
  (``.smartchange/publish``).
* ``SMARTCHANGE_PUBLISH_BASE_URL`` – the URL the folder is served under (a web server, a
  bucket); the catalogue's access and download URLs start with it. Default: the folder's
  ``file://`` URL (fine locally; a portal needs http(s)).
* ``SMARTCHANGE_CKAN_URL``, ``SMARTCHANGE_CKAN_API_KEY``, ``SMARTCHANGE_CKAN_ORGANIZATION`` –
  the optional CKAN push; without URL and key it is skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from smartchange_assets.platform import settings

PUBLISH_DIR_ENV = "SMARTCHANGE_PUBLISH_DIR"
BASE_URL_ENV = "SMARTCHANGE_PUBLISH_BASE_URL"
CKAN_URL_ENV = "SMARTCHANGE_CKAN_URL"
CKAN_KEY_ENV = "SMARTCHANGE_CKAN_API_KEY"
CKAN_ORG_ENV = "SMARTCHANGE_CKAN_ORGANIZATION"

CATALOGUE_FILE = "catalog.jsonld"
DATAPACKAGE_FILE = "datapackage.json"
# the comparison report (publish/report.py), beside the catalogue
REPORT_FILE = "comparison_report.html"


def report_path() -> Path:
    return publish_dir() / REPORT_FILE


def publish_dir() -> Path:
    value = os.environ.get(PUBLISH_DIR_ENV)
    return Path(value).resolve() if value else settings.home() / "publish"


def base_url() -> str:
    value = os.environ.get(BASE_URL_ENV) or publish_dir().as_uri()
    return value if value.endswith("/") else value + "/"


@dataclass(frozen=True)
class CkanSettings:
    url: str
    api_key: str
    organization: str | None


def ckan_settings() -> CkanSettings | None:
    url, key = os.environ.get(CKAN_URL_ENV), os.environ.get(CKAN_KEY_ENV)
    if not url or not key:
        return None
    return CkanSettings(url.rstrip("/"), key, os.environ.get(CKAN_ORG_ENV) or None)
