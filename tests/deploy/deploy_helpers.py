"""Shared checks for the deployment artefacts (plain manifests and the rendered Helm chart).

Who uses it: tests/deploy/test_deploy_*.py. The same `check_workload` runs on the kustomize output
and on every Helm rendering, so both ways of installing syncer are held to one standard: the
security context, the single-writer strategy, probes, resources, and a config file that syncer's
own settings loader accepts with every token file mounted from a Secret.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import kubernetes_validate
import yaml

from syncer.settings.model import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
# Oldest and newest Kubernetes versions the manifests are validated against (schemas ship in
# the kubernetes-validate wheel, so this works offline).
K8S_VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
SYNCER_BIN = Path(sys.executable).parent / "syncer"

Doc = dict[str, Any]


def load_docs(text: str) -> list[Doc]:
    return [d for d in yaml.safe_load_all(text) if d]


def by_kind(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def one(docs: Iterable[Doc], kind: str) -> Doc:
    found = by_kind(docs, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def validate_against_schemas(doc: Doc) -> None:
    """Strict OpenAPI validation (unknown fields rejected) for built-in kinds; CRDs are checked
    structurally by `check_service_monitor` because no schema for them ships offline."""
    if doc["apiVersion"].startswith("monitoring.coreos.com/"):
        return
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(doc, version, strict=True)


def kustomize(directory: Path) -> str:
    kubectl = shutil.which("kubectl")
    assert kubectl is not None
    return subprocess.run(
        [kubectl, "kustomize", str(directory)], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def containers(deployment: Doc) -> dict[str, Doc]:
    return {c["name"]: c for c in deployment["spec"]["template"]["spec"]["containers"]}


def volumes(deployment: Doc) -> dict[str, Doc]:
    return {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}


def mounts(container: Doc) -> dict[str, Doc]:
    return {m["mountPath"]: m for m in container.get("volumeMounts", [])}


def check_security(deployment: Doc) -> None:
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC")
    for container in pod["containers"]:
        ctx = container["securityContext"]
        name = container["name"]
        assert ctx["allowPrivilegeEscalation"] is False, name
        assert ctx["readOnlyRootFilesystem"] is True, name
        assert ctx["capabilities"]["drop"] == ["ALL"], name
        assert "add" not in ctx["capabilities"], name
        assert not ctx.get("privileged"), name
        uid = ctx.get("runAsUser", pod["securityContext"].get("runAsUser"))
        assert isinstance(uid, int) and uid > 0, f"{name} must run as a non-root uid"
        resources = container["resources"]
        assert resources["requests"]["cpu"] and resources["requests"]["memory"], name
        assert resources["limits"]["memory"], name
        # A read-only root filesystem needs a writable /tmp (Python, git).
        tmp = mounts(container).get("/tmp")
        assert tmp is not None and "emptyDir" in volumes(deployment)[tmp["name"]], name


def check_single_writer(deployment: Doc) -> None:
    spec = deployment["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}


def check_probes(deployment: Doc) -> None:
    syncer = containers(deployment)["syncer"]
    ports = {p["name"]: p["containerPort"] for p in syncer["ports"]}
    assert ports == {"http": 8080}
    assert syncer["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert syncer["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    # SIGTERM -> syncer finishes in-flight requests; the grace period must leave time for it.
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 25


def check_git_sync(deployment: Doc) -> None:
    """git-sync writes the checkout into an emptyDir that syncer mounts read-only."""
    by_name = containers(deployment)
    syncer, git_sync = by_name["syncer"], by_name["git-sync"]
    args = git_sync["args"]
    assert "--root=/git" in args and "--link=current" in args
    assert any(a.startswith("--repo=") for a in args) and any(a.startswith("--ref=") for a in args)
    assert any(a.startswith("--period=") for a in args)
    git_mount = mounts(syncer)["/git"]
    assert git_mount["readOnly"] is True
    assert mounts(git_sync)["/git"]["name"] == git_mount["name"]
    assert "emptyDir" in volumes(deployment)[git_mount["name"]]
    assert "readOnly" not in mounts(git_sync)["/git"]


def config_text(docs: list[Doc], deployment: Doc) -> str:
    """The config.yaml of the ConfigMap that the syncer container reads via --config."""
    syncer = containers(deployment)["syncer"]
    args = syncer["args"]
    assert args[0] == "run"
    config_path = PurePosixPath(args[args.index("--config") + 1])
    mount = mounts(syncer)[str(config_path.parent)]
    config_map_name = volumes(deployment)[mount["name"]]["configMap"]["name"]
    config_maps = {c["metadata"]["name"]: c for c in by_kind(docs, "ConfigMap")}
    text: str = config_maps[config_map_name]["data"][config_path.name]
    return text


def load_config(text: str, tmp_path: Path) -> Settings:
    """Through syncer's own loader (extra keys are errors there), with no environment leaking in."""
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def secret_mount_dirs(deployment: Doc) -> dict[str, str]:
    """Mount path -> Secret name, for the syncer container."""
    syncer = containers(deployment)["syncer"]
    vols = volumes(deployment)
    return {
        path: vols[m["name"]]["secret"]["secretName"]
        for path, m in mounts(syncer).items()
        if "secret" in vols[m["name"]]
    }


