-- core.dim_area: every area of Jakarta (Kemendagri 2025) and Berlin (LOR 2021) in one
-- hierarchy city -> district -> subdistrict -> unit (see core/dim_area.py).
WITH jakarta_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :jakarta_source
    GROUP BY sha256
),

jakarta AS (  -- per code: from the newest fetched code list
    SELECT DISTINCT ON (a.code) a.*
    FROM {jakarta_staging} AS a
    INNER JOIN jakarta_manifest AS m ON a.payload_sha256 = m.sha256
    WHERE a.code_system = :kemendagri
    ORDER BY a.code ASC, m.fetched_at DESC, a.payload_sha256 ASC
),

lor AS (
    SELECT * FROM {lor_hierarchy}
    WHERE lor_version = :lor_version
)

SELECT
    :jakarta_prefix || code AS area_key,
    :jakarta AS city,
    cast(:jakarta_levels AS jsonb) ->> level AS level,
    level AS native_level,
    code,
    'kemendagri' AS code_system,
    '2025' AS code_version,
    name,
    name AS name_published,
    CASE WHEN parent_code IS NOT NULL THEN :jakarta_prefix || parent_code END AS parent_key,
    :jakarta_city_key AS city_key,
    CASE WHEN level <> 'province' THEN :jakarta_prefix || left(code, 5) END AS district_key,
    CASE
        WHEN level IN ('kecamatan', 'kelurahan') THEN :jakarta_prefix || left(code, 8)
    END AS subdistrict_key,
    TRUE AS in_common_scheme,
    NULL::double precision AS area_m2,
    NULL::date AS valid_from,
    payload_sha256
FROM jakarta

UNION ALL

-- Berlin as a whole has no LOR code: its row uses the Amtlicher Gemeindeschlüssel
SELECT
    :berlin_city_key AS area_key,
    :berlin AS city,
    :city_level AS level,
    'land' AS native_level,
    '11000000' AS code,
    'AGS' AS code_system,
    NULL AS code_version,
    'Berlin' AS name,
    'Berlin' AS name_published,
    NULL AS parent_key,
    :berlin_city_key AS city_key,
    NULL AS district_key,
    NULL AS subdistrict_key,
    TRUE AS in_common_scheme,
    sum(area_m2) AS area_m2,
    max(valid_from) AS valid_from,
    min(payload_sha256) AS payload_sha256
FROM lor
WHERE level = 'bezirk'
HAVING count(*) > 0

UNION ALL

SELECT
    :berlin_prefix || code AS area_key,
    :berlin AS city,
    cast(:berlin_levels AS jsonb) ->> level AS level,
    level AS native_level,
    code,
    'LOR' AS code_system,
    '2021' AS code_version,
    name,
    name_raw AS name_published,
    CASE
        WHEN level = 'bezirk' THEN :berlin_city_key ELSE :berlin_prefix || parent_code
    END AS parent_key,
    :berlin_city_key AS city_key,
    :berlin_prefix || bezirk_code AS district_key,
    CASE level
        WHEN 'bezirksregion' THEN :berlin_prefix || code
        WHEN 'planungsraum' THEN :berlin_prefix || parent_code
    END AS subdistrict_key,
    level <> 'prognoseraum' AS in_common_scheme,
    area_m2,
    valid_from,
    payload_sha256
FROM lor
