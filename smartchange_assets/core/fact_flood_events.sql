-- core.fact_flood_events: Jakarta flood events per area and month (see core/flood.py).
-- A month is taken whole from the one payload that covers it best: the most areas reported
-- that month, then a payload that publishes its event count over one whose count is derived
-- from the event dates, then the most recently fetched.
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :flood_source
    GROUP BY sha256
),

payload_months AS (  -- how well each payload covers each month
    SELECT
        f.event_month,
        f.payload_sha256,
        m.fetched_at,
        count(DISTINCT coalesce(
            f.area_code, concat_ws('|', f.kota_name, f.kecamatan_name, f.kelurahan_name)
        )) AS areas,
        bool_and(f.variant != all(cast(:derived_event_layouts AS text[])))
            AS events_published
    FROM {flood_staging} AS f
    INNER JOIN manifest AS m ON f.payload_sha256 = m.sha256
    GROUP BY f.event_month, f.payload_sha256, m.fetched_at
),

month_payload AS (
    SELECT DISTINCT ON (event_month)
        event_month,
        payload_sha256
    FROM payload_months
    ORDER BY
        event_month ASC, areas DESC, events_published DESC, fetched_at DESC,
        payload_sha256 ASC
),

placed AS (
    SELECT
        f.*,
        coalesce(:jakarta_prefix || f.area_code, :jakarta_city_key) AS key,
        f.variant = any(cast(:derived_event_layouts AS text[])) AS events_derived
    FROM {flood_staging} AS f
    INNER JOIN month_payload USING (event_month, payload_sha256)
),

event_day_rows AS (  -- layouts without an event count: each day an area's lines name
    SELECT
        p.key,
        p.event_month,
        generate_series(p.event_date_first, p.event_date_last, interval '1 day')::date AS day
    FROM placed AS p
    WHERE p.events_derived AND p.event_dates_is_range
    UNION ALL
    SELECT
        p.key,
        p.event_month,
        unnest(string_to_array(p.event_dates, ';'))::date AS day
    FROM placed AS p
    WHERE p.events_derived AND NOT p.event_dates_is_range
),

event_days AS (
    SELECT
        key,
        event_month,
        count(DISTINCT day) AS days
    FROM event_day_rows
    GROUP BY key, event_month
)

SELECT
    :jakarta AS city,
    p.key AS area_key,
    a.level AS area_level,
    a.district_key,
    p.event_month,
    extract(YEAR FROM p.event_month)::int AS year,
    extract(MONTH FROM p.event_month)::int AS month,
    CASE
        WHEN bool_or(p.events_derived) THEN coalesce(max(e.days), 0)
        ELSE sum(p.events)
    END AS events,
    sum(p.affected_rw) AS affected_rw,
    sum(p.affected_households) AS affected_households,
    sum(p.affected_people) AS affected_people,
    sum(p.displaced_people) AS displaced_people,
    sum(p.deaths) AS deaths,
    sum(p.injured) AS injured,
    bool_or(p.events_derived) AS events_derived,
    max(p.water_max_cm) AS water_max_cm,
    bool_and(p.no_flood) AS no_flood,
    count(*)::int AS source_rows,
    string_agg(DISTINCT p.area_match, '+' ORDER BY p.area_match) AS area_match,
    min(p.variant) AS variant,
    bool_or(p.evacuee_columns_suspect) AS evacuee_columns_suspect,
    min(p.payload_sha256) AS payload_sha256
FROM placed AS p
LEFT JOIN {dim_area} AS a ON p.key = a.area_key
LEFT JOIN event_days AS e ON p.key = e.key AND p.event_month = e.event_month
GROUP BY p.key, a.level, a.district_key, p.event_month
