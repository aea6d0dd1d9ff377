"""Jobs and schedules: the nightly refresh at 02:00 Asia/Jakarta."""

import dagster as dg

REFRESH_JOB_NAME = "refresh_all"

refresh_all = dg.define_asset_job(
    REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Materialise every asset and run every check (what `smartchange refresh` runs).",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_all,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Jakarta",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refresh everything nightly at 02:00 Jakarta time.",
)
