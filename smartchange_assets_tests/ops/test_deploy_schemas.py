"""The deploy files against their schemas, offline: the compose file against the Compose
Specification (the schema check-jsonschema ships, ``vendor.compose-spec``), every Kubernetes
manifest under deploy/k8s/ against the Kubernetes API schemas kubernetes-validate ships (strict:
no unknown fields), the Kubernetes objects the Helm values hand to the official chart
(volumes, mounts, env, secrets, resources) against the same schemas, and both dagster.yaml
files against Dagster's instance schema.

The chart's own values schema is not checked here: it lives in the Dagster repository, not in
a package; ``helm lint`` / ``helm install`` check the values against it when deploying.
"""

from __future__ import annotations

import re
import subprocess
import sys

import dagster as dg
import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft202012Validator
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

from smartchange_assets_tests.conftest import REPO

DEPLOY = REPO / "deploy"
KUBERNETES = "1.33"  # the oldest Kubernetes the deployment is meant for
SECRETS = ("SMARTCHANGE_WAREHOUSE_URL", "SMARTCHANGE_DAGSTER_PG_URL", "POSTGRES_PASSWORD",
           "SMARTCHANGE_PSEUDONYM_KEY", "SMARTCHANGE_ALERT_WEBHOOK", "OPENAQ_API_KEY",
           "SMARTCHANGE_CKAN_API_KEY", "SMARTCHANGE_OPEN_READER_PASSWORD",
           "SMARTCHANGE_ANALYST_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
           "AWS_SESSION_TOKEN")


def _yaml(path):
    return yaml.safe_load(path.read_text())


def kubernetes_object(kind: str) -> Draft202012Validator:
    """A strict validator for one Kubernetes type (e.g. ``volume``) from kubernetes-validate's
    schemas."""
    folder = f"kubernetes-json-schema/v{KUBERNETES}.0-local-strict"
    schema = schema_contents(f"{folder}/{kind}-v1.json", KUBERNETES)
    definitions = schema_contents(f"{folder}/_definitions.json", KUBERNETES)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema)
                                                      @ Registry())
    return Draft202012Validator(schema, registry=registry)


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(DEPLOY / "docker-compose.yaml")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation done" in result.stdout


def test_compose_check_catches_a_broken_file(tmp_path):
    broken = _yaml(DEPLOY / "docker-compose.yaml")
    broken["services"]["daemon"]["restart"] = {"always": True}
    path = tmp_path / "docker-compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "restart" in result.stdout


MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_kubernetes_manifests_are_valid(path):
    resources = [r for r in yaml.safe_load_all(path.read_text()) if r]
    assert resources
    for resource in resources:
        assert kubernetes_validate.validate(resource, KUBERNETES, strict=True)


def test_a_broken_manifest_is_caught():
    [claim, *_] = yaml.safe_load_all((DEPLOY / "k8s" / "storage.yaml").read_text())
    claim["spec"]["accessMode"] = claim["spec"].pop("accessModes")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(claim, KUBERNETES, strict=True)


def _errors(kind: str, value) -> list[str]:
    return [e.message for e in kubernetes_object(kind).iter_errors(value)]


def test_helm_values_hand_the_chart_valid_kubernetes_objects():
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    for volume in deployment["volumes"]:
        assert not _errors("volume", volume), volume
    for mount in deployment["volumeMounts"]:
        assert not _errors("volumemount", mount), mount
    for entry in [*deployment["env"], *values["dagsterWebserver"]["env"],
                  *values["dagsterDaemon"]["env"]]:
        assert not _errors("envvar", entry), entry
    for secret in deployment["envSecrets"]:
        assert not _errors("secretenvsource", secret), secret
    for resources in (deployment["resources"],
                      values["runLauncher"]["config"]["k8sRunLauncher"]["resources"]):
        assert not _errors("resourcerequirements", resources), resources
    assert _errors("volumemount", {"name": "archive", "mountpath": "/x"})  # the check bites


