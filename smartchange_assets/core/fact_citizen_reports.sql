-- core.fact_citizen_reports: citizen reports of both cities, one row per report, on the
-- shared category taxonomy (see core/reports.py).
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at,
        max(period_end) AS period_end
    FROM raw.landing_manifest
    WHERE source IN (:jakarta_source, :berlin_source)
    GROUP BY sha256
),

jakarta AS (  -- per report: its latest state
    SELECT DISTINCT ON (s.report_id)
        s.*,
        coalesce(s.category, :no_category) AS native
    FROM {jakarta_staging} AS s
    LEFT JOIN manifest AS m ON s.payload_sha256 = m.sha256
    ORDER BY s.report_id ASC, m.fetched_at DESC NULLS LAST, s.payload_sha256 ASC
),

berlin AS (
    SELECT
        s.*,
        coalesce(s.category_main, :no_category) AS native,
        cast(:bezirk_keys AS jsonb) ->> s.bezirk AS bezirk_key
    FROM {berlin_reports} AS s
),

berlin_bounded AS (  -- bounds of the resolution of a report resolved in its latest state
    SELECT
        b.*,
        CASE
            WHEN b.status = :berlin_resolved_status AND b.resolved_at IS NOT NULL
                THEN greatest(0, extract(
                    EPOCH FROM coalesce(b.open_seen_until, b.created_at_utc) - b.created_at_utc
                ) / 86400)
        END AS days_min,
        CASE
            WHEN b.status = :berlin_resolved_status AND b.resolved_at IS NOT NULL
                THEN extract(EPOCH FROM b.resolved_at - b.created_at_utc) / 86400
        END AS days_max
    FROM berlin AS b
),

unioned AS (
    SELECT
        :jakarta AS city,
        j.report_id,
        j.native,
        j.created_date,
        j.created_at_utc,
        :jakarta_prefix || j.area_code AS area_key,
        -- the staging area_note may repeat the reporter's words: only the match method here
        CASE
            WHEN j.area_code IS NULL THEN 'kelurahan not resolved: ' || j.area_match
            ELSE 'kelurahan, ' || j.area_match
        END AS area_note,
        j.status,
        CASE
            WHEN j.status IS NOT NULL
                THEN j.status = any(cast(:jakarta_closing_statuses AS text[]))
        END AS resolved,
        NULL::timestamptz AS resolved_at,
        NULL::text AS resolution_basis,
        NULL::float8 AS days_to_resolution_min,
        NULL::float8 AS days_to_resolution_max,
        NULL::float8 AS days_to_resolution,
        j.payload_sha256
    FROM jakarta AS j
    UNION ALL
    SELECT
        :berlin AS city,
        b.report_id::text AS report_id,
        b.native,
        b.created_at_local::date AS created_date,
        b.created_at_utc,
        b.bezirk_key AS area_key,
        CASE
            WHEN b.bezirk_key IS NULL THEN 'Bezirk name not one of the twelve'
            ELSE 'Bezirk only: the bulk API has no address'
        END AS area_note,
        b.status,
        CASE
            WHEN b.status IS NOT NULL
                THEN b.status = any(cast(:berlin_closing_statuses AS text[]))
        END AS resolved,
        b.resolved_at,
        CASE
            WHEN b.resolved_at IS NULL THEN NULL
            WHEN b.open_seen_until IS NOT NULL THEN 'observed_change'
            ELSE 'first_seen_resolved'
        END AS resolution_basis,
        b.days_min AS days_to_resolution_min,
        b.days_max AS days_to_resolution_max,
        CASE
            WHEN b.days_max - b.days_min <= :known_within_days THEN b.days_max
        END AS days_to_resolution,
        b.payload_sha256
    FROM berlin_bounded AS b
)

SELECT
    u.city,
    u.report_id,
    u.native AS native_category,
    m.shared_category,
    u.created_date,
    u.created_at_utc,
    a.area_key,
    a.district_key,
    CASE
        WHEN u.area_key IS NOT NULL AND a.area_key IS NULL
            THEN concat_ws('; ', u.area_note, format('%s is not in dim_area', u.area_key))
        ELSE u.area_note
    END AS area_note,
    u.status,
    u.resolved,
    u.resolved_at,
    (
        u.resolved_at AT TIME ZONE CASE u.city
            WHEN :jakarta THEN 'Asia/Jakarta' ELSE 'Europe/Berlin'
        END
    )::date AS resolved_date,
    u.resolution_basis,
    u.days_to_resolution_min,
    u.days_to_resolution_max,
    u.days_to_resolution,
    u.payload_sha256,
    extract(YEAR FROM coalesce(p.period_end, u.created_date))::int AS observed_year
FROM unioned AS u
LEFT JOIN manifest AS p ON u.payload_sha256 = p.sha256
LEFT JOIN {category_map} AS m ON u.city = m.city AND u.native = m.native_category
LEFT JOIN {dim_area} AS a ON u.area_key = a.area_key
