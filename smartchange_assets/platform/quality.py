"""Run a Great Expectations 1.x suite inside Postgres; report it for a Dagster asset check.

A source describes its suite once, as plain data::

    SUITE = [not_null("station_id"), unique("station_id"), between("pm10", 0, 1000),
             in_set("category", ["good", "moderate"]), row_count_equals(24)]

    outcome = run_suite(warehouse_url, table("staging", "berlin_air_quality_hourly"), SUITE,
                        suite_name="berlin_blume")
    AssetCheckResult(passed=outcome.success,
                     metadata={"results": MetadataValue.md(outcome.to_markdown())})

Design notes

* ``great_expectations`` is imported inside :func:`run_suite` (the import takes seconds), so
  importing this module - and therefore loading the code location - stays cheap.
* Checks run in the database: GX's SQL data source (one per warehouse URL, its engine reused)
  evaluates every expectation as SQL, on a table or on a SELECT (:func:`render_query`); only
  the bounded samples of unexpected values come back to Python, so a check costs the same
  memory for a thousand rows as for ten million.
* One ephemeral GX context per process is cached: it is only configuration (progress bars
  off, analytics off). Every call gets its own uniquely named table or query asset, deleted
  afterwards, so no metric cache outlives the call.
* GX keeps "the current context" in a process-wide singleton that validation looks things up
  in. Calls are serialised by a lock, our context is made current for the call and whatever
  was current before is restored afterwards.
* An expectation naming a column that does not exist fails (with ``exception`` set); it never
  passes and never aborts the rest of the suite. Any other per-expectation GX error is
  reported the same way.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import re
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5
RESULT_FORMATS = ("SUMMARY", "COMPLETE")

# ---------------------------------------------------------------------------------------------
# Describing a suite
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One expectation as plain data.

    ``kind`` is the GX 1.x expectation class name (``"ExpectColumnValuesToNotBeNull"``),
    ``column`` the column it applies to (None for table-level and multi-column ones) and
    ``kwargs`` the remaining keyword arguments of that class (``min_value``, ``value_set``,
    ``column_list``, ``mostly`` ...). ``name`` optionally overrides the short label.
    """

    kind: str
    column: str | None = None
    kwargs: dict = field(default_factory=dict)
    name: str | None = None

    @property
    def label(self) -> str:
        """Short, readable id, e.g. ``values_between(pm10)`` or ``row_count_equal``."""
        base = self.name or _short_kind(self.kind)
        target = self.column
        if target is None:
            cols = self.kwargs.get("column_list") or self.kwargs.get("column_set")
            if cols:
                target = ",".join(str(c) for c in cols)
            elif "column_A" in self.kwargs and "column_B" in self.kwargs:
                target = f"{self.kwargs['column_A']},{self.kwargs['column_B']}"
            elif "value" in self.kwargs:
                target = str(self.kwargs["value"])
        return f"{base}({target})" if target else base

    def referenced_columns(self) -> list[str]:
        """Columns that must exist for this expectation to be evaluated at all."""
        cols: list[str] = [self.column] if self.column is not None else []
        cols += list(self.kwargs.get("column_list") or [])
        cols += [self.kwargs[k] for k in ("column_A", "column_B") if k in self.kwargs]
        return cols


def _short_kind(kind: str) -> str:
    core = kind.removeprefix("Expect")
    for prefix in ("Column", "Table"):
        if core.startswith(prefix) and len(core) > len(prefix) and core[len(prefix)].isupper():
            core = core[len(prefix):]
            break
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", core).lower()
    return snake.replace("_to_not_be_", "_not_").replace("_to_be_", "_").replace("_to_", "_")


def not_null(col: str, **kwargs: Any) -> Expect:
    return Expect("ExpectColumnValuesToNotBeNull", col, kwargs)


def unique(col: str, **kwargs: Any) -> Expect:
    return Expect("ExpectColumnValuesToBeUnique", col, kwargs)


def compound_unique(cols: list[str] | tuple[str, ...], **kwargs: Any) -> Expect:
    return Expect("ExpectCompoundColumnsToBeUnique", None, {"column_list": list(cols), **kwargs})


def between(col: str, min_value: Any = None, max_value: Any = None, **kwargs: Any) -> Expect:
    return Expect("ExpectColumnValuesToBeBetween", col,
                  {"min_value": min_value, "max_value": max_value, **kwargs})


def in_set(col: str, values: Any, **kwargs: Any) -> Expect:
    return Expect("ExpectColumnValuesToBeInSet", col, {"value_set": list(values), **kwargs})


