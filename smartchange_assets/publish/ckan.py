"""Optional push of the open datasets to a CKAN portal through its action API (``ckanapi``).

Each open dataset becomes (or updates) the CKAN package ``smartchange-<dataset>`` in the
organisation ``SMARTCHANGE_CKAN_ORGANIZATION``: English title, notes in every language we
have, licence id, version, keywords as tags, temporal and spatial coverage as extras, and one
resource per published file *linked* by URL (with format, media type, size and
``sha256:<hex>`` hash). Files are not uploaded: the portal points at
``SMARTCHANGE_PUBLISH_BASE_URL``, which must therefore be an http(s) URL it can reach.
``package_show`` decides between ``package_create`` and ``package_update`` (which replaces the
resource list, so a portal never keeps a stale file next to the new one).
"""

from __future__ import annotations

from dataclasses import dataclass

from smartchange_assets.publish.config import DATAPACKAGE_FILE, CkanSettings
from smartchange_assets.publish.datasets import PLACES, OpenDataset

USER_AGENT = "smartchange-publisher/0.1 (Smart Change Jakarta-Berlin open data)"
FORMATS = {"csv": "CSV", "parquet": "Parquet", "geojson": "GeoJSON"}


class PushError(RuntimeError):
    """The push could not be made; the message names the dataset and the portal's reason."""


@dataclass(frozen=True)
class Pushed:
    dataset: str
    package_name: str
    action: str          # created | updated
    ckan_id: str
    version: str


def package_name(dataset: OpenDataset) -> str:
    return "smartchange-" + dataset.name.replace("_", "-")


def ckan_package(dataset: OpenDataset, package: dict, base: str,
                 organization: str | None) -> dict:
    """The CKAN package dict for one dataset and its ``datapackage.json``."""
    folder = f"{base}{dataset.name}/"
    resources = [{"name": r["path"], "url": folder + r["path"],
                  "format": FORMATS[r["format"]], "mimetype": r["mediatype"],
                  "size": r["bytes"], "hash": r["hash"],
                  "description": f"{r['rows']} rows"} for r in package["resources"]]
    resources.append({"name": DATAPACKAGE_FILE, "url": folder + DATAPACKAGE_FILE,
                      "format": "JSON", "mimetype": "application/json",
                      "description": "Frictionless data package: the data dictionary"})
    keywords = sorted({w for words in dataset.keywords.values() for w in words})
    body = {
        "name": package_name(dataset),
        "title": dataset.title["en"],
        "notes": "\n\n".join(dataset.description[lang] for lang in ("en", "id", "de")
                             if lang in dataset.description),
        "license_id": dataset.licence.ckan_id,
        "version": package["version"],
        "tags": [{"name": w} for w in keywords],
        "extras": [
            {"key": "temporal_start", "value": package["temporal"]["start"] or ""},
            {"key": "temporal_end", "value": package["temporal"]["end"] or ""},
            {"key": "spatial_uri", "value": " ".join(PLACES[c][0] for c in dataset.cities)},
            {"key": "provenance", "value": dataset.provenance},
            {"key": "modified", "value": package["created"]},
        ],
        "resources": resources,
    }
    if organization:
        body["owner_org"] = organization
    return body


def push(entries: list[tuple[OpenDataset, dict]], settings: CkanSettings, base: str,
         client=None) -> list[Pushed]:
    """Create or update one CKAN package per dataset. ``client``: a ``ckanapi.RemoteCKAN``
    (made from ``settings`` when None)."""
    import ckanapi
    import requests

    if not base.startswith(("http://", "https://")):
        raise PushError(f"the portal must be able to fetch the files, but the publish base URL "
                        f"is {base!r}: set SMARTCHANGE_PUBLISH_BASE_URL to the http(s) URL the "
                        "publish folder is served under")
    ckan = client or ckanapi.RemoteCKAN(settings.url, apikey=settings.api_key,
                                        user_agent=USER_AGENT)
    pushed = []
    for dataset, package in entries:
        body = ckan_package(dataset, package, base, settings.organization)
        try:
            try:
                existing = ckan.action.package_show(id=body["name"])
            except ckanapi.NotFound:
                result, action = ckan.action.package_create(**body), "created"
            else:
                result = ckan.action.package_update(id=existing["id"], **body)
                action = "updated"
        except ckanapi.NotAuthorized as exc:
            raise PushError(f"{settings.url}: not authorised to publish {body['name']} "
                            f"(check SMARTCHANGE_CKAN_API_KEY and the organisation): "
                            f"{_message(exc)}") from exc
        except ckanapi.ValidationError as exc:
            raise PushError(f"{settings.url}: {body['name']} rejected: {_message(exc)}") from exc
        except requests.RequestException as exc:
            raise PushError(f"{settings.url}: {body['name']}: portal unreachable: "
                            f"{type(exc).__name__}") from exc
        except ckanapi.CKANAPIError as exc:
            raise PushError(f"{settings.url}: {body['name']}: unexpected answer: "
                            f"{str(exc)[:300]}") from exc
        pushed.append(Pushed(dataset.name, body["name"], action, result["id"],
                             package["version"]))
    return pushed


def _message(exc: Exception) -> str:
    err = exc.args[0] if exc.args else exc
    if isinstance(err, dict):
        return "; ".join(f"{k}: {v}" for k, v in err.items() if k != "__type")
    return str(err)
