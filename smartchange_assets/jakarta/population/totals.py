"""``totals_agree``: where two population figures should be the same number, are they?

Three comparisons, of which only the first can fail the (blocking) check:

1. **Inside a row** – Dukcapil ``L + P = JML`` (``male_residents + female_residents =
   residents``). A row that breaks it contradicts itself: the check fails and lists each row.
2. **Same key in several payloads** – e.g. the Dukcapil CSV and the Disdukcapil XLSX both give
   Jakarta Utara, semester 1 2025, by band. Differences are reported with their size.
3. **Across tables** at kota level and the same reference date: satudata kelurahan counts
   summed per kota (and per 10-year band: 00-04 + 05-09 = 00-09, …, 70-74 + 75+ = 70+) against
   Dukcapil semester figures and BPS kota totals; Dukcapil bands summed against BPS. Reported
   with the difference, its share and the rows summed on each side (a sampled or truncated
   table sums fewer rows), never failed: the tables count differently (registered residents vs
   projections) and the seed copies are partial.

Kota names are matched on their distinctive word (``KAB.ADM.KEP.SERIBU`` = ``KEP SERIBU``), as
the staging table carries names as published; once area codes are added they can replace this.
"""

from __future__ import annotations

import re

import dagster as dg
import pandas as pd

from smartchange_assets.jakarta.population.layouts import BPS, DUKCAPIL, SATUDATA
from smartchange_assets.jakarta.population.parser import NATURAL_KEY
from smartchange_assets.platform.audit import Audit, TableCheck

CHECK_NAME = "totals_agree"
_KOTA_WORDS = ("PUSAT", "UTARA", "BARAT", "SELATAN", "TIMUR")
_PAIRS = ((SATUDATA, DUKCAPIL), (SATUDATA, BPS), (DUKCAPIL, BPS))
_MAX_ROWS_SHOWN = 50


def totals_agree(spec) -> TableCheck:
    """Blocking check on the population staging table (an ``extra_checks`` factory)."""

    def evaluate(audit: Audit) -> dg.AssetCheckResult:
        return totals_result(compare_totals_in(audit.wh, audit.relation, spec.source_id))

    return TableCheck(
        spec.staging_key, CHECK_NAME,
        ("Dukcapil L + P = JML in every row (fails otherwise); the same key in "
         "several payloads, and satudata/Dukcapil/BPS kota totals at the same "
         "reference date, compared and reported with the size of each difference."),
        evaluate, blocking=True)


# --------------------------------------------------------------------------------------------
# the comparisons (pure pandas, tested without Dagster)


def compare_totals(staged: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"internal": internal_inconsistencies(staged),
            "repeated": repeated_keys(staged),
            "cross_table": cross_table(staged)}


def compare_totals_in(wh, relation: str, source_id: str) -> dict[str, pd.DataFrame]:
    """:func:`compare_totals` on a warehouse table without reading the table into memory.

    Postgres hands over only what each comparison looks at (the self-contradicting rows, the
    rows of keys staged from several payloads, and kota-level sums of the rows counted once),
    so memory follows those, not the size of the table. The pandas functions below then give
    the same frames as on the whole table (``test_population_source`` compares both paths)."""
    files = (" LEFT JOIN (SELECT DISTINCT ON (sha256) sha256, file_name"
             " FROM raw.landing_manifest WHERE source = :source ORDER BY sha256, fetched_at) m"
             " ON m.sha256 = s.payload_sha256")
    key = ", ".join(f"s.{c}" for c in NATURAL_KEY)
    same_key = " AND ".join(f"r.{c} IS NOT DISTINCT FROM s.{c}" for c in NATURAL_KEY)
    internal = wh.read_frame(
        f"SELECT s.*, m.file_name FROM {relation} s{files}"
        " WHERE s.male_residents IS NOT NULL AND s.female_residents IS NOT NULL"
        " AND s.male_residents + s.female_residents IS DISTINCT FROM s.residents",
        source=source_id)
    repeated = wh.read_frame(
        f"SELECT s.*, m.file_name FROM {relation} s{files}"
        f" JOIN (SELECT {key} FROM {relation} s GROUP BY {key}"
        " HAVING count(DISTINCT s.payload_sha256) > 1) r ON " + same_key,
        source=source_id)
    first_of_each_key = (
        f"SELECT DISTINCT ON ({key}) s.*, m.file_name FROM {relation} s{files}"
        f" ORDER BY {key}, m.file_name, s.source_row")
    reduced = wh.read_frame(
        f"SELECT {', '.join(REDUCE_KEYS[:-1])},"
        " male_residents IS NOT NULL AS has_split,"
        " coalesce(sum(residents), 0)::bigint AS residents,"
        " coalesce(sum(male_residents), 0)::bigint AS male_residents,"
        " coalesce(sum(female_residents), 0)::bigint AS female_residents,"
        f" count(*) AS n FROM ({first_of_each_key}) once"
        f" GROUP BY {', '.join(REDUCE_KEYS[:-1])}, male_residents IS NOT NULL",
        source=source_id)
    return {"internal": internal_inconsistencies(internal),
            "repeated": repeated_keys(repeated),
            "cross_table": cross_table_of_reduced(reduced)}


