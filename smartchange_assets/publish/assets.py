"""Publishing as Dagster assets: one per open dataset, the catalogue, the optional CKAN push.

* ``publish/<dataset>`` – CSV, Parquet and ``datapackage.json`` in
  ``$SMARTCHANGE_PUBLISH_DIR/<dataset>/``, read from the open tier as the open reader, and a
  row per file in ``open.publish_log``; blocking check ``published_files``.
* ``publish/comparison_report`` – ``comparison_report.html``, the static comparison report
  (publish/report.py), from the open tier; a page of the city_comparison dataset.
* ``publish/catalog`` – ``catalog.jsonld`` (DCAT-AP 3.0.1) for every dataset; blocking checks
  ``dcat_ap_shacl`` (pyshacl against the official shapes: no violation) and
  ``no_personal_data_in_files`` (every published file scanned).
* ``publish/ckan`` – pushes to CKAN when ``SMARTCHANGE_CKAN_URL`` and ``…_API_KEY`` are set;
  runs only after both catalogue checks passed.
"""

import csv
import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import sqlalchemy as sa

from smartchange_assets.platform.markdown import md_table
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.publish import ckan, config, log
from smartchange_assets.publish.catalogue import build_catalogue
from smartchange_assets.publish.datapackage import build_datapackage
from smartchange_assets.publish.datasets import DATASETS, OpenDataset
from smartchange_assets.publish.files import (
    allow_long_csv_fields,
    file_digest,
    write_geojson,
    write_json_atomic,
    write_table_files,
)
from smartchange_assets.publish.report_asset import REPORT_KEY, build_report_asset
from smartchange_assets.publish.shacl import validate_catalogue
from smartchange_assets.tiers import scan
from smartchange_assets.tiers.roles import OPEN_READER
from smartchange_assets.tiers.table import read_as

GROUP = "publish"
CATALOGUE_KEY = dg.AssetKey(["publish", "catalog"])
CKAN_KEY = dg.AssetKey(["publish", "ckan"])
FILES_CHECK = "published_files"
SHACL_CHECK = "dcat_ap_shacl"
FILE_SCAN_CHECK = "no_personal_data_in_files"
CATALOGUE_DATASET = "catalog"


def dataset_key(dataset: OpenDataset) -> dg.AssetKey:
    return dg.AssetKey(["publish", dataset.name])


def _now() -> dt.datetime:
    # full precision: two publications within a second must still be ordered in the log
    return dt.datetime.now(dt.UTC)


def _as_open_reader(wh, sql: str):
    with wh.engine.begin() as conn:
        read_as(conn, OPEN_READER)
        return conn.execute(sa.text(sql)).first()


def read_datapackage(dataset: OpenDataset) -> dict:
    path = config.publish_dir() / dataset.name / config.DATAPACKAGE_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: materialise publish/{dataset.name} first")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# one asset per dataset


