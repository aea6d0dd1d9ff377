"""Past one machine: what of deploy/ can be tested here.

* The code location serves over gRPC (``dagster api grpc``, the command of deploy/Dockerfile and
  the chart's user deployment), answers the health check both use as probe, and a webserver
  loads it through deploy/workspace.yaml's ``grpc_server`` entry (host and port pointed at
  loopback) with deploy/dagster.yaml as its instance, on PostgreSQL.
* deploy/dagster.yaml validates against Dagster's instance schema; the Helm values, the compose
  file and the Dockerfiles carry what the chart, compose and the image need, with the same
  run-queue and pool limits as the repo's dagster.yaml.

No Docker or Kubernetes here: images are not built, the chart is not rendered.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import tomllib

import dagster as dg
import pytest
import yaml

from smartchange_assets_tests.conftest import REPO

from .databases import create_database, database_url, drop_database
from .ui_server import (
    LOCATION,
    GraphQLClient,
    Processes,
    dagster_command,
    free_port,
    location_entry,
    location_loaded,
    server_info,
)

pytestmark = pytest.mark.slow

DEPLOY = REPO / "deploy"
MODULE = "smartchange_assets.definitions"


def _yaml(path):
    return yaml.safe_load(path.read_text())


def _container_home(tmp_path, database_urls) -> tuple[dict, str]:
    """A DAGSTER_HOME holding deploy/dagster.yaml, and the environment it reads."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    name = create_database(database_urls, "deploy_dagster")
    env = {"DAGSTER_HOME": str(home),
           "SMARTCHANGE_DAGSTER_PG_URL": database_url(database_urls, name,
                                                      "postgresql+psycopg2"),
           "SMARTCHANGE_DAGSTER_STORAGE": str(home / "storage"),
           "SMARTCHANGE_COMPUTE_LOGS": str(home / "logs")}
    return env, name


def test_code_location_over_grpc_loads_in_the_webserver_through_the_workspace(
        database_urls, tmp_path):
    import os

    grpc_port, web_port = free_port(), free_port()
    container_env, dagster_db = _container_home(tmp_path, database_urls)
    env = {**os.environ, **container_env}
    processes = Processes(tmp_path)
    try:
        processes.start("grpc", [dagster_command("dagster"), "api", "grpc", "--module-name",
                                 MODULE, "--host", "127.0.0.1", "--port", str(grpc_port),
                                 "--location-name", LOCATION], env)
        deadline = time.monotonic() + 180
        health = [dagster_command("dagster"), "api", "grpc-health-check", "--port",
                  str(grpc_port)]

        def healthy() -> bool:  # the probe of the chart and of compose
            return subprocess.run(health, env=env, capture_output=True, timeout=30).returncode \
                == 0

        processes.wait_until(healthy, deadline, "gRPC health check")

        # deploy/workspace.yaml as is, only its host and port pointed at this machine
        workspace = _yaml(DEPLOY / "workspace.yaml")
        [entry] = workspace["load_from"]
        entry["grpc_server"].update(host="127.0.0.1", port=grpc_port)
        local_workspace = tmp_path / "workspace.yaml"
        local_workspace.write_text(yaml.safe_dump(workspace))

        processes.start("webserver", [dagster_command("dagster-webserver"), "-h", "127.0.0.1",
                                      "-p", str(web_port), "-w", str(local_workspace)], env)
        url = f"http://127.0.0.1:{web_port}"
        graphql = GraphQLClient(url)
        processes.wait_until(lambda: server_info(url), deadline, "webserver /server_info")
        processes.wait_until(lambda: location_loaded(graphql), deadline, "location LOADED")

        loaded = location_entry(graphql)
        assert loaded["loadStatus"] == "LOADED"
        assert loaded["locationOrLoadError"]["repositories"] == [{"name": "__repository__"}]
        served = graphql.query(
            "query { workspaceOrError { ... on Workspace { locationEntries { name "
            "displayMetadata { key value } } } } }")["workspaceOrError"]["locationEntries"]
        metadata = {m["key"]: m["value"] for m in served[0]["displayMetadata"]}
        assert metadata["host"] == "127.0.0.1" and metadata["port"] == str(grpc_port)
        nodes = graphql.query("query { assetNodes { assetKey { path } } }")["assetNodes"]
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"jakarta/staging/ispu_daily", "marts/air_quality_monthly"} <= keys
        sensors = graphql.query(
            'query { sensorsOrError(repositorySelector: {repositoryName: "__repository__", '
            f'repositoryLocationName: "{LOCATION}"}}) {{ ... on Sensors {{ results {{ name '
            '} } } }')["sensorsOrError"]["results"]
        assert {"run_failure_alert", "check_failure_alert"} <= {s["name"] for s in sensors}
    finally:
        processes.stop()
        drop_database(database_urls, dagster_db)


def test_container_instance_config_is_valid_and_matches_the_repo(database_urls, tmp_path,
                                                                  monkeypatch):
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    config = _yaml(DEPLOY / "dagster.yaml")
    validated = validate_config(dagster_instance_config_schema(), config)
    assert validated.success, validated.errors
    assert config["concurrency"] == _yaml(REPO / "dagster.yaml")["concurrency"]

    env, name = _container_home(tmp_path, database_urls)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 3
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    finally:
        instance.dispose()
        drop_database(database_urls, name)


