-- counted sites without a row in staging.berlin_mobility_sites (the counts are summed per site
-- first: one hashed pass, whatever the number of rows)
WITH counted AS (
    SELECT
        counter_kind,
        site_id,
        count(*) AS rows,
        min(local_date) AS first_day,
        max(local_date) AS last_day
    FROM {mobility_counts}
    GROUP BY counter_kind, site_id
)

SELECT
    c.counter_kind,
    c.site_id,
    c.rows,
    c.first_day,
    c.last_day
FROM counted AS c
WHERE
    NOT EXISTS (
        SELECT 1 FROM {mobility_sites} AS s
        WHERE s.counter_kind = c.counter_kind AND s.site_id = c.site_id
    )
ORDER BY 1, 2
