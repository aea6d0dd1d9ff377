-- per old Planungsraum of every staged edition: in the crosswalk, and shares summing to 1
-- (see core/lor_crosswalk.py, check shares_sum_to_one)
WITH staged AS (
    SELECT DISTINCT
        payload_sha256,
        code
    FROM {old_staging}
    WHERE level = :level
),

sums AS (
    SELECT
        old_payload_sha256,
        old_code,
        sum(share) AS total
    FROM {crosswalk}
    GROUP BY 1, 2
)

SELECT
    s.payload_sha256,
    s.code AS old_code,
    u.total,
    CASE
        WHEN u.total IS NULL THEN 'not in the crosswalk'
        WHEN abs(u.total - 1) > :tolerance THEN format('shares sum to %s', u.total)
    END AS problem,
    u.total IS NOT NULL AND abs(u.total - 1) <= :tolerance AS ok
FROM staged AS s
LEFT JOIN sums AS u ON s.payload_sha256 = u.old_payload_sha256 AND s.code = u.old_code
