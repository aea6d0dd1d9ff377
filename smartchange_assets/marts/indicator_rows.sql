-- every indicator row of a scope, the coverage rule applied (marts/indicators.py): a value is
-- kept only when it exists and its coverage reaches the catalogue threshold; otherwise value,
-- numerator and denominator are NULL and null_reason says what was missing.
WITH measures AS (  -- every theme's measures (marts/themes/), one UNION ALL
    SELECT m.* FROM {measures} AS m
),

catalogue AS (
    SELECT c.* FROM {catalogue} AS c
),

applicable AS (
    SELECT a.* FROM {applicable} AS a
),

years AS (  -- the years in which any of a city's facts has data
    SELECT y.* FROM {years} AS y
),

grid AS (  -- the whole city only: every applicable indicator × year of the city
    SELECT
        cast(:city_keys AS jsonb) ->> y.city AS scope_key,
        y.city,
        a.indicator,
        cast(:all_categories AS text) AS category,
        'year' AS period_type,
        make_date(y.year, 1, 1) AS period_start
    FROM years AS y
    INNER JOIN applicable AS a ON y.city = a.city
    WHERE :city_scope
),

joined AS (  -- a grid row without measures is a missing year: NULL with its reason
    SELECT
        coalesce(m.scope_key, g.scope_key) AS scope_key,
        coalesce(m.city, g.city) AS city,
        coalesce(m.indicator, g.indicator) AS indicator,
        coalesce(m.category, g.category) AS category,
        coalesce(m.period_type, g.period_type) AS period_type,
        coalesce(m.period_start, g.period_start) AS period_start,
        m.indicator IS NULL AS no_data,
        m.value,
        m.numerator,
        m.denominator,
        coalesce(m.value_scale, 1.0) AS value_scale,
        coalesce(m.coverage, 0) AS coverage,
        m.shortfall,
        coalesce(m.flags, '{}'::text[]) AS flags,
        m.pollutants,
        m.population_year,
        m.basis,
        coalesce(m.payload_sha256s, '{}'::text[]) AS payloads
    FROM measures AS m
    FULL JOIN grid AS g
        ON
            m.scope_key = g.scope_key
            AND m.indicator = g.indicator
            AND m.category = g.category
            AND m.period_type = g.period_type
            AND m.period_start = g.period_start
),

judged AS (
    SELECT
        j.*,
        c.unit,
        c.standard,
        c.method_note,
        c.coverage_basis,
        c.threshold,
        j.value IS NOT NULL AND j.coverage >= c.threshold AS ok
    FROM joined AS j
    INNER JOIN catalogue AS c ON j.indicator = c.indicator
    WHERE c.monthly OR j.period_type = 'year'
)

SELECT
    scope_key,
    city,
    indicator,
    category,
    period_type,
    period_start,
    extract(YEAR FROM period_start)::int AS year,
    CASE WHEN period_type = 'month' THEN extract(MONTH FROM period_start)::int END AS month,
    CASE WHEN ok THEN value END AS value,
    unit,
    CASE WHEN ok THEN numerator END AS numerator,
    CASE WHEN ok THEN denominator END AS denominator,
    value_scale,
    coverage,
    coverage_basis,
    threshold AS coverage_threshold,
    CASE
        WHEN ok THEN NULL
        WHEN no_data
            THEN format('no data for this indicator in %s', extract(YEAR FROM period_start))
        WHEN coverage < threshold
            THEN
                format(
                    'coverage %s below the threshold %s: %s',
                    round(coverage::numeric, 3), threshold, coalesce(shortfall, 'no data')
                )
        ELSE coalesce(nullif(shortfall, ''), 'an input is missing')
    END AS null_reason,
    standard,
    method_note,
    basis,
    flags,
    pollutants,
    population_year,
    payloads AS payload_sha256s
FROM judged
