-- staging.berlin_citizen_reports: every report ever seen, its state in the latest snapshot
-- listing it, and its history (see berlin/citizen_reports/history.py)
WITH snapshot_rows AS (
    SELECT r.* FROM {snapshot_rows} AS r
),

latest AS (
    SELECT DISTINCT ON (report_id) *
    FROM snapshot_rows
    ORDER BY report_id ASC, snap_at DESC, payload_sha256 DESC
),

seen AS (
    SELECT
        report_id,
        min(snap_at) AS first_seen_at,
        max(snap_last) AS last_seen_at,
        count(*)::int AS snapshots_seen,
        min(snap_at) FILTER (WHERE status = :resolved_status) AS resolved_at
    FROM snapshot_rows
    GROUP BY report_id
),

open_before AS (  -- the last snapshot showing a report open before its first resolved one
    SELECT
        r.report_id,
        max(r.snapshot_from) AS open_seen_until
    FROM snapshot_rows AS r
    INNER JOIN seen AS s ON r.report_id = s.report_id
    WHERE
        r.status IS DISTINCT FROM :resolved_status
        AND r.snap_at < s.resolved_at
    GROUP BY r.report_id
),

spells AS (
    SELECT
        report_id,
        count(*)::int - 1 AS changes,
        jsonb_agg(jsonb_build_object(
            'status', status, 'seen_from', seen_from, 'seen_until', seen_until
        ) ORDER BY spell) AS history
    FROM {status_history}
    GROUP BY report_id
)

SELECT
    l.report_id,
    l.created_at_local,
    l.created_at_utc,
    l.bezirk,
    l.category_main,
    l.category_sub,
    l.betreff_raw,
    l.status,
    l.report_numbers,
    l.description_redacted,
    s.first_seen_at,
    s.last_seen_at,
    s.snapshots_seen,
    s.last_seen_at >= (SELECT max(snap_last) FROM snapshot_rows) AS in_latest_snapshot,
    h.history AS status_history,
    h.changes AS status_changes,
    s.resolved_at,
    o.open_seen_until,
    l.payload_sha256
FROM latest AS l
INNER JOIN seen AS s USING (report_id)
INNER JOIN spells AS h USING (report_id)
LEFT JOIN open_before AS o USING (report_id)
