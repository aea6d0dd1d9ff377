-- open.jakarta_citizen_reports: Jakarta CRM reports for everyone, one row per report: keyed
-- pseudonyms, kelurahan instead of the reporter's words, no text (see tiers/open_reports.py)
WITH fetched AS (
    SELECT
        sha256,
        min(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :jakarta_source
    GROUP BY sha256
),

latest AS (  -- a report in several payloads (live windows overlap): its newest version
    SELECT DISTINCT ON (r.report_id) r.*
    FROM {reports_staging} AS r
    LEFT JOIN fetched AS f ON r.payload_sha256 = f.sha256
    ORDER BY r.report_id ASC, f.fetched_at DESC NULLS LAST, r.payload_sha256 DESC
),

areas AS (
    SELECT
        code,
        level,
        name,
        parent_code
    FROM {areas_staging}
    WHERE code_system = :kemendagri
)

SELECT
    -- keyed pseudonym (tiers/pseudonym.py): HMAC-SHA256 of '<namespace>:<report id>'
    CASE
        WHEN l.report_id IS NULL THEN NULL
        ELSE encode(sha256(
            cast(:pseudonym_opad AS bytea)
            || sha256(
                cast(:pseudonym_ipad AS bytea)
                || convert_to(:namespace || ':' || l.report_id::text, 'UTF8')
            )
        ), 'hex')
    END AS report_pid,
    l.created_date,
    l.category,
    l.agency,
    l.status,
    l.channel,
    kel.code AS kelurahan_code,
    kel.name AS kelurahan_name,
    kec.code AS kecamatan_code,
    kec.name AS kecamatan_name,
    kota.code AS kota_code,
    kota.name AS kota_name
FROM latest AS l
LEFT JOIN areas AS a ON l.area_code = a.code
LEFT JOIN areas AS kel ON a.code = kel.code AND a.level = 'kelurahan'
LEFT JOIN areas AS kec
    ON kec.code = CASE a.level
        WHEN 'kelurahan' THEN a.parent_code
        WHEN 'kecamatan' THEN a.code
    END
LEFT JOIN areas AS kota
    ON kota.code = CASE a.level
        WHEN 'kota' THEN a.code
        ELSE kec.parent_code
    END
