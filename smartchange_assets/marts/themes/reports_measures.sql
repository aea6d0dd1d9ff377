-- Citizen-report measures of a scope per period and shared category (marts/themes/reports.py)
-- from core.fact_citizen_reports: reports_per_100k, reports_share_resolved,
-- reports_median_days_to_resolution; the columns of marts/scope.py MEASURE_COLUMNS plus
-- category. Coverage: the months the payloads observed completely.
WITH jakarta_declared AS (  -- the whole months inside a CRM payload's declared period
    SELECT DISTINCT
        g.first_day::date AS month,
        m.sha256
    FROM raw.landing_manifest AS m
    CROSS JOIN
        LATERAL generate_series(
            date_trunc('month', m.period_start), m.period_end, interval '1 month'
        ) AS g (first_day)
    WHERE
        m.source = :jakarta_source
        AND m.period_start IS NOT NULL
        AND g.first_day >= m.period_start
        AND (g.first_day + interval '1 month - 1 day')::date <= m.period_end
),

jakarta_days AS (  -- per day: reports present, and the day's highest sequence number
    SELECT
        created_date,
        count(*) AS present,
        max(
            CASE
                WHEN report_id ~ '^[A-Z]{2}[0-9]{10}$' THEN substr(report_id, 9, 4)::int
            END
        ) AS implied
    FROM {reports_fact}
    WHERE city = :jakarta
    GROUP BY 1
),

jakarta_months AS (
    SELECT
        date_trunc('month', created_date)::date AS month,
        sum(present) AS present,
        sum(coalesce(implied, present)) AS implied
    FROM jakarta_days
    GROUP BY 1
),

berlin_snapshots AS (
    SELECT DISTINCT
        period_start AS day,
        sha256
    FROM raw.landing_manifest
    WHERE source = :berlin_source AND period_start IS NOT NULL
),

observed AS (  -- the months the payloads observe, and whether completely
    SELECT
        :jakarta AS city,
        d.month,
        coalesce(s.present > 0 AND s.present >= :complete_share * s.implied, FALSE)
            AS complete,
        d.sha256 AS payload_sha256,
        coalesce(s.present, 0) AS present,
        coalesce(s.implied, 0) AS implied,
        NULL::text AS note
    FROM jakarta_declared AS d
    LEFT JOIN jakarta_months AS s ON d.month = s.month
    UNION ALL
    -- the snapshot's own month: seen, not yet complete
    SELECT
        :berlin AS city,
        date_trunc('month', day)::date AS month,
        FALSE AS complete,
        sha256 AS payload_sha256,
        NULL AS present,
        NULL AS implied,
        format('no snapshot within %s days after the month''s end', :window_days) AS note
    FROM berlin_snapshots
    UNION ALL
    -- the month before: complete when the snapshot came soon enough after it
    SELECT
        :berlin AS city,
        (date_trunc('month', day) - interval '1 month')::date AS month,
        day - date_trunc('month', day)::date < :window_days AS complete,
        sha256 AS payload_sha256,
        NULL AS present,
        NULL AS implied,
        format('snapshot of %s', day) AS note
    FROM berlin_snapshots
),

months AS (  -- per city and month: observed completely or not
    SELECT
        city,
        month,
        bool_or(complete) AS complete,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads,
        max(present) AS present,
        max(implied) AS implied,
        string_agg(DISTINCT note, '; ' ORDER BY note) AS note
    FROM observed
    GROUP BY 1, 2
),

period_rows AS (
    SELECT
        m.city,
        periods.period_type,
        date_trunc(periods.period_type, m.month)::date AS period_start,
        count(*) FILTER (WHERE m.complete) AS months,
        CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
        concat_ws(
            '; ',
            CASE
                WHEN m.city = :jakarta THEN format(
                    '%s reports where the ids'' daily sequence numbers imply %s',
                    sum(m.present), sum(m.implied)
                )
            END,
            string_agg(DISTINCT m.note, '; ') FILTER (WHERE NOT m.complete)
        ) AS notes
    FROM months AS m
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2, 3
),

period_payloads AS (
    SELECT
        m.city,
        periods.period_type,
        date_trunc(periods.period_type, m.month)::date AS period_start,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payloads
    FROM months AS m
    CROSS JOIN LATERAL unnest(m.payloads) AS p (sha)
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2, 3
),

scopes AS (
    SELECT
        city,
        area_key AS scope_key
    FROM {dim_area}
    WHERE level = :scope_level
),

placed AS (  -- the city, or the report's district
    SELECT
        f.*,
        CASE
            WHEN :city_scope THEN cast(:city_keys AS jsonb) ->> f.city ELSE f.district_key
        END AS scope_key
    FROM {reports_fact} AS f
),