def check_config_wiring(settings: Settings, deployment: Doc) -> None:
    """Every file the config names is mounted; the directory is inside the git-sync checkout."""
    secret_dirs = secret_mount_dirs(deployment)
    for target in settings.targets:
        token_file = target.grafana.token_file
        assert token_file is not None, f"{target.name}: the token must come from a mounted file"
        assert target.grafana.token is None
        assert str(PurePosixPath(token_file).parent) in secret_dirs, (
            f"{target.name}: {token_file} not mounted"
        )
        if target.grafana.ca_cert is not None:
            assert str(PurePosixPath(target.grafana.ca_cert).parent) in secret_dirs
        assert target.sync.dir is not None
        assert PurePosixPath(target.sync.dir).is_relative_to("/git/current"), target.sync.dir
    if settings.daemon.sync_token_file is not None:
        assert str(PurePosixPath(settings.daemon.sync_token_file).parent) in secret_dirs
    host, _, port = settings.daemon.listen.rpartition(":")
    assert host == "0.0.0.0" and int(port) == 8080


def check_service_and_monitor(docs: list[Doc], deployment: Doc) -> None:
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = one(docs, "Service")
    assert _selects(service["spec"]["selector"], pod_labels)
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert service["spec"]["publishNotReadyAddresses"] is True
    port_names = {p["name"] for p in service["spec"]["ports"]}
    assert "http" in port_names
    for monitor in by_kind(docs, "ServiceMonitor"):
        check_service_monitor(monitor, service)


def check_service_monitor(monitor: Doc, service: Doc) -> None:
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert set(monitor) <= {"apiVersion", "kind", "metadata", "spec"}
    spec = monitor["spec"]
    assert set(spec) <= {"selector", "endpoints", "namespaceSelector", "jobLabel"}
    assert _selects(spec["selector"]["matchLabels"], service["metadata"]["labels"])
    port_names = {p["name"] for p in service["spec"]["ports"]}
    for endpoint in spec["endpoints"]:
        assert endpoint["port"] in port_names
        assert endpoint["path"] == "/metrics"
        assert set(endpoint) <= {"port", "path", "interval", "scrapeTimeout", "scheme", "relabelings"}


def _selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_workload(docs: list[Doc], tmp_path: Path) -> Settings:
    """Everything an operator relies on, for one rendered set of manifests. Returns the config."""
    for doc in docs:
        validate_against_schemas(doc)
    deployment = one(docs, "Deployment")
    check_security(deployment)
    check_single_writer(deployment)
    check_probes(deployment)
    check_git_sync(deployment)
    check_service_and_monitor(docs, deployment)
    service_account = one(docs, "ServiceAccount")
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == service_account["metadata"]["name"]
    settings = load_config(config_text(docs, deployment), tmp_path)
    check_config_wiring(settings, deployment)
    return settings
