-- Citizen-report measures of a scope per period and shared category (marts/themes/reports.py)
-- from core.fact_citizen_reports: reports_per_100k, reports_share_resolved,
-- reports_median_days_to_resolution(_max); the columns of marts/scope.py MEASURE_COLUMNS
-- plus category. Coverage: the days whose reports the payloads observed completely; every
-- measure counts the reports created on those days only.
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

jakarta_observed AS (  -- the months a CRM payload observes, and whether completely
    SELECT
        d.month,
        d.sha256,
        coalesce(s.present > 0 AND s.present >= :complete_share * s.implied, FALSE)
            AS complete,
        coalesce(s.present, 0) AS present,
        coalesce(s.implied, 0) AS implied
    FROM jakarta_declared AS d
    LEFT JOIN jakarta_months AS s ON d.month = s.month
),

berlin_snapshots AS (  -- per snapshot: the local day it was taken, at the earliest
    SELECT DISTINCT
        payload_sha256 AS sha256,
        (snapshot_from AT TIME ZONE 'Europe/Berlin')::date AS day
    FROM {berlin_snapshots}
),

observed AS (  -- per city, day and payload: a day a payload observes, completely or not
    SELECT
        :jakarta AS city,
        g.day::date AS day,
        o.sha256,
        o.complete
    FROM jakarta_observed AS o
    CROSS JOIN
        LATERAL generate_series(
            o.month::timestamp, o.month + interval '1 month - 1 day', interval '1 day'
        ) AS g (day)
    UNION ALL
    -- a snapshot holds every report created from 28 to 4 days before it (reports.py)
    SELECT
        :berlin AS city,
        g.day::date AS day,
        s.sha256,
        g.day::date <= s.day - :lag_days AS complete
    FROM berlin_snapshots AS s
    CROSS JOIN
        LATERAL generate_series(
            (s.day - :retention_days)::timestamp, s.day::timestamp, interval '1 day'
        ) AS g (day)
),

days AS (  -- per city and day: observed completely by some payload or not
    SELECT
        city,
        day,
        bool_or(complete) AS complete,
        array_agg(DISTINCT sha256 ORDER BY sha256) AS payloads
    FROM observed
    GROUP BY city, day
),

period_days AS (
    SELECT
        d.city,
        periods.period_type,
        date_trunc(periods.period_type, d.day)::date AS period_start,
        count(*) FILTER (WHERE d.complete)::int AS days
    FROM days AS d
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2, 3
),

period_notes AS (  -- what the payloads say about a period
    SELECT
        :jakarta AS city,
        periods.period_type,
        date_trunc(periods.period_type, o.month)::date AS period_start,
        format(
            '%s reports where the ids'' daily sequence numbers imply %s',
            sum(o.present), sum(o.implied)
        ) AS note
    FROM (
        SELECT DISTINCT
            month,
            present,
            implied
        FROM jakarta_observed
    ) AS o
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT
        :berlin AS city,
        periods.period_type,
        date_trunc(periods.period_type, o.day)::date AS period_start,
        format(
            'a snapshot holds the reports created %s to %s days before it; snapshots of %s',
            cast(:retention_days AS text), cast(:lag_days AS text),
            string_agg(DISTINCT s.day::text, ', ' ORDER BY s.day::text)
        ) AS note
    FROM observed AS o
    INNER JOIN berlin_snapshots AS s ON o.sha256 = s.sha256
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    WHERE o.city = :berlin
    GROUP BY 1, 2, 3
),

period_rows AS (
    SELECT
        p.city,
        p.period_type,
        p.period_start,
        p.days,
        (
            (
                p.period_start
                + CASE p.period_type
                    WHEN 'year' THEN interval '1 year' ELSE interval '1 month'
                END
            )::date
            - p.period_start
        ) AS of_days,
        n.note AS notes
    FROM period_days AS p
    LEFT JOIN period_notes AS n
        ON
            p.city = n.city
            AND p.period_type = n.period_type
            AND p.period_start = n.period_start
),

