-- marts.air_quality_monthly: per city, pollutant and month, the comparable indicators
-- (see air_quality/mart.py).
WITH daily AS (
    SELECT
        city,
        pollutant,
        local_date,
        avg(concentration_ugm3) AS city_mean,
        bool_or(above_who_24h) AS above_who,
        bool_or(ispu_category = any(cast(:ispu_unhealthy AS text[]))) AS ispu_unhealthy,
        bool_or(eaqi_band >= :eaqi_poor_from) AS eaqi_poor
    FROM {fact}
    GROUP BY city, pollutant, local_date
),

monthly_facts AS (
    SELECT
        city,
        pollutant,
        date_trunc('month', local_date)::date AS month,
        count(DISTINCT station_code) AS stations,
        string_agg(DISTINCT granularity, '+' ORDER BY granularity) AS granularity,
        avg(concentration_derived::int) AS share_derived,
        array_agg(DISTINCT payload_sha256 ORDER BY payload_sha256) AS payloads
    FROM {fact}
    GROUP BY 1, 2, 3
)

SELECT
    d.city,
    d.pollutant,
    date_trunc('month', d.local_date)::date AS month,
    avg(d.city_mean) AS mean_concentration_ugm3,
    count(*) AS days_measured,
    count(d.city_mean) AS days_with_concentration,
    count(*) FILTER (WHERE d.above_who) AS days_above_who_24h,
    count(*) FILTER (WHERE d.ispu_unhealthy) AS days_ispu_unhealthy,
    count(*) FILTER (WHERE d.eaqi_poor) AS days_eaqi_poor_or_worse,
    max(f.stations) AS stations,
    max(f.granularity) AS granularity,
    max(f.share_derived) AS share_derived,
    max(f.payloads) AS payload_sha256s
FROM daily AS d
INNER JOIN monthly_facts AS f
    ON
        d.city = f.city
        AND d.pollutant = f.pollutant
        AND date_trunc('month', d.local_date)::date = f.month
GROUP BY 1, 2, 3
