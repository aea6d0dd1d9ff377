-- core.fact_mobility_monthly: Transjakarta passengers and Berlin counts per site, mode and
-- month (see core/mobility.py).
WITH tj_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at,
        bool_or(content_type = any(cast(:spreadsheet_types AS text[]))) AS spreadsheet
    FROM raw.landing_manifest
    WHERE source = :transjakarta_source
    GROUP BY sha256
),

tj_month AS (  -- the payload each month is taken from: not a spreadsheet, then the newest
    SELECT DISTINCT ON (t.month)
        t.month,
        t.payload_sha256
    FROM {transjakarta_staging} AS t
    INNER JOIN tj_manifest AS m ON t.payload_sha256 = m.sha256
    ORDER BY t.month ASC, m.spreadsheet ASC, m.fetched_at DESC, t.payload_sha256 ASC
),

berlin_payloads AS (
    SELECT
        counter_kind,
        site_id,
        mode,
        date_trunc('month', local_date)::date AS month_start,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads
    FROM {berlin_counts}
    GROUP BY 1, 2, 3, 4
),

berlin AS (
    SELECT
        d.counter_kind,
        d.site_id,
        d.mode,
        date_trunc('month', d.local_date)::date AS month_start,
        sum(d.count_total)::bigint AS count,
        count(*)::int AS days_reported,
        count(*) FILTER (WHERE d.complete)::int AS days_complete,
        sum(d.hours_reported)::int AS hours_reported,
        sum(d.suspected_outage_hours)::int AS suspected_outage_hours
    FROM {berlin_daily} AS d
    GROUP BY 1, 2, 3, 4
)

SELECT
    :jakarta AS city,
    :transjakarta_kind AS counter_kind,
    t.route_code AS site_id,
    t.route_name AS site_name,
    cast(:transjakarta_modes AS jsonb) ->> t.route_type AS mode,
    'passengers' AS count_unit,
    t.month AS month_start,
    extract(YEAR FROM t.month)::int AS year,
    extract(MONTH FROM t.month)::int AS month,
    t.passengers AS count,
    extract(DAY FROM date_trunc('month', t.month) + interval '1 month - 1 day')::int
        AS days_in_month,
    extract(DAY FROM date_trunc('month', t.month) + interval '1 month - 1 day')::int
        AS days_reported,
    extract(DAY FROM date_trunc('month', t.month) + interval '1 month - 1 day')::int
        AS days_complete,
    NULL::int AS hours_reported,
    NULL::int AS suspected_outage_hours,
    NULL::date AS site_installed,
    NULL::date AS site_removed,
    :jakarta_city_key AS area_key,
    'Transjakarta runs city-wide' AS area_note,
    ARRAY[t.payload_sha256] AS payload_sha256s
FROM {transjakarta_staging} AS t
INNER JOIN tj_month USING (month, payload_sha256)
WHERE t.row_kind = :route_row

UNION ALL

SELECT
    :berlin AS city,
    b.counter_kind,
    b.site_id,
    s.name AS site_name,
    b.mode,
    coalesce(cast(:count_units AS jsonb) ->> b.mode, 'vehicles') AS count_unit,
    b.month_start,
    extract(YEAR FROM b.month_start)::int AS year,
    extract(MONTH FROM b.month_start)::int AS month,
    b.count,
    extract(DAY FROM date_trunc('month', b.month_start) + interval '1 month - 1 day')::int
        AS days_in_month,
    b.days_reported,
    b.days_complete,
    b.hours_reported,
    b.suspected_outage_hours,
    s.installed AS site_installed,
    s.removed AS site_removed,
    :berlin_city_key AS area_key,
    :berlin_area_note AS area_note,
    p.payloads AS payload_sha256s
FROM berlin AS b
INNER JOIN berlin_payloads AS p USING (counter_kind, site_id, mode, month_start)
LEFT JOIN {berlin_sites} AS s USING (counter_kind, site_id)
