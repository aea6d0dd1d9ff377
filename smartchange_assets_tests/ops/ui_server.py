"""The Dagster webserver and daemon as the UI user runs them, driven through GraphQL.

Started exactly like ``smartchange ui`` does it (``DAGSTER_HOME`` = the repo, its dagster.yaml
and workspace.yaml, the variables ``cli.prepare_environment()`` exports), but on a free port
on 127.0.0.1 and with the Dagster storage and the warehouse in databases of their own on the
test session's PostgreSQL, so the daemon's sensors and schedules see only these tests' runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from smartchange_assets.platform.warehouse import Warehouse
from smartchange_assets_tests.conftest import REPO

from .databases import create_database, database_url, drop_database

LOCATION = "smartchange"
REPOSITORY = "__repository__"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
ALERT_SENSORS = ("run_failure_alert", "check_failure_alert")
# the test shortens the alert sensors' interval (30 s in production) through the environment
ALERT_INTERVAL_S = 2
# The launchpad's run config for these runs: none. The code location's executor runs every
# step in the run's own process (definitions.py), as the UI's own Materialize does.
IN_PROCESS: dict = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dagster_command(name: str) -> str:
    """``dagster-webserver`` / ``dagster-daemon`` / ``dagster`` of the interpreter running the
    tests (the venv's bin folder), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found next to {sys.executable} nor on PATH")
    return found


class GraphQLClient:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def query(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        response = self.session.post(f"{self.base_url}/graphql",
                                     json={"query": query, "variables": variables or {}},
                                     timeout=timeout)
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]


LOCATION_STATUS = """
query { workspaceOrError { __typename ... on Workspace { locationEntries {
  name loadStatus
  locationOrLoadError { __typename ... on RepositoryLocation { name repositories { name } }
                        ... on PythonError { message stack } } } } } }
"""

DAEMON_HEALTH = """
query { instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } } }
"""

SENSOR_STATE = """
query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
  __typename ... on Sensor { name sensorState { status
    ticks(limit: 5) { status timestamp skipReason error { message } } } }
  ... on PythonError { message } } }
"""

ASSET_JOBS = """
query($keys: [AssetKeyInput!]) { assetNodes(assetKeys: $keys) {
  assetKey { path } jobNames isPartitioned partitionKeys } }
"""

LAUNCH_RUN = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename
  ... on LaunchRunSuccess { run { runId status } }
  ... on PythonError { message stack }
  ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on PipelineNotFoundError { message }
  ... on UnauthorizedError { message }
  ... on ConflictingExecutionParamsError { message }
  ... on NoModeProvidedError { message }
  ... on PresetNotFoundError { message }
  ... on InvalidOutputError { stepKey }
  ... on InvalidStepError { invalidStepKey }
  ... on RunConflict { message } } }
"""

RUN_STATUS = """
query($runId: ID!) { runOrError(runId: $runId) { __typename
  ... on Run { runId status jobName startTime endTime tags { key value }
               assetMaterializations { assetKey { path } partition
                 metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }
"""

ASSET_STATE = """
query($keys: [AssetKeyInput!]) { assetNodes(assetKeys: $keys) {
  assetKey { path } isPartitioned partitionKeys
  assetMaterializations(limit: 50) { runId timestamp partition
    metadataEntries { label ... on IntMetadataEntry { intValue } } }
  assetChecksOrError { __typename ... on AssetChecks { checks { name blocking
    executionForLatestMaterialization { runId status
      evaluation { success description } } } } } } }
"""

CHECK_EXECUTIONS = """
query($key: AssetKeyInput!, $check: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $check, limit: 2000) {
    runId status partition evaluation { success description
      metadataEntries { label ... on TextMetadataEntry { text }
                        ... on MarkdownMetadataEntry { mdStr } } } } }
"""

RUN_FAILURES = """
query($runId: ID!, $cursor: String) { runOrError(runId: $runId) { ... on Run {
  eventConnection(afterCursor: $cursor, limit: 5000) { cursor hasMore
    events { __typename
      ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } }
      ... on RunFailureEvent { message } } } } } }
"""

LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename
  ... on LaunchBackfillSuccess { backfillId }
  ... on PythonError { message stack }
  ... on PartitionKeysNotFoundError { message }
  ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on UnauthorizedError { message } } }
"""

