-- staging.berlin_mobility_counts: the three count sources unioned and turned long, one row
-- per counter kind, site, hour and mode (see berlin/mobility/counts.py)
WITH manifest AS (
    SELECT
        sha256,
        max(fetched_at) AS fetched_at,
        max(period_end) - min(period_start) AS days
    FROM raw.landing_manifest
    WHERE source = any(cast(:count_sources AS text[]))
    GROUP BY sha256
),

-- Written for tens of millions of rows: nothing below is materialised but the (usually few)
-- rows of overlapping payloads, every mode is a scan of its own (cheaper than a lateral join
-- per row), and from_bike_counters keeps the outage windows to the bike counters' table.
all_sources AS NOT MATERIALIZED (  -- the three count sources stage the same columns
    SELECT
        TRUE AS from_bike_counters,
        {wide_columns}
    FROM {bike_counters_staging}
    UNION ALL
    SELECT
        FALSE AS from_bike_counters,
        {wide_columns}
    FROM {telraam_staging}
    UNION ALL
    SELECT
        FALSE AS from_bike_counters,
        {wide_columns}
    FROM {traffic_detectors_staging}
),

spans AS (  -- the hours each payload holds, per counter kind
    SELECT
        payload_sha256,
        counter_kind,
        min(period_start_local) AS first_hour,
        max(period_start_local) AS last_hour
    FROM all_sources
    GROUP BY payload_sha256, counter_kind
),

overlapping AS (
    -- payloads holding hours of a counter kind another payload holds too: only their rows
    -- can repeat a site and hour of another payload (inside a payload the staging key is
    -- unique), so only they need settling
    SELECT DISTINCT a.payload_sha256
    FROM spans AS a
    INNER JOIN spans AS b
        ON
            a.counter_kind = b.counter_kind
            AND a.payload_sha256 <> b.payload_sha256
            AND a.first_hour <= b.last_hour
            AND a.last_hour >= b.first_hour
),

settled AS MATERIALIZED (
    -- their rows, one per site and hour: the newest payload, then the shorter period
    SELECT DISTINCT ON (w.counter_kind, w.site_id, w.period_start_local, w.dst_fold) w.*
    FROM all_sources AS w
    INNER JOIN manifest AS m ON w.payload_sha256 = m.sha256
    WHERE w.payload_sha256 IN (SELECT o.payload_sha256 FROM overlapping AS o)
    ORDER BY
        w.counter_kind ASC,
        w.site_id ASC,
        w.period_start_local ASC,
        w.dst_fold ASC,
        m.fetched_at DESC,
        m.days ASC NULLS LAST,
        w.payload_sha256 ASC
),

wide AS NOT MATERIALIZED (  -- one row per site and hour
    SELECT * FROM settled
    UNION ALL
    SELECT w.*
    FROM all_sources AS w
    WHERE
        w.payload_sha256 IN (SELECT m.sha256 FROM manifest AS m)
        AND w.payload_sha256 NOT IN (SELECT o.payload_sha256 FROM overlapping AS o)
),

