-- marts.city_comparison: Jakarta and Berlin side by side per indicator and year
-- (marts/comparison.py)
WITH catalogue AS (
    SELECT c.* FROM {catalogue} AS c
),

yearly AS (
    SELECT * FROM {city_indicators}
    WHERE period_type = 'year'
),

jakarta AS (
    SELECT * FROM yearly
    WHERE city = 'jakarta'
),

berlin AS (
    SELECT * FROM yearly
    WHERE city = 'berlin'
),

pairs AS (
    SELECT
        coalesce(j.indicator, b.indicator) AS indicator,
        coalesce(j.category, b.category) AS category,
        coalesce(j.year, b.year) AS year,
        j.value AS jakarta_value,
        j.coverage AS jakarta_coverage,
        j.null_reason AS jakarta_null_reason,
        j.basis AS jakarta_basis,
        j.flags AS jakarta_flags,
        j.pollutants AS jakarta_pollutants,
        b.value AS berlin_value,
        b.coverage AS berlin_coverage,
        b.null_reason AS berlin_null_reason,
        b.basis AS berlin_basis,
        b.flags AS berlin_flags,
        b.pollutants AS berlin_pollutants,
        array(
            SELECT DISTINCT x
            FROM
                unnest(
                    coalesce(j.payload_sha256s, '{}'::text[])
                    || coalesce(b.payload_sha256s, '{}'::text[])
                ) AS x
            ORDER BY x
        ) AS payload_sha256s
    FROM jakarta AS j
    FULL JOIN berlin AS b
        ON j.indicator = b.indicator AND j.category = b.category AND j.year = b.year
),

judged AS (  -- what keeps the pair from being comparable
    SELECT
        p.*,
        c.unit,
        c.standard,
        c.comparability,
        c.comparability_note,
        concat_ws(
            '; ',
            CASE
                WHEN c.comparability = :one_city THEN NULL
                WHEN p.jakarta_value IS NULL AND p.berlin_value IS NULL
                    THEN 'no value for either city'
                WHEN p.jakarta_value IS NULL THEN 'no Jakarta value'
                WHEN p.berlin_value IS NULL THEN 'no Berlin value'
            END,
            CASE
                WHEN 'conversion_unverified' = any(p.jakarta_flags || p.berlin_flags)
                    THEN 'a value rests on an unverified ISPU conversion'
            END,
            CASE
                WHEN
                    p.indicator = any(cast(:any_pollutant_indicators AS text[]))
                    AND p.jakarta_value IS NOT NULL
                    AND p.berlin_value IS NOT NULL
                    AND NOT (
                        cast(:main_pollutants AS text[]) <@ coalesce(p.jakarta_pollutants, '{}')
                        AND cast(:main_pollutants AS text[]) <@ coalesce(p.berlin_pollutants, '{}')
                    )
                    THEN format(
                        'pollutants on most days: Jakarta %s, Berlin %s; both need %s',
                        coalesce(array_to_string(p.jakarta_pollutants, ','), 'none'),
                        coalesce(array_to_string(p.berlin_pollutants, ','), 'none'),
                        array_to_string(cast(:main_pollutants AS text[]), ',')
                    )
            END
        ) AS obstacles
    FROM pairs AS p
    INNER JOIN catalogue AS c ON p.indicator = c.indicator
),

remarked AS (  -- what does not, but is worth saying
    SELECT
        j.*,
        concat_ws(
            '; ',
            CASE
                WHEN 'single_station' = any(j.jakarta_flags) THEN 'Jakarta rests on one station'
            END,
            CASE
                WHEN 'single_station' = any(j.berlin_flags) THEN 'Berlin rests on one station'
            END,
            CASE
                WHEN
                    j.indicator = any(cast(:any_pollutant_indicators AS text[]))
                    AND j.obstacles = ''
                    AND j.jakarta_pollutants IS DISTINCT FROM j.berlin_pollutants
                    THEN format(
                        'pollutants only one city had on most days: %s',
                        array_to_string(
                            array(
                                SELECT x
                                FROM unnest(j.jakarta_pollutants || j.berlin_pollutants) AS x
                                EXCEPT
                                SELECT y FROM unnest(j.jakarta_pollutants) AS y
                                INTERSECT
                                SELECT z FROM unnest(j.berlin_pollutants) AS z
                                ORDER BY 1
                            ),
                            ','
                        )
                    )
            END
        ) AS remarks
    FROM judged AS j
)

SELECT
    indicator,
    category,
    year,
    unit,
    standard,
    jakarta_value,
    jakarta_coverage,
    jakarta_null_reason,
    jakarta_basis,
    jakarta_flags,
    jakarta_pollutants,
    berlin_value,
    berlin_coverage,
    berlin_null_reason,
    berlin_basis,
    berlin_flags,
    berlin_pollutants,
    CASE
        WHEN jakarta_value > 0 AND berlin_value > 0 THEN jakarta_value / berlin_value
    END AS jakarta_to_berlin,
    comparability <> :one_city
    AND comparability <> :not_comparable
    AND obstacles = '' AS comparable,
    comparability,
    concat_ws(' — ', comparability_note, nullif(obstacles, ''), nullif(remarks, ''))
        AS comparability_note,
    payload_sha256s
FROM remarked
