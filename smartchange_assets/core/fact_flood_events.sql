-- core.fact_flood_events: Jakarta flood events per area and month (see core/flood.py).
-- A month is taken whole from the most recently fetched payload that holds it.
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :flood_source
    GROUP BY sha256
),

month_payload AS (
    SELECT DISTINCT ON (f.event_month)
        f.event_month,
        f.payload_sha256
    FROM {flood_staging} AS f
    INNER JOIN manifest AS m ON f.payload_sha256 = m.sha256
    ORDER BY f.event_month ASC, m.fetched_at DESC, f.payload_sha256 ASC
),

placed AS (
    SELECT
        f.*,
        coalesce(:jakarta_prefix || f.area_code, :jakarta_city_key) AS key
    FROM {flood_staging} AS f
    INNER JOIN month_payload USING (event_month, payload_sha256)
)

SELECT
    :jakarta AS city,
    p.key AS area_key,
    a.level AS area_level,
    a.district_key,
    p.event_month,
    extract(YEAR FROM p.event_month)::int AS year,
    extract(MONTH FROM p.event_month)::int AS month,
    sum(p.events) AS events,
    sum(p.affected_rw) AS affected_rw,
    sum(p.affected_households) AS affected_households,
    sum(p.affected_people) AS affected_people,
    sum(p.displaced_people) AS displaced_people,
    sum(p.deaths) AS deaths,
    sum(p.injured) AS injured,
    max(p.water_max_cm) AS water_max_cm,
    bool_and(p.no_flood) AS no_flood,
    count(*)::int AS source_rows,
    string_agg(DISTINCT p.area_match, '+' ORDER BY p.area_match) AS area_match,
    min(p.variant) AS variant,
    bool_or(p.evacuee_columns_suspect) AS evacuee_columns_suspect,
    min(p.payload_sha256) AS payload_sha256
FROM placed AS p
LEFT JOIN {dim_area} AS a ON p.key = a.area_key
GROUP BY p.key, a.level, a.district_key, p.event_month
