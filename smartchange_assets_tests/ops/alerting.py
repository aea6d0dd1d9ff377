"""Ticking the alert sensors the way the daemon does, for tests on a real Dagster instance."""

from __future__ import annotations

import dagster as dg

from smartchange_assets.ops.sensors import ALERT_SENSORS


class Daemon:
    """Ticks the alert sensors like the daemon: each tick gets the previous tick's cursor."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self.cursors: dict[str, str | None] = {s.name: None for s in ALERT_SENSORS}
        self.skip_reasons: dict[str, str | None] = {}

    def tick(self) -> None:
        for sensor in ALERT_SENSORS:
            context = dg.build_sensor_context(instance=self.instance,
                                              cursor=self.cursors[sensor.name])
            data = sensor.evaluate_tick(context)
            errors = [r.error for r in data.dagster_run_reactions or [] if r.error]
            assert not errors, errors
            self.cursors[sensor.name] = data.cursor
            self.skip_reasons[sensor.name] = data.skip_message
