-- core.report_category_map: each city's native categories on the shared taxonomy, from
-- core/report_taxonomy.py
SELECT
    m.city,
    m.native_category,
    m.shared_category,
    m.note
FROM
    unnest(
        cast(:cities AS text[]),
        cast(:native_categories AS text[]),
        cast(:shared_categories AS text[]),
        cast(:notes AS text[])
    ) AS m (city, native_category, shared_category, note)