def build_dataset_asset(dataset: OpenDataset) -> tuple[dg.AssetsDefinition, list]:
    key = dataset_key(dataset)

    geojson = " and GeoJSON (RFC 7946, EPSG:4326)" if dataset.geojson_geometry else ""

    @dg.asset(key=key, deps=[dataset.table.key], group_name=GROUP,
              kinds={"csv", "parquet", *(["geojson"] if dataset.geojson_geometry else [])},
              tags={"layer": "publish"},
              description=f"Publishes `{dataset.table.table.label}` ({dataset.title['en']}) as "
                          f"CSV (UTF-8, RFC 4180), Parquet{geojson} and a Frictionless "
                          "datapackage.json, read as the open reader; logs the publication in "
                          "open.publish_log.")
    def publish_dataset(context: dg.AssetExecutionContext,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
        wh = warehouse.get()
        folder = config.publish_dir() / dataset.name
        csv_file, parquet_file = write_table_files(wh.engine, dataset.table.table, folder)
        geojson_file = (write_geojson(wh.engine, dataset.table.table, folder,
                                      dataset.geojson_geometry)
                        if dataset.geojson_geometry else None)
        temporal = tuple(_as_open_reader(wh, dataset.temporal_sql))
        now = _now()
        url = f"{config.base_url()}{dataset.name}/"
        with wh.engine.begin() as conn:
            log.ensure_log(conn)
            version = log.next_version(conn, dataset.name, csv_file.sha256,
                                       csv_file.path.name, now)
            package = build_datapackage(dataset, csv_file, parquet_file, version.number,
                                        version.since, temporal, geojson_file)
            package_path = folder / config.DATAPACKAGE_FILE
            write_json_atomic(package_path, package)
            package_size, package_sha = file_digest(package_path)
            entries = [(w.path.name, w.media_type, w.rows, w.byte_size, w.sha256)
                       for w in (csv_file, parquet_file, geojson_file) if w is not None]
            entries.append((config.DATAPACKAGE_FILE, "application/json", None, package_size,
                            package_sha))
            log.record(conn, [{"published_at": now, "dataset": dataset.name,
                               "version": version.number, "file_name": name,
                               "media_type": media, "row_count": rows, "byte_size": size,
                               "sha256": sha, "download_url": url + name,
                               "content_changed": version.changed}
                              for name, media, rows, size, sha in entries])
        context.log.info("%s: %d rows, version %d (%s)", dataset.name, csv_file.rows,
                         version.number, "new content" if version.changed else "unchanged")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": dg.MetadataValue.int(csv_file.rows),
            "version": dg.MetadataValue.int(version.number),
            "content_changed": version.changed,
            "folder": dg.MetadataValue.path(str(folder)),
            "temporal_coverage": f"{temporal[0]} – {temporal[1]}",
            "files": dg.MetadataValue.md(md_table(_files_frame(entries))),
        })

    @dg.asset_check(asset=key, name=FILES_CHECK, blocking=True,
                    description="The files on disk are what datapackage.json and the publish "
                                "log say (bytes, SHA-256, rows), the CSV and Parquet hold every "
                                "row of the open table with the dictionary's columns, and no "
                                "file holds personal data.")
    def files_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        problems = verify_dataset_files(warehouse.get(), dataset)
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems) or "files, dictionary and log agree; no personal "
                                               "data found",
            metadata={"problems": dg.MetadataValue.json(problems)})

    return publish_dataset, [files_check]


def _files_frame(entries):
    import pandas as pd

    return pd.DataFrame(entries, columns=["file", "media_type", "rows", "bytes", "sha256"])


def verify_dataset_files(wh, dataset: OpenDataset) -> list[str]:
    """Why the published files of ``dataset`` cannot be trusted (empty: they can)."""
    folder = config.publish_dir() / dataset.name
    try:
        package = read_datapackage(dataset)
    except FileNotFoundError as exc:
        return [str(exc)]
    problems = []
    table = dataset.table.table
    expected_rows = int(_as_open_reader(wh, f"SELECT count(*) FROM {table.qualified}")[0])
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    if fields != table.column_names:
        problems.append(f"dictionary fields {fields} != table columns {table.column_names}")
    for resource in package["resources"]:
        path = folder / resource["path"]
        if not path.exists():
            problems.append(f"{path.name} missing")
            continue
        size, sha = file_digest(path)
        if (size, f"sha256:{sha}") != (resource["bytes"], resource["hash"]):
            problems.append(f"{path.name}: bytes/hash differ from datapackage.json")
        if resource["format"] == "csv":
            allow_long_csv_fields()
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            header, body = (rows[0], rows[1:]) if rows else ([], [])
            if header != fields:
                problems.append(f"{path.name}: header {header} != dictionary fields")
            counted = len(body)
        elif resource["format"] == "geojson":
            counted, geojson_problems = _check_geojson(path, fields, dataset.geojson_geometry)
            problems += geojson_problems
        else:
            parquet = pq.ParquetFile(path)
            counted = parquet.metadata.num_rows
            if parquet.schema_arrow.names != fields:
                problems.append(f"{path.name}: columns differ from dictionary fields")
        if not counted == resource["rows"] == expected_rows:
            problems.append(f"{path.name}: {counted} rows in the file, {resource['rows']} in "
                            f"the dictionary, {expected_rows} in {table.label}")
    with wh.engine.connect() as conn:
        logged = {r.file_name: r.sha256 for r in conn.execute(sa.text(
            f"SELECT DISTINCT ON (file_name) file_name, sha256 FROM {log.LOG_TABLE.qualified} "
            "WHERE dataset = :d ORDER BY file_name, published_at DESC, version DESC"),
            {"d": dataset.name})}
    for name in [r["path"] for r in package["resources"]] + [config.DATAPACKAGE_FILE]:
        if (folder / name).exists() and logged.get(name) != file_digest(folder / name)[1]:
            problems.append(f"{name}: not the file the publish log records last")
    findings = [f for path in sorted(folder.iterdir()) if not path.name.startswith(".")
                for f in scan.scan_file(path, _number_fields(package, path.name))]
    if findings:
        problems.append(scan.describe(findings))
    return problems


