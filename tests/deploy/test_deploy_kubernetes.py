"""The plain Kubernetes manifests in deploy/kubernetes: each file and the kustomize output validate
against the Kubernetes schemas offline, and the workload meets the operator checklist
(deploy_helpers.check_workload)."""

from __future__ import annotations

import shutil
from pathlib import Path

import kubernetes_validate
import pytest
from deploy_helpers import (
    DEPLOY,
    check_workload,
    containers,
    kustomize,
    load_docs,
    one,
    secret_mount_dirs,
    validate_against_schemas,
)

K8S_DIR = DEPLOY / "kubernetes"
NOT_MANIFESTS = {"kustomization.yaml", "config.yaml"}
MANIFESTS = sorted(p for p in K8S_DIR.glob("*.yaml") if p.name not in NOT_MANIFESTS)

needs_kubectl = pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed"
)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_validates_against_the_kubernetes_schemas(path: Path) -> None:
    docs = load_docs(path.read_text(encoding="utf-8"))
    assert docs, f"{path.name} is empty"
    for doc in docs:
        validate_against_schemas(doc)


def test_the_validator_rejects_a_broken_manifest() -> None:
    """Guards the tests above: a misspelt field must fail strict validation."""
    deployment = load_docs((K8S_DIR / "deployment.yaml").read_text(encoding="utf-8"))[0]
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_against_schemas(deployment)


@needs_kubectl
def test_kustomize_output_meets_the_operator_checklist(tmp_path: Path) -> None:
    docs = load_docs(kustomize(K8S_DIR))
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Deployment", "Namespace", "Service", "ServiceAccount", "ServiceMonitor"]
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"syncer"}
    settings = check_workload(docs, tmp_path)
    (target,) = settings.targets
    assert target.grafana.url.startswith("http")
    assert str(target.sync.dir) == "/git/current/dashboards"
    # The Secret the config expects is the one the example shows.
    secret_example = one(load_docs((K8S_DIR / "secret.example.yaml").read_text(encoding="utf-8")), "Secret")
    deployment = one(docs, "Deployment")
    mounted = secret_mount_dirs(deployment)
    token_dir = str(Path(str(target.grafana.token_file)).parent)
    assert mounted[token_dir] == secret_example["metadata"]["name"]
    assert Path(str(target.grafana.token_file)).name in secret_example["stringData"]


@needs_kubectl
def test_config_changes_roll_the_pod() -> None:
    """configMapGenerator names the ConfigMap by content hash, so an edit creates a new rollout."""
    docs = load_docs(kustomize(K8S_DIR))
    config_map = one(docs, "ConfigMap")
    assert config_map["metadata"]["name"].startswith("syncer-config-")
    volume_names = {
        v.get("configMap", {}).get("name")
        for v in one(docs, "Deployment")["spec"]["template"]["spec"]["volumes"]
    }
    assert config_map["metadata"]["name"] in volume_names


def test_image_and_sidecar_are_pinned() -> None:
    deployment = one(load_docs((K8S_DIR / "deployment.yaml").read_text(encoding="utf-8")), "Deployment")
    for container in containers(deployment).values():
        image = container["image"]
        assert ":" in image and not image.endswith(":latest"), image
