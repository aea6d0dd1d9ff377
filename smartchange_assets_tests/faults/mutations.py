"""Mutations of real payloads for the fuzz cases of the fault matrix (made-up damage to real
seed files; the damaged bytes are never landed anywhere but a test's own database).

Each mutation is a named, deterministic function of (bytes, random generator): truncation,
flipped bytes, other encodings, invalid bytes, NUL characters, dropped / reordered / renamed
columns, a huge field, deeply nested JSON. Text mutations work on CSV and JSON payloads; the
byte-level ones on anything (XLSX, gzip, shapefile zips included).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Callable

Mutation = Callable[[bytes, random.Random], bytes]


def _text(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def invalid_bytes(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(max(1, len(data)))
    return data[:i] + rng.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]) + data[i:]


def nul_characters(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(max(1, len(data)))
    return data[:i] + b"\x00" * rng.randint(1, 4) + data[i:]


def other_encoding(data: bytes, rng: random.Random) -> bytes:
    text = _text(data)
    if text is None:
        return flip_bytes(data, rng)
    encoding = rng.choice(["utf-16", "latin-1", "utf-8-sig", "cp1252"])
    return text.encode(encoding, errors="replace")


def _csv(text: str) -> tuple[str, list[list[str]]] | None:
    if text.lstrip().startswith(("[", "{")):
        return None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    if first.count(delimiter) == 0:
        return None
    return delimiter, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _write_csv(delimiter: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _records(text: str):
    """JSON payloads: the list of dict records wherever it sits, and a writer."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    holder = doc
    for key in ("data", "result", "results", "records", "features"):
        if isinstance(holder, dict) and isinstance(holder.get(key), (list, dict)):
            holder = holder[key]
            if isinstance(holder, dict) and "records" in holder:
                holder = holder["records"]
            break
    if isinstance(holder, list) and holder and isinstance(holder[0], dict):
        return doc, holder
    return None


def _columns(data: bytes, rng: random.Random, change) -> bytes:
    text = _text(data)
    if text is None:
        return truncate(data, rng)
    parsed = _csv(text)
    if parsed is not None:
        delimiter, rows = parsed
        header = max(range(min(len(rows), 5)), key=lambda i: len(rows[i])) if rows else 0
        width = len(rows[header]) if rows else 0
        if width < 2:
            return truncate(data, rng)
        return _write_csv(delimiter, change(rows, header, width, rng))
    records = _records(text)
    if records is None:
        return truncate(data, rng)
    doc, items = records
    keys = list(items[0])
    if not keys:
        return truncate(data, rng)
    victim = rng.choice(keys)
    kind = change.__name__
    for item in items:
        if not isinstance(item, dict):
            continue
        if kind == "_drop" and victim in item:
            item.pop(victim)
        elif kind == "_rename" and victim in item:
            item[victim + "_x"] = item.pop(victim)
        elif kind == "_reorder":
            pairs = list(item.items())
            rng.shuffle(pairs)
            item.clear()
            item.update(pairs)
    return json.dumps(doc).encode("utf-8")


def _drop(rows, header, width, rng):
    col = rng.randrange(width)
    return [r[:col] + r[col + 1:] if i >= header else r for i, r in enumerate(rows)]


def _reorder(rows, header, width, rng):
    order = list(range(width))
    rng.shuffle(order)
    return [[r[j] for j in order if j < len(r)] if i >= header else r
            for i, r in enumerate(rows)]


def _rename(rows, header, width, rng):
    rows = [list(r) for r in rows]
    col = rng.randrange(width)
    rows[header][col] = rows[header][col] + "_renamed"
    return rows


def drop_column(data: bytes, rng: random.Random) -> bytes:
    return _columns(data, rng, _drop)


def reorder_columns(data: bytes, rng: random.Random) -> bytes:
    return _columns(data, rng, _reorder)


def rename_column(data: bytes, rng: random.Random) -> bytes:
    return _columns(data, rng, _rename)


def huge_field(data: bytes, rng: random.Random) -> bytes:
    text = _text(data)
    if text is None:
        return data + b"x" * 2_000_000
    parsed = _csv(text)
    if parsed is not None:
        delimiter, rows = parsed
        if len(rows) > 1 and rows[1]:
            rows[1][rng.randrange(len(rows[1]))] = "9" * 1_000_000
            return _write_csv(delimiter, rows)
    records = _records(text)
    if records is not None:
        doc, items = records
        key = rng.choice(list(items[0]))
        items[0][key] = "x" * 1_000_000
        return json.dumps(doc).encode("utf-8")
    return data + b"x" * 1_000_000


def nested_json(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 100_000])
    return b"[" * depth + b"1" + b"]" * depth


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "flip_bytes": flip_bytes, "invalid_bytes": invalid_bytes,
    "nul_characters": nul_characters, "other_encoding": other_encoding,
    "drop_column": drop_column, "reorder_columns": reorder_columns,
    "rename_column": rename_column, "huge_field": huge_field, "nested_json": nested_json,
}