def row_count_equals(n: int) -> Expect:
    return Expect("ExpectTableRowCountToEqual", None, {"value": int(n)})


def columns_exist(cols: list[str] | tuple[str, ...]) -> Expect:
    """All of ``cols`` are present (other columns are allowed)."""
    return Expect("ExpectTableColumnsToMatchSet", None,
                  {"column_set": list(cols), "exact_match": False}, name="columns_exist")


def dates_between(col: str, start: Any, end: Any, **kwargs: Any) -> Expect:
    """Dates/timestamps in ``[start, end]``; bounds may be ISO strings, dates or datetimes.

    The bounds are stored as ISO strings; Postgres compares them with the column's own type (a
    naive bound against a ``timestamptz`` column is read in the session's time zone, UTC). A
    column that holds no dates or timestamps fails.
    """
    return Expect("ExpectColumnValuesToBeBetween", col,
                  {"min_value": _iso(start), "max_value": _iso(end), **kwargs},
                  name="dates_between")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Outcome
# ---------------------------------------------------------------------------------------------


@dataclass
class ExpectationOutcome:
    expectation: str
    kind: str
    column: str | None
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    partial_unexpected: list = field(default_factory=list)
    exception: str | None = None
    element_count: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SuiteOutcome:
    suite_name: str
    success: bool
    results: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    @property
    def summary(self) -> str:
        ok = len(self.results) - len(self.failed)
        return f"{self.suite_name}: {ok}/{len(self.results)} expectations passed"

    def to_dict(self) -> dict:
        """JSON-serialisable form (every value is already JSON-safe)."""
        return {"suite_name": self.suite_name, "success": self.success,
                "results": [r.to_dict() for r in self.results]}

    def to_markdown(self) -> str:
        lines = [
            f"**{_md(self.summary)}**",
            "",
            "| expectation | success | observed | unexpected count | examples |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in self.results:
            if r.exception:
                examples = f"error: {r.exception}"
            else:
                examples = ", ".join(_compact(v) for v in r.partial_unexpected)
            if r.unexpected_count is None:
                count = ""
            elif r.unexpected_percent is None:
                count = str(r.unexpected_count)
            else:
                count = f"{r.unexpected_count} ({r.unexpected_percent:.2f}%)"
            observed = r.observed_value
            if observed is None and r.element_count is not None:
                observed = f"{r.element_count} rows"
            lines.append("| " + " | ".join([
                _md(r.expectation), "✅ pass" if r.success else "❌ **FAIL**",
                _md("" if observed is None else _compact(observed, limit=120)), count,
                _md(_truncate(examples, 300)),
            ]) + " |")
        return "\n".join(lines)


def _compact(value: Any, limit: int = 80) -> str:
    if isinstance(value, str):
        return _truncate(value, limit)
    return _truncate(_json_dumps(value), limit)


def _json_dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def json_safe(value: Any) -> Any:
    """Convert numpy / pandas / datetime / Decimal values (recursively) to JSON-safe ones."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta | np.timedelta64):
        return str(pd.Timedelta(value))
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dict):
        return {str(json_safe(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series | pd.Index):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# ---------------------------------------------------------------------------------------------
# Running a suite
# ---------------------------------------------------------------------------------------------

_LOCK = threading.RLock()
_CONTEXT: Any = None


def _context() -> Any:
    """The cached ephemeral GX context (progress bars and analytics off). Call under _LOCK."""
    global _CONTEXT
    if _CONTEXT is None:
        # Read by GX when a context is built; also harmless where GX has no analytics at all.
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.enable_analytics(False)
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        _CONTEXT = context
    return _CONTEXT


@dataclass(frozen=True)
class Relation:
    """What a suite reads in the warehouse: a table (``schema``, ``name``) or a SELECT with its
    values already rendered (:func:`render_query`)."""

    schema: str | None = None
    name: str | None = None
    query: str | None = None

    @property
    def sql(self) -> str:
        return self.query if self.query is not None else f'"{self.schema}"."{self.name}"'


def table(schema: str, name: str) -> Relation:
    return Relation(schema=schema, name=name)


def render_query(sql: str, **params: Any) -> Relation:
    """A SELECT with its bind parameters rendered as SQL literals by SQLAlchemy (GX query
    assets take no parameters); values are quoted by the dialect, never pasted as text."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    statement = sa.text(sql)
    used = {k: v for k, v in params.items() if k in statement.compile().params}
    statement = statement.bindparams(**used) if used else statement
    rendered = statement.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True})
    # GX takes a query that starts with SELECT: a CTE (WITH …) is wrapped
    return Relation(query=f"SELECT * FROM ({rendered}) AS relation")