long AS NOT MATERIALIZED (  -- one row per site, hour and mode with a count
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'bike' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_bike AS count,
        w.count_bike_lft::bigint AS count_lft,
        w.count_bike_rgt::bigint AS count_rgt,
        w.quality,
        NULL::double precision AS speed_kmh,
        NULL::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_bike IS NOT NULL
    UNION ALL
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'pedestrian' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_pedestrian AS count,
        w.count_pedestrian_lft::bigint AS count_lft,
        w.count_pedestrian_rgt::bigint AS count_rgt,
        w.quality,
        NULL::double precision AS speed_kmh,
        NULL::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_pedestrian IS NOT NULL
    UNION ALL
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'car' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_car AS count,
        w.count_car_lft::bigint AS count_lft,
        w.count_car_rgt::bigint AS count_rgt,
        w.quality,
        coalesce(w.speed_car_kmh, w.car_v85_kmh)::double precision AS speed_kmh,
        (CASE
            WHEN w.speed_car_kmh IS NOT NULL THEN 'mean'
            WHEN w.car_v85_kmh IS NOT NULL THEN 'v85'
        END)::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_car IS NOT NULL
    UNION ALL
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'heavy' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_heavy AS count,
        w.count_heavy_lft::bigint AS count_lft,
        w.count_heavy_rgt::bigint AS count_rgt,
        w.quality,
        NULL::double precision AS speed_kmh,
        NULL::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_heavy IS NOT NULL
    UNION ALL
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'motor_vehicle' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_motor_vehicle AS count,
        NULL::bigint AS count_lft,
        NULL::bigint AS count_rgt,
        w.quality,
        w.speed_motor_vehicle_kmh::double precision AS speed_kmh,
        (CASE WHEN w.speed_motor_vehicle_kmh IS NOT NULL THEN 'mean' END)::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_motor_vehicle IS NOT NULL
    UNION ALL
    SELECT
        w.from_bike_counters,
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        'truck' AS mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        w.count_truck AS count,
        NULL::bigint AS count_lft,
        NULL::bigint AS count_rgt,
        w.quality,
        w.speed_truck_kmh::double precision AS speed_kmh,
        (CASE WHEN w.speed_truck_kmh IS NOT NULL THEN 'mean' END)::text AS speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    WHERE w.count_truck IS NOT NULL
),

run_starts AS (
    -- Only bike counters can flag an outage, so only their rows go through the windows.
    -- A zero continues the run when the row before is a zero one wall-clock hour earlier (or
    -- the same wall time, as the repeated fall-back hour); a gap (missing row) ends the run.
    SELECT
        l.*,
        CASE
            WHEN
                l.count = 0
                AND lag(l.count) OVER run = 0
                AND (
                    lag(l.period_start_local) OVER run
                    = l.period_start_local - interval '1 hour'
                    OR (
                        lag(l.period_start_local) OVER run = l.period_start_local
                        AND l.dst_fold = 1
                    )
                )
                THEN 0
            ELSE 1
        END AS starts_run
    FROM long AS l
    WHERE l.from_bike_counters AND l.counter_kind = :bike_counter
    WINDOW run AS (
        PARTITION BY l.counter_kind, l.site_id, l.mode
        ORDER BY l.period_start_local, l.dst_fold
    )
),

runs AS (
    SELECT
        r.*,
        sum(r.starts_run) OVER (
            PARTITION BY r.counter_kind, r.site_id, r.mode
            ORDER BY r.period_start_local, r.dst_fold
            ROWS UNBOUNDED PRECEDING
        ) AS run_id
    FROM run_starts AS r
),

zero_runs AS (
    SELECT
        r.*,
        CASE WHEN r.count = 0 THEN count(*) OVER run ELSE 0 END AS run_hours,
        CASE
            WHEN r.count = 0
                THEN
                    count(*) FILTER (
                        WHERE extract(HOUR FROM r.period_start_local)
                        BETWEEN :daytime_from AND :daytime_to
                    ) OVER run
            ELSE 0
        END AS run_daytime_hours
    FROM runs AS r
    WINDOW run AS (PARTITION BY r.counter_kind, r.site_id, r.mode, r.run_id)
)

SELECT
    counter_kind,
    site_id,
    site_id_raw,
    mode,
    period_start_local,
    period_start_utc,
    local_date,
    dst_fold,
    time_flag,
    count,
    count_lft,
    count_rgt,
    quality,
    speed_kmh,
    speed_statistic,
    run_hours::int AS zero_run_hours,
    (
        count = 0
        AND (run_hours >= :outage_run_hours OR run_daytime_hours >= :outage_daytime_hours)
    ) AS suspected_outage,
    payload_sha256,
    source_row
FROM zero_runs
UNION ALL
SELECT
    counter_kind,
    site_id,
    site_id_raw,
    mode,
    period_start_local,
    period_start_utc,
    local_date,
    dst_fold,
    time_flag,
    count,
    count_lft,
    count_rgt,
    quality,
    speed_kmh,
    speed_statistic,
    0 AS zero_run_hours,
    FALSE AS suspected_outage,
    payload_sha256,
    source_row
FROM long
WHERE NOT (from_bike_counters AND counter_kind = :bike_counter)
