"""Keyed pseudonyms for the open tier, computed inside Postgres.

An id in the open tier is ``platform.pii.pseudonymise("<source>:<id>", key)``: HMAC-SHA256 with
the secret ``SMARTCHANGE_PSEUDONYM_KEY`` (UTF-8), hex. The source prefix keeps equal ids of two
sources apart (a Berlin report 123 and a Jakarta report 123 get unrelated pseudonyms). Stable
across refreshes for the same key; without the key an id cannot be recovered or confirmed by
guessing (a plain hash of ``JK2306180342`` could be found by trying every date and sequence).

The embedded server has no pgcrypto, so the HMAC is written with the built-in ``sha256()``
exactly as RFC 2104 defines it: ``H((K ^ opad) || H((K ^ ipad) || m))``. Python derives the two
padded keys from the secret and passes them as bind parameters (never in the SQL text); the
heavy part (hashing every row) runs in the database. Tests hold it equal to ``pseudonymise``.

Without the environment variable, a random key is created once in
``$SMARTCHANGE_HOME/secrets/pseudonym.key`` (mode 0600) so that a local set-up gets stable
pseudonyms with no configuration; production sets the variable (and keeps it: a new key
changes every pseudonym). The deployment images set ``SMARTCHANGE_REQUIRE_SECRETS=1``, which
refuses that fallback: a key made inside a container would differ from run pod to run pod.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from smartchange_assets.platform import settings
from smartchange_assets.platform.pii import pseudonymise

KEY_ENV = "SMARTCHANGE_PSEUDONYM_KEY"
REQUIRE_ENV = "SMARTCHANGE_REQUIRE_SECRETS"
_BLOCK = 64  # SHA-256 block size in bytes

# bind parameter names the SQL expression uses
INNER_PARAM, OUTER_PARAM = "pseudonym_ipad", "pseudonym_opad"


def key_file() -> Path:
    return settings.home() / "secrets" / "pseudonym.key"


def pseudonym_key() -> tuple[bytes, str]:
    """The secret and where it came from (``env`` or the key file's path)."""
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode("utf-8"), "env"
    if os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes"):
        raise RuntimeError(f"{KEY_ENV} is not set ({REQUIRE_ENV} is): set it from the "
                           "deployment's secret; a key made here would differ between run pods "
                           "and change every pseudonym")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    value = path.read_text().strip()
    if not value:
        raise RuntimeError(f"{path} is empty: set {KEY_ENV} or delete the file")
    return value.encode("utf-8"), str(path)


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """The RFC 2104 inner and outer padded keys, as bind parameters."""
    if not key:
        raise ValueError("the pseudonym key must not be empty")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return {INNER_PARAM: bytes(b ^ 0x36 for b in key),
            OUTER_PARAM: bytes(b ^ 0x5C for b in key)}


def sql_pseudonym(expression: str, namespace: str) -> str:
    """SQL for the pseudonym of ``expression`` (any type, taken as text) in ``namespace``.

    NULL stays NULL. Needs the parameters from :func:`hmac_pads`.
    """
    if "'" in namespace:
        raise ValueError("namespace must not contain quotes")
    message = f"convert_to('{namespace}:' || ({expression})::text, 'UTF8')"
    outer, inner = f"CAST(:{OUTER_PARAM} AS bytea)", f"CAST(:{INNER_PARAM} AS bytea)"
    return (f"CASE WHEN ({expression}) IS NULL THEN NULL ELSE encode(sha256({outer} || "
            f"sha256({inner} || {message})), 'hex') END")


def python_pseudonym(value, namespace: str, key: bytes) -> str:
    """The same pseudonym computed in Python (for tests and for staff tools)."""
    return pseudonymise(f"{namespace}:{value}", key)
