-- staging.berlin_mobility_daily: per counter kind, site, mode and Europe/Berlin day, the
-- count and the hours reported against the day's length (see berlin/mobility/counts.py)
SELECT
    counter_kind,
    site_id,
    mode,
    local_date,
    sum(count)::bigint AS count_total,
    count(*) FILTER (
        WHERE time_flag IS DISTINCT FROM :nonexistent_hour
    )::int AS hours_reported,
    -- the length of the local day: 23, 24 or 25 hours
    (extract(
        EPOCH FROM ((local_date + 1)::timestamp AT TIME ZONE :tz)
        - (local_date::timestamp AT TIME ZONE :tz)
    ) / 3600)::int AS hours_in_day,
    count(*) FILTER (WHERE count = 0)::int AS zero_hours,
    count(*) FILTER (WHERE suspected_outage)::int AS suspected_outage_hours,
    count(*) FILTER (WHERE time_flag = :nonexistent_hour)::int AS nonexistent_hour_rows,
    (
        count(*) FILTER (WHERE time_flag IS DISTINCT FROM :nonexistent_hour)
        = (extract(
            EPOCH FROM ((local_date + 1)::timestamp AT TIME ZONE :tz)
            - (local_date::timestamp AT TIME ZONE :tz)
        ) / 3600)::int
        AND NOT bool_or(suspected_outage)
    ) AS complete
FROM {mobility_counts}
GROUP BY counter_kind, site_id, mode, local_date
