-- The construction report's own arithmetic, on the version under audit
-- (berlin/construction/checks.py): one row per broken rule, at most 20.
WITH series AS (  -- the time series: the branch as a whole (no WZ code)
    SELECT * FROM {relation}
    WHERE wz_code IS NULL
),

by_branch_totals AS (  -- the 'insgesamt' rows of Tab6 and Tab8 (codes joined by '/')
    SELECT * FROM {relation}
    WHERE wz_code LIKE '%/%'
),

total_vs_series AS (
    SELECT
        t.report_month,
        format(
            '%s total row %s %s (%s) is %s, the time series gives %s',
            t.sheet, t.wz_code, t.measure, t.period_start, t.value,
            coalesce(s.value::text, 'nothing')
        ) AS problem
    FROM by_branch_totals AS t
    LEFT JOIN series AS s
        ON
            t.report_month = s.report_month
            AND t.branch = s.branch
            AND t.measure = s.measure
            AND t.period_type = s.period_type
            AND t.period_start = s.period_start
            AND s.breakdown = 'total'
            AND s.aggregation = 'level'
    WHERE s.value IS DISTINCT FROM t.value
),

levels AS (
    SELECT
        report_month,
        sheet,
        measure,
        period_type,
        period_start,
        aggregation,
        max(value) FILTER (WHERE breakdown = 'total') AS total,
        max(value) FILTER (WHERE breakdown = 'building') AS building,
        max(value) FILTER (WHERE breakdown = 'civil_engineering') AS civil,
        max(value) FILTER (WHERE breakdown = 'residential') AS residential,
        max(value) FILTER (WHERE breakdown = 'commercial_industrial_building') AS cib,
        max(value) FILTER (WHERE breakdown = 'public_building') AS public_building,
        max(value) FILTER (WHERE breakdown = 'commercial_industrial_civil') AS cic,
        max(value) FILTER (WHERE breakdown = 'road') AS road,
        max(value) FILTER (WHERE breakdown = 'other_civil') AS other_civil
    FROM series
    WHERE aggregation IN ('level', 'annual_sum', 'annual_average')
    GROUP BY 1, 2, 3, 4, 5, 6
),

breakdowns AS (
    SELECT
        report_month,
        format(
            '%s %s %s: total %s, building + civil engineering %s; building %s, its parts %s; '
            || 'civil engineering %s, its parts %s',
            sheet, measure, period_start, total, building + civil, building,
            residential + cib + public_building, civil, cic + road + other_civil
        ) AS problem
    FROM levels
    WHERE
        building IS NOT NULL
        AND (
            abs(total - building - civil) > :tolerance
            OR abs(building - residential - cib - public_building) > :tolerance
            OR abs(civil - cic - road - other_civil) > :tolerance
        )
),

months AS (
    SELECT
        report_month,
        sheet,
        measure,
        breakdown,
        extract(YEAR FROM period_start) AS year,
        count(*) AS n,
        sum(value) AS summed,
        avg(value) AS averaged
    FROM series
    WHERE period_type = 'month' AND aggregation = 'level'
    GROUP BY 1, 2, 3, 4, 5
),

annual AS (
    SELECT
        a.report_month,
        format(
            '%s %s %s %s: the %s %s is not the months'' %s',
            a.sheet, a.measure, a.breakdown, m.year, a.aggregation, a.value,
            CASE
                WHEN a.aggregation = 'annual_sum' THEN m.summed
                ELSE round(m.averaged::numeric, 1)
            END
        ) AS problem
    FROM series AS a
    INNER JOIN months AS m
        ON
            a.report_month = m.report_month
            AND a.sheet = m.sheet
            AND a.measure = m.measure
            AND a.breakdown = m.breakdown
            AND extract(YEAR FROM a.period_start) = m.year
    WHERE
        a.period_type = 'year'
        AND m.n = 12
        AND a.measure <> 'working_days'
        AND abs(
            a.value
            - CASE WHEN a.aggregation = 'annual_sum' THEN m.summed ELSE m.averaged END
        ) > :annual_tolerance
)

SELECT
    report_month,
    problem
FROM total_vs_series
UNION ALL
SELECT
    report_month,
    problem
FROM breakdowns
UNION ALL
SELECT
    report_month,
    problem
FROM annual
ORDER BY report_month, problem
LIMIT 20
