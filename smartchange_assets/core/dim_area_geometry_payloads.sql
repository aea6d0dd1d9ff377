-- the most recently fetched payload of each level of a boundary layer, by the manifest's
-- fetched_at (see core/dim_area_geometry.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :source
    GROUP BY sha256
)

SELECT DISTINCT ON (g.level)
    g.level,
    g.payload_sha256
FROM {staging} AS g
INNER JOIN manifest AS m ON g.payload_sha256 = m.sha256
ORDER BY g.level ASC, m.fetched_at DESC, g.payload_sha256 ASC
