-- core.dim_date: the calendar from the first day (core/dim_date.py) to the end of next year,
-- without gaps.
WITH days AS (
    SELECT g::date AS d
    FROM
        generate_series(
            cast(:first_day AS date),
            make_date(extract(YEAR FROM current_date)::int + 1, 12, 31),
            interval '1 day'
        ) AS g
)

SELECT
    d AS date,
    extract(YEAR FROM d)::int AS year,
    extract(QUARTER FROM d)::int AS quarter,
    extract(MONTH FROM d)::int AS month,
    trim(to_char(d, 'FMMonth')) AS month_name,
    extract(DAY FROM d)::int AS day,
    extract(DOY FROM d)::int AS day_of_year,
    extract(ISOYEAR FROM d)::int AS iso_year,
    extract(WEEK FROM d)::int AS iso_week,
    extract(ISODOW FROM d)::int AS iso_weekday,
    trim(to_char(d, 'FMDay')) AS weekday_name,
    extract(ISODOW FROM d) >= 6 AS is_weekend,
    date_trunc('month', d)::date AS month_start,
    date_trunc('year', d)::date AS year_start,
    extract(DAY FROM date_trunc('month', d) + interval '1 month - 1 day')::int AS days_in_month,
    (date_trunc('year', d) + interval '1 year')::date - date_trunc('year', d)::date
        AS days_in_year
FROM days
