-- every payload of the old LOR layers holding Planungsräume, with the period of its first
-- landing (the EWR reference dates its keys serve; see core/lor_crosswalk.py)
WITH manifest AS (
    SELECT DISTINCT ON (sha256)
        sha256,
        period_start,
        period_end
    FROM raw.landing_manifest
    WHERE source = :source
    ORDER BY sha256 ASC, fetched_at ASC
)

SELECT DISTINCT
    g.payload_sha256,
    m.period_start,
    m.period_end
FROM {staging} AS g
INNER JOIN manifest AS m ON g.payload_sha256 = m.sha256
WHERE g.level = :level
ORDER BY m.period_start ASC, g.payload_sha256 ASC
