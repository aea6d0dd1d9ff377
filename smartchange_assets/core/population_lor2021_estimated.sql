-- core.population_lor2021_estimated: old-LOR EWR residents on LOR 2021 Planungsräume by area
-- share (see core/population_lor2021.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :population_source
    GROUP BY sha256
),

counts AS (  -- per old key and date: the newest payload's row
    SELECT DISTINCT ON (p.plr_code, p.reference_date)
        p.plr_code,
        p.reference_date,
        p.total,
        p.payload_sha256
    FROM {berlin_population} AS p
    INNER JOIN manifest AS m ON p.payload_sha256 = m.sha256
    WHERE p.lor_version = :lor_old
    ORDER BY p.plr_code ASC, p.reference_date ASC, m.fetched_at DESC, p.payload_sha256 ASC
),

dates AS (
    SELECT DISTINCT reference_date FROM counts
),

layers AS (
    SELECT DISTINCT
        old_payload_sha256,
        valid_from,
        valid_to
    FROM {crosswalk}
),

editions AS (  -- per reference date: the old layer whose period covers it (the latest)
    SELECT DISTINCT ON (d.reference_date)
        d.reference_date,
        x.old_payload_sha256
    FROM dates AS d
    INNER JOIN layers AS x ON d.reference_date BETWEEN x.valid_from AND x.valid_to
    ORDER BY d.reference_date ASC, x.valid_from DESC, x.old_payload_sha256 ASC
),

spread AS (
    SELECT
        e.reference_date,
        x.new_area_key,
        x.old_code,
        x.old_payload_sha256,
        c.total * x.share AS residents,
        c.total IS NOT NULL AS counted,
        c.payload_sha256
    FROM editions AS e
    INNER JOIN {crosswalk} AS x ON e.old_payload_sha256 = x.old_payload_sha256
    LEFT JOIN counts AS c
        ON x.old_code = c.plr_code AND e.reference_date = c.reference_date
)

SELECT
    new_area_key AS area_key,
    reference_date,
    extract(YEAR FROM reference_date)::int AS reference_year,
    sum(residents) AS residents_estimated,
    bool_and(counted) AS complete,
    count(*)::int AS old_units,
    count(*) FILTER (WHERE counted)::int AS old_units_counted,
    TRUE AS estimated,
    cast(:method AS text) AS method,
    min(old_payload_sha256) AS crosswalk_payload_sha256,
    array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256)
    FILTER (WHERE payload_sha256 IS NOT NULL) AS payload_sha256s
FROM spread
GROUP BY new_area_key, reference_date
HAVING bool_or(counted)
