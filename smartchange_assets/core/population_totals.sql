-- Berlin's residents per reference year in core.dim_area_population (the version under audit)
-- against their sources (see core/population_totals.py): per Berlin and Bezirk row, the
-- payloads behind it and the staged total of its Planungsräume in that payload; for Berlin,
-- the sum of its Bezirk rows of the same year.
WITH areas AS (
    SELECT
        p.area_key,
        a.level,
        a.code,
        p.reference_year,
        p.reference_date,
        p.source_table,
        p.complete,
        p.residents,
        p.male,
        p.female,
        p.payload_sha256s
    FROM {area_population} AS p
    INNER JOIN {dim_area} AS a ON p.area_key = a.area_key
    WHERE a.city = :berlin AND a.level IN (:city_level, :district_level)
),

bezirke AS (  -- per year: the Bezirk rows summed
    SELECT
        reference_year,
        count(*)::int AS bezirke,
        count(*) FILTER (WHERE complete)::int AS bezirke_complete,
        sum(residents) AS residents,
        sum(male) AS male,
        sum(female) AS female,
        count(DISTINCT reference_date)::int AS reference_dates,
        min(reference_date) AS reference_date
    FROM areas
    WHERE level = :district_level
    GROUP BY reference_year
),

bezirk_payloads AS (
    SELECT
        a.reference_year,
        array_agg(DISTINCT s.sha ORDER BY s.sha) AS payload_sha256s
    FROM areas AS a
    CROSS JOIN LATERAL unnest(a.payload_sha256s) AS s (sha)
    WHERE a.level = :district_level
    GROUP BY a.reference_year
),

staged AS (  -- per payload, reference date and Bezirk: the staged Planungsraum totals
    SELECT
        payload_sha256,
        reference_date,
        bez,
        sum(total) AS residents
    FROM {berlin_staging}
    GROUP BY payload_sha256, reference_date, bez
)

SELECT
    a.area_key,
    a.level,
    a.reference_year,
    a.reference_date,
    a.source_table,
    a.complete,
    a.residents,
    a.male,
    a.female,
    cardinality(a.payload_sha256s) AS payloads,
    a.payload_sha256s[1] AS payload_sha256,
    (
        SELECT sum(s.residents)
        FROM staged AS s
        WHERE
            s.payload_sha256 = a.payload_sha256s[1]
            AND s.reference_date = a.reference_date
            AND (a.level = :city_level OR s.bez = a.code)
    ) AS staged_residents,
    (
        SELECT count(*)
        FROM {dim_area} AS d
        WHERE d.city = :berlin AND d.level = :district_level
    ) AS bezirke_expected,
    b.bezirke,
    b.bezirke_complete,
    b.residents AS bezirke_residents,
    b.male AS bezirke_male,
    b.female AS bezirke_female,
    b.reference_dates AS bezirke_reference_dates,
    b.reference_date AS bezirke_reference_date,
    bp.payload_sha256s = a.payload_sha256s AS bezirke_same_payloads
FROM areas AS a
LEFT JOIN bezirke AS b ON a.level = :city_level AND a.reference_year = b.reference_year
LEFT JOIN bezirk_payloads AS bp
    ON a.level = :city_level AND a.reference_year = bp.reference_year
ORDER BY a.reference_year, a.level, a.area_key
