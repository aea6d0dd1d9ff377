-- counted sites without a row in staging.berlin_mobility_sites
SELECT
    c.counter_kind,
    c.site_id,
    count(*) AS rows,
    min(c.local_date) AS first_day,
    max(c.local_date) AS last_day
FROM {mobility_counts} AS c
LEFT JOIN {mobility_sites} AS s USING (counter_kind, site_id)
WHERE s.site_id IS NULL
GROUP BY c.counter_kind, c.site_id
ORDER BY 1, 2
