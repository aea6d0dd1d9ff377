-- core.fact_transit_services_quarterly: Transjakarta passengers and buses per service and
-- quarter (see core/transit_services.py). A quarter is taken whole from the most recently
-- fetched payload that holds it; its total is compared with the median of every other
-- quarter's total and flagged when it is more than SUSPECT_RATIO times it (or less than its
-- inverse).
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :services_source
    GROUP BY sha256
),

quarter_payload AS (
    SELECT DISTINCT ON (s.quarter_start)
        s.quarter_start,
        s.payload_sha256
    FROM {services_staging} AS s
    INNER JOIN manifest AS m ON s.payload_sha256 = m.sha256
    ORDER BY s.quarter_start ASC, m.fetched_at DESC, s.payload_sha256 ASC
),

rows_taken AS (
    SELECT s.*
    FROM {services_staging} AS s
    INNER JOIN quarter_payload USING (quarter_start, payload_sha256)
),

totals AS (
    SELECT
        quarter_start,
        sum(passengers) AS total
    FROM rows_taken
    GROUP BY quarter_start
),

compared AS (  -- each quarter's total against the median of the other quarters' totals
    SELECT
        t.quarter_start,
        t.total,
        o.other_quarters,
        o.median_total
    FROM totals AS t
    CROSS JOIN LATERAL (
        SELECT
            count(*) AS other_quarters,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.total) AS median_total
        FROM totals AS x
        WHERE x.quarter_start != t.quarter_start
    ) AS o
)

SELECT
    :jakarta AS city,
    r.service,
    r.service_raw,
    r.quarter_start,
    r.year,
    r.quarter,
    r.buses,
    r.passengers,
    c.total AS quarter_total,
    c.median_total AS other_quarters_median,
    c.total / nullif(c.median_total, 0) AS quarter_total_ratio,
    coalesce(
        c.other_quarters >= :min_other_quarters
        AND (
            c.total > cast(:suspect_ratio AS float8) * c.median_total
            OR c.total < c.median_total / cast(:suspect_ratio AS float8)
        ),
        FALSE
    ) AS quarter_total_suspect,
    r.payload_sha256
FROM rows_taken AS r
INNER JOIN compared AS c USING (quarter_start)