counted AS (
    SELECT
        f.scope_key,
        f.city,
        periods.period_type,
        date_trunc(periods.period_type, f.created_date)::date AS period_start,
        c.category,
        count(*) AS reports,
        count(f.resolved) AS with_status,
        count(*) FILTER (WHERE f.resolved) AS resolved,
        count(f.days_to_resolution) AS timed,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_resolution) AS median_days
    FROM placed AS f
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    CROSS JOIN LATERAL (VALUES (f.shared_category), (:all_categories)) AS c (category)
    WHERE f.scope_key IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
),

base AS (  -- every scope, observed period and category
    SELECT
        s.scope_key,
        p.*,
        pp.payloads,
        c.category,
        coalesce(n.reports, 0) AS reports,
        coalesce(n.with_status, 0) AS with_status,
        coalesce(n.resolved, 0) AS resolved,
        coalesce(n.timed, 0) AS timed,
        n.median_days,
        p.months::float8 / p.of_months AS month_share,
        CASE
            WHEN p.months < p.of_months THEN format(
                '%s of %s months observed completely (short: %s)',
                p.months, p.of_months, p.notes
            )
        END AS months_short
    FROM scopes AS s
    INNER JOIN period_rows AS p ON s.city = p.city
    INNER JOIN period_payloads AS pp
        ON
            p.city = pp.city
            AND p.period_type = pp.period_type
            AND p.period_start = pp.period_start
    CROSS JOIN unnest(cast(:categories AS text[])) AS c (category)
    LEFT JOIN counted AS n
        ON
            s.scope_key = n.scope_key
            AND p.period_type = n.period_type
            AND p.period_start = n.period_start
            AND c.category = n.category
),

residents AS (  -- the nearest year, within the gap allowed, with a complete count
    SELECT DISTINCT ON (b.scope_key, b.period_type, b.period_start)
        b.scope_key,
        b.period_type,
        b.period_start,
        ap.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM (
        SELECT DISTINCT
            scope_key,
            period_type,
            period_start
        FROM base
    ) AS b
    INNER JOIN {area_population} AS ap
        ON
            b.scope_key = ap.area_key
            AND ap.complete
            AND abs(ap.reference_year - extract(YEAR FROM b.period_start))
            <= :max_population_gap
    ORDER BY
        b.scope_key ASC,
        b.period_type ASC,
        b.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM b.period_start)) ASC,
        ap.reference_year ASC
)

SELECT
    b.scope_key,
    b.city,
    'reports_per_100k' AS indicator,
    b.period_type,
    b.period_start,
    b.reports::float8 / r.residents * 100000 AS value,
    b.reports::float8 AS numerator,
    r.residents::float8 AS denominator,
    100000.0::float8 AS value_scale,
    b.month_share AS coverage,
    concat_ws(
        '; ',
        b.months_short,
        CASE
            WHEN r.residents IS NULL THEN format(
                'no complete residents count within %s years', :max_population_gap
            )
        END
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL::text[] AS pollutants,
    r.reference_year AS population_year,
    format(
        '%s reports; %s of %s months observed; residents %s', b.reports, b.months,
        b.of_months, coalesce(r.reference_year::text, 'missing')
    ) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(
                coalesce(b.payloads, '{}'::text[]) || coalesce(r.payload_sha256s, '{}'::text[])
            ) AS x
        ORDER BY x
    ) AS payload_sha256s,
    b.category
FROM base AS b
LEFT JOIN residents AS r
    ON
        b.scope_key = r.scope_key
        AND b.period_type = r.period_type
        AND b.period_start = r.period_start
UNION ALL
SELECT
    b.scope_key,
    b.city,
    'reports_share_resolved' AS indicator,
    b.period_type,
    b.period_start,
    CASE WHEN b.with_status > 0 THEN b.resolved::float8 / b.with_status END AS value,
    b.resolved AS numerator,
    nullif(b.with_status, 0) AS denominator,
    1.0 AS value_scale,
    b.month_share AS coverage,
    concat_ws(
        '; ',
        b.months_short,
        CASE
            WHEN b.reports = 0 THEN 'no reports'
            WHEN b.with_status = 0 THEN 'no report has a published status'
        END
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format(
        '%s of %s reports with a status resolved; %s of %s months observed', b.resolved,
        b.with_status, b.months, b.of_months
    ) AS basis,
    b.payloads AS payload_sha256s,
    b.category
FROM base AS b
UNION ALL
SELECT
    b.scope_key,
    b.city,
    'reports_median_days_to_resolution' AS indicator,
    b.period_type,
    b.period_start,
    CASE WHEN b.months = b.of_months THEN b.median_days END AS value,
    CASE WHEN b.months = b.of_months THEN b.median_days END AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    CASE
        WHEN b.resolved > 0 THEN least(1.0, b.timed::float8 / b.resolved) ELSE 0
    END AS coverage,
    concat_ws(
        '; ',
        format(
            '%s of %s resolved reports have a known resolution time', b.timed, b.resolved
        ),
        b.months_short
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format(
        'median over %s reports with a known resolution time; %s of %s months observed',
        b.timed, b.months, b.of_months
    ) AS basis,
    b.payloads AS payload_sha256s,
    b.category
FROM base AS b
