-- open.berlin_citizen_reports: Berlin Ordnungsamt-Online reports for everyone: keyed
-- pseudonyms, Bezirk, local days instead of times, no free text (see tiers/open_reports.py)
WITH common_sub AS (  -- an Unterthema shared by enough reports: a picker value
    SELECT
        category_main,
        category_sub
    FROM {reports}
    WHERE category_sub IS NOT NULL
    GROUP BY 1, 2
    HAVING count(*) >= :min_cell_reports
),

bezirke AS (
    SELECT
        code,
        name
    FROM {lor_hierarchy}
    WHERE level = 'bezirk'
)

SELECT
    -- keyed pseudonym (tiers/pseudonym.py): HMAC-SHA256 of '<namespace>:<report id>'
    CASE
        WHEN r.report_id IS NULL THEN NULL
        ELSE encode(sha256(
            cast(:pseudonym_opad AS bytea)
            || sha256(
                cast(:pseudonym_ipad AS bytea)
                || convert_to(:namespace || ':' || r.report_id::text, 'UTF8')
            )
        ), 'hex')
    END AS report_pid,
    (r.created_at_utc AT TIME ZONE 'Europe/Berlin')::date AS created_date,
    b.code AS bezirk_code,
    r.bezirk,
    r.category_main,
    c.category_sub,
    r.status,
    r.status_changes,
    (r.first_seen_at AT TIME ZONE 'Europe/Berlin')::date AS first_seen_date,
    (r.last_seen_at AT TIME ZONE 'Europe/Berlin')::date AS last_seen_date,
    (r.resolved_at AT TIME ZONE 'Europe/Berlin')::date AS resolved_date,
    r.in_latest_snapshot
FROM {reports} AS r
LEFT JOIN common_sub AS c
    ON
        c.category_main IS NOT DISTINCT FROM r.category_main
        AND r.category_sub = c.category_sub
LEFT JOIN bezirke AS b ON r.bezirk = b.name
