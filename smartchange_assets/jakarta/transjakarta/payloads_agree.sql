-- payloads_agree (jakarta/transjakarta/checks.py): every pair of payloads holding the same
-- month, compared line for line on (month, row_kind, route_code) over the months both hold:
-- service type, route name, published code (outer spaces aside) and passengers.
WITH staged AS (
    SELECT
        s.*,
        row(s.route_type, s.route_name, btrim(s.route_code_raw), s.passengers)
            AS line_values
    FROM {staged} AS s
),

payload_months AS (
    SELECT DISTINCT
        payload_sha256,
        month
    FROM staged
),

pairs AS (
    SELECT
        a.payload_sha256 AS payload_a,
        b.payload_sha256 AS payload_b,
        a.month
    FROM payload_months AS a
    INNER JOIN payload_months AS b
        ON a.month = b.month AND a.payload_sha256 < b.payload_sha256
),

line_keys AS (
    SELECT DISTINCT
        p.payload_a,
        p.payload_b,
        s.month,
        s.row_kind,
        s.route_code
    FROM pairs AS p
    INNER JOIN staged AS s
        ON
            p.month = s.month
            AND s.payload_sha256 IN (p.payload_a, p.payload_b)
),

compared AS (
    SELECT
        k.*,
        a.passengers AS passengers_a,
        b.passengers AS passengers_b,
        CASE
            WHEN a.payload_sha256 IS NULL THEN 'only in b'
            WHEN b.payload_sha256 IS NULL THEN 'only in a'
            WHEN (a.line_values IS DISTINCT FROM b.line_values) THEN 'differs'
            ELSE 'agrees'
        END AS verdict
    FROM line_keys AS k
    LEFT JOIN staged AS a
        ON
            k.payload_a = a.payload_sha256
            AND k.month = a.month
            AND k.row_kind = a.row_kind
            AND k.route_code = a.route_code
    LEFT JOIN staged AS b
        ON
            k.payload_b = b.payload_sha256
            AND k.month = b.month
            AND k.row_kind = b.row_kind
            AND k.route_code = b.route_code
)

SELECT
    payload_a,
    payload_b,
    count(DISTINCT month) AS months,
    count(*) FILTER (WHERE verdict = 'agrees') AS lines_agree,
    count(*) FILTER (WHERE verdict = 'differs') AS lines_differ,
    count(*) FILTER (WHERE verdict = 'only in a') AS only_in_a,
    count(*) FILTER (WHERE verdict = 'only in b') AS only_in_b,
    (array_agg(
        format(
            '%s %s %s: %s (%s / %s)', to_char(month, 'YYYY-MM'), row_kind, route_code,
            verdict, coalesce(passengers_a::text, '-'), coalesce(passengers_b::text, '-')
        ) ORDER BY month, row_kind, route_code
    ) FILTER (WHERE verdict != 'agrees'))[1:20] AS sample
FROM compared
GROUP BY payload_a, payload_b
ORDER BY payload_a, payload_b
