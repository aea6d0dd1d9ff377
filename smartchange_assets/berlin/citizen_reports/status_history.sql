-- staging.berlin_citizen_report_status_history: one row per report and status spell, a run
-- of consecutive snapshots with the same status (see berlin/citizen_reports/history.py)
WITH snapshot_rows AS (
    SELECT r.* FROM {snapshot_rows} AS r
),

marked AS (
    SELECT
        report_id,
        status,
        snap_at,
        snap_last,
        payload_sha256,
        CASE WHEN (status IS DISTINCT FROM lag(status) OVER w) THEN 1 ELSE 0 END AS changed
    FROM snapshot_rows
    WINDOW w AS (PARTITION BY report_id ORDER BY snap_at, payload_sha256)
),

spells AS (
    SELECT
        *,
        sum(changed) OVER (
            PARTITION BY report_id ORDER BY snap_at, payload_sha256
            ROWS UNBOUNDED PRECEDING
        )::int AS spell
    FROM marked
)

SELECT
    report_id,
    spell,
    min(status) AS status,
    min(snap_at) AS seen_from,
    max(snap_last) AS seen_until,
    count(*)::int AS snapshots,
    (array_agg(payload_sha256 ORDER BY snap_at, payload_sha256))[1] AS payload_sha256
FROM spells
GROUP BY report_id, spell
