-- per reference date: old-LOR counts against the estimates made from them (see
-- core/population_lor2021.py, check residents_conserved)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :population_source
    GROUP BY sha256
),

counts AS (
    SELECT DISTINCT ON (p.plr_code, p.reference_date)
        p.plr_code,
        p.reference_date,
        p.total
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

used AS (  -- per reference date: the old layer whose period covers it (as the estimate)
    SELECT DISTINCT ON (d.reference_date)
        d.reference_date,
        x.old_payload_sha256 AS crosswalk_payload_sha256
    FROM dates AS d
    INNER JOIN layers AS x ON d.reference_date BETWEEN x.valid_from AND x.valid_to
    ORDER BY d.reference_date ASC, x.valid_from DESC, x.old_payload_sha256 ASC
),

old AS (
    SELECT
        c.reference_date,
        min(u.crosswalk_payload_sha256) AS edition,
        sum(c.total) AS counted,
        count(*) FILTER (
            WHERE c.total IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {crosswalk} AS x
                WHERE
                    x.old_payload_sha256 = u.crosswalk_payload_sha256
                    AND x.old_code = c.plr_code
            )
        ) AS keys_outside
    FROM counts AS c
    INNER JOIN used AS u ON c.reference_date = u.reference_date
    GROUP BY c.reference_date
),

estimated AS (
    SELECT
        reference_date,
        sum(residents_estimated) AS estimated
    FROM {estimate}
    GROUP BY reference_date
)

SELECT
    o.reference_date,
    o.counted,
    e.estimated,
    o.keys_outside,
    CASE
        WHEN e.estimated IS NULL AND o.counted > 0 THEN 'no estimate for the date'
        WHEN o.keys_outside > 0
            THEN format('%s counted old key(s) not in the crosswalk edition', o.keys_outside)
        WHEN abs(e.estimated - o.counted) > :tolerance * greatest(o.counted, 1)
            THEN format('estimates %s vs counts %s', e.estimated, o.counted)
    END AS problem,
    (e.estimated IS NOT NULL OR coalesce(o.counted, 0) = 0)
    AND o.keys_outside = 0
    AND abs(coalesce(e.estimated, 0) - coalesce(o.counted, 0))
    <= :tolerance * greatest(coalesce(o.counted, 0), 1) AS ok
FROM old AS o
LEFT JOIN estimated AS e ON o.reference_date = e.reference_date
