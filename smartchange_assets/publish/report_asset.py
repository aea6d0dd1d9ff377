"""``publish/comparison_report``: the comparison report (publish/report.py) as an asset.

It reads the open tier as the open reader (``open.city_comparison``,
``open.district_scorecard``, ``open.area_shapes``: what the report shows is what anyone may
download), after the three indicator datasets and the shapes are published, renders the page
and writes ``$SMARTCHANGE_PUBLISH_DIR/comparison_report.html`` beside the catalogue (atomic
write, a row in ``open.publish_log``). The catalogue lists it as a page (``foaf:page``) of the
``city_comparison`` dataset; its materialisation metadata carries the path and the URL.
"""

import datetime as dt
import json

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from smartchange_assets.marts.catalogue import THEMES
from smartchange_assets.platform.resources import WarehouseResource
from smartchange_assets.publish import config, log
from smartchange_assets.publish.datasets import DATASETS, OpenDataset
from smartchange_assets.publish.files import file_digest, write_text_atomic
from smartchange_assets.publish.report import render_report, summary
from smartchange_assets.tiers.open_areas import AREA_SHAPES
from smartchange_assets.tiers.roles import OPEN_READER
from smartchange_assets.tiers.table import read_as

REPORT_KEY = dg.AssetKey(["publish", "comparison_report"])
REPORT_DATASET = "comparison_report"
# the open datasets the report draws from (and links to)
SHOWN = ("city_comparison", "city_indicators", "district_scorecard", "area_shapes")


def _dataset(name: str) -> OpenDataset:
    return next(d for d in DATASETS if d.name == name)


def read_inputs(engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(comparison, districts, shapes) from the open tier, read as the open reader; yearly
    rows of category 'all' only (what the page draws), the districts' shapes only."""
    comparison = _dataset("city_comparison").table.table.qualified
    scorecard = _dataset("district_scorecard").table.table.qualified
    with engine.connect() as conn, conn.begin():
        read_as(conn, OPEN_READER)
        frames = [pd.read_sql(sa.text(sql), conn) for sql in (
            f"SELECT * FROM {comparison} WHERE category = 'all' ORDER BY indicator, year",
            f"SELECT city, district_key, indicator, category, year, value, flags FROM "
            f"{scorecard} WHERE period_type = 'year' AND category = 'all' "
            "ORDER BY district_key, indicator, year",
            f"SELECT area_key, city, name, geometry FROM {AREA_SHAPES.table.qualified} "
            "WHERE level = 'district' ORDER BY area_key")]
    return frames[0], frames[1], frames[2]


def _links(base: str) -> list[tuple[str, str]]:
    out = []
    for name in SHOWN:
        dataset = _dataset(name)
        out += [(f"{dataset.title['en']} ({f.rsplit('.', 1)[1].upper()})", f"{name}/{f}")
                for f in dataset.file_names]
    out.append(("DCAT-AP catalogue of every open dataset", config.CATALOGUE_FILE))
    return out


def _data_version(dataset: OpenDataset) -> str:
    path = config.publish_dir() / dataset.name / config.DATAPACKAGE_FILE
    package = json.loads(path.read_text(encoding="utf-8"))
    return f"{dataset.name} version {package['version']} of {package['created'][:10]}"


def build_report_asset(dataset_key) -> dg.AssetsDefinition:
    deps = [*(_dataset(n).table.key for n in SHOWN), *(dataset_key(_dataset(n)) for n in SHOWN)]

    @dg.asset(key=REPORT_KEY, deps=deps, group_name="publish", kinds={"html"},
              tags={"layer": "publish"},
              description="The comparison report: one static HTML page (inline SVG, nothing "
                          "loaded from elsewhere) with, per indicator of the catalogue, both "
                          "cities over the years, coverage, the reasons of empty values and "
                          "the comparability note, and district maps per city for the main "
                          "indicators; read from the open tier as the open reader and "
                          f"written as {config.REPORT_FILE} beside the open datasets.")
    def comparison_report(context: dg.AssetExecutionContext,
                          warehouse: WarehouseResource) -> dg.MaterializeResult:
        wh = warehouse.get()
        comparison, districts, shapes = read_inputs(wh.engine)
        versions = "; ".join(_data_version(_dataset(n)) for n in SHOWN[:3])
        page = render_report(THEMES, comparison, districts, shapes,
                             generated=f"Data: {versions}.", links=_links(config.base_url()))
        path = config.report_path()
        write_text_atomic(path, page)
        size, sha = file_digest(path)
        url = config.base_url() + config.REPORT_FILE
        now = dt.datetime.now(dt.UTC)
        with wh.engine.begin() as conn:
            log.ensure_log(conn)
            version = log.next_version(conn, REPORT_DATASET, sha, path.name, now)
            log.record(conn, [{"published_at": now, "dataset": REPORT_DATASET,
                               "version": version.number, "file_name": path.name,
                               "media_type": "text/html", "row_count": None,
                               "byte_size": size, "sha256": sha, "download_url": url,
                               "content_changed": version.changed}])
        table = summary([i for t in THEMES for i in t.indicators], comparison)
        context.log.info("comparison report: %d bytes, version %d", size, version.number)
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(path)),
            "url": dg.MetadataValue.url(url),
            "bytes": dg.MetadataValue.int(size),
            "sha256": sha,
            "version": dg.MetadataValue.int(version.number),
            "indicator_charts": dg.MetadataValue.int(len(table)),
            "indicators_with_both_cities": dg.MetadataValue.int(int((table["both"] > 0).sum())),
            "indicator_years_with_both_cities": dg.MetadataValue.int(int(table["both"].sum())),
        })

    return comparison_report