def internal_inconsistencies(staged: pd.DataFrame) -> pd.DataFrame:
    split = staged[staged["male_residents"].notna() & staged["female_residents"].notna()]
    difference = split["male_residents"] + split["female_residents"] - split["residents"]
    bad = split[difference != 0].assign(difference=difference[difference != 0])
    return bad[["file_name", "source_row", "table_kind", "year", "semester", "kota_name",
                "age_band", "male_residents", "female_residents", "residents", "difference"]]


def repeated_keys(staged: pd.DataFrame) -> pd.DataFrame:
    """Natural keys staged from more than one payload; ``difference`` is the largest spread
    (max - min) of residents, male or female residents between those payloads."""
    key = list(NATURAL_KEY)
    grouped = staged.groupby(key, dropna=False)
    spread = grouped.agg(payloads=("payload_sha256", "nunique"),
                         files=("file_name", lambda f: ", ".join(sorted(set(map(str, f))))),
                         residents_min=("residents", "min"), residents_max=("residents", "max"))
    for column in ("residents", "male_residents", "female_residents"):
        values = grouped[column]
        spread[f"{column}_spread"] = (values.max() - values.min()).fillna(0)
    spread = spread[spread["payloads"] > 1].reset_index()
    spread["difference"] = spread[[c for c in spread if c.endswith("_spread")]].max(axis=1)
    return spread[[*key, "files", "residents_min", "residents_max", "difference"]]


def cross_table(staged: pd.DataFrame) -> pd.DataFrame:
    """Kota-level figures of two tables at the same reference date, kota, age group and sex."""
    once = (staged.sort_values(["file_name", "source_row"])
            .drop_duplicates(list(NATURAL_KEY)))  # a key landed twice is counted once
    return cross_table_of_reduced(reduce_rows(once))


# the grain the rows are summed to before the kota mapping (the warehouse does the same in SQL)
REDUCE_KEYS = ["table_kind", "reference_date", "kota_name", "age_from", "age_band", "sex",
               "has_split"]


