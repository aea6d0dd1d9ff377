-- The postgres container creates smartchange_dagster (POSTGRES_DB) for Dagster's own storage;
-- the warehouse gets its own database, as with `smartchange up`.
CREATE DATABASE smartchange;