def test_helm_values_mount_the_claims_we_ship_and_run_pods_get_them():
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    claims = {r["metadata"]["name"] for r in
              yaml.safe_load_all((DEPLOY / "k8s" / "storage.yaml").read_text())}
    used = {v["persistentVolumeClaim"]["claimName"] for v in deployment["volumes"]}
    assert used == claims == {"smartchange-archive", "smartchange-published"}
    mounts = {m["name"]: m["mountPath"] for m in deployment["volumeMounts"]}
    env = {e["name"]: e.get("value") for e in deployment["env"]}
    assert mounts["archive"] == f"{env['SMARTCHANGE_HOME']}/archive"
    assert mounts["published"] == env["SMARTCHANGE_PUBLISH_DIR"]
    # one place for env, secrets and volumes: the run pods inherit them (no duplicates)
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert not {"volumes", "volumeMounts", "envSecrets"} & set(launcher)
    assert deployment["envSecrets"] == [{"name": "smartchange-secrets"}]


def test_no_secret_is_written_into_a_deploy_file():
    compose = _yaml(DEPLOY / "docker-compose.yaml")
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if isinstance(value, str) and "://" in value and "@" in value:
                # a database URL: its password by reference
                assert re.search(r":\$\{POSTGRES_PASSWORD:\?[^}]*\}@", value), (name, key)
            elif key in SECRETS or "PASSWORD" in key:
                # a reference to the environment, or the name alone (passed through when set)
                assert value is None or re.fullmatch(r"\$\{[A-Z_]+(:[?-][^}]*)?\}", value), \
                    (name, key, value)
    values_text = (DEPLOY / "helm" / "values.yaml").read_text()
    values = _yaml(DEPLOY / "helm" / "values.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert not {e["name"] for e in deployment["env"]} & set(SECRETS)
    assert "postgresqlPassword" not in values_text
    for dockerfile in (DEPLOY / "Dockerfile", DEPLOY / "docker" / "Dockerfile.dagster"):
        text = dockerfile.read_text()
        assert not [s for s in SECRETS if re.search(rf"\b{s}=", text)], dockerfile
    # the pseudonym key is required where it matters: compose refuses to start without it
    user_env = compose["services"]["user_code"]["environment"]
    assert user_env["SMARTCHANGE_PSEUDONYM_KEY"].startswith("${SMARTCHANGE_PSEUDONYM_KEY:?")


def test_a_deployed_container_never_makes_up_its_pseudonym_key(monkeypatch, tmp_path):
    from smartchange_assets.tiers import pseudonym

    assert "SMARTCHANGE_REQUIRE_SECRETS=1" in (DEPLOY / "Dockerfile").read_text()
    monkeypatch.setenv("SMARTCHANGE_HOME", str(tmp_path))
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.setenv(pseudonym.REQUIRE_ENV, "1")
    with pytest.raises(RuntimeError, match="SMARTCHANGE_PSEUDONYM_KEY is not set"):
        pseudonym.pseudonym_key()
    assert not pseudonym.key_file().exists()
    monkeypatch.setenv(pseudonym.KEY_ENV, "the-deployment-secret")
    assert pseudonym.pseudonym_key() == (b"the-deployment-secret", "env")


@pytest.mark.parametrize("path", [REPO / "dagster.yaml", DEPLOY / "dagster.yaml"],
                         ids=["dagster.yaml", "deploy/dagster.yaml"])
def test_instance_config_sets_retries_monitoring_retention_and_no_nux(path, tmp_path,
                                                                      monkeypatch):
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    config = _yaml(path)
    validated = validate_config(dagster_instance_config_schema(), config)
    assert validated.success, validated.errors
    home = tmp_path / "home"
    home.mkdir()
    # the storage as in tests (no database needed to read the settings)
    settings = {k: v for k, v in config.items() if k not in ("storage", "local_artifact_storage",
                                                             "compute_logs")}
    (home / "dagster.yaml").write_text(yaml.safe_dump(settings))
    with dg.instance_for_test(temp_dir=str(home), overrides=settings) as instance:
        assert instance.nux_enabled is False
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert instance.run_monitoring_max_runtime_seconds == 43200
        assert instance.telemetry_enabled is False
    retention = config["retention"]["sensor"]["purge_after_days"]
    assert retention["skipped"] == 7 and retention["success"] == 90
