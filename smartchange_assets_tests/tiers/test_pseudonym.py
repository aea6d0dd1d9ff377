"""Pseudonyms computed in Postgres are platform.pii.pseudonymise of '<source>:<id>'."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pytest
import sqlalchemy as sa

from smartchange_assets.platform.pii import pseudonymise
from smartchange_assets.tiers import pseudonym
from smartchange_assets.tiers.pseudonym import (
    KEY_ENV,
    hmac_pads,
    pseudonym_key,
    python_pseudonym,
    sql_pseudonym,
)

TEXT_V = "CAST(:v AS text)"
VALUES = ["JK2306180342", "JK2312240066", "12345", "Müllerstraße", "", "  spaced  ",
          "ß" * 200]


@pytest.mark.parametrize("key", [b"k", b"a-32-byte-secret-for-the-tests!!", b"x" * 64,
                                 b"y" * 65 + "ü".encode(), "schlüssel".encode()])
def test_sql_hmac_equals_pii_pseudonymise(fresh_database, key):
    """RFC 2104 written with sha256() gives exactly pii.pseudonymise, for short keys, a key of
    one block, and keys longer than a block (hashed first)."""
    select = ", ".join(sql_pseudonym(f"CAST(:v{i} AS text)", "jakarta/citizen_reports")
                       for i in range(len(VALUES)))
    params = {f"v{i}": v for i, v in enumerate(VALUES)} | hmac_pads(key)
    with fresh_database.engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT {select}"), params).one()
    assert list(row) == [pseudonymise(f"jakarta/citizen_reports:{v}", key) for v in VALUES]
    assert list(row) == [python_pseudonym(v, "jakarta/citizen_reports", key) for v in VALUES]


def test_sql_pseudonym_keeps_null_and_separates_namespaces(fresh_database):
    pads = hmac_pads(b"k")
    with fresh_database.engine.connect() as conn:
        row = conn.execute(sa.text(
            f"SELECT {sql_pseudonym('NULL::text', 'a')}, {sql_pseudonym(TEXT_V, 'a')}, "
            f"{sql_pseudonym(TEXT_V, 'b')}, {sql_pseudonym('123::bigint', 'a')}"),
            {"v": "123"} | pads).one()
    assert row[0] is None
    assert row[1] != row[2]                 # same id, another source: unrelated pseudonym
    assert row[1] == row[3]                 # a bigint id is taken as its text


def test_pads_are_rfc2104():
    key = b"Jefe"
    pads = hmac_pads(key)
    inner = hashlib.sha256(pads[pseudonym.INNER_PARAM] + b"what do ya want for nothing?")
    outer = hashlib.sha256(pads[pseudonym.OUTER_PARAM] + inner.digest()).hexdigest()
    assert outer == hmac.new(key, b"what do ya want for nothing?", hashlib.sha256).hexdigest()
    with pytest.raises(ValueError):
        hmac_pads(b"")


def test_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCHANGE_HOME", str(tmp_path))
    monkeypatch.setenv(KEY_ENV, "from-env")
    assert pseudonym_key() == (b"from-env", "env")
    assert not pseudonym.key_file().exists()


def test_without_the_variable_a_key_file_is_made_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTCHANGE_HOME", str(tmp_path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    key, origin = pseudonym_key()
    path = pseudonym.key_file()
    assert origin == str(path) and path.exists() and len(key) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pseudonym_key() == (key, origin)          # stable: the same key next time
    path.write_text("")
    with pytest.raises(RuntimeError, match="empty"):
        pseudonym_key()


def test_namespace_with_a_quote_is_refused():
    with pytest.raises(ValueError):
        sql_pseudonym("x", "a'b")
