-- staged Jakarta population cells the fact cannot place: no code at the published level, or
-- a cell outside the table's layout (reported in the metadata, never silently summed)
SELECT count(*)
FROM {jakarta_staging} AS p
WHERE
    p.area_code IS NULL
    OR p.area_level IS DISTINCT FROM p.level
    OR NOT EXISTS (
        SELECT 1
        FROM
            unnest(
                cast(:expected_tables AS text[]),
                cast(:expected_bands AS text[]),
                cast(:expected_sexes AS text[])
            ) AS e (t, b, s)
        WHERE e.t = p.table_kind AND e.b = p.age_band AND e.s = p.sex
    )
