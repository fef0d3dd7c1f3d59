"""deploy/k8s checked offline: each overlay rendered by kustomize (`kubectl kustomize`), every
object validated against Kubernetes 1.34's schemas (kubernetes-validate, strict: an unknown
field fails) and KEDA's objects against the CRDs of KEDA v2.20.2 (deploy/k8s/crds), then what
the deployment promises: secrets only from Secrets, non-root and read-only, probes that do not
restart a relay because Redis is down, exactly one cron, workers scaled on the real queues."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tomllib
from copy import deepcopy
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from relay.config import EVENTS_QUEUE
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.stores import read_stores_file

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.34.0"
KEDA_CRDS = K8S / "crds" / "keda-v2.20.2"
OVERLAYS = ["base", "overlays/production", "overlays/several-stores"]
SECRET_VARIABLES = {
    "REDIS_URL",
    "REDIS_PASSWORD",
    "REDIS_SENTINEL_PASSWORD",
    "WOO_WEBHOOK_SECRET",
    "WOO_WEBHOOK_PREVIOUS_SECRET",
    "APP_SECRET",
    "ODOO_API_KEY",
    "ODOO_READ_API_KEY",
    "WOO_CONSUMER_KEY",
    "WOO_CONSUMER_SECRET",
    "RQ_DASHBOARD_USERNAME",
    "RQ_DASHBOARD_PASSWORD",
}


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl here to render deploy/k8s with kustomize (kubectl kustomize)")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(K8S / overlay)], capture_output=True, text=True, check=True
    )
    return [document for document in yaml.safe_load_all(rendered.stdout) if document]


def crd_schema(kind: str) -> dict[str, Any]:
    crd = yaml.safe_load((KEDA_CRDS / f"keda.sh_{kind.lower()}s.yaml").read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    return closed(version["schema"]["openAPIV3Schema"])


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with unknown fields refused, as kubectl's strict field validation does (the
    API server would prune them silently): a misspelt field fails here."""
    schema = deepcopy(schema)
    if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        schema.setdefault("additionalProperties", False)
        for name, child in schema["properties"].items():
            schema["properties"][name] = closed(child)
    if isinstance(schema.get("items"), dict):
        schema["items"] = closed(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = closed(schema["additionalProperties"])
    return schema


def pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        o["metadata"]["name"]: o["spec"]["template"]["spec"]
        for o in objects
        if o["kind"] in ("Deployment", "StatefulSet")
    }


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_kubernetes_and_keda(overlay: str) -> None:
    objects = render(overlay)
    keda = {"ScaledObject", "TriggerAuthentication"}
    assert keda <= {o["kind"] for o in objects}
    for obj in objects:
        if obj["kind"] in keda:
            jsonschema.validate(obj, crd_schema(obj["kind"]))
        else:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_checks_refuse_a_misspelt_field() -> None:
    objects = render("base")
    relay = deepcopy(by_kind(objects, "StatefulSet")["relay"])
    relay["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(relay, KUBERNETES_VERSION, strict=True)
    scaled = deepcopy(by_kind(objects, "ScaledObject")["worker"])
    scaled["spec"]["minReplicas"] = 1  # KEDA calls it minReplicaCount
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, crd_schema("ScaledObject"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_secrets_and_pods_run_unprivileged(overlay: str) -> None:
    objects = render(overlay)
    config = by_kind(objects, "ConfigMap")["elitaco-config"]["data"]
    assert not SECRET_VARIABLES & set(config), "no secret in the ConfigMap"
    for name, pod in pod_specs(objects).items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001, name  # Dockerfile's USER
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert {"requests", "limits"} <= set(container["resources"]), name
            for variable in container.get("env", []):
                if variable["name"] in SECRET_VARIABLES:
                    assert "secretKeyRef" in variable["valueFrom"], (name, variable["name"])
    assert "USER 10001" in (ROOT / "Dockerfile").read_text()


def test_each_process_gets_only_its_own_secrets() -> None:
    secrets = {
        name: {
            v["name"]
            for v in pod["containers"][0].get("env", [])
            if "secretKeyRef" in v.get("valueFrom", {})
        }
        for name, pod in pod_specs(render("base")).items()
    }
    redis = {"REDIS_URL", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD"}
    assert secrets["relay"] == redis | {
        "WOO_WEBHOOK_SECRET",
        "WOO_WEBHOOK_PREVIOUS_SECRET",
        "APP_SECRET",
        "ODOO_READ_API_KEY",
    }
    assert secrets["worker"] == redis | {
        "ODOO_API_KEY",
        "WOO_CONSUMER_KEY",
        "WOO_CONSUMER_SECRET",
    }
    assert secrets["cron"] == redis
    assert secrets["dashboard"] == redis | {"RQ_DASHBOARD_USERNAME", "RQ_DASHBOARD_PASSWORD"}


def test_the_relay_keeps_its_spool_and_is_not_restarted_for_redis() -> None:
    objects = render("overlays/production")
    relay = by_kind(objects, "StatefulSet")["relay"]
    container = relay["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    config = by_kind(objects, "ConfigMap")["elitaco-config"]["data"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["spool"] == config["RELAY_SPOOL_DIR"]
    (claim,) = relay["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "spool"
    assert relay["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"] == "Retain"
    hpa = by_kind(objects, "HorizontalPodAutoscaler")["relay"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "name": "relay",
    }
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert by_kind(objects, "PodDisruptionBudget")["relay"]["spec"]["minAvailable"] == 1
    paths = {
        p["path"]
        for rule in by_kind(objects, "Ingress")["relay"]["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert paths == {"/webhook/woo", "/api"}, "/health and /metrics stay inside the cluster"


def test_workers_scale_on_the_queues_and_shut_down_warm() -> None:
    objects = render("overlays/production")
    scaled = by_kind(objects, "ScaledObject")["worker"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "worker"
    lists = {t["metadata"]["listName"] for t in scaled["spec"]["triggers"]}
    assert lists == {f"rq:queue:{EVENTS_QUEUE}", f"rq:queue:{MAINTENANCE_QUEUE}"}
    assert scaled["spec"]["minReplicaCount"] >= 1, "the cron's jobs need a worker"
    worker = pod_specs(objects)["worker"]
    read_timeout = int(by_kind(objects, "ConfigMap")["elitaco-config"]["data"]["ODOO_READ_TIMEOUT"])
    assert worker["terminationGracePeriodSeconds"] > read_timeout, "an event's job ends first"
    assert worker["containers"][0]["command"] == ["python", "-m", "relay", "worker"]


def test_exactly_one_cron() -> None:
    cron = by_kind(render("overlays/production"), "Deployment")["cron"]
    assert cron["spec"]["replicas"] == 1
    assert cron["spec"]["strategy"]["type"] == "Recreate"


def mounted(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The pod's first container's volumes by mount path (a StatefulSet's claims as {})."""
    volumes = {v["name"]: v for v in pod["volumes"]}
    return {
        m["mountPath"]: volumes.get(m["name"], {}) for m in pod["containers"][0]["volumeMounts"]
    }


def test_several_stores_each_process_reads_the_file_and_only_its_own_secrets(tmp_path) -> None:
    objects = render("overlays/several-stores")
    config = by_kind(objects, "ConfigMap")["elitaco-config"]["data"]
    assert "WOO_STORE_URL" not in config, "the stores file and WOO_STORE_URL are refused together"
    (stores_map,) = [o for o in objects if o["metadata"]["name"].startswith("elitaco-stores-")]
    stores_file = Path(config["STORES_FILE"])
    assert stores_map["kind"] == "Secret", "the stores file may hold a secret inline"
    text = base64.b64decode(stores_map["data"][stores_file.name]).decode()
    (tmp_path / "stores.toml").write_text(text)
    assert read_stores_file(tmp_path / "stores.toml", {}).names == ("de", "fr")
    files = {
        (store, setting.removesuffix("_file")): Path(path)
        for store, table in tomllib.loads(text)["stores"].items()
        for setting, path in table.items()
        if setting.endswith("_file")
    }
    assert len(files) == 8, "both stores give all four secrets as files"
    reads = {
        "relay": ("elitaco-store-webhooks", {"webhook_secret", "previous_webhook_secret"}),
        "worker": ("elitaco-store-keys", {"consumer_key", "consumer_secret"}),
        "cron": (None, set()),
    }
    pods = pod_specs(objects)
    for name, (secret, settings) in reads.items():
        volumes = mounted(pods[name])
        stores_volume = volumes[str(stores_file.parent)]
        assert stores_volume["secret"]["secretName"] == stores_map["metadata"]["name"], name
        env = {v["name"] for v in pods[name]["containers"][0].get("env", [])}
        assert not env & {"WOO_WEBHOOK_SECRET", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"}, name
        mounted_secrets = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
        own = {secret} if secret else set()
        assert mounted_secrets == own | {stores_map["metadata"]["name"]}, name
        for (store, setting), path in files.items():
            if setting in settings:
                volume = volumes.get(str(path.parent), {})
                assert volume.get("secret", {}).get("secretName") == secret, (name, store, setting)
