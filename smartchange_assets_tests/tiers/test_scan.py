"""The personal-data scan of the open tier and of published files, on planted cases.

Every planted value is asserted found with its kind; digests (what a pseudonym or checksum
looks like) are asserted *not* found, including real HMAC outputs that contain a digit run
shaped like a mobile number, while a phone number next to a digest is still found.
"""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smartchange_assets.platform.pii import find_pii, pseudonymise
from smartchange_assets.tiers.scan import pii_kinds, scan_file, scan_folder, scan_values

PLANTED = [
    ("lapor via 0812-3456-7890", "PHONE"),          # Indonesian mobile
    ("+62 812 3456 7890", "PHONE"),
    ("kantor (021) 555 1234", "PHONE"),             # Jakarta landline
    ("Tel. +49 30 1234567", "PHONE"),               # German, international
    ("mobil 0171 1234567", "PHONE"),                # German mobile
    ("030/1234567", "PHONE"),                       # Berlin landline
    ("max.mustermann@berlin.de", "EMAIL"),
    ("NIK 3171012345678901", "NIK"),
    ("31.71.01.234567.0001", "NIK"),
    ("parkir B 1234 ABC di trotoar", "PLATE"),      # Indonesian plate
    ("Kennzeichen B-AB 1234", "PLATE"),             # German plate
    ("M AB 123", "PLATE"),
]


@pytest.mark.parametrize(("value", "kind"), PLANTED)
def test_planted_personal_data_is_found(value, kind):
    assert pii_kinds(value) == [kind]


def test_public_values_of_the_open_tier_are_not_flagged():
    for value in ("Srengseng Sawah", "31.74.09.1002", "Tempelhof-Schöneberg", "Abfall",
                  "2023-11-22", "Kota Administrasi Jakarta Selatan", "In Bearbeitung",
                  "DINAS PERHUBUNGAN", "(none)", "Keluhan Fasilitas Gedung Pemda (sekolah, "
                  "kantor)", "Park- und Haltverbot nicht berücksichtigt"):
        assert pii_kinds(value) == [], value


def _digest_with_phone_shape() -> str:
    """A real HMAC pseudonym whose hex contains a run find_pii reads as a phone number."""
    for i in range(100_000):
        digest = pseudonymise(f"jakarta/citizen_reports:{i}", b"scan-test")
        if find_pii(digest):
            return digest
    raise AssertionError("no such digest in 100,000 tries")


def test_digests_are_masked_but_a_phone_next_to_one_is_found():
    digest = _digest_with_phone_shape()
    assert find_pii(digest)                       # the detector alone would flag it
    assert pii_kinds(digest) == []                # a whole digest is masked
    assert pii_kinds(f"{digest};{digest}") == []  # ';'-joined payload hashes
    assert pii_kinds(f"sha256:{digest}") == []    # a Frictionless hash
    assert pii_kinds(f"{digest} 0812-3456-7890") == ["PHONE"]
    # only exactly 64 hex characters standing alone are a digest
    assert pii_kinds(digest[:63]) == [k for k, _ in find_pii(digest[:63])] != []
    assert pii_kinds(digest.upper()) == [k for k, _ in find_pii(digest.upper())]


def test_scan_values_counts_per_kind_without_the_values():
    findings = scan_values("open.t.c", ["ok", "0812-3456-7890", "0813-1111-2222", "a@b.de"])
    assert [(f.place, f.kind, f.count) for f in findings] == [
        ("open.t.c", "EMAIL", 1), ("open.t.c", "PHONE", 2)]
    assert "0812" not in repr(findings)


def test_file_scan_finds_planted_values_in_csv_parquet_and_json(tmp_path):
    folder = tmp_path / "publish"
    (folder / "ds").mkdir(parents=True)
    with (folder / "ds" / "ds.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["category", "note", "mean"])
        w.writerow(["Abfall", "ruf an: 030 12345678", "12.0512345678"])
        w.writerow(["Jalan", "ok", "3.5"])
    pq.write_table(pa.table({"kelurahan": ["Rambutan", "B 1234 ABC"],
                             "value": [0.0812345678901, 1.0]}), folder / "ds" / "ds.parquet")
    (folder / "ds" / "datapackage.json").write_text(json.dumps({
        "resources": [{"path": "ds.csv", "schema": {"fields": [
            {"name": "category", "type": "string"}, {"name": "note", "type": "string"},
            {"name": "mean", "type": "number"}]}}],
        "contributors": [{"title": "x", "email": "someone@example.org"}]}))
    findings, scanned = scan_folder(folder)
    assert scanned == ["ds/datapackage.json", "ds/ds.csv", "ds/ds.parquet"]
    places = {(f.place, f.kind) for f in findings}
    assert places == {("ds.csv:note", "PHONE"), ("ds.parquet:kelurahan", "PLATE"),
                      ("datapackage.json", "EMAIL")}
    # the float column is skipped only because the dictionary says it is a number:
    # "12.0512345678" reads like a Berlin landline after the decimal point
    assert {f.place for f in scan_file(folder / "ds" / "ds.csv")} == {"ds.csv:note",
                                                                       "ds.csv:mean"}


def test_a_csv_header_is_scanned_too(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("name,budi@example.com\r\na,b\r\n", encoding="utf-8")
    assert [(f.place, f.kind) for f in scan_file(path)] == [("x.csv:<header>", "EMAIL")]


def test_a_shape_as_geojson_text_is_read_as_json_in_csv_and_parquet(tmp_path):
    """A column of GeoJSON text (the published area shapes) is scanned as a GeoJSON file is:
    its coordinates are numbers, not digit runs that read like phone numbers; a string or an
    integer inside it is still scanned."""
    ring = [[13.3425507 + i / 1e6, 52.4114535 - i / 1e6] for i in range(200)]
    shape = json.dumps({"type": "Polygon", "coordinates": [ring]})
    planted = json.dumps({"type": "Point", "coordinates": [13.1, 52.2],
                          "properties": {"contact": "0812-3456-7890"}})
    as_int = json.dumps({"type": "Point", "coordinates": [13.1, 52.2], "id": 6281234567890})
    assert pii_kinds(shape) == []
    assert pii_kinds(planted) == ["PHONE"]
    assert pii_kinds(as_int) == ["PHONE"]
    # text that only looks like JSON at its ends is scanned as text
    assert pii_kinds("[call 0812-3456-7890]") == ["PHONE"]

    with (tmp_path / "shapes.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["area_key", "geometry"], ["a", shape], ["b", planted]])
    pq.write_table(pa.table({"area_key": ["a", "b"], "geometry": [shape, planted]}),
                   tmp_path / "shapes.parquet", row_group_size=1)
    for name in ("shapes.csv", "shapes.parquet"):
        findings = scan_file(tmp_path / name)
        assert [(f.place, f.kind, f.count) for f in findings] == [
            (f"{name}:geometry", "PHONE", 1)]