def _check_geojson(path: Path, fields: list[str], geometry: str | None) -> tuple[int, list]:
    """(features, problems) of a published GeoJSON: a FeatureCollection whose features carry
    the dictionary's fields but the geometry column as properties, and a geometry each."""
    document = json.loads(path.read_text(encoding="utf-8"))
    features = document.get("features", [])
    expected = [f for f in fields if f != geometry]
    problems = []
    if document.get("type") != "FeatureCollection":
        problems.append(f"{path.name}: not a FeatureCollection")
    if any(list(f.get("properties", {})) != expected for f in features):
        problems.append(f"{path.name}: feature properties differ from the dictionary fields")
    if any(not f.get("geometry") for f in features):
        problems.append(f"{path.name}: a feature has no geometry")
    return len(features), problems


def _number_fields(package: dict, file_name: str) -> set[str]:
    return {f["name"] for r in package["resources"] if r["path"] == file_name
            for f in r["schema"]["fields"] if f["type"] == "number"}


# ---------------------------------------------------------------------------------------------
# the catalogue


def build_catalogue_asset() -> tuple[dg.AssetsDefinition, list]:
    @dg.asset(key=CATALOGUE_KEY, deps=[*(dataset_key(d) for d in DATASETS), REPORT_KEY],
              group_name=GROUP,
              kinds={"json"}, tags={"layer": "publish"},
              description="One DCAT-AP 3.0.1 catalogue (JSON-LD) of every open dataset, built "
                          "from the registry and each datapackage.json; validated by the "
                          f"blocking check `{SHACL_CHECK}`.")
    def catalog(context: dg.AssetExecutionContext,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
        wh = warehouse.get()
        base = config.base_url()
        entries = [(d, read_datapackage(d)) for d in DATASETS]
        path = config.publish_dir() / config.CATALOGUE_FILE
        now = _now()
        with wh.engine.begin() as conn:
            log.ensure_log(conn)
            first = conn.execute(sa.text(
                f"SELECT min(published_at) FROM {log.LOG_TABLE.qualified} WHERE dataset = :d"),
                {"d": CATALOGUE_DATASET}).scalar()
            issued = (first or now).astimezone(dt.UTC).isoformat(timespec="seconds")
            write_json_atomic(path, build_catalogue(base, entries, issued))
            size, sha = file_digest(path)
            version = log.next_version(conn, CATALOGUE_DATASET, sha, path.name, now)
            log.record(conn, [{"published_at": now, "dataset": CATALOGUE_DATASET,
                               "version": version.number, "file_name": path.name,
                               "media_type": "application/ld+json", "row_count": None,
                               "byte_size": size, "sha256": sha,
                               "download_url": base + path.name,
                               "content_changed": version.changed}])
        context.log.info("catalogue: %d datasets, version %d", len(entries), version.number)
        return dg.MaterializeResult(metadata={
            "datasets": dg.MetadataValue.int(len(entries)),
            "version": dg.MetadataValue.int(version.number),
            "path": dg.MetadataValue.path(str(path)),
            "base_url": base, "sha256": sha})

    @dg.asset_check(asset=CATALOGUE_KEY, name=SHACL_CHECK, blocking=True,
                    description="pyshacl against the official DCAT-AP 3.0.1 SHACL shapes "
                                "(dcat-ap-SHACL.ttl, ranges.ttl; recommended shapes as "
                                "warnings): no violation.")
    def shacl_check() -> dg.AssetCheckResult:
        return catalogue_check_result(config.publish_dir() / config.CATALOGUE_FILE)

    @dg.asset_check(asset=CATALOGUE_KEY, name=FILE_SCAN_CHECK, blocking=True,
                    description="Every file in the publish folder (CSV cells, Parquet values, "
                                "JSON strings) is scanned with platform.pii.find_pii: no phone "
                                "number, e-mail, NIK, licence plate, address or name; and "
                                "every open dataset has its three files.")
    def file_scan_check() -> dg.AssetCheckResult:
        folder = config.publish_dir()
        findings, scanned = scan.scan_folder(folder)
        expected = [f"{d.name}/{name}" for d in DATASETS for name in
                    (*d.file_names, config.DATAPACKAGE_FILE)]
        expected += [config.CATALOGUE_FILE, config.REPORT_FILE]
        missing = [f for f in expected if f not in scanned]
        problems = ([f"missing: {', '.join(missing)}"] if missing else [])
        if findings:
            problems.append(scan.describe(findings))
        return dg.AssetCheckResult(
            passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems) or f"{len(scanned)} files scanned, no personal "
                                               "data found",
            metadata={"files_scanned": dg.MetadataValue.json(scanned),
                      "findings": dg.MetadataValue.json(
                          [{"place": f.place, "kind": f.kind, "values": f.count}
                           for f in findings])})

    return catalog, [shacl_check, file_scan_check]