BACKFILL = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { status numPartitions error { message }
    runs { runId status tags { key value } } }
  ... on PythonError { message } } }
"""

IN_FLIGHT = """
query { runsOrError(filter: {statuses: [QUEUED, NOT_STARTED, STARTING, STARTED, CANCELING]}) {
    ... on Runs { results { runId assetSelection { path } } } }
  partitionBackfillsOrError(status: REQUESTED) {
    ... on PartitionBackfills { results { id assetSelection { path } } } } }
"""

RUNS_AFTER = """
query($filter: RunsFilter) { runsOrError(filter: $filter) { __typename
  ... on Runs { results { runId status jobName tags { key value }
                          assetSelection { path } } } } }
"""


def server_info(base_url: str) -> bool:
    return requests.get(f"{base_url}/server_info", timeout=5).status_code == 200


def location_entry(graphql: GraphQLClient, name: str = LOCATION) -> dict:
    data = graphql.query(LOCATION_STATUS)["workspaceOrError"]
    return next(e for e in data["locationEntries"] if e["name"] == name)


def location_loaded(graphql: GraphQLClient, name: str = LOCATION) -> bool:
    entry = location_entry(graphql, name)
    loaded = entry["locationOrLoadError"]
    if loaded and loaded["__typename"] == "PythonError":
        raise RuntimeError(f"code location failed to load: {loaded}")
    return entry["loadStatus"] == "LOADED" and loaded["__typename"] == "RepositoryLocation"


class Processes:
    """Child processes in their own process groups, logs in ``workdir``; stopped together."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - lives with the process
        self.running[name] = subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        out = []
        for name in self.running:
            text = (self.workdir / f"{name}.log").read_text(errors="replace").splitlines()
            out.append(f"--- {name} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    def wait_until(self, ready, deadline: float, what: str, interval: float = 1.0) -> None:
        while time.monotonic() < deadline:
            for name, process in self.running.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode} while waiting "
                                       f"for {what}\n{self.log_tail()}")
            try:
                if ready():
                    return
            except (requests.RequestException, AssertionError):
                pass
            time.sleep(interval)
        raise TimeoutError(f"timed out waiting for {what}\n{self.log_tail()}")


def touches(run_or_backfill: dict, assets: set[str]) -> bool:
    selection = run_or_backfill.get("assetSelection") or []
    return any("/".join(k["path"]) in assets for k in selection)


def asset_input(key: str) -> dict:
    return {"path": key.split("/")}


