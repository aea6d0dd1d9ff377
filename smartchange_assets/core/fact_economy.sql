-- core.fact_economy: the economy statistics of both cities as observations (see
-- core/economy.py): one row per statistic, area, measure, breakdown, period and aggregation.
WITH manifest AS (
    SELECT
        source,
        sha256,
        max(fetched_at) AS fetched_at
    FROM raw.landing_manifest
    WHERE source = any(cast(:sources AS text[]))
    GROUP BY 1, 2
),

employment AS (  -- DKI Jakarta (one province) per year, from the newest payload
    SELECT DISTINCT ON (e.year) e.*
    FROM {employment} AS e
    INNER JOIN manifest AS m ON e.payload_sha256 = m.sha256
    WHERE e.prov_code = :jakarta_province
    ORDER BY e.year ASC, m.fetched_at DESC, e.payload_sha256 ASC
),

labour AS (  -- DKI kab/kota per year; BPS codes through the crosswalk, never by their digits
    SELECT DISTINCT ON (l.bps_code, l.year)
        l.*,
        c.kemendagri_code
    FROM {labour_force} AS l
    INNER JOIN manifest AS m ON l.payload_sha256 = m.sha256
    LEFT JOIN {crosswalk} AS c ON l.bps_code = c.bps_code AND c.level = 'kota'
    WHERE l.prov_code = :jakarta_province
    ORDER BY l.bps_code ASC, l.year ASC, m.fetched_at DESC, l.payload_sha256 ASC
),

consumption AS (
    SELECT DISTINCT ON (c.row_label, c.year) c.*
    FROM {consumption} AS c
    INNER JOIN manifest AS m ON c.payload_sha256 = m.sha256
    ORDER BY c.row_label ASC, c.year ASC, m.fetched_at DESC, c.payload_sha256 ASC
),

podes AS (
    SELECT DISTINCT ON (p.row_label, p.measure, p.year) p.*
    FROM {potensi_kelurahan} AS p
    INNER JOIN manifest AS m ON p.payload_sha256 = m.sha256
    ORDER BY p.row_label ASC, p.measure ASC, p.year ASC, m.fetched_at DESC, p.payload_sha256 ASC
),

construction AS (  -- the time series; for a period, the latest issue (revisions) wins
    SELECT DISTINCT ON (
        c.branch, c.measure, c.breakdown, c.period_type, c.period_start, c.aggregation
    ) c.*
    FROM {construction} AS c
    INNER JOIN manifest AS m ON c.payload_sha256 = m.sha256
    WHERE c.wz_code IS NULL AND c.aggregation = any(cast(:construction_aggregations AS text[]))
    ORDER BY
        c.branch ASC, c.measure ASC, c.breakdown ASC, c.period_type ASC, c.period_start ASC,
        c.aggregation ASC, c.report_month DESC, m.fetched_at DESC, c.payload_sha256 ASC
),

observations AS (
    SELECT
        :jakarta AS city,
        :jakarta_city_key AS area_key,
        :employment_statistic AS statistic,
        'all' AS sector,
        'employed_persons' AS measure,
        v.key AS breakdown,
        'year' AS period_type,
        make_date(e.year, 1, 1) AS period_start,
        'level' AS aggregation,
        v.value::float8 AS value,
        'persons' AS unit,
        e.sectors_sum_to_total AS consistent,
        CASE
            WHEN NOT e.sectors_sum_to_total
                THEN format('sectors sum to %s, total %s', e.sectors_sum, e.total)
        END AS note,
        NULL::date AS report_month,
        ARRAY[e.payload_sha256] AS payload_sha256s
    FROM employment AS e
    CROSS JOIN LATERAL jsonb_each_text(to_jsonb(e)) AS v (key, value)
    WHERE v.key = any(cast(:employment_columns AS text[]))
    UNION ALL
    SELECT
        :jakarta AS city,
        :jakarta_prefix || l.kemendagri_code AS area_key,
        :labour_statistic AS statistic,
        'all' AS sector,
        'labour_force' AS measure,
        v.key AS breakdown,
        'year' AS period_type,
        make_date(l.year, 1, 1) AS period_start,
        'level' AS aggregation,
        v.value::float8 AS value,
        'persons' AS unit,
        coalesce(l.groups_sum_to_total, FALSE) AS consistent,
        CASE
            WHEN NOT coalesce(l.groups_sum_to_total, FALSE)
                THEN format(
                    'education groups sum to %s, total %s',
                    coalesce(l.groups_sum::text, 'unknown'), l.lf_total
                )
        END AS note,
        NULL::date AS report_month,
        ARRAY[l.payload_sha256] AS payload_sha256s
    FROM labour AS l
    CROSS JOIN LATERAL jsonb_each_text(to_jsonb(l)) AS v (key, value)
    WHERE
        v.key = any(cast(:labour_columns AS text[]))
        AND v.value IS NOT NULL
        AND l.kemendagri_code IS NOT NULL
    UNION ALL
    SELECT
        :jakarta AS city,
        CASE
            WHEN c.level = 'province' THEN :jakarta_city_key
            ELSE :jakarta_prefix || c.area_code
        END AS area_key,
        :consumption_statistic AS statistic,
        'all' AS sector,
        c.measure,
        'total' AS breakdown,
        'year' AS period_type,
        make_date(c.year, 1, 1) AS period_start,
        'level' AS aggregation,
        c.expenditure_rp::float8 AS value,
        'IDR per capita per month' AS unit,
        TRUE AS consistent,
        NULL AS note,
        NULL::date AS report_month,
        ARRAY[c.payload_sha256] AS payload_sha256s
    FROM consumption AS c
    WHERE c.level = 'province' OR c.area_code IS NOT NULL
    UNION ALL
    SELECT
        :jakarta AS city,
        CASE
            WHEN p.level = 'province' THEN :jakarta_city_key
            ELSE :jakarta_prefix || p.area_code
        END AS area_key,
        :podes_statistic AS statistic,
        'all' AS sector,
        p.measure,
        'total' AS breakdown,
        'year' AS period_type,
        make_date(p.year, 1, 1) AS period_start,
        'level' AS aggregation,
        p.kelurahan::float8 AS value,
        'kelurahan' AS unit,
        TRUE AS consistent,
        NULL AS note,
        NULL::date AS report_month,
        ARRAY[p.payload_sha256] AS payload_sha256s
    FROM podes AS p
    WHERE p.level = 'province' OR p.area_code IS NOT NULL
    UNION ALL
    SELECT
        :berlin AS city,
        :berlin_city_key AS area_key,
        :construction_statistic AS statistic,
        c.branch AS sector,
        c.measure,
        c.breakdown,
        c.period_type,
        c.period_start,
        c.aggregation,
        c.value,
        c.unit,
        TRUE AS consistent,
        c.value_status AS note,
        c.report_month,
        ARRAY[c.payload_sha256] AS payload_sha256s
    FROM construction AS c
)

SELECT
    o.city,
    o.area_key,
    a.level AS area_level,
    o.statistic,
    o.sector,
    o.measure,
    o.breakdown,
    o.period_type,
    o.period_start,
    extract(YEAR FROM o.period_start)::int AS year,
    o.aggregation,
    o.value,
    o.unit,
    o.consistent,
    o.note,
    cast(:provenance AS jsonb) ->> o.statistic AS provenance,
    o.report_month,
    o.payload_sha256s
FROM observations AS o
LEFT JOIN {dim_area} AS a ON o.area_key = a.area_key