# the GX data source reads the warehouse URL from this variable (GX substitutes ${…} from the
# environment), so the URL and its password never enter GX's configuration or its messages
_URL_VARIABLE = "SMARTCHANGE_GX_WAREHOUSE_URL"


def run_suite(
    url: str,
    relation: Relation,
    expectations: list[Expect],
    suite_name: str,
    *,
    result_format: str = "SUMMARY",
    unique_key: tuple[str, ...] | list[str] = (),
) -> SuiteOutcome:
    """Validate ``relation`` with GX 1.x inside Postgres and return a JSON-safe outcome.

    Each expectation is evaluated as SQL by GX's SQL execution engine: no rows are read into
    Python except the bounded samples of unexpected values (:data:`MAX_EXAMPLES` shown, at most
    ``MAX_EXAMPLES * 4`` fetched). ``result_format`` is ``"SUMMARY"`` or ``"COMPLETE"``.

    Cost on big relations (docs: the benchmark in the README):

    * ``SUMMARY`` validates in two passes: first pass/fail only (GX's ``BOOLEAN_ONLY``: the
      column checks' unexpected counts in one bundled scan, no search for examples), then
      ``SUMMARY`` for what failed, what has a ``mostly`` and the table-level expectations,
      whose observed values are reported. A column check that passed outright has, by
      definition, no unexpected value: it is reported with count 0 and no examples, without a
      scan per expectation for examples that do not exist.
    * ``unique_key``: columns the relation is known to be unique on (the primary key of the
      version under audit, built by the warehouse before the audit). A unique or compound-unique
      expectation over those columns (or more) holds without grouping the relation, and says so.
    """
    if result_format not in RESULT_FORMATS:
        raise ValueError(f"result_format must be one of {RESULT_FORMATS}, not {result_format!r}")
    columns = _columns_of(url, relation)
    outcomes: list[ExpectationOutcome | None] = [None] * len(expectations)
    with _LOCK:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before GX's first import
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.data_context.context_factory import project_manager
        from great_expectations.exceptions import DataContextRequiredError

        try:  # read before _context(): gx.get_context() makes the new context "current"
            previous = project_manager.get_current_project()
        except DataContextRequiredError:
            previous = None
        context = _context()
        project_manager.set_project(context)
        source = _data_source(context, url)
        asset_name = f"relation_{uuid.uuid4().hex}"
        view = None
        try:
            todo: list[tuple[int, type, dict]] = []  # (index, GX class, keyword arguments)
            for i, exp in enumerate(expectations):
                missing = [c for c in exp.referenced_columns() if c not in columns]
                if missing:
                    outcomes[i] = _error_outcome(
                        exp, f"column(s) not found: {', '.join(map(str, missing))}"
                    )
                    continue
                if exp.name == "dates_between" and columns[exp.column] not in _DATE_TYPES:
                    outcomes[i] = _error_outcome(
                        exp, f"column {exp.column!r} does not hold dates or timestamps")
                    continue
                if _unique_by_key(exp, unique_key):
                    outcomes[i] = _passed(exp, observed=f"unique: the primary key "
                                          f"({', '.join(unique_key)}) holds on this version")
                    continue
                try:
                    cls = getattr(gxe, exp.kind, None)
                    if cls is None or not isinstance(cls, type):
                        raise ValueError(f"unknown GX expectation class {exp.kind!r}")
                    kwargs = _gx_kwargs(exp.kwargs)
                    if exp.name == "dates_between":
                        kwargs = _date_bounds(kwargs, columns[exp.column])
                    if exp.column is not None:
                        kwargs["column"] = exp.column
                    cls(**kwargs)  # bad kwargs fail here, for this expectation alone
                    todo.append((i, cls, kwargs))
                except Exception as exc:  # bad kwargs: this expectation fails, the rest runs
                    outcomes[i] = _error_outcome(exp, f"{type(exc).__name__}: {exc}")

            if todo:
                schema, name = relation.schema, relation.name
                if relation.query is not None:
                    schema, name = VIEW_SCHEMA, asset_name
                    view = _create_view(url, name, relation.query)
                asset = source.add_table_asset(asset_name, table_name=name, schema_name=schema)
                batch = asset.add_batch_definition_whole_table("whole").get_batch()
                if result_format == "SUMMARY":
                    quick = _validate(gx, batch, suite_name, todo, "BOOLEAN_ONLY")
                    if isinstance(quick, dict):
                        for i, res in quick.items():
                            if _passed_outright(expectations[i], res):
                                outcomes[i] = _passed(expectations[i])
                        todo = [t for t in todo if outcomes[t[0]] is None]
                if todo:
                    full = _validate(gx, batch, suite_name, todo, result_format)
                    for i, _, _ in todo:
                        outcomes[i] = (_outcome(expectations[i], full[i]) if isinstance(full, dict)
                                       and i in full else _error_outcome(
                                           expectations[i], full if isinstance(full, str)
                                           else "GX returned no result"))
        finally:
            if asset_name in {a.name for a in source.assets}:
                source.delete_asset(asset_name)
            if view is not None:
                _drop_view(url, view)
            project_manager.set_project(previous)

    results: list[ExpectationOutcome] = []
    for i, outcome in enumerate(outcomes):
        # GX returns one result per expectation; guard anyway: no result is never a pass.
        results.append(outcome or _error_outcome(expectations[i], "GX returned no result"))
    return SuiteOutcome(suite_name=suite_name, success=all(r.success for r in results),
                        results=results)


