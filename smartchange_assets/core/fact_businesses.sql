-- core.fact_businesses: IHK member businesses per LOR 2021 Planungsraum and snapshot month
-- (see core/businesses.py).
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :source
    GROUP BY sha256
),

payloads AS (  -- the businesses each payload staged
    SELECT
        payload_sha256,
        snapshot_month,
        count(*) AS businesses
    FROM {ihk}
    GROUP BY 1, 2
),

latest AS (  -- a snapshot month: the whole register from the newest payload
    SELECT DISTINCT ON (p.snapshot_month)
        p.snapshot_month,
        p.payload_sha256,
        p.businesses
    FROM payloads AS p
    INNER JOIN manifest AS m ON p.payload_sha256 = m.sha256
    ORDER BY p.snapshot_month ASC, m.fetched_at DESC, p.payload_sha256 ASC
)

SELECT
    :berlin AS city,
    :berlin_prefix || b.plr_code AS area_key,
    a.district_key,
    b.snapshot_month,
    extract(YEAR FROM b.snapshot_month)::int AS year,
    count(*)::int AS businesses,
    (count(*) FILTER (WHERE b.opendata_id IS NOT NULL))::int AS businesses_with_id,
    (count(*) FILTER (WHERE b.employees_min IS NOT NULL))::int AS businesses_with_employees,
    l.businesses::int AS payload_businesses,
    l.businesses < :min_register_rows AS register_sample,
    b.payload_sha256
FROM {ihk} AS b
INNER JOIN latest AS l
    ON b.snapshot_month = l.snapshot_month AND b.payload_sha256 = l.payload_sha256
LEFT JOIN {dim_area} AS a ON :berlin_prefix || b.plr_code = a.area_key
GROUP BY b.plr_code, a.district_key, b.snapshot_month, l.businesses, b.payload_sha256
