-- Bike-counter measures of Berlin (marts/themes/mobility.py) from
-- core.fact_mobility_monthly: bicycle_counts, bicycle_counts_per_capita; the columns of
-- marts/scope.py MEASURE_COLUMNS. Coverage: complete counter-days / counter-days expected,
-- a counter being expected from its installation (else its first day with data).
WITH counted AS (
    SELECT f.*
    FROM {mobility_fact} AS f
    WHERE f.city = :berlin AND f.counter_kind = :bike_counter AND f.mode = 'bike'
),

site_dates AS (
    SELECT
        site_id,
        installed,
        removed
    FROM {mobility_sites}
    WHERE counter_kind = :bike_counter
),

first_days AS (
    SELECT
        site_id,
        min(month_start) AS first_day
    FROM counted
    GROUP BY 1
),

sites AS (  -- every counter that exists: site metadata, and any counted site without it
    SELECT
        s.site_id,
        coalesce(s.installed, c.first_day) AS active_from,
        s.removed
    FROM site_dates AS s
    FULL JOIN first_days AS c USING (site_id)
),

period_totals AS (
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, c.month_start)::date AS period_start,
        sum(c.count) AS total,
        sum(c.days_complete) AS days_complete,
        count(DISTINCT c.site_id) AS counters
    FROM counted AS c
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2
),

period_payloads AS (
    SELECT
        periods.period_type,
        date_trunc(periods.period_type, c.month_start)::date AS period_start,
        array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
    FROM counted AS c
    CROSS JOIN LATERAL unnest(c.payload_sha256s) AS x (sha)
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    GROUP BY 1, 2
),

expected AS (  -- counter-days each period should have had
    SELECT
        p.period_type,
        p.period_start,
        s.site_id,
        least(
            p.period_start
            + ((p.period_start + ('1 ' || p.period_type)::interval)::date - p.period_start)
            - 1,
            coalesce(s.removed, 'infinity'::date)
        )
        - greatest(p.period_start, s.active_from) + 1 AS days
    FROM period_totals AS p
    CROSS JOIN sites AS s
),

expected_sums AS (
    SELECT
        e.period_type,
        e.period_start,
        sum(e.days) AS days,
        count(*) AS counters,
        string_agg(e.site_id, ', ' ORDER BY e.site_id) FILTER (
            WHERE NOT EXISTS (
                SELECT 1 FROM counted AS c
                WHERE
                    c.site_id = e.site_id
                    AND date_trunc(e.period_type, c.month_start)::date = e.period_start
            )
        ) AS absent,
        count(*) FILTER (
            WHERE NOT EXISTS (
                SELECT 1 FROM counted AS c
                WHERE
                    c.site_id = e.site_id
                    AND date_trunc(e.period_type, c.month_start)::date = e.period_start
            )
        ) AS absent_n
    FROM expected AS e
    WHERE e.days > 0
    GROUP BY 1, 2
),

totals AS (
    SELECT
        p.period_type,
        p.period_start,
        p.total,
        least(1.0, p.days_complete::float8 / greatest(x.days, 1)) AS coverage,
        concat_ws(
            '; ',
            format('%s of %s counter-days complete', p.days_complete, x.days),
            CASE
                WHEN x.absent_n > 0 THEN format(
                    '%s counter(s) installed but without data: %s',
                    x.absent_n,
                    array_to_string(
                        (string_to_array(x.absent, ', '))[1:cast(:absent_listed AS int)], ', '
                    )
                    || CASE WHEN x.absent_n > :absent_listed THEN ', …' ELSE '' END
                )
            END
        ) AS shortfall,
        ARRAY['counts_at_sites_not_trips'] AS flags,
        format(
            '%s of %s installed counters with data; %s of %s counter-days complete',
            p.counters, x.counters, p.days_complete, x.days
        ) AS basis,
        pp.payloads
    FROM period_totals AS p
    INNER JOIN expected_sums AS x USING (period_type, period_start)
    INNER JOIN period_payloads AS pp USING (period_type, period_start)
),

residents AS (  -- the city's nearest complete residents count, within the gap allowed
    SELECT DISTINCT ON (t.period_type, t.period_start)
        t.period_type,
        t.period_start,
        ap.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM totals AS t
    INNER JOIN {area_population} AS ap
        ON
            ap.area_key = :berlin_city_key
            AND ap.complete
            AND abs(ap.reference_year - extract(YEAR FROM t.period_start))
            <= :max_population_gap
    ORDER BY
        t.period_type ASC,
        t.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM t.period_start)) ASC,
        ap.reference_year ASC
)

SELECT
    :berlin_city_key AS scope_key,
    :berlin AS city,
    'bicycle_counts' AS indicator,
    t.period_type,
    t.period_start,
    t.total::float8 AS value,
    t.total::float8 AS numerator,
    NULL::float8 AS denominator,
    1.0::float8 AS value_scale,
    t.coverage,
    t.shortfall,
    t.flags,
    NULL::text[] AS pollutants,
    NULL::int AS population_year,
    t.basis,
    t.payloads AS payload_sha256s
FROM totals AS t
UNION ALL
SELECT
    :berlin_city_key AS scope_key,
    :berlin AS city,
    'bicycle_counts_per_capita' AS indicator,
    t.period_type,
    t.period_start,
    t.total::float8 / r.residents AS value,
    t.total AS numerator,
    r.residents AS denominator,
    1.0 AS value_scale,
    t.coverage,
    concat_ws(
        '; ',
        t.shortfall,
        CASE
            WHEN r.residents IS NULL THEN format(
                'no complete residents count of the city within %s years', :max_population_gap
            )
        END
    ) AS shortfall,
    t.flags,
    NULL AS pollutants,
    r.reference_year AS population_year,
    format('%s; residents %s', t.basis, coalesce(r.reference_year::text, 'missing')) AS basis,
    array(
        SELECT DISTINCT x
        FROM
            unnest(
                coalesce(t.payloads, '{}'::text[]) || coalesce(r.payload_sha256s, '{}'::text[])
            ) AS x
        ORDER BY x
    ) AS payload_sha256s
FROM totals AS t
LEFT JOIN residents AS r USING (period_type, period_start)
