"""The Helm chart in deploy/helm/syncer, rendered by Helm itself.

Rendering uses Helm's own Go engine through `helm-python-sdk` (it bundles libhelm, a C ABI over the
official Helm v4 SDK), so templates, sprig functions and values.schema.json behave exactly as in
`helm template` / `helm install`. Every rendering is validated against the Kubernetes schemas and
held to the same operator checklist as the plain manifests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import (
    DEPLOY,
    Doc,
    by_kind,
    check_workload,
    containers,
    kustomize,
    load_docs,
    one,
    volumes,
)

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (Helm's engine) not installed")

CHART = DEPLOY / "helm" / "syncer"


def render(values: dict[str, Any], *, name: str = "syncer", namespace: str = "monitoring") -> list[Doc]:
    with helm.Chart.load(str(CHART)) as chart:
        rendered: dict[str, str] = chart.render(values, name=name, namespace=namespace)
    docs: list[Doc] = []
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            docs.extend(load_docs(text))
    return docs


MULTI_TARGET = {
    "sync": {"prune": True, "onConflict": "overwrite"},
    "targets": [
        {
            "name": "platform",
            "path": "dashboards/platform",
            "grafana": {"existingSecret": "grafana-platform"},
        },
        {
            "name": "team-b",
            "path": "teams/b",
            "grafana": {
                "url": "https://grafana-b.example.internal",
                "orgId": 2,
                "existingSecret": "grafana-team-b",
                "caSecret": "grafana-b-ca",
            },
            "sync": {"prune": False, "onConflict": "skip", "maxDeletes": 5},
        },
    ],
    "daemon": {"interval": 120, "syncTokenSecret": "syncer-sync-token"},
    "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
    "networkPolicy": {
        "enabled": True,
        "ingressFrom": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ],
    },
    "git": {"repository": "git@github.com:example/dashboards.git", "ref": "release", "sshSecret": "git-ssh"},
}


def test_lint_has_no_errors() -> None:
    result = helm.lint(str(CHART))
    assert result["errors"] == []
    assert all(m["severity"] <= 1 for m in result["messages"]), result["messages"]  # info only


def test_defaults_render_the_same_workload_as_the_plain_manifests(tmp_path: Path) -> None:
    docs = render({})
    assert sorted(d["kind"] for d in docs) == ["ConfigMap", "Deployment", "Service", "ServiceAccount"]
    settings = check_workload(docs, tmp_path)
    (target,) = settings.targets
    assert target.name == "default"
    assert str(target.sync.dir) == "/git/current/dashboards"
    assert target.sync.prune is False and target.sync.on_conflict.value == "overwrite"
    assert settings.daemon.interval_s == 300


def test_multi_target_values_reach_syncer_config(tmp_path: Path) -> None:
    docs = render(MULTI_TARGET, name="dash")
    settings = check_workload(docs, tmp_path)
    targets = {t.name: t for t in settings.targets}
    assert set(targets) == {"platform", "team-b"}
    platform, team_b = targets["platform"], targets["team-b"]
    # Keys a target leaves out fall back to the top-level values; explicit ones win, `false` included.
    assert platform.sync.prune is True and team_b.sync.prune is False
    assert team_b.sync.on_conflict.value == "skip" and team_b.sync.max_deletes == 5
    assert platform.grafana.url == "http://grafana.monitoring.svc.cluster.local:3000"
    assert team_b.grafana.url == "https://grafana-b.example.internal" and team_b.grafana.org_id == 2
    assert str(platform.sync.dir) == "/git/current/dashboards/platform"
    assert str(team_b.sync.dir) == "/git/current/teams/b"
    assert str(platform.grafana.token_file) == "/var/run/secrets/syncer/grafana-platform/token"
    assert team_b.grafana.ca_cert is not None
    assert settings.daemon.interval_s == 120
    durations = check_workload(render({"daemon": {"interval": "1h30m", "debounce": "250ms"}}), tmp_path)
    assert (durations.daemon.interval_s, durations.daemon.debounce_s) == (5400, 0.25)
    assert str(settings.daemon.sync_token_file) == "/var/run/secrets/syncer/syncer-sync-token/token"
    monitor = one(docs, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    policy = one(docs, "NetworkPolicy")
    assert policy["spec"]["ingress"][0]["from"] == MULTI_TARGET["networkPolicy"]["ingressFrom"]  # type: ignore[index]


def test_private_git_repository_over_ssh_mounts_the_key_for_git_sync_only() -> None:
    deployment = one(render(MULTI_TARGET), "Deployment")
    by_name = containers(deployment)
    args = by_name["git-sync"]["args"]
    assert "--repo=git@github.com:example/dashboards.git" in args and "--ref=release" in args
    assert "--ssh-key-file=/etc/git-secret/ssh" in args
    assert volumes(deployment)["git-secret"]["secret"]["secretName"] == "git-ssh"
    assert "/etc/git-secret" in {m["mountPath"] for m in by_name["git-sync"]["volumeMounts"]}
    assert "/etc/git-secret" not in {m["mountPath"] for m in by_name["syncer"]["volumeMounts"]}


def test_https_credentials_come_from_a_secret() -> None:
    deployment = one(
        render(
            {
                "git": {
                    "repository": "https://git.example/d.git",
                    "ref": "main",
                    "credentialsSecret": "gitcreds",
                }
            }
        ),
        "Deployment",
    )
    git_sync = containers(deployment)["git-sync"]
    assert "--password-file=/etc/git-secret/password" in git_sync["args"]
    env = {e["name"]: e for e in git_sync["env"]}
    assert env["GITSYNC_USERNAME"]["valueFrom"]["secretKeyRef"] == {"name": "gitcreds", "key": "username"}
    rendered = yaml.safe_dump(deployment)
    assert "password:" not in rendered  # no credential value inline


def test_config_checksum_rolls_the_pod_when_values_change() -> None:
    def checksum(values: dict[str, Any]) -> str:
        deployment = one(render(values), "Deployment")
        value: str = deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        return value

    assert checksum({}) == checksum({})
    assert checksum({}) != checksum({"sync": {"prune": True}})


@pytest.mark.parametrize(
    "values",
    [
        {"sync": {"onConflict": "theirs"}},
        {"sync": {"onDrift": "ignore"}},
        {"sync": {"prune": "yes"}},
        {"grafana": {"url": "grafana:3000"}},
        {"targets": [{"path": "x"}]},
        {"daemon": {"interval": 0}},
        {"daemon": {"interval": "5x"}},
        {"daemon": {"debounce": "1 s"}},
        {"sync": {"path": "../outside"}},
        {"grafana": {"existingSecret": None}},
    ],
    ids=[
        "conflict-policy",
        "drift-policy",
        "prune-type",
        "url-scheme",
        "target-name",
        "interval",
        "interval-unit",
        "debounce-space",
        "path-escape",
        "token-secret-required",
    ],
)
def test_schema_rejects_bad_values(values: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmError, match=r"schema"):
        render(values)


def test_every_value_is_documented() -> None:
    """Each leaf key of values.yaml has a comment on it or on one of its parents (operators read it)."""
    lines = (CHART / "values.yaml").read_text(encoding="utf-8").splitlines()
    documented_sections = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or ":" not in stripped or stripped.startswith("-"):
            continue
        key = stripped.split(":", 1)[0]
        has_comment = i > 0 and lines[i - 1].strip().startswith("#")
        if not line.startswith(" ") and has_comment:
            documented_sections.add(key)
    for required in ("grafana", "sync", "targets", "resources"):
        assert required in documented_sections, f"values.yaml: document `{required}`"
    text = "\n".join(lines)
    for key in (
        "existingSecret",
        "onConflict",
        "onDrift",
        "prune",
        "maxDeletes",
        "repository",
        "ref",
        "period",
        "interval",
    ):
        index = text.index(f" {key}:")
        assert "# --" in text[max(0, index - 400) : index], f"values.yaml: `{key}` lacks a `# --` comment"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")
def test_chart_defaults_match_the_plain_manifests() -> None:
    """The chart and deploy/kubernetes describe the same pod: same hardening, probes, resources, sidecar."""
    chart = one(render({}), "Deployment")
    plain = one(load_docs(kustomize(DEPLOY / "kubernetes")), "Deployment")
    assert chart["spec"]["strategy"] == plain["spec"]["strategy"]
    assert chart["spec"]["replicas"] == plain["spec"]["replicas"]
    chart_pod, plain_pod = chart["spec"]["template"]["spec"], plain["spec"]["template"]["spec"]
    for key in ("securityContext", "automountServiceAccountToken", "terminationGracePeriodSeconds"):
        assert chart_pod[key] == plain_pod[key], key
    chart_containers, plain_containers = containers(chart), containers(plain)
    assert chart_containers.keys() == plain_containers.keys()
    for name, container in chart_containers.items():
        for key in ("securityContext", "resources", "livenessProbe", "readinessProbe", "ports", "args"):
            if key == "args" and name == "git-sync":
                continue  # the repository differs by design (values vs the example)
            assert container.get(key) == plain_containers[name].get(key), f"{name}.{key}"
    assert containers(chart)["git-sync"]["image"] == plain_containers["git-sync"]["image"]


def test_prometheus_rule_carries_the_shipped_alerts() -> None:
    assert not by_kind(render({}), "PrometheusRule")
    rule = one(render({"prometheusRule": {"enabled": True, "labels": {"release": "kps"}}}), "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["labels"]["release"] == "kps"
    shipped = yaml.safe_load((DEPLOY / "prometheus" / "syncer-alerts.yaml").read_text(encoding="utf-8"))
    assert rule["spec"] == shipped