def reduce_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Residents, male and female residents summed per :data:`REDUCE_KEYS`, ``n`` rows each."""
    columns = [*REDUCE_KEYS, "residents", "male_residents", "female_residents", "n"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(has_split=rows["male_residents"].notna(), n=1)
    return (rows.groupby(REDUCE_KEYS, dropna=False)
            .agg(residents=("residents", "sum"), male_residents=("male_residents", "sum"),
                 female_residents=("female_residents", "sum"), n=("n", "sum"))
            .reset_index()[columns])


def cross_table_of_reduced(reduced: pd.DataFrame) -> pd.DataFrame:
    figures = _kota_figures(reduced)
    on = ["reference_date", "kota", "age_group", "sex"]
    compared = []
    for left, right in _PAIRS:
        merged = figures[figures["table_kind"] == left].merge(
            figures[figures["table_kind"] == right], on=on, suffixes=("_left", "_right"))
        if merged.empty:
            continue
        merged.insert(0, "comparison", f"{left} vs {right}")
        compared.append(merged)
    if not compared:
        return pd.DataFrame(columns=["comparison", *on, "value_left", "rows_left",
                                     "value_right", "rows_right", "difference", "share"])
    result = pd.concat(compared, ignore_index=True)
    result["difference"] = result["value_left"] - result["value_right"]
    result["share"] = (result["difference"] / result["value_right"]).round(4)
    return result[["comparison", *on, "value_left", "rows_left", "value_right", "rows_right",
                   "difference", "share"]]


def kota_key(name: str) -> str:
    """The kota a name means: 'JAKARTA TIMUR', 'KEPULAUAN SERIBU', or the name itself."""
    clean = " ".join(re.sub(r"[^A-Z]+", " ", str(name).upper()).split())
    if "SERIBU" in clean:
        return "KEPULAUAN SERIBU"
    word = next((w for w in _KOTA_WORDS if w in clean.split()), None)
    return f"JAKARTA {word}" if word and "JAKARTA" in clean else clean


def _kota_figures(reduced: pd.DataFrame) -> pd.DataFrame:
    """Long frame: table_kind, reference_date, kota, age_group, sex, value, rows."""
    keys = ["table_kind", "reference_date", "kota", "age_group", "sex"]
    if reduced.empty:
        return pd.DataFrame(columns=[*keys, "value", "rows"])
    rows = reduced.assign(kota=reduced["kota_name"].map(kota_key),
                          age_group=reduced["age_from"].map(_ten_year_group))
    rows.loc[rows["age_band"] == "all", "age_group"] = "all"
    long = [rows.assign(value=rows["residents"])]
    split = rows[rows["has_split"].astype(bool)]
    long += [split.assign(sex="male", value=split["male_residents"]),
             split.assign(sex="female", value=split["female_residents"])]
    long = pd.concat(long, ignore_index=True)
    both = long[long["table_kind"] == SATUDATA].assign(sex="total")  # male + female rows
    long = pd.concat([long, both], ignore_index=True)
    all_ages = long[long["age_group"] != "all"].assign(age_group="all")
    long = pd.concat([long, all_ages], ignore_index=True)
    return (long.groupby(keys, dropna=False)
            .agg(value=("value", "sum"), rows=("n", "sum")).reset_index())


def _ten_year_group(age_from) -> str:
    if pd.isna(age_from):
        return "all"
    start = min(int(age_from) // 10 * 10, 70)
    return "70+" if start == 70 else f"{start:02d}-{start + 9:02d}"


# --------------------------------------------------------------------------------------------
# reporting


def totals_result(found: dict[str, pd.DataFrame]) -> dg.AssetCheckResult:
    internal, repeated, cross = found["internal"], found["repeated"], found["cross_table"]
    repeated_off = repeated[repeated["difference"] != 0]
    cross_off = cross[cross["difference"] != 0]
    if internal.empty:
        description = "male + female = total in every row"
    else:
        description = f"{len(internal)} row(s) where male + female != total"
    description += (f"; {len(repeated)} key(s) in several payloads ({len(repeated_off)} differ)"
                    f"; {_cross_summary(cross, cross_off)}")
    return dg.AssetCheckResult(
        passed=internal.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "internal_inconsistencies": dg.MetadataValue.int(len(internal)),
            "internal": dg.MetadataValue.md(markdown_table(internal)),
            "repeated_keys_compared": dg.MetadataValue.int(len(repeated)),
            "repeated_keys_differing": dg.MetadataValue.int(len(repeated_off)),
            "repeated_keys": dg.MetadataValue.md(markdown_table(repeated)),
            "cross_table_compared": dg.MetadataValue.int(len(cross)),
            "cross_table_differing": dg.MetadataValue.int(len(cross_off)),
            "largest_cross_table_difference": dg.MetadataValue.int(
                int(cross["difference"].abs().max()) if len(cross) else 0),
            "cross_table": dg.MetadataValue.md(
                markdown_table(cross.sort_values("difference", key=abs, ascending=False))
                if len(cross) else "no two tables cover the same kota and reference date"),
        })


def _cross_summary(cross: pd.DataFrame, cross_off: pd.DataFrame) -> str:
    if cross.empty:
        return "nothing overlapped across tables (no common kota and reference date)"
    worst = cross_off["difference"].abs().max() if len(cross_off) else 0
    return (f"{len(cross)} cross-table comparison(s), {len(cross_off)} differ "
            f"(largest {int(worst)} residents)")


def markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    shown = frame.head(_MAX_ROWS_SHOWN)
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * shown.shape[1]]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(c) else str(c) for c in row) + " |")
    if len(frame) > _MAX_ROWS_SHOWN:
        lines.append(f"\n… {len(frame) - _MAX_ROWS_SHOWN} more rows")
    return "\n".join(lines)