period_payloads AS (
    SELECT
        d.city,
        periods.period_type,
        date_trunc(periods.period_type, d.day)::date AS period_start,
        array_agg(DISTINCT p.sha ORDER BY p.sha) AS payloads
    FROM days AS d
    CROSS JOIN LATERAL unnest(d.payloads) AS p (sha)
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

counted AS (  -- the reports created on the days observed completely
    SELECT
        f.scope_key,
        f.city,
        periods.period_type,
        date_trunc(periods.period_type, f.created_date)::date AS period_start,
        c.category,
        count(*) AS reports,
        count(f.resolved) AS with_status,
        count(*) FILTER (WHERE f.resolved) AS resolved,
        count(f.days_to_resolution_max) AS bounded,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_resolution_min) AS median_min,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_resolution_max) AS median_max
    FROM placed AS f
    INNER JOIN days AS d ON f.city = d.city AND f.created_date = d.day AND d.complete
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
        coalesce(n.bounded, 0) AS bounded,
        n.median_min,
        n.median_max,
        p.days::float8 / p.of_days AS day_share,
        CASE
            WHEN p.days < p.of_days THEN format(
                '%s of %s days observed completely (%s)', p.days, p.of_days,
                coalesce(p.notes, 'no payload')
            )
        END AS days_short
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
    b.day_share AS coverage,
    concat_ws(
        '; ',
        b.days_short,
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
        '%s reports; %s of %s days observed; residents %s', b.reports, b.days,
        b.of_days, coalesce(r.reference_year::text, 'missing')
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
    b.day_share AS coverage,
    concat_ws(
        '; ',
        b.days_short,
        CASE
            WHEN b.reports = 0 THEN 'no reports'
            WHEN b.with_status = 0 THEN 'no report has a published status'
        END
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format(
        '%s of %s reports with a status resolved; %s of %s days observed', b.resolved,
        b.with_status, b.days, b.of_days
    ) AS basis,
    b.payloads AS payload_sha256s,
    b.category
FROM base AS b
UNION ALL
-- the median known to within a day: the medians of its bounds agree
SELECT
    b.scope_key,
    b.city,
    'reports_median_days_to_resolution' AS indicator,
    b.period_type,
    b.period_start,
    CASE
        WHEN b.bounded > 0 AND b.median_max - b.median_min <= :known_within_days
            THEN b.median_max
    END AS value,
    CASE
        WHEN b.bounded > 0 AND b.median_max - b.median_min <= :known_within_days
            THEN b.median_max
    END AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    b.day_share AS coverage,
    concat_ws(
        '; ',
        CASE
            WHEN b.bounded = 0
                THEN format(
                    'none of %s resolved reports has a resolution time', b.resolved
                )
            WHEN b.median_max - b.median_min > :known_within_days
                THEN format(
                    'the median lies between %s and %s days: the snapshots are too far '
                    'apart to tell it within %s day', round(b.median_min::numeric, 1),
                    round(b.median_max::numeric, 1), cast(:known_within_days AS text)
                )
        END,
        b.days_short
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format(
        'median over %s resolved reports, between %s and %s days; %s of %s days observed',
        b.bounded, round(b.median_min::numeric, 2), round(b.median_max::numeric, 2), b.days,
        b.of_days
    ) AS basis,
    b.payloads AS payload_sha256s,
    b.category
FROM base AS b
UNION ALL
-- an upper bound of the median: half the resolved reports were resolved within this
SELECT
    b.scope_key,
    b.city,
    'reports_median_days_to_resolution_max' AS indicator,
    b.period_type,
    b.period_start,
    CASE WHEN b.bounded > 0 THEN b.median_max END AS value,
    CASE WHEN b.bounded > 0 THEN b.median_max END AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    b.day_share AS coverage,
    concat_ws(
        '; ',
        CASE
            WHEN b.bounded = 0 THEN format(
                'none of %s resolved reports has a resolution time', b.resolved
            )
        END,
        b.days_short
    ) AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format(
        'median of the upper bounds over %s resolved reports (the median itself lies between '
        '%s and %s days); %s of %s days observed', b.bounded,
        round(b.median_min::numeric, 2), round(b.median_max::numeric, 2), b.days, b.of_days
    ) AS basis,
    b.payloads AS payload_sha256s,
    b.category
FROM base AS b
