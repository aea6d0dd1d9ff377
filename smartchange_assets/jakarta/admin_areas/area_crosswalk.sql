-- staging.jakarta_area_crosswalk: Kemendagri 2025 <-> BPS MFD 2018 codes per area
-- (see jakarta/admin_areas/crosswalk.py). Province and kota by the fixed table, never by
-- their digits; kecamatan and kelurahan by normalised name, then alias, inside the matched
-- parent.
WITH k AS (
    SELECT * FROM {areas}
    WHERE code_system = :kemendagri
),

b AS (
    SELECT * FROM {areas}
    WHERE code_system = :bps
),

fixed AS (  -- REPORT §6, crosswalk.KOTA_KEMENDAGRI_TO_BPS
    SELECT
        f.key AS kemendagri_code,
        f.value AS bps_code
    FROM jsonb_each_text(cast(:fixed_kota AS jsonb)) AS f
),

top AS (
    SELECT
        k.level,
        k.code AS kemendagri_code,
        k.name AS kemendagri_name,
        b.code AS bps_code,
        b.name AS bps_name,
        :fixed_method AS match_method,
        k.name_normalised = b.name_normalised AS names_agree
    FROM k
    INNER JOIN fixed AS f ON k.code = f.kemendagri_code
    LEFT JOIN b ON f.bps_code = b.code AND k.level = b.level
    WHERE k.level IN ('province', 'kota')
),

kec AS (  -- kecamatan inside the crosswalked kota
    SELECT
        k.level,
        k.code AS kemendagri_code,
        k.name AS kemendagri_name,
        coalesce(by_name.code, by_alias.code) AS bps_code,
        coalesce(by_name.name, by_alias.name) AS bps_name,
        CASE
            WHEN by_name.code IS NOT NULL THEN :name_method
            WHEN by_alias.code IS NOT NULL THEN :alias_method
            ELSE :none_method
        END AS match_method,
        k.name_normalised = coalesce(by_name.name_normalised, by_alias.name_normalised)
            AS names_agree
    FROM k
    INNER JOIN top AS p ON k.parent_code = p.kemendagri_code
    LEFT JOIN b AS by_name
        ON
            k.level = by_name.level
            AND p.bps_code = by_name.parent_code
            AND k.name_normalised = by_name.name_normalised
    LEFT JOIN LATERAL (
        SELECT
            b.code,
            b.name,
            b.name_normalised
        FROM b
        INNER JOIN {aliases} AS al
            ON
                al.kind = :alias_kind
                AND b.level = al.level
                AND b.name_normalised = al.alias_normalised
        WHERE al.kemendagri_code = k.code AND b.level = k.level AND b.parent_code = p.bps_code
        ORDER BY b.code
        LIMIT 1
    ) AS by_alias ON by_name.code IS NULL
    WHERE k.level = 'kecamatan'
),

kel AS (  -- kelurahan inside the crosswalked kecamatan
    SELECT
        k.level,
        k.code AS kemendagri_code,
        k.name AS kemendagri_name,
        coalesce(by_name.code, by_alias.code) AS bps_code,
        coalesce(by_name.name, by_alias.name) AS bps_name,
        CASE
            WHEN by_name.code IS NOT NULL THEN :name_method
            WHEN by_alias.code IS NOT NULL THEN :alias_method
            ELSE :none_method
        END AS match_method,
        k.name_normalised = coalesce(by_name.name_normalised, by_alias.name_normalised)
            AS names_agree
    FROM k
    INNER JOIN kec AS p ON k.parent_code = p.kemendagri_code
    LEFT JOIN b AS by_name
        ON
            k.level = by_name.level
            AND p.bps_code = by_name.parent_code
            AND k.name_normalised = by_name.name_normalised
    LEFT JOIN LATERAL (
        SELECT
            b.code,
            b.name,
            b.name_normalised
        FROM b
        INNER JOIN {aliases} AS al
            ON
                al.kind = :alias_kind
                AND b.level = al.level
                AND b.name_normalised = al.alias_normalised
        WHERE al.kemendagri_code = k.code AND b.level = k.level AND b.parent_code = p.bps_code
        ORDER BY b.code
        LIMIT 1
    ) AS by_alias ON by_name.code IS NULL
    WHERE k.level = 'kelurahan'
),

matched AS (
    SELECT * FROM top
    UNION ALL
    SELECT * FROM kec
    UNION ALL
    SELECT * FROM kel
)

SELECT * FROM matched
UNION ALL
-- a BPS area nothing matched (rejected by the suite)
SELECT
    b.level,
    NULL AS kemendagri_code,
    NULL AS kemendagri_name,
    b.code AS bps_code,
    b.name AS bps_name,
    :bps_only_method AS match_method,
    NULL AS names_agree
FROM b
WHERE NOT EXISTS (
    SELECT 1 FROM matched AS m
    WHERE m.bps_code = b.code
)