def _validate(gx: Any, batch: Any, suite_name: str, todo: list[tuple[int, type, dict]],
              result_format: str) -> dict[int, Any] | str:
    """GX's results by expectation index, or why the whole suite could not be validated."""
    suite = gx.ExpectationSuite(name=suite_name, expectations=[
        cls(**kwargs, meta={"smartchange_index": i}) for i, cls, kwargs in todo])
    try:
        validation = batch.validate(suite, result_format={
            "result_format": result_format,
            "partial_unexpected_count": MAX_EXAMPLES * 4,
        })
    except Exception as exc:  # whole-suite GX failure: fail closed, say why
        return f"suite could not be validated: {type(exc).__name__}: {exc}"
    return {res.expectation_config.meta["smartchange_index"]: res for res in validation.results}


# expectations about single rows' values: a pass without ``mostly`` means no unexpected value
_ROW_KINDS = ("ExpectColumnValues", "ExpectCompoundColumns", "ExpectMulticolumn")
_UNIQUE_KINDS = {"ExpectColumnValuesToBeUnique": lambda e: [e.column],
                 "ExpectCompoundColumnsToBeUnique": lambda e: e.kwargs.get("column_list") or []}


def _passed_outright(exp: Expect, res: Any) -> bool:
    return (bool(res.success) and _exception_message(res.exception_info) is None
            and exp.kind.startswith(_ROW_KINDS) and exp.kwargs.get("mostly") is None)


def _unique_by_key(exp: Expect, unique_key: tuple[str, ...] | list[str]) -> bool:
    """The relation is unique on ``unique_key``, so on any columns that include it (also on
    the rows a condition keeps, and whatever rows GX is told to ignore)."""
    columns = _UNIQUE_KINDS.get(exp.kind)
    return bool(unique_key) and columns is not None and set(unique_key) <= set(columns(exp))


def _passed(exp: Expect, observed: Any = None) -> ExpectationOutcome:
    return ExpectationOutcome(expectation=exp.label, kind=exp.kind, column=exp.column,
                              success=True, observed_value=observed, unexpected_count=0,
                              unexpected_percent=0.0)


_CLAUSE = re.compile(r'\s*(\w+)\s*(==|!=)\s*"([^"]*)"\s*')


def _gx_kwargs(kwargs: dict) -> dict:
    """The expectation's keyword arguments for GX's SQL engine: a row condition written as
    pandas query text (``'city == "berlin" and level != "bezirk"'``, the subset suites use:
    equalities and inequalities joined by ``and``) becomes GX's condition objects, which GX
    turns into SQL."""
    out = dict(kwargs)
    if out.get("condition_parser") != "pandas":
        return out
    from great_expectations.expectations.row_conditions import Column

    condition = None
    for clause in str(out.pop("row_condition")).split(" and "):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise ValueError(f"row condition clause {clause!r} is not `column == \"value\"` "
                             f"or `column != \"value\"`")
        column, operator, value = match.groups()
        term = Column(column) == value if operator == "==" else Column(column) != value
        condition = term if condition is None else condition & term
    out["row_condition"] = condition
    out["condition_parser"] = "great_expectations"
    return out


def _date_bounds(kwargs: dict, type_oid: int) -> dict:
    """ISO bounds as the column's own type: dates for a date column, datetimes for
    timestamps (a naive bound of a ``timestamptz`` column read as UTC)."""
    out = dict(kwargs)
    for key in ("min_value", "max_value"):
        if isinstance(out.get(key), str):
            stamp = pd.Timestamp(out[key])
            if type_oid == 1082:
                out[key] = stamp.date()
            elif type_oid == 1184:
                out[key] = (stamp.tz_localize("UTC") if stamp.tzinfo is None
                            else stamp.tz_convert("UTC")).to_pydatetime()
            else:
                out[key] = stamp.tz_localize(None).to_pydatetime()
    return out


