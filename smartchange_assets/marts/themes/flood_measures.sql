-- Flood measures of a scope (marts/themes/flood.py) from core.fact_flood_events:
-- flood_events, flood_affected_people, flood_affected_per_100k, flood_events_per_100k; the
-- columns of
-- marts/scope.py MEASURE_COLUMNS. Coverage: the months of the period the publisher reported.
WITH reported AS (  -- month and the payload that reports it
    SELECT DISTINCT
        event_month AS month,
        payload_sha256
    FROM {flood_fact}
    UNION
    -- a layout that lists only events: every month of its declared period is reported
    SELECT
        generate_series(
            date_trunc('month', m.period_start), m.period_end, interval '1 month'
        )::date AS month,
        m.sha256 AS payload_sha256
    FROM raw.landing_manifest AS m
    WHERE
        m.source = :flood_source
        AND m.period_start IS NOT NULL
        AND m.sha256 IN (
            SELECT payload_sha256 FROM {flood_fact}
            WHERE variant = any(cast(:event_lists AS text[]))
        )
),

reported_periods AS (
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, r.month)::date AS period_start,
        count(DISTINCT r.month) AS months,
        CASE periods.period_type WHEN 'year' THEN 12 ELSE 1 END AS of_months,
        array_agg(DISTINCT r.payload_sha256 ORDER BY r.payload_sha256) AS payloads
    FROM reported AS r
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2
),

scopes AS (
    SELECT area_key AS scope_key
    FROM {dim_area}
    WHERE city = :jakarta AND level = :scope_level
),

placed AS (  -- the city, or the event's kota
    SELECT
        f.*,
        CASE WHEN :city_scope THEN :jakarta_city_key ELSE f.district_key END AS scope_key
    FROM {flood_fact} AS f
),

events AS (
    SELECT
        f.scope_key,
        periods.period_type,
        date_trunc(periods.period_type, f.event_month)::date AS period_start,
        sum(f.events) AS events,
        sum(f.affected_people) AS affected
    FROM placed AS f
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    WHERE f.scope_key IS NOT NULL
    GROUP BY 1, 2, 3
),

base AS (  -- every scope for every reported period, zero when it had no event
    SELECT
        s.scope_key,
        p.*,
        coalesce(e.events, 0) AS events,
        coalesce(e.affected, 0) AS affected,
        p.payloads AS period_payloads,
        CASE
            WHEN p.months < p.of_months
                THEN format('%s of %s months reported', p.months, p.of_months)
        END AS months_short
    FROM scopes AS s
    CROSS JOIN reported_periods AS p
    LEFT JOIN events AS e
        ON
            s.scope_key = e.scope_key
            AND p.period_type = e.period_type
            AND p.period_start = e.period_start
),

residents AS (  -- the nearest year, within the gap allowed, with a complete count
    SELECT DISTINCT ON (b.scope_key, b.period_type, b.period_start)
        b.scope_key,
        b.period_type,
        b.period_start,
        ap.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM base AS b
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
    :jakarta AS city,
    'flood_events' AS indicator,
    b.period_type,
    b.period_start,
    b.events::float8 AS value,
    b.events::float8 AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    b.months::float8 / b.of_months AS coverage,
    b.months_short AS shortfall,
    '{}'::text[] AS flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    format('%s of %s months reported', b.months, b.of_months) AS basis,
    b.period_payloads AS payload_sha256s
FROM base AS b
UNION ALL
SELECT
    b.scope_key,
    :jakarta AS city,
    'flood_affected_people' AS indicator,
    b.period_type,
    b.period_start,
    b.affected AS value,
    b.affected AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    b.months::float8 / b.of_months AS coverage,
    b.months_short AS shortfall,
    '{}'::text[] AS flags,
    NULL AS pollutants,
    NULL AS population_year,
    format('%s of %s months reported', b.months, b.of_months) AS basis,
    b.period_payloads AS payload_sha256s
FROM base AS b
UNION ALL
SELECT
    b.scope_key,
    :jakarta AS city,
    'flood_affected_per_100k' AS indicator,
    b.period_type,
    b.period_start,
    b.affected::float8 / r.residents * 100000 AS value,
    b.affected AS numerator,
    r.residents AS denominator,
    100000.0 AS value_scale,
    b.months::float8 / b.of_months AS coverage,
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
    NULL AS pollutants,
    r.reference_year AS population_year,
    format(
        '%s of %s months reported; residents %s', b.months, b.of_months,
        coalesce(r.reference_year::text, 'missing')
    ) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(
                coalesce(b.period_payloads, '{}'::text[])
                || coalesce(r.payload_sha256s, '{}'::text[])
            ) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM base AS b
LEFT JOIN residents AS r
    ON
        b.scope_key = r.scope_key
        AND b.period_type = r.period_type
        AND b.period_start = r.period_start
UNION ALL
SELECT
    b.scope_key,
    :jakarta AS city,
    'flood_events_per_100k' AS indicator,
    b.period_type,
    b.period_start,
    b.events::float8 / r.residents * 100000 AS value,
    b.events AS numerator,
    r.residents AS denominator,
    100000.0 AS value_scale,
    b.months::float8 / b.of_months AS coverage,
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
    NULL AS pollutants,
    r.reference_year AS population_year,
    format(
        '%s of %s months reported; residents %s', b.months, b.of_months,
        coalesce(r.reference_year::text, 'missing')
    ) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(
                coalesce(b.period_payloads, '{}'::text[])
                || coalesce(r.payload_sha256s, '{}'::text[])
            ) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM base AS b
LEFT JOIN residents AS r
    ON
        b.scope_key = r.scope_key
        AND b.period_type = r.period_type
        AND b.period_start = r.period_start
