-- staging.berlin_lor_hierarchy: every area of every LOR level from the staged Planungsraum
-- rows of the most recently fetched export per LOR version (see berlin/lor/hierarchy.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :lor_source
    GROUP BY sha256
),

latest AS (
    SELECT DISTINCT ON (a.lor_version)
        a.lor_version,
        a.payload_sha256
    FROM {lor_staging} AS a
    INNER JOIN manifest AS m ON a.payload_sha256 = m.sha256
    ORDER BY a.lor_version ASC, m.fetched_at DESC, a.payload_sha256 ASC
),

plr AS (
    SELECT a.*
    FROM {lor_staging} AS a
    INNER JOIN latest USING (lor_version, payload_sha256)
)

SELECT
    lor_version,
    'bezirk' AS level,
    bezirk_code AS code,
    min(bezirk_name) AS name,
    min(bezirk_name_raw) AS name_raw,
    NULL AS parent_code,
    sum(area_m2) AS area_m2,
    max(valid_from) AS valid_from,
    count(*) AS planungsraeume,
    bezirk_code,
    payload_sha256
FROM plr
GROUP BY lor_version, bezirk_code, payload_sha256

UNION ALL

SELECT
    lor_version,
    'prognoseraum' AS level,
    prognoseraum_code AS code,
    min(prognoseraum_name) AS name,
    min(prognoseraum_name_raw) AS name_raw,
    bezirk_code AS parent_code,
    sum(area_m2) AS area_m2,
    max(valid_from) AS valid_from,
    count(*) AS planungsraeume,
    bezirk_code,
    payload_sha256
FROM plr
GROUP BY lor_version, prognoseraum_code, bezirk_code, payload_sha256

UNION ALL

SELECT
    lor_version,
    'bezirksregion' AS level,
    bezirksregion_code AS code,
    min(bezirksregion_name) AS name,
    min(bezirksregion_name_raw) AS name_raw,
    prognoseraum_code AS parent_code,
    sum(area_m2) AS area_m2,
    max(valid_from) AS valid_from,
    count(*) AS planungsraeume,
    bezirk_code,
    payload_sha256
FROM plr
GROUP BY lor_version, bezirksregion_code, prognoseraum_code, bezirk_code, payload_sha256

UNION ALL

SELECT
    lor_version,
    level,
    code,
    name,
    name_raw,
    parent_code,
    area_m2,
    valid_from,
    1 AS planungsraeume,
    bezirk_code,
    payload_sha256
FROM plr
