-- Air-quality measures of a scope (marts/themes/air.py) from core.fact_air_quality_daily:
-- <pollutant>_mean, pm25_mean_population_weighted, days_above_who_<pollutant>,
-- days_ispu_unhealthy, days_eaqi_poor; the columns of marts/scope.py MEASURE_COLUMNS.
WITH obs AS (
    SELECT
        s.{station_key} AS scope_key,
        f.city,
        f.station_code,
        f.local_date,
        f.pollutant,
        f.granularity,
        f.concentration_ugm3,
        f.concentration_derived,
        f.conversion_verified,
        f.ispu,
        f.ispu_basis,
        f.ispu_category,
        f.eaqi_band,
        f.above_who_24h,
        f.payload_sha256,
        periods.period_type,
        date_trunc(periods.period_type, f.local_date)::date AS period_start
    FROM {fact} AS f
    INNER JOIN {dim_station} AS s ON f.city = s.city AND f.station_code = s.station_code
    CROSS JOIN (VALUES ('year'), ('month')) AS periods (period_type)
    -- Jakarta's daily worst station ('city_max') belongs to the whole city only
    WHERE s.{station_key} IS NOT NULL AND (:include_city_max OR f.granularity = 'station')
),

period_days AS (
    SELECT DISTINCT
        scope_key,
        city,
        period_type,
        period_start,
        ((period_start + ('1 ' || period_type)::interval)::date - period_start) AS days
    FROM obs
),

evidence AS (  -- per pollutant: what the period has, to say why a figure is missing
    SELECT
        scope_key,
        city,
        pollutant,
        period_type,
        period_start,
        count(DISTINCT local_date) FILTER (WHERE granularity = 'city_max') AS city_max_days,
        count(DISTINCT local_date) FILTER (
            WHERE granularity = 'station' AND concentration_ugm3 IS NULL AND ispu IS NOT NULL
        ) AS index_only_days,
        count(DISTINCT station_code) FILTER (
            WHERE granularity = 'station' AND concentration_ugm3 IS NOT NULL
        ) AS stations,
        coalesce(bool_or(concentration_derived) FILTER (
            WHERE granularity = 'station' AND concentration_ugm3 IS NOT NULL
        ), FALSE) AS derived,
        coalesce(bool_and(conversion_verified) FILTER (
            WHERE granularity = 'station' AND concentration_ugm3 IS NOT NULL
        ), TRUE) AS verified,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) FILTER (
            WHERE granularity = 'station' AND concentration_ugm3 IS NOT NULL
        ) AS payloads
    FROM obs
    WHERE pollutant = any(cast(:mean_pollutants AS text[]))
    GROUP BY 1, 2, 3, 4, 5
),

day_means AS (
    SELECT
        scope_key,
        city,
        pollutant,
        period_type,
        period_start,
        local_date,
        avg(concentration_ugm3) AS day_mean,
        bool_or(above_who_24h) AS above_who
    FROM obs
    WHERE
        granularity = 'station'
        AND concentration_ugm3 IS NOT NULL
        AND pollutant = any(cast(:mean_pollutants AS text[]))
    GROUP BY 1, 2, 3, 4, 5, 6
),

means AS (
    SELECT
        scope_key,
        city,
        pollutant,
        period_type,
        period_start,
        sum(day_mean) AS total,
        count(*) AS days,
        count(*) FILTER (WHERE above_who) AS days_above,
        count(above_who) AS days_with_guideline
    FROM day_means
    GROUP BY 1, 2, 3, 4, 5
),

pollutant_rows AS (
    SELECT
        e.*,
        p.days AS period_days,
        coalesce(m.days, 0) AS days_measured,
        m.total,
        m.days_above,
        m.days_with_guideline,
        concat_ws(
            '; ',
            format(
                '%s of %s days have a station-level concentration',
                coalesce(m.days, 0), p.days
            ),
            CASE
                WHEN e.city_max_days > 0 THEN format(
                    '%s days are published only as the daily worst station (city_max), '
                    'which is not a city mean',
                    e.city_max_days
                )
            END,
            CASE
                WHEN e.index_only_days > 0 THEN format(
                    '%s days have an ISPU sub-index but no concentration (band not defined '
                    'in the regime in force)',
                    e.index_only_days
                )
            END
        ) AS shortfall,
        array_remove(ARRAY[
            CASE WHEN e.derived THEN 'derived_from_ispu' END,
            CASE WHEN NOT e.verified THEN 'conversion_unverified' END,
            CASE WHEN e.stations = 1 THEN 'single_station' END
        ]::text[], NULL) AS flags
    FROM evidence AS e
    INNER JOIN period_days AS p USING (scope_key, city, period_type, period_start)
    LEFT JOIN means AS m USING (scope_key, city, pollutant, period_type, period_start)
),

