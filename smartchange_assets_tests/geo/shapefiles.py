"""Reading shapefile members without GDAL, to hold the parsers against the seed files by another
route: the record count from the ``.shx`` header, the attributes from the ``.dbf`` (dBASE III:
a header, 32-byte field descriptors up to 0x0D, fixed-width records)."""

from __future__ import annotations

import io
import zipfile


def members(zipped: bytes) -> dict[str, bytes]:
    """The members of a seeded shapefile zip, by lower-case suffix (``.shp``, ``.dbf``, …)."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        return {name.rsplit(".", 1)[1].lower(): z.read(name) for name in z.namelist()}


def shx_records(shx: bytes) -> int:
    """Records of a shapefile: (file length − 100-byte header) / 8 bytes per index entry."""
    words = int.from_bytes(shx[24:28], "big")
    return (words * 2 - 100) // 8


def dbf_rows(dbf: bytes, encoding: str) -> list[dict[str, str]]:
    """Every non-deleted record of a DBF as {field: text as stored, stripped}."""
    count = int.from_bytes(dbf[4:8], "little")
    header = int.from_bytes(dbf[8:10], "little")
    width = int.from_bytes(dbf[10:12], "little")
    fields, pos = [], 32
    while dbf[pos] != 0x0D:
        name = dbf[pos:pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, dbf[pos + 16]))
        pos += 32
    rows = []
    for i in range(count):
        record = dbf[header + i * width: header + (i + 1) * width]
        if record[:1] == b"*":
            continue
        offset, row = 1, {}
        for name, length in fields:
            row[name] = record[offset:offset + length].decode(encoding).strip()
            offset += length
        rows.append(row)
    return rows
