-- every staged Ordnungsamt-Online snapshot row with the fetch times of its payload: the first
-- fetch orders a snapshot, the last counts for last_seen_at / seen_until
WITH fetches AS (
    SELECT
        sha256,
        min(fetched_at) AS first_fetch,
        max(fetched_at) AS last_fetch
    FROM raw.landing_manifest
    WHERE source = :reports_source
    GROUP BY sha256
)

SELECT
    s.*,
    coalesce(s.snapshot_at, f.first_fetch) AS snap_at,
    coalesce(f.last_fetch, s.snapshot_at) AS snap_last
FROM {reports_staging} AS s
LEFT JOIN fetches AS f ON s.payload_sha256 = f.sha256