_SOURCES: dict[str, Any] = {}


def _data_source(context: Any, url: str) -> Any:
    """One GX SQL data source per warehouse URL (its engine and pool are reused). Call under
    _LOCK."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, url).hex[:12]
    if key not in _SOURCES:
        variable = f"{_URL_VARIABLE}_{key.upper()}"
        os.environ[variable] = url
        _SOURCES[key] = context.data_sources.add_sql(f"warehouse_{key}",
                                                     connection_string=f"${{{variable}}}")
    return _SOURCES[key]


# Postgres type OIDs of date, timestamp and timestamptz: what dates_between accepts
_DATE_TYPES = {1082, 1114, 1184}


def _columns_of(url: str, relation: Relation) -> dict[str, int]:
    """The relation's column names and type OIDs (no rows read)."""
    import sqlalchemy as sa

    sql = (f"SELECT * FROM ({relation.sql}) AS r LIMIT 0" if relation.query is not None
           else f"SELECT * FROM {relation.sql} AS r LIMIT 0")
    with _engine(url).connect() as conn:
        description = conn.execute(sa.text(sql)).cursor.description
    return {d.name: d.type_code for d in description}


# A SELECT is validated through a view of it in this schema, never as a GX query asset: to
# learn a query's columns GX runs the bare query and the driver fetches every row it returns
# (column_reflection_fallback in great_expectations/expectations/metrics/util.py; measured:
# +230 MB for 688k rows), while a view's columns come from the catalogue.
VIEW_SCHEMA = "quality_views"


def _create_view(url: str, name: str, query: str) -> str:
    import sqlalchemy as sa

    qualified = f'"{VIEW_SCHEMA}"."{name}"'
    with _engine(url).begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242017)"))  # one CREATE SCHEMA
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{VIEW_SCHEMA}"'))
        # the rendered query holds its values as literals (render_query): nothing to bind
        conn.exec_driver_sql(f"CREATE VIEW {qualified} AS {query}")
    return qualified


def _drop_view(url: str, qualified: str) -> None:
    import sqlalchemy as sa

    with _engine(url).begin() as conn:
        conn.execute(sa.text(f"DROP VIEW IF EXISTS {qualified}"))


_ENGINES: dict[str, Any] = {}


def _engine(url: str) -> Any:
    import sqlalchemy as sa

    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return _ENGINES[url]


def _error_outcome(exp: Expect, message: str) -> ExpectationOutcome:
    return ExpectationOutcome(expectation=exp.label, kind=exp.kind, column=exp.column,
                              success=False, exception=message)


def _exception_message(info: Any) -> str | None:
    """GX puts either one flat exception_info dict, or one per failing metric, on a result."""
    if not info:
        return None
    if "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    messages = [v.get("exception_message") or "exception"
                for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return "; ".join(dict.fromkeys(messages)) or None


def _examples(values: list) -> list:
    seen: dict[str, Any] = {}
    for v in values:
        safe = json_safe(v)
        seen.setdefault(_json_dumps(safe), safe)
        if len(seen) >= MAX_EXAMPLES:
            break
    return list(seen.values())


def _outcome(exp: Expect, res: Any) -> ExpectationOutcome:
    result = dict(res.result or {})
    exception = _exception_message(res.exception_info)
    observed = result.get("observed_value")
    count = result.get("unexpected_count")
    percent = result.get("unexpected_percent")
    partial = result.get("partial_unexpected_list")
    if partial is None and result.get("unexpected_list") is not None:
        partial = result["unexpected_list"]

    if exp.kind == "ExpectTableColumnsToMatchSet":
        mismatched = (result.get("details") or {}).get("mismatched") or {}
        bad = list(mismatched.get("missing") or [])
        if exp.kwargs.get("exact_match", True):
            bad += list(mismatched.get("unexpected") or [])
        partial, count = bad, len(bad)

    return ExpectationOutcome(
        expectation=exp.label,
        kind=exp.kind,
        column=exp.column,
        success=bool(res.success) and exception is None,
        observed_value=json_safe(observed),
        unexpected_count=None if count is None else int(count),
        unexpected_percent=json_safe(percent),
        partial_unexpected=_examples(partial or []),
        exception=exception,
        element_count=json_safe(result.get("element_count")),
    )
