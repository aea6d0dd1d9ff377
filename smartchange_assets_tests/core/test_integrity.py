"""The ``integrity`` checks on small tables planted in a fresh database: orphans are found and
named, NULLs are not references, an extra condition on the pair is honoured, row rules fail on
the rows that break them, and a missing parent table fails rather than passes."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from smartchange_assets.core.integrity import Rule, find_problems, integrity_check, references
from smartchange_assets.platform.audit import Audit
from smartchange_assets.platform.tables import Column, TableSpec

AREAS = TableSpec("core", "t_area", (Column("area_key", "text"), Column("level", "text")))
FACT = TableSpec("core", "t_fact", (Column("area_key", "text"), Column("day", "date"),
                                    Column("value", "double precision")))
DAYS = TableSpec("core", "t_day", (Column("date", "date"),))
AREA_KEY, DAY_KEY, FACT_KEY = (dg.AssetKey(["core", n]) for n in ("t_area", "t_day", "t_fact"))

REFS = (
    references("area_key", AREAS, "area_key", AREA_KEY, "p.level = 'unit'", "a unit"),
    references("day", DAYS, "date", DAY_KEY),
)
RULES = (Rule("value_non_negative", "c.value >= 0", ("area_key", "value")),)


def _plant(wh, facts: list[tuple]) -> None:
    with wh.transaction() as conn:
        for spec in (AREAS, FACT, DAYS):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {spec.qualified}"))
            conn.execute(sa.text(f"CREATE TABLE {spec.qualified} ({spec.column_ddl()})"))
        conn.execute(sa.text("INSERT INTO core.t_area VALUES ('a:1', 'unit'), "
                             "('a:2', 'district')"))
        conn.execute(sa.text("INSERT INTO core.t_day VALUES ('2024-01-01'), ('2024-01-02')"))
        for area, day, value in facts:
            conn.execute(sa.text("INSERT INTO core.t_fact VALUES (:a, :d, :v)"),
                         {"a": area, "d": day, "v": value})


def test_clean_tables_pass_and_nulls_are_not_references(fresh_database):
    _plant(fresh_database, [("a:1", "2024-01-01", 1.0), (None, None, 2.0)])
    findings = find_problems(fresh_database, FACT, REFS, RULES)
    assert findings.problems == []


def test_orphans_are_counted_and_named(fresh_database):
    _plant(fresh_database, [("a:1", "2024-01-01", 1.0), ("a:9", "2024-01-01", 1.0),
                            ("a:9", "2024-01-02", 1.0), ("a:1", "2031-05-05", 1.0)])
    problems = find_problems(fresh_database, FACT, REFS, RULES).problems
    assert len(problems) == 2
    assert problems[0].startswith("2 row(s) break area_key -> core.t_area(area_key) where a "
                                  "unit: a:9")
    assert "2031-05-05" in problems[1]


def test_the_condition_on_the_pair_is_part_of_the_reference(fresh_database):
    _plant(fresh_database, [("a:2", "2024-01-01", 1.0)])  # exists, but is not a unit
    problems = find_problems(fresh_database, FACT, REFS, RULES).problems
    assert problems == ["1 row(s) break area_key -> core.t_area(area_key) where a unit: a:2"]


def test_rules_fail_on_the_rows_that_break_them_including_null(fresh_database):
    _plant(fresh_database, [("a:1", "2024-01-01", -1.0), ("a:1", "2024-01-02", None)])
    findings = find_problems(fresh_database, FACT, REFS, RULES)
    assert len(findings.breaches["value_non_negative"]) == 2  # a NULL never passes a rule


def test_the_check_blocks_and_waits_for_its_parents(fresh_database):
    check = integrity_check(FACT_KEY, FACT, REFS, RULES)
    spec = check.spec()
    assert spec.blocking
    assert {d.asset_key for d in spec.additional_deps} == {AREA_KEY, DAY_KEY}
    _plant(fresh_database, [("a:9", "2024-01-01", 1.0)])
    result = check.evaluate(Audit(fresh_database, FACT, FACT.qualified, published=True))
    assert not result.passed and "a:9" in result.description
    assert result.metadata["offending_rows"].value[
        "references area_key -> core.t_area(area_key) where a unit"] == 1


def test_a_missing_parent_table_fails(fresh_database):
    _plant(fresh_database, [("a:1", "2024-01-01", 1.0)])
    with fresh_database.transaction() as conn:
        conn.execute(sa.text("DROP TABLE core.t_day"))
    result = integrity_check(FACT_KEY, FACT, REFS).evaluate(
        Audit(fresh_database, FACT, FACT.qualified, published=True))
    assert not result.passed and "core.t_day does not exist" in result.description
