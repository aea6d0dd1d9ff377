-- staging.berlin_mobility_sites: one row per counter kind and site from the site records,
-- each site from its newest payload (see berlin/mobility/counts.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :sites_source
    GROUP BY sha256
),

rec AS (
    SELECT
        r.*,
        m.fetched_at
    FROM {site_records} AS r
    INNER JOIN manifest AS m ON r.payload_sha256 = m.sha256
),

eco AS (  -- the Eco-Counter site ids of each bike station
    SELECT
        btrim(o.official) AS site_id,
        string_agg(DISTINCT 'ecocounter:' || r.site_id, ',') AS eco_ids
    FROM rec AS r
    CROSS JOIN LATERAL unnest(string_to_array(r.related_ids, ',')) AS o (official)
    WHERE r.record_type = 'ecocounter_site'
    GROUP BY 1
),

aliases AS (  -- renamed raw ids (berlin/bike_counters/parser.py SITE_ID_MAP)
    SELECT
        a.site_id,
        string_agg(a.raw_id, ',' ORDER BY a.raw_id) AS raw_ids
    FROM
        unnest(cast(:alias_raw_ids AS text[]), cast(:alias_site_ids AS text[]))
            AS a (raw_id, site_id)
    GROUP BY a.site_id
),

newest AS (  -- each site's newest payload, per record type
    SELECT DISTINCT ON (record_type, coalesce(parent_site_id, site_id), site_id)
        record_type,
        site_id,
        payload_sha256
    FROM rec
    ORDER BY
        record_type ASC,
        coalesce(parent_site_id, site_id) ASC,
        site_id ASC,
        fetched_at DESC,
        payload_sha256 ASC
),

current_records AS (
    SELECT r.*
    FROM rec AS r
    INNER JOIN newest USING (record_type, site_id, payload_sha256)
),

single AS (  -- bike stations and Telraam segments: one record per site and payload
    SELECT DISTINCT ON (counter_kind, site_id) *
    FROM current_records
    WHERE record_type IN ('bike_station', 'telraam_segment')
    ORDER BY counter_kind ASC, site_id ASC, source_row ASC
)

SELECT
    s.counter_kind,
    s.site_id,
    s.name,
    s.direction,
    s.lat,
    s.lon,
    s.installed,
    s.removed,
    s.deinstalled,
    NULL AS parent_site_id,
    nullif(concat_ws(',', a.raw_ids, e.eco_ids), '') AS raw_ids,
    1 AS records,
    s.payload_sha256
FROM single AS s
LEFT JOIN aliases AS a ON s.site_id = a.site_id
LEFT JOIN eco AS e ON s.site_id = e.site_id AND s.record_type = 'bike_station'

UNION ALL

-- lane detectors
SELECT
    :detector_det AS counter_kind,
    site_id,
    (array_agg(name ORDER BY source_row))[1] AS name,
    (array_agg(direction ORDER BY source_row))[1] AS direction,
    avg(lat) AS lat,
    avg(lon) AS lon,
    min(installed) AS installed,
    max(removed) AS removed,
    bool_or(deinstalled) AS deinstalled,
    (array_agg(parent_site_id ORDER BY source_row))[1] AS parent_site_id,
    string_agg(DISTINCT related_ids, ',') AS raw_ids,
    count(*)::int AS records,
    min(payload_sha256) AS payload_sha256
FROM current_records
WHERE record_type = 'detector'
GROUP BY site_id

UNION ALL

-- cross-sections (MQ) from their detectors: deinstalled when all its detectors are
SELECT
    :detector_mq AS counter_kind,
    parent_site_id AS site_id,
    (array_agg(name ORDER BY source_row))[1] AS name,
    (array_agg(direction ORDER BY source_row))[1] AS direction,
    avg(lat) AS lat,
    avg(lon) AS lon,
    min(installed) AS installed,
    CASE WHEN bool_and(deinstalled) THEN max(removed) END AS removed,
    bool_and(deinstalled) AS deinstalled,
    NULL AS parent_site_id,
    string_agg(DISTINCT substring(related_ids FROM 'MQ_ID15=[0-9]+'), ',') AS raw_ids,
    count(*)::int AS records,
    min(payload_sha256) AS payload_sha256
FROM current_records
WHERE record_type = 'detector'
GROUP BY parent_site_id
