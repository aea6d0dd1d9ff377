-- staging.jakarta_kelurahan_residents: the residents of the most recently fetched boundary
-- payload that dates them (see jakarta/kelurahan_boundaries/residents.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :boundaries_source
    GROUP BY sha256
),

latest AS (
    SELECT b.payload_sha256
    FROM {boundaries} AS b
    INNER JOIN manifest AS m ON b.payload_sha256 = m.sha256
    WHERE b.residents_reference_date IS NOT NULL
    ORDER BY m.fetched_at DESC, b.payload_sha256 ASC
    LIMIT 1
)

SELECT
    b.code,
    b.name,
    b.residents_reference_date AS reference_date,
    b.residents,
    b.male,
    b.female,
    b.households,
    b.payload_sha256
FROM {boundaries} AS b
INNER JOIN latest AS l ON b.payload_sha256 = l.payload_sha256
WHERE b.residents_reference_date IS NOT NULL