station_years AS (
    SELECT
        scope_key,
        city,
        station_code,
        period_start,
        avg(concentration_ugm3) AS mean,
        count(DISTINCT local_date) AS days
    FROM obs
    WHERE
        granularity = 'station'
        AND concentration_ugm3 IS NOT NULL
        AND pollutant = 'pm25'
        AND period_type = 'year'
    GROUP BY 1, 2, 3, 4
),

valid_stations AS (
    SELECT
        y.*,
        s.district_key
    FROM station_years AS y
    INNER JOIN period_days AS p
        ON
            y.scope_key = p.scope_key
            AND y.city = p.city
            AND p.period_type = 'year'
            AND y.period_start = p.period_start
    INNER JOIN {dim_station} AS s ON y.city = s.city AND y.station_code = s.station_code
    WHERE y.days >= :day_share * p.days
),

weight_year AS (  -- nearest year in which every valid station's district has residents
    SELECT DISTINCT ON (v.scope_key, v.period_start)
        v.scope_key,
        v.period_start,
        ap.reference_year
    FROM valid_stations AS v
    INNER JOIN {area_population} AS ap ON v.district_key = ap.area_key AND ap.complete
    GROUP BY v.scope_key, v.period_start, ap.reference_year
    HAVING
        count(DISTINCT v.station_code) = (
            SELECT count(*) FROM valid_stations AS w
            WHERE w.scope_key = v.scope_key AND w.period_start = v.period_start
        )
    ORDER BY
        v.scope_key ASC,
        v.period_start ASC,
        abs(ap.reference_year - extract(YEAR FROM v.period_start)) ASC,
        ap.reference_year ASC
),

district_means AS (
    SELECT
        scope_key,
        city,
        period_start,
        district_key,
        avg(mean) AS mean
    FROM valid_stations
    GROUP BY 1, 2, 3, 4
),

weights AS (
    SELECT
        d.*,
        w.reference_year,
        ap.residents,
        ap.payload_sha256s
    FROM district_means AS d
    INNER JOIN weight_year AS w
        ON d.scope_key = w.scope_key AND d.period_start = w.period_start
    INNER JOIN {area_population} AS ap
        ON d.district_key = ap.area_key AND w.reference_year = ap.reference_year
),

weighted AS (
    SELECT
        scope_key,
        period_start,
        reference_year,
        sum(residents * mean) AS total,
        sum(residents)::float8 AS weight
    FROM weights
    GROUP BY 1, 2, 3
),

weight_payloads AS (
    SELECT
        w.scope_key,
        w.period_start,
        array_agg(DISTINCT x.sha ORDER BY x.sha) AS payloads
    FROM weights AS w
    CROSS JOIN LATERAL unnest(w.payload_sha256s) AS x (sha)
    GROUP BY 1, 2
),

valid_counts AS (
    SELECT
        scope_key,
        period_start,
        count(*) AS stations,
        count(DISTINCT district_key) AS districts,
        string_agg(station_code, ', ' ORDER BY station_code)
        FILTER (WHERE district_key IS NULL) AS unlocated
    FROM valid_stations
    GROUP BY 1, 2
),

reporting AS (
    SELECT
        scope_key,
        city,
        period_start,
        count(*) AS stations
    FROM station_years
    GROUP BY 1, 2, 3
),

