"""SQL that reads as SQL: a query lives in a ``.sql`` file beside the module that runs it.

* **Values are bound parameters** (``:name``, as ``sqlalchemy.text`` reads them), passed with
  the query when it runs (``SqlTable.params``, ``Warehouse.read_frame(sql, **params)``); they
  are never formatted into the text. :func:`bind` prepares them so that a bound value means
  what the same literal in the text would (a float binds as ``numeric``, like ``0.75``).
  Write ``cast(:x AS float8)``, not ``:x::float8`` (SQLAlchemy does not read the latter as a
  parameter), ``= any(cast(:list AS text[]))`` for a list, and ``cast(:x AS text)`` where a
  text value goes into ``format()`` or ``concat()`` (which take any type, so Postgres cannot
  tell the parameter's).
* **Identifiers are the only thing filled in**: a ``{name}`` placeholder (a letter first, so
  ``'{}'`` and ``{2}`` stay as they are) takes a table name (``TableSpec.qualified``) or a
  column name or list from a spec, so one file can serve several tables or scopes. A placeholder
  without a value, or a value that no placeholder uses, fails loudly.
* **A query assembled from parts** (a UNION over themes or sources) takes each part, itself
  read from a ``.sql`` file, as a :class:`Subquery`: ``FROM {measures} AS m`` gets the part in
  parentheses. Nothing else is spliced into the text.

``sqlfluff lint smartchange_assets`` parses every file with both kinds of placeholder (its
``placeholder`` templater, configured in ``pyproject.toml``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

_IDENTIFIER = re.compile(r"\{([A-Za-z_]\w*)\}")
# a bound parameter inside a comment: sqlalchemy.text would take it for one
_PARAMETER_IN_COMMENT = re.compile(r"--[^\n]*(?<![:\w\\]):\w")
# names, qualified names and lists of them (``"core"."dim_area"``, ``a.x AS y, a.z``): never a
# quote, parenthesis or operator, so a value cannot slip in as an identifier
_SAFE_IDENTIFIER = re.compile(r'^[\w".,\s]+$')


class Subquery(str):
    """SQL text (from a ``.sql`` file) that fills a ``{name}`` placeholder as ``(text)``."""


def sql_file(module_file: str, name: str, **identifiers: str) -> str:
    """The text of ``name`` beside ``module_file`` (pass ``__file__``), its ``{identifier}``
    placeholders filled from ``identifiers``."""
    path = Path(module_file).with_name(name)
    text = path.read_text("utf-8")
    if _PARAMETER_IN_COMMENT.search(text):
        raise ValueError(f"{path.name}: a comment holds ':name', which would be read as a "
                         "bound parameter")
    return fill(text, identifiers, path.name)


def fill(text: str, identifiers: Mapping[str, str], where: str = "SQL") -> str:
    """``text`` with every ``{name}`` replaced by ``identifiers[name]``."""
    used: set[str] = set()

    def _one(match: re.Match) -> str:
        name = match.group(1)
        if name not in identifiers:
            raise KeyError(f"{where}: no identifier given for {{{name}}}")
        value = identifiers[name]
        used.add(name)
        if isinstance(value, Subquery):
            return f"(\n{value}\n)"
        if not _SAFE_IDENTIFIER.match(value):
            raise ValueError(f"{where}: {{{name}}} = {value!r} is not an identifier")
        return value

    filled = _IDENTIFIER.sub(_one, text)
    unused = set(identifiers) - used
    if unused:
        raise KeyError(f"{where}: identifiers given but not used: {sorted(unused)}")
    return filled


def bind(**values: object) -> dict[str, object]:
    """Bound parameters for a query: floats as ``Decimal`` (``numeric``, as the literal would
    be), tuples as lists (``text[]`` with a ``CAST``), mappings as JSON text (a lookup is
    ``cast(:x AS jsonb) ->> key``, NULL for a key it lacks, as a ``CASE`` without ``ELSE``);
    everything else as given."""
    return {name: _bindable(value) for name, value in values.items()}


def merge(*params: Mapping[str, object]) -> dict[str, object]:
    """The parameters of several query parts; one name must mean one value."""
    merged: dict[str, object] = {}
    for part in params:
        for name, value in part.items():
            if name in merged and merged[name] != value:
                raise ValueError(f"bound parameter :{name} given twice with different values "
                                 f"({merged[name]!r}, {value!r})")
            merged[name] = value
    return merged


def _bindable(value: object) -> object:
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, tuple | list):
        return [_bindable(v) for v in value]
    return value