class DagsterUIServer:
    def __init__(self, database_urls, webhook, workdir: Path):
        self.database_urls = database_urls
        self.webhook = webhook
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.graphql = GraphQLClient(self.url)
        self.processes = Processes(workdir)
        self.databases: list[str] = []
        self.warehouse: Warehouse | None = None

    # -- life cycle -------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        dagster_db = create_database(self.database_urls, "ui_dagster")
        warehouse_db = create_database(self.database_urls, "ui_warehouse")
        self.databases += [dagster_db, warehouse_db]
        warehouse_url = database_url(self.database_urls, warehouse_db, "postgresql+psycopg")
        self.warehouse = Warehouse(warehouse_url)
        self.warehouse.ensure_platform_tables()
        env = dict(os.environ)
        env.update({
            # what cli.prepare_environment() exports, pointing at this fixture's databases
            "DAGSTER_HOME": str(REPO),
            "SMARTCHANGE_DAGSTER_PG_URL": database_url(self.database_urls, dagster_db,
                                                       "postgresql+psycopg2"),
            "SMARTCHANGE_WAREHOUSE_URL": warehouse_url,
            "SMARTCHANGE_DAGSTER_STORAGE": str(self.workdir / "storage"),
            "SMARTCHANGE_COMPUTE_LOGS": str(self.workdir / "logs"),
            "SMARTCHANGE_MODE": "replay",
            "SMARTCHANGE_ALERT_WEBHOOK": self.webhook.url,
            "SMARTCHANGE_UI_URL": self.url,
            "SMARTCHANGE_ALERT_INTERVAL_S": str(ALERT_INTERVAL_S),
        })
        return env

    def start(self, timeout: float = 300) -> None:
        env = self.environment()
        workspace = str(REPO / "workspace.yaml")
        self.processes.start("webserver", [dagster_command("dagster-webserver"), "-h",
                                           "127.0.0.1", "-p", str(self.port), "-w", workspace],
                             env)
        self.processes.start("daemon", [dagster_command("dagster-daemon"), "run", "-w",
                                        workspace], env)
        deadline = time.monotonic() + timeout
        wait = self.processes.wait_until
        wait(lambda: server_info(self.url), deadline, "webserver /server_info")
        wait(self.location_loaded, deadline, f"code location {LOCATION} LOADED")
        wait(self.daemons_healthy, deadline, "daemons healthy")
        # an alert sensor's first tick only sets its cursor: wait for it before any run
        wait(self.alert_sensors_ticked, deadline, "first ticks of the alert sensors")

    def stop(self) -> None:
        self.processes.stop()
        if self.warehouse is not None:
            self.warehouse.dispose()
        for name in self.databases:
            drop_database(self.database_urls, name)

    def log_tail(self, lines: int = 60) -> str:
        return self.processes.log_tail(lines)

    # -- state ------------------------------------------------------------------------------

    def location_entry(self) -> dict:
        return location_entry(self.graphql)

    def location_loaded(self) -> bool:
        return location_loaded(self.graphql)

    def daemons_healthy(self) -> bool:
        statuses = self.graphql.query(DAEMON_HEALTH)["instance"]["daemonHealth"]
        required = [d for d in statuses["allDaemonStatuses"] if d["required"]]
        return bool(required) and all(d["healthy"] for d in required)

    def sensor(self, name: str) -> dict:
        selector = {"repositoryName": REPOSITORY, "repositoryLocationName": LOCATION,
                    "sensorName": name}
        return self.graphql.query(SENSOR_STATE, {"selector": selector})["sensorOrError"]

    def alert_sensors_ticked(self) -> bool:
        return all(self.sensor(name)["sensorState"]["ticks"] for name in ALERT_SENSORS)

    def ticks_after(self, name: str, timestamp: float) -> int:
        """Finished evaluations of sensor ``name`` that started after ``timestamp``."""
        sensor = self.sensor(name)
        if sensor["__typename"] != "Sensor":
            return -1  # no such sensor in this code location
        return sum(1 for t in sensor["sensorState"]["ticks"]
                   if t["timestamp"] > timestamp and t["status"] != "STARTED")

    def wait_for_ticks(self, names: list[str], after: float, count: int = 2,
                       timeout: float = 180) -> None:
        """Until every sensor in ``names`` that exists evaluated ``count`` times since
        ``after``: whatever it was going to do about what happened before, it has done."""
        deadline = time.monotonic() + timeout
        def done() -> bool:
            return all(t == -1 or t >= count for t in (self.ticks_after(n, after)
                                                       for n in names))

        self.processes.wait_until(done, deadline, f"{count} ticks of {names}")

    # -- runs -------------------------------------------------------------------------------

    def asset_nodes(self, assets: list[str]) -> list[dict]:
        return self.graphql.query(ASSET_JOBS, {"keys": [asset_input(a) for a in assets]})[
            "assetNodes"]

    def launch(self, assets: list[str], tags: dict[str, str] | None = None) -> str:
        """Materialise ``assets`` with their checks, as the UI's *Materialize* does: in the
        implicit asset job, and over all partitions in one run when they are partitioned (what
        a single-run backfill policy launches), with :data:`IN_PROCESS` as run config."""
        nodes = self.asset_nodes(assets)
        assert len(nodes) == len(assets), f"unknown assets among {assets}"
        jobs = set.intersection(*(set(n["jobNames"]) for n in nodes))
        implicit = sorted(j for j in jobs if j.startswith("__ASSET_JOB"))
        assert implicit, f"no asset job holds all of {assets}: {jobs}"
        tags = dict(tags or {})
        partitioned = [n for n in nodes if n["isPartitioned"]]
        if partitioned:
            keys = {tuple(n["partitionKeys"]) for n in partitioned}
            assert len(keys) == 1, "one run takes one partitions definition"
            [every] = keys
            tags.update({"dagster/asset_partition_range_start": every[0],
                         "dagster/asset_partition_range_end": every[-1]})
        selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY,
                    "jobName": implicit[0], "assetSelection": [asset_input(a) for a in assets]}
        params = {"selector": selector, "mode": "default", "runConfigData": IN_PROCESS,
                  "executionMetadata": {"tags": [{"key": k, "value": v}
                                                 for k, v in tags.items()]}}
        result = self.graphql.query(LAUNCH_RUN, {"params": params})["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def busy(self, assets: set[str]) -> bool:
        """A run queued or going, or a backfill (automation launches some) not done, that
        materialises one of ``assets``."""
        data = self.graphql.query(IN_FLIGHT)
        return any(touches(r, assets) for r in data["runsOrError"]["results"]
                   + data["partitionBackfillsOrError"]["results"])

    def wait_quiet(self, assets: set[str], watchers: list[str], timeout: float = 900) -> None:
        """Until nothing runs on ``assets`` and every sensor in ``watchers`` evaluated twice
        since without starting anything on them: what earlier runs set off on these assets
        (sensors reacting to landed payloads, automation) is over. Runs of other assets (the
        platform's automation keeps the rest of the code location up to date) go on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.processes.wait_until(lambda: not self.busy(assets), deadline,
                                      f"no runs in flight on {sorted(assets)}")
            since = time.time()
            self.wait_for_ticks(watchers, after=since, count=2,
                                timeout=max(1.0, deadline - time.monotonic()))
            if not self.busy(assets) and not [r for r in self.runs_created_after(since)
                                              if touches(r, assets)]:
                return
        raise TimeoutError(f"never quiet on {sorted(assets)}\n{self.log_tail()}")

    def backfill(self, assets: list[str], partitions: list[str], title: str) -> str:
        """A backfill of ``partitions`` of ``assets``, as launched from the UI's partitions
        dialog (the backfill daemon then submits its runs)."""
        params = {"assetSelection": [asset_input(a) for a in assets],
                  "partitionNames": partitions, "title": title, "runConfigData": IN_PROCESS}
        result = self.graphql.query(LAUNCH_BACKFILL, {"params": params})[
            "launchPartitionBackfill"]
        assert result["__typename"] == "LaunchBackfillSuccess", result
        return result["backfillId"]

    def wait_backfill(self, backfill_id: str, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            backfill = self.graphql.query(BACKFILL, {"id": backfill_id})[
                "partitionBackfillOrError"]
            if backfill["status"] not in ("REQUESTED", "CANCELING", "FAILING"):
                return backfill
            time.sleep(2.0)
        raise TimeoutError(f"backfill {backfill_id} still {backfill['status']}\n"
                           f"{self.log_tail()}")

    def run(self, run_id: str) -> dict:
        return self.graphql.query(RUN_STATUS, {"runId": run_id})["runOrError"]

    def wait_run(self, run_id: str, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in FINISHED:
                return run
            time.sleep(1.0)
        raise TimeoutError(f"run {run_id} still {run['status']}\n{self.log_tail()}")

    def failures(self, run_id: str) -> list[str]:
        """The step and run failure messages of a run (to explain a failed assertion)."""
        out, cursor = [], None
        while True:
            connection = self.graphql.query(RUN_FAILURES, {"runId": run_id, "cursor": cursor})[
                "runOrError"]["eventConnection"]
            for e in connection["events"]:
                if e["__typename"] == "ExecutionStepFailureEvent":
                    error = e["error"] or {}
                    cause = (error.get("cause") or {}).get("message", "")
                    out.append(f"{e['stepKey']}: {error.get('message', '')} {cause}".strip())
                elif e["__typename"] == "RunFailureEvent":
                    out.append(f"run: {e['message']}")
            if not connection["hasMore"]:
                return out
            cursor = connection["cursor"]

    def assets(self, keys: list[str]) -> dict[str, dict]:
        nodes = self.graphql.query(ASSET_STATE, {"keys": [asset_input(k) for k in keys]})
        return {"/".join(n["assetKey"]["path"]): n for n in nodes["assetNodes"]}

    def check_executions(self, asset: str, check: str, run_id: str | None = None) -> list[dict]:
        """Newest first; a partitioned check has one execution per partition of a run."""
        executions = self.graphql.query(CHECK_EXECUTIONS, {"key": asset_input(asset),
                                                           "check": check})[
            "assetCheckExecutions"]
        return [e for e in executions if run_id is None or e["runId"] == run_id]


    def runs_created_after(self, timestamp: float) -> list[dict]:
        data = self.graphql.query(RUNS_AFTER, {"filter": {"createdAfter": timestamp}})
        return data["runsOrError"]["results"]