weighted_rows AS (
    SELECT
        r.scope_key,
        r.city,
        'pm25_mean_population_weighted' AS indicator,
        'year' AS period_type,
        r.period_start,
        w.total / w.weight AS value,
        w.total AS numerator,
        w.weight AS denominator,
        1.0::float8 AS value_scale,
        coalesce(v.stations, 0)::float8 / r.stations AS coverage,
        concat_ws(
            '; ',
            format(
                '%s of %s stations have PM2.5 on at least %s of the days',
                coalesce(v.stations, 0), r.stations, cast(:day_share_percent AS text)
            ),
            CASE
                WHEN w.total IS NULL AND v.unlocated IS NOT NULL
                    THEN format(
                        'no population weights: station(s) %s not located in a district',
                        v.unlocated
                    )
                WHEN w.total IS NULL AND v.stations > 0
                    THEN
                        'no population weights: no year with a complete residents count '
                        || 'for every station''s district'
            END
        ) AS shortfall,
        pr.flags,
        ARRAY['pm25'] AS pollutants,
        w.reference_year AS population_year,
        CASE
            WHEN w.total IS NOT NULL
                THEN
                    format(
                        '%s station(s) in %s district(s), weighted by the districts'' '
                        'residents (%s)',
                        v.stations, v.districts, w.reference_year
                    )
            ELSE format(
                '%s station(s); not weighted: every station needs a located district with '
                'residents',
                coalesce(v.stations, 0)
            )
        END AS basis,
        array(
            SELECT DISTINCT x
            FROM
                unnest(coalesce(pr.payloads, '{}'::text[]) || coalesce(wp.payloads, '{}'::text[]))
                    AS x
            ORDER BY x
        ) AS payload_sha256s
    FROM reporting AS r
    INNER JOIN pollutant_rows AS pr
        ON
            r.scope_key = pr.scope_key
            AND pr.pollutant = 'pm25'
            AND pr.period_type = 'year'
            AND r.period_start = pr.period_start
    LEFT JOIN valid_counts AS v ON r.scope_key = v.scope_key AND r.period_start = v.period_start
    LEFT JOIN weighted AS w ON r.scope_key = w.scope_key AND r.period_start = w.period_start
    LEFT JOIN weight_payloads AS wp
        ON r.scope_key = wp.scope_key AND r.period_start = wp.period_start
),

any_pollutant AS (  -- ISPU and EAQI days over all pollutants
    SELECT
        scope_key,
        city,
        period_type,
        period_start,
        local_date,
        bool_or(ispu_category = any(cast(:ispu_unhealthy AS text[])))
        FILTER (WHERE ispu_category IS NOT NULL) AS ispu_bad,
        bool_or(eaqi_band >= :eaqi_poor_from)
        FILTER (WHERE granularity = 'station' AND eaqi_band IS NOT NULL) AS eaqi_bad
    FROM obs
    GROUP BY 1, 2, 3, 4, 5
),

index_days AS (
    SELECT
        scope_key,
        city,
        period_type,
        period_start,
        count(ispu_bad) AS ispu_days,
        count(*) FILTER (WHERE ispu_bad) AS ispu_bad_days,
        count(eaqi_bad) AS eaqi_days,
        count(*) FILTER (WHERE eaqi_bad) AS eaqi_bad_days
    FROM any_pollutant
    GROUP BY 1, 2, 3, 4
),

index_evidence AS (
    SELECT
        scope_key,
        city,
        period_type,
        period_start,
        count(DISTINCT local_date) FILTER (WHERE granularity = 'city_max') AS city_max_days,
        bool_or(granularity = 'city_max' AND ispu_category IS NOT NULL) AS ispu_city_max,
        bool_or(ispu_basis = 'computed_from_concentration' AND ispu_category IS NOT NULL)
            AS ispu_computed,
        bool_or(concentration_derived AND eaqi_band IS NOT NULL AND granularity = 'station')
            AS eaqi_derived,
        bool_or(
            eaqi_band IS NOT NULL
            AND granularity = 'station'
            AND pollutant = any(cast(:gases AS text[]))
        ) AS eaqi_gases,
        count(DISTINCT station_code) FILTER (WHERE granularity = 'station') AS stations,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
        FILTER (WHERE ispu_category IS NOT NULL) AS ispu_payloads,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
        FILTER (WHERE granularity = 'station' AND eaqi_band IS NOT NULL) AS eaqi_payloads
    FROM obs
    GROUP BY 1, 2, 3, 4
),

pollutant_days AS (
    SELECT
        o.scope_key,
        o.city,
        o.period_type,
        o.period_start,
        o.pollutant,
        count(DISTINCT o.local_date) FILTER (WHERE o.ispu_category IS NOT NULL) AS ispu,
        count(DISTINCT o.local_date) FILTER (
            WHERE o.granularity = 'station' AND o.eaqi_band IS NOT NULL
        ) AS eaqi
    FROM obs AS o
    GROUP BY 1, 2, 3, 4, 5
),