def catalogue_check_result(path: Path) -> dg.AssetCheckResult:
    if not path.exists():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   description=f"{path} missing")
    try:
        report = validate_catalogue(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   description=str(exc))
    shown = [str(f) for f in report.findings[:25]]
    return dg.AssetCheckResult(
        passed=report.conforms, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"conforms to DCAT-AP 3.0.1 ({len(report.warnings)} warnings)"
                     if report.conforms else
                     f"{len(report.violations)} violations: {report.violations[0]}"),
        metadata={"violations": dg.MetadataValue.int(len(report.violations)),
                  "warnings": dg.MetadataValue.int(len(report.warnings)),
                  "dangling_shape_refs_ignored": dg.MetadataValue.int(
                      report.dangling_shape_refs),
                  "results": dg.MetadataValue.json(shown)})


# ---------------------------------------------------------------------------------------------
# CKAN


def build_ckan_asset() -> dg.AssetsDefinition:
    @dg.asset(key=CKAN_KEY, deps=[CATALOGUE_KEY], group_name=GROUP, kinds={"ckan"},
              tags={"layer": "publish"},
              description="Creates or updates one CKAN package per open dataset "
                          "(SMARTCHANGE_CKAN_URL, SMARTCHANGE_CKAN_API_KEY, "
                          "SMARTCHANGE_CKAN_ORGANIZATION); skipped when not configured.")
    def ckan_push(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = config.ckan_settings()
        if settings is None:
            context.log.info("CKAN push not configured; skipped")
            return dg.MaterializeResult(metadata={"skipped": "SMARTCHANGE_CKAN_URL and "
                                                             "SMARTCHANGE_CKAN_API_KEY not set"})
        entries = [(d, read_datapackage(d)) for d in DATASETS]
        try:
            pushed = ckan.push(entries, settings, config.base_url())
        except ckan.PushError as exc:
            raise dg.Failure(description=str(exc)) from exc
        return dg.MaterializeResult(metadata={
            "portal": dg.MetadataValue.url(settings.url),
            "packages": dg.MetadataValue.json([p.__dict__ for p in pushed])})

    return ckan_push


def _build():
    assets, checks = [], []
    for dataset in DATASETS:
        asset, dataset_checks = build_dataset_asset(dataset)
        assets.append(asset)
        checks += dataset_checks
    catalog, catalog_checks = build_catalogue_asset()
    report = build_report_asset(dataset_key)
    return [*assets, report, catalog, build_ckan_asset()], [*checks, *catalog_checks]


PUBLISH_ASSETS, PUBLISH_CHECKS = _build()