def _helm_limits(runs: dict) -> list[dict]:
    return [{"key": r["key"], "value": r.get("value"), "limit": r["limit"]}
            for r in runs["tagConcurrencyLimits"]]


def test_helm_values_have_what_the_chart_needs():
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    # Postgres outside the cluster, its password from a secret
    assert values["postgresql"]["enabled"] is False
    assert {"postgresqlHost", "postgresqlUsername", "postgresqlDatabase"} <= \
        set(values["postgresql"])
    assert "postgresqlPassword" not in values["postgresql"]
    assert values["global"]["postgresqlSecretName"]
    assert values["generatePostgresqlPasswordSecret"] is False
    # the code location: our image serving the module over gRPC
    users = values["dagster-user-deployments"]
    assert users["enabled"] is True
    [deployment] = users["deployments"]
    assert {"repository", "tag", "pullPolicy"} <= set(deployment["image"])
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("--module-name") + 1] == MODULE
    assert isinstance(deployment["port"], int)
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    # runs in Kubernetes jobs; the queue limited as in dagster.yaml
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert "k8sRunLauncher" in values["runLauncher"]["config"]
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] and coordinator["type"] == "QueuedRunCoordinator"
    assert not coordinator["config"]["queuedRunCoordinator"]  # limits live under concurrency
    repo = _yaml(REPO / "dagster.yaml")["concurrency"]
    concurrency = values["concurrency"]
    assert concurrency["enabled"] is True
    assert concurrency["runs"]["maxConcurrentRuns"] == repo["runs"]["max_concurrent_runs"]
    assert _helm_limits(concurrency["runs"]) == [
        {"key": r["key"], "value": r.get("value"), "limit": r["limit"]}
        for r in repo["runs"]["tag_concurrency_limits"]]
    assert concurrency["pools"] == {"defaultLimit": repo["pools"]["default_limit"],
                                    "granularity": repo["pools"]["granularity"]}


def test_compose_runs_webserver_daemon_user_code_and_postgres():
    compose = _yaml(DEPLOY / "docker-compose.yaml")
    services = compose["services"]
    assert set(services) == {"postgres", "user_code", "webserver", "daemon"}
    [grpc] = [e["grpc_server"] for e in _yaml(DEPLOY / "workspace.yaml")["load_from"]]
    assert grpc["host"] == "user_code" and grpc["location_name"] == LOCATION
    command = services["user_code"]["command"]
    assert command[:3] == ["dagster", "api", "grpc"]
    assert command[command.index("--port") + 1] == str(grpc["port"])
    assert command[command.index("--module-name") + 1] == MODULE
    assert command[command.index("--location-name") + 1] == LOCATION
    assert services["webserver"]["command"][0] == "dagster-webserver"
    assert services["daemon"]["command"][:2] == ["dagster-daemon", "run"]
    for name in ("webserver", "daemon"):
        mounts = {m.split(":")[1] for m in services[name]["volumes"]}
        assert {"/opt/dagster/dagster_home/dagster.yaml",
                "/opt/dagster/dagster_home/workspace.yaml"} <= mounts
        assert services[name]["environment"]["SMARTCHANGE_DAGSTER_PG_URL"].startswith(
            "postgresql+psycopg2://")
    user_env = services["user_code"]["environment"]
    assert user_env["SMARTCHANGE_WAREHOUSE_URL"].startswith("postgresql+psycopg://")
    assert {"SMARTCHANGE_ALERT_WEBHOOK", "SMARTCHANGE_UI_URL"} <= set(user_env)
    # every file compose builds from or mounts exists
    for service in services.values():
        if "build" in service:
            context = (DEPLOY / service["build"]["context"]).resolve()
            assert (context / service["build"]["dockerfile"]).is_file()
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), source
    assert "CREATE DATABASE smartchange;" in \
        (DEPLOY / "docker" / "initdb" / "10-warehouse.sql").read_text()


def _pins() -> dict[str, str]:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "dependencies"]
    return dict(re.match(r"([\w-]+)==([\d.]+)", d).groups() for d in dependencies if "==" in d)


def test_dockerfiles_install_the_pinned_versions_and_serve_grpc():
    pins = _pins()
    user_code = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", user_code, re.M)
    for line in re.findall(r"^COPY (.+) \S+$", user_code, re.M):
        for source in line.split():
            assert (REPO / source).exists(), source
    assert "pip install ." in user_code
    # dagster-k8s is versioned like dagster-postgres: 0.(x+16).y for dagster 1.x.y
    assert f'"dagster-k8s=={pins["dagster-postgres"]}"' in user_code
    assert '"api", "grpc"' in user_code and f'"{MODULE}"' in user_code
    dagster_image = (DEPLOY / "docker" / "Dockerfile.dagster").read_text()
    for package in ("dagster", "dagster-webserver", "dagster-postgres"):
        assert f'"{package}=={pins[package]}"' in dagster_image, package
