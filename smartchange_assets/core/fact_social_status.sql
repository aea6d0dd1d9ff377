-- core.fact_social_status: the MSS status and dynamics classes per LOR 2021 Planungsraum and
-- reference year (see core/social_status.py).
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :source
    GROUP BY sha256
),

mss AS (  -- a Planungsraum and reference day: from the newest payload
    SELECT DISTINCT ON (s.plr_code, s.reference_date) s.*
    FROM {social_monitoring} AS s
    INNER JOIN manifest AS m ON s.payload_sha256 = m.sha256
    WHERE s.lor_version = :lor2021
    ORDER BY s.plr_code ASC, s.reference_date ASC, m.fetched_at DESC, s.payload_sha256 ASC
)

SELECT
    :berlin AS city,
    :berlin_prefix || s.plr_code AS area_key,
    a.district_key,
    s.reference_date,
    extract(YEAR FROM s.reference_date)::int AS reference_year,
    s.edition,
    s.residents AS residents_published,
    s.indexed,
    s.status_class,
    s.dynamics_class,
    s.status_class = any(cast(:low_classes AS text[])) AS low_status,
    s.status_index,
    s.dynamics_index,
    s.z_s1,
    s.z_s3,
    s.z_s4,
    s.payload_sha256
FROM mss AS s
LEFT JOIN {dim_area} AS a ON :berlin_prefix || s.plr_code = a.area_key
