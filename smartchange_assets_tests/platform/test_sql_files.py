"""SQL files: identifiers filled from the specs only, values bound as parameters."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from smartchange_assets.platform.sql_files import Subquery, bind, fill, merge, sql_file


def test_placeholders_take_identifiers_and_leave_sql_braces_alone():
    text = "SELECT '{}'::text[], x ~ '^[A-Z]{2}$' FROM {table} AS t JOIN {part} AS p ON true"
    filled = fill(text, {"table": '"core"."dim_area"', "part": Subquery("SELECT 1")})
    assert filled == ("SELECT '{}'::text[], x ~ '^[A-Z]{2}$' FROM \"core\".\"dim_area\" AS t "
                      "JOIN (\nSELECT 1\n) AS p ON true")


@pytest.mark.parametrize("identifiers, error", [
    ({}, KeyError),                                            # a placeholder without a value
    ({"table": "t", "other": "u"}, KeyError),                  # a value no placeholder uses
    ({"table": "t WHERE name = 'x'"}, ValueError),             # a value posing as an identifier
    ({"table": "t; DROP TABLE x"}, ValueError),
])
def test_fill_refuses_what_is_not_an_identifier_for_a_placeholder(identifiers, error):
    with pytest.raises(error):
        fill("SELECT * FROM {table}", identifiers)


def test_a_parameter_in_a_comment_fails_loudly(tmp_path):
    (tmp_path / "q.sql").write_text("-- rows of :city\nSELECT 1\n")
    with pytest.raises(ValueError, match="comment"):
        sql_file(str(tmp_path / "module.py"), "q.sql")
    (tmp_path / "ok.sql").write_text("-- per city: its rows\nSELECT :city\n")
    assert sql_file(str(tmp_path / "module.py"), "ok.sql").endswith("SELECT :city\n")


def test_bound_values_mean_what_the_literals_meant():
    params = bind(share=0.95, cities=("jakarta", "berlin"), keys={"b": "2", "a": "1"},
                  n=5, flag=True, shares=[0.75, 1.0])
    assert params["share"] == Decimal("0.95") and isinstance(params["share"], Decimal)
    assert params["cities"] == ["jakarta", "berlin"]
    assert json.loads(params["keys"]) == {"a": "1", "b": "2"}
    assert params["n"] == 5 and params["flag"] is True
    assert params["shares"] == [Decimal("0.75"), Decimal("1.0")]


def test_merged_parameters_must_agree():
    assert merge({"a": 1}, {"a": 1, "b": 2}) == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match=":a"):
        merge({"a": 1}, {"a": 2})


def test_bound_values_reach_postgres_with_the_literals_types(fresh_database):
    row = fresh_database.read_frame(
        "SELECT pg_typeof(:share)::text AS share, "
        "cast(:keys AS jsonb) ->> 'a' AS a, cast(:keys AS jsonb) ->> 'z' AS z, "
        "'berlin' = any(cast(:cities AS text[])) AS listed",
        **bind(share=0.95, keys={"a": "1"}, cities=("jakarta", "berlin"))).iloc[0]
    assert row["share"] == "numeric"
    assert row["a"] == "1" and row["z"] is None and bool(row["listed"])
