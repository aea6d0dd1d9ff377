-- core.fact_population: residents per area, reference date and source table, as published
-- (see core/population.py).
WITH jakarta_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :jakarta_source
    GROUP BY sha256
),

expected AS (  -- the cells a complete Jakarta count has
    SELECT
        e.table_kind,
        e.age_band,
        e.sex
    FROM unnest(
        cast(:expected_tables AS text[]),
        cast(:expected_bands AS text[]),
        cast(:expected_sexes AS text[])
    ) AS e (table_kind, age_band, sex)
),

jakarta_cells AS (  -- a cell published by two payloads: from the newest fetched
    SELECT DISTINCT ON (p.table_kind, p.reference_date, p.area_code, p.age_band, p.sex)
        p.table_kind,
        p.reference_date,
        p.area_code,
        p.age_band,
        p.sex,
        p.residents,
        p.male_residents,
        p.female_residents,
        p.payload_sha256
    FROM {jakarta_staging} AS p
    INNER JOIN jakarta_manifest AS m ON p.payload_sha256 = m.sha256
    INNER JOIN expected AS e
        ON p.table_kind = e.table_kind AND p.age_band = e.age_band AND p.sex = e.sex
    WHERE p.area_code IS NOT NULL AND p.area_level = p.level
    ORDER BY
        p.table_kind ASC, p.reference_date ASC, p.area_code ASC, p.age_band ASC, p.sex ASC,
        m.fetched_at DESC, p.payload_sha256 ASC
),

expected_cells AS (
    SELECT
        table_kind,
        count(*)::int AS cells
    FROM expected
    GROUP BY 1
),

jakarta AS (
    SELECT
        :jakarta AS city,
        :jakarta_prefix || c.area_code AS area_key,
        c.reference_date,
        c.table_kind AS source_table,
        sum(c.residents) AS residents,
        coalesce(sum(c.residents) FILTER (WHERE c.sex = 'male'), sum(c.male_residents))
            AS male,
        coalesce(sum(c.residents) FILTER (WHERE c.sex = 'female'), sum(c.female_residents))
            AS female,
        count(*)::int AS cells_present,
        n.cells AS cells_expected,
        count(*) = n.cells AS complete,
        array_agg(DISTINCT c.payload_sha256 ORDER BY c.payload_sha256) AS payload_sha256s
    FROM jakarta_cells AS c
    INNER JOIN expected_cells AS n USING (table_kind)
    GROUP BY c.area_code, c.reference_date, c.table_kind, n.cells
),

berlin_manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = :berlin_source
    GROUP BY sha256
),

berlin_payloads AS (
    -- one payload per LOR version and reference date, never a mix: the one listing the most
    -- Planungsräume (a whole-city file before an excerpt of it), then the newest fetched
    SELECT DISTINCT ON (p.lor_version, p.reference_date)
        p.lor_version,
        p.reference_date,
        p.payload_sha256
    FROM (
        SELECT
            lor_version,
            reference_date,
            payload_sha256,
            count(*) AS planungsraeume
        FROM {berlin_staging}
        GROUP BY lor_version, reference_date, payload_sha256
    ) AS p
    INNER JOIN berlin_manifest AS m ON p.payload_sha256 = m.sha256
    ORDER BY
        p.lor_version ASC, p.reference_date ASC, p.planungsraeume DESC, m.fetched_at DESC,
        p.payload_sha256 ASC
),

berlin_rows AS (
    SELECT p.*
    FROM {berlin_staging} AS p
    INNER JOIN berlin_payloads AS b
        ON
            p.lor_version = b.lor_version
            AND p.reference_date = b.reference_date
            AND p.payload_sha256 = b.payload_sha256
),

berlin AS (
    SELECT
        :berlin AS city,
        :berlin_prefix || plr_code AS area_key,
        reference_date,
        :ewr_lor2021 AS source_table,
        total::bigint AS residents,
        male::bigint AS male,
        female::bigint AS female,
        1 AS cells_present,
        1 AS cells_expected,
        total IS NOT NULL AS complete,
        ARRAY[payload_sha256] AS payload_sha256s
    FROM berlin_rows
    WHERE lor_version = :lor2021
    UNION ALL
    -- old-LOR Planungsräume have no mapping to LOR 2021: summed to their Bezirk
    SELECT
        :berlin AS city,
        :berlin_prefix || bez AS area_key,
        reference_date,
        :ewr_lor_old AS source_table,
        sum(total) AS residents,
        sum(male) AS male,
        sum(female) AS female,
        count(*)::int AS cells_present,
        NULL::int AS cells_expected,
        bool_and(total IS NOT NULL) AS complete,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payload_sha256s
    FROM berlin_rows
    WHERE lor_version = :lor_old
    GROUP BY bez, reference_date
),

jakarta_layer AS (  -- Dukcapil residents per kelurahan from the boundary layer
    SELECT
        :jakarta AS city,
        :jakarta_prefix || code AS area_key,
        reference_date,
        :dukcapil_layer AS source_table,
        residents,
        male,
        female,
        1 AS cells_present,
        1 AS cells_expected,
        TRUE AS complete,
        ARRAY[payload_sha256] AS payload_sha256s
    FROM {kelurahan_residents}
),

counted AS (
    SELECT * FROM jakarta
    UNION ALL
    SELECT * FROM berlin
    UNION ALL
    SELECT * FROM jakarta_layer
)

SELECT
    c.city,
    c.area_key,
    a.level AS area_level,
    c.reference_date,
    extract(YEAR FROM c.reference_date)::int AS reference_year,
    c.source_table,
    c.residents,
    c.male,
    c.female,
    c.cells_present,
    c.cells_expected,
    c.complete,
    (cast(:not_for_totals AS jsonb) ->> c.source_table) IS NULL AS usable_for_totals,
    cast(:not_for_totals AS jsonb) ->> c.source_table AS note,
    c.payload_sha256s
FROM counted AS c
LEFT JOIN {dim_area} AS a ON c.area_key = a.area_key
