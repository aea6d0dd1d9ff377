"""The Frictionless ``datapackage.json`` of an open dataset: its data dictionary.

A Tabular Data Package (Frictionless Data Package v1) with two resources, the CSV and the
Parquet file of the same table. Each field has its Table Schema type, its description (from
the table's one description), ``constraints.required`` for NOT NULL columns and, where the
dataset states one, its ``unit`` (a custom property; Table Schema has none). Both resources
carry ``bytes`` and ``hash`` (``sha256:<hex>``), the number of rows, and the package carries
the version, the temporal coverage and the licence, so the catalogue is built from this file.
"""

from __future__ import annotations

import datetime as dt

from smartchange_assets.platform.tables import Column
from smartchange_assets.publish.datasets import OpenDataset
from smartchange_assets.publish.files import WrittenFile

_FIELD_TYPES = {
    "text": "string", "bigint": "integer", "integer": "integer", "smallint": "integer",
    "double precision": "number", "real": "number", "numeric": "number",
    "boolean": "boolean", "date": "date", "timestamp": "datetime", "timestamptz": "datetime",
    "jsonb": "object", "json": "object",
}


def field_type(sql_type: str) -> str:
    return _FIELD_TYPES.get(sql_type, "string")


def _field(column: Column, unit: str | None) -> dict:
    field = {"name": column.name, "type": field_type(column.sql_type),
             "description": column.description or column.name}
    if field["type"] == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    if not column.nullable:
        field["constraints"] = {"required": True}
    if unit:
        field["unit"] = unit
    return field


def table_schema(dataset: OpenDataset) -> dict:
    table = dataset.table.table
    schema = {"fields": [_field(c, dataset.units.get(c.name)) for c in table.columns],
              "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return schema


def _resource(dataset: OpenDataset, written: WrittenFile, fmt: str) -> dict:
    resource = {
        "name": f"{dataset.name}_{fmt}", "path": written.path.name,
        "profile": "tabular-data-resource", "format": fmt, "mediatype": written.media_type,
        "bytes": written.byte_size, "hash": f"sha256:{written.sha256}", "rows": written.rows,
        "schema": table_schema(dataset),
    }
    if fmt == "csv":
        resource["encoding"] = "utf-8"
        resource["dialect"] = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                               "doubleQuote": True, "header": True}
    return resource


def _geojson_resource(dataset: OpenDataset, written: WrittenFile) -> dict:
    """The GeoJSON file: a data resource (not tabular), one feature per table row, the other
    columns as properties (described by the table schema), the geometry in EPSG:4326."""
    schema = table_schema(dataset)
    schema["fields"] = [f for f in schema["fields"] if f["name"] != dataset.geojson_geometry]
    return {"name": f"{dataset.name}_geojson", "path": written.path.name,
            "profile": "data-resource", "format": "geojson", "mediatype": written.media_type,
            "encoding": "utf-8", "bytes": written.byte_size,
            "hash": f"sha256:{written.sha256}", "rows": written.rows,
            "description": "RFC 7946 FeatureCollection, WGS 84 (EPSG:4326); one feature per "
                           f"row, geometry from column '{dataset.geojson_geometry}', the other "
                           "columns as properties (schema)",
            "schema": schema}


def build_datapackage(dataset: OpenDataset, csv_file: WrittenFile, parquet_file: WrittenFile,
                      version: int, modified: dt.datetime, temporal: tuple,
                      geojson_file: WrittenFile | None = None) -> dict:
    start, end = temporal
    licence = dataset.licence
    package = {
        "profile": "tabular-data-package",
        "name": dataset.name.replace("_", "-"),
        "id": dataset.name,
        "title": dataset.title["en"],
        "description": dataset.description["en"],
        "titles": dataset.title,
        "descriptions": dataset.description,
        "version": str(version),
        "created": modified.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "keywords": sorted({k for words in dataset.keywords.values() for k in words}),
        "licenses": [{"name": licence.ckan_id, "title": licence.label,
                      **({"path": licence.iri} if licence.iri else {})}],
        "sources": [{"title": title, "path": url} for title, url in dataset.sources],
        "contributors": [{"title": "Smart Change Jakarta–Berlin", "role": "publisher"}],
        "temporal": {"start": start.isoformat() if start else None,
                     "end": end.isoformat() if end else None},
        "spatial": list(dataset.cities),
        "provenance": dataset.provenance,
        "resources": [_resource(dataset, csv_file, "csv"),
                      _resource(dataset, parquet_file, "parquet"),
                      *([_geojson_resource(dataset, geojson_file)] if geojson_file else [])],
    }
    return package
