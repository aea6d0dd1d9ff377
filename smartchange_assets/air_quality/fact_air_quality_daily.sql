-- core.fact_air_quality_daily: both cities, one row per station, day and pollutant
-- (see air_quality/fact.py). A station-day of two payloads: from the most recently fetched.
WITH manifest AS (
    SELECT DISTINCT ON (sha256)
        sha256,
        fetched_at
    FROM raw.landing_manifest
    WHERE source = :ispu_source
    ORDER BY sha256 ASC, fetched_at ASC
),

jakarta AS (  -- the published sub-indices, one row per pollutant
    SELECT DISTINCT ON (s.station_code, s.date, s.granularity, u.pollutant)
        s.station_code,
        s.date AS local_date,
        s.granularity,
        u.pollutant,
        u.sub_index,
        s.regime,
        s.payload_sha256
    FROM {ispu_staging} AS s
    INNER JOIN manifest AS m ON s.payload_sha256 = m.sha256
    CROSS JOIN
        LATERAL (
            VALUES
            ('pm10', s.pm10),
            ('pm25', s.pm25),
            ('so2', s.so2),
            ('co', s.co),
            ('o3', s.o3),
            ('no2', s.no2)
        ) AS u (pollutant, sub_index)
    WHERE u.sub_index IS NOT NULL
    ORDER BY
        s.station_code ASC, s.date ASC, s.granularity ASC, u.pollutant ASC,
        m.fetched_at DESC
),

jakarta_conc AS (  -- concentration from the sub-index, through the regime's breakpoints
    SELECT
        j.*,
        bp.conc,
        bp.verified
    FROM jakarta AS j
    LEFT JOIN LATERAL (
        SELECT
            b.conc_lo_ugm3 + (b.conc_hi_ugm3 - b.conc_lo_ugm3)
            * (j.sub_index - b.index_lo) / (b.index_hi - b.index_lo) AS conc,
            b.verified
        FROM {ispu_breakpoints} AS b
        WHERE
            b.regime = j.regime
            AND b.pollutant = j.pollutant
            AND j.sub_index >= b.index_lo
            AND j.sub_index <= b.index_hi
        ORDER BY b.index_lo
        LIMIT 1
    ) AS bp ON TRUE
),

berlin AS (  -- ISPU from the concentration, under P.14/2020
    SELECT
        d.*,
        bp.ispu
    FROM {berlin_daily} AS d
    LEFT JOIN LATERAL (
        SELECT
            b.index_lo + (b.index_hi - b.index_lo)
            * (d.mean_ugm3 - b.conc_lo_ugm3) / (b.conc_hi_ugm3 - b.conc_lo_ugm3) AS ispu
        FROM {ispu_breakpoints} AS b
        WHERE
            b.regime = :p14_2020
            AND b.pollutant = d.pollutant
            AND d.mean_ugm3 >= b.conc_lo_ugm3
            AND d.mean_ugm3 <= b.conc_hi_ugm3
        ORDER BY b.index_lo
        LIMIT 1
    ) AS bp ON TRUE
    WHERE d.valid AND d.pollutant = any(cast(:pollutants AS text[]))
),

unioned AS (
    SELECT
        'jakarta' AS city,
        station_code,
        local_date,
        pollutant,
        granularity,
        conc AS concentration_ugm3,
        'derived_from_ispu' AS concentration_basis,
        TRUE AS concentration_derived,
        coalesce(verified AND conc IS NOT NULL, FALSE) AS conversion_verified,
        sub_index AS ispu,
        'published' AS ispu_basis,
        regime AS ispu_regime,
        NULL::int AS hours_measured,
        payload_sha256
    FROM jakarta_conc
    UNION ALL
    SELECT
        'berlin' AS city,
        station_code,
        local_date,
        pollutant,
        'station' AS granularity,
        mean_ugm3 AS concentration_ugm3,
        CASE basis
            WHEN 'hourly_mean' THEN 'measured_daily_mean'
            ELSE 'published_24h'
        END AS concentration_basis,
        FALSE AS concentration_derived,
        TRUE AS conversion_verified,
        ispu,
        'computed_from_concentration' AS ispu_basis,
        :p14_2020 AS ispu_regime,
        hours_present AS hours_measured,
        payload_sha256
    FROM berlin
)

SELECT
    u.city,
    u.station_code,
    u.local_date,
    u.pollutant,
    u.granularity,
    u.concentration_ugm3,
    u.concentration_basis,
    u.concentration_derived,
    u.conversion_verified,
    u.ispu,
    u.ispu_basis,
    u.ispu_regime,
    cat.category AS ispu_category,
    band.band AS eaqi_band,
    band.label AS eaqi_label,
    CASE
        WHEN band.band IS NULL THEN NULL
        WHEN u.pollutant IN ('pm10', 'pm25') THEN '24h_mean'
        ELSE 'daily_mean_approx'
    END AS eaqi_basis,
    u.concentration_ugm3 > who.limit_ugm3 AS above_who_24h,
    u.hours_measured,
    u.payload_sha256
FROM unioned AS u
LEFT JOIN LATERAL (
    SELECT c.category
    FROM {ispu_categories} AS c
    WHERE
        c.regime = u.ispu_regime
        AND u.ispu IS NOT NULL
        AND (
            c.upper_limit IS NULL
            OR u.ispu < c.upper_limit
            OR (c.upper_included AND u.ispu = c.upper_limit)
        )
    ORDER BY c.rank
    LIMIT 1
) AS cat ON TRUE
LEFT JOIN {eaqi_bands} AS band
    ON
        band.version = :eaqi_version
        AND u.pollutant = band.pollutant
        AND u.concentration_ugm3 >= band.conc_lo_ugm3
        AND (band.conc_hi_ugm3 IS NULL OR u.concentration_ugm3 < band.conc_hi_ugm3)
LEFT JOIN {who_guidelines} AS who
    ON
        who.standard = 'WHO-2021'
        AND u.pollutant = who.pollutant
        AND who.averaging = '24h'