well_covered AS (
    SELECT
        d.scope_key,
        d.period_type,
        d.period_start,
        array_agg(d.pollutant ORDER BY d.pollutant)
        FILTER (WHERE d.ispu >= :day_share * p.days) AS ispu_pollutants,
        array_agg(d.pollutant ORDER BY d.pollutant)
        FILTER (WHERE d.eaqi >= :day_share * p.days) AS eaqi_pollutants
    FROM pollutant_days AS d
    INNER JOIN period_days AS p USING (scope_key, city, period_type, period_start)
    GROUP BY 1, 2, 3
),

index_rows AS (
    SELECT
        ie.scope_key,
        ie.city,
        'days_ispu_unhealthy' AS indicator,
        ie.period_type,
        ie.period_start,
        i.ispu_bad_days::float8 AS value,
        i.ispu_bad_days::float8 AS numerator,
        NULL::float8 AS denominator,
        1.0::float8 AS value_scale,
        i.ispu_days::float8 / p.days AS coverage,
        format('%s of %s days have an ISPU sub-index', i.ispu_days, p.days) AS shortfall,
        array_remove(ARRAY[
            CASE WHEN ie.ispu_city_max THEN 'city_max_included' END,
            CASE WHEN ie.ispu_computed THEN 'ispu_computed_from_concentration' END,
            CASE WHEN ie.stations = 1 THEN 'single_station' END
        ]::text[], NULL) AS flags,
        wc.ispu_pollutants AS pollutants,
        NULL::int AS population_year,
        format(
            '%s station(s); days with any sub-index in %s', ie.stations,
            cast(:ispu_unhealthy_label AS text)
        ) AS basis,
        ie.ispu_payloads AS payload_sha256s
    FROM index_evidence AS ie
    INNER JOIN period_days AS p USING (scope_key, city, period_type, period_start)
    INNER JOIN index_days AS i USING (scope_key, city, period_type, period_start)
    LEFT JOIN well_covered AS wc USING (scope_key, period_type, period_start)
    UNION ALL
    SELECT
        ie.scope_key,
        ie.city,
        'days_eaqi_poor' AS indicator,
        ie.period_type,
        ie.period_start,
        i.eaqi_bad_days AS value,
        i.eaqi_bad_days AS numerator,
        NULL AS denominator,
        1.0 AS value_scale,
        i.eaqi_days::float8 / p.days AS coverage,
        format('%s of %s days have an EAQI band at a station', i.eaqi_days, p.days)
            AS shortfall,
        array_remove(ARRAY[
            CASE WHEN ie.eaqi_derived THEN 'derived_from_ispu' END,
            CASE WHEN ie.eaqi_gases THEN 'eaqi_gas_daily_mean_approx' END,
            CASE WHEN ie.stations = 1 THEN 'single_station' END
        ]::text[], NULL) AS flags,
        wc.eaqi_pollutants AS pollutants,
        NULL AS population_year,
        format('%s station(s); days with any band Poor or worse', ie.stations) AS basis,
        ie.eaqi_payloads AS payload_sha256s
    FROM index_evidence AS ie
    INNER JOIN period_days AS p USING (scope_key, city, period_type, period_start)
    INNER JOIN index_days AS i USING (scope_key, city, period_type, period_start)
    LEFT JOIN well_covered AS wc USING (scope_key, period_type, period_start)
)

SELECT
    scope_key,
    city,
    pollutant || '_mean' AS indicator,
    period_type,
    period_start,
    total / nullif(days_measured, 0) AS value,
    total AS numerator,
    nullif(days_measured, 0)::float8 AS denominator,
    1.0 AS value_scale,
    days_measured::float8 / period_days AS coverage,
    shortfall,
    flags,
    ARRAY[pollutant] AS pollutants,
    NULL::int AS population_year,
    format('%s station(s); mean of the daily mean over stations', stations) AS basis,
    payloads AS payload_sha256s
FROM pollutant_rows
UNION ALL
SELECT
    scope_key,
    city,
    'days_above_who_' || pollutant AS indicator,
    period_type,
    period_start,
    days_above AS value,
    days_above AS numerator,
    NULL AS denominator,
    1.0 AS value_scale,
    coalesce(days_with_guideline, 0)::float8 / period_days AS coverage,
    shortfall,
    flags,
    ARRAY[pollutant] AS pollutants,
    NULL AS population_year,
    format(
        '%s station(s); days with any station above the WHO 2021 24-h guideline', stations
    ) AS basis,
    payloads AS payload_sha256s
FROM pollutant_rows
UNION ALL
SELECT * FROM weighted_rows
UNION ALL
SELECT * FROM index_rows
