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

all_sources AS (  -- the three count sources stage the same columns
    SELECT {wide_columns} FROM {bike_counters_staging}
    UNION ALL
    SELECT {wide_columns} FROM {telraam_staging}
    UNION ALL
    SELECT {wide_columns} FROM {traffic_detectors_staging}
),

wide AS (  -- one row per site and hour: the newest payload, then the shorter period
    SELECT DISTINCT ON (w.counter_kind, w.site_id, w.period_start_local, w.dst_fold) w.*
    FROM all_sources AS w
    INNER JOIN manifest AS m ON w.payload_sha256 = m.sha256
    ORDER BY
        w.counter_kind ASC,
        w.site_id ASC,
        w.period_start_local ASC,
        w.dst_fold ASC,
        m.fetched_at DESC,
        m.days ASC NULLS LAST,
        w.payload_sha256 ASC
),

long AS (
    SELECT
        w.counter_kind,
        w.site_id,
        w.site_id_raw,
        v.mode,
        w.period_start_local,
        w.period_start_utc,
        w.local_date,
        w.dst_fold,
        w.time_flag,
        v.count,
        v.count_lft,
        v.count_rgt,
        w.quality,
        v.speed_kmh,
        v.speed_statistic,
        w.payload_sha256,
        w.source_row
    FROM wide AS w
    CROSS JOIN
        LATERAL (
            VALUES
            (
                'bike', w.count_bike, w.count_bike_lft::bigint, w.count_bike_rgt::bigint,
                NULL::double precision, NULL::text
            ),
            (
                'pedestrian', w.count_pedestrian, w.count_pedestrian_lft::bigint,
                w.count_pedestrian_rgt::bigint, NULL::double precision, NULL::text
            ),
            (
                'car', w.count_car, w.count_car_lft::bigint, w.count_car_rgt::bigint,
                coalesce(w.speed_car_kmh, w.car_v85_kmh)::double precision,
                (CASE
                    WHEN w.speed_car_kmh IS NOT NULL THEN 'mean'
                    WHEN w.car_v85_kmh IS NOT NULL THEN 'v85'
                END)::text
            ),
            (
                'heavy', w.count_heavy, w.count_heavy_lft::bigint, w.count_heavy_rgt::bigint,
                NULL::double precision, NULL::text
            ),
            (
                'motor_vehicle', w.count_motor_vehicle, NULL::bigint, NULL::bigint,
                w.speed_motor_vehicle_kmh::double precision,
                (CASE WHEN w.speed_motor_vehicle_kmh IS NOT NULL THEN 'mean' END)::text
            ),
            (
                'truck', w.count_truck, NULL::bigint, NULL::bigint,
                w.speed_truck_kmh::double precision,
                (CASE WHEN w.speed_truck_kmh IS NOT NULL THEN 'mean' END)::text
            )
        ) AS v (mode, count, count_lft, count_rgt, speed_kmh, speed_statistic)
    WHERE v.count IS NOT NULL
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
    WHERE l.counter_kind = :bike_counter
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
WHERE counter_kind <> :bike_counter
