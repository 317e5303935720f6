"""deploy/ci (GitHub Actions, GitLab CI) and deploy/docker-compose.yml.

Each file validates against the schema its platform publishes (vendored in check-jsonschema, so
offline). Beyond the schema: every `syncer` command line in them uses options the real CLI
accepts, the token only ever comes from the platform's secret store, applies never run
concurrently, and the GitHub plan step's script really runs (bash, jq) against an emulator, writing
the plan into $GITHUB_STEP_SUMMARY and failing on a conflict."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import DEPLOY
from support.emulator import Emulator

from syncer.cli import build_parser

CI = DEPLOY / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
COMPOSE = DEPLOY / "docker-compose.yml"
VENV_BIN = Path(sys.executable).parent
CHECK_JSONSCHEMA = VENV_BIN / "check-jsonschema"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not CHECK_JSONSCHEMA.exists(), reason="check-jsonschema not installed")
@pytest.mark.parametrize(
    ("path", "schema"),
    [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci"), (COMPOSE, "vendor.compose-spec")],
    ids=["github", "gitlab", "compose"],
)
def test_validates_against_the_platform_schema(path: Path, schema: str) -> None:
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _syncer_invocations(text: str) -> list[list[str]]:
    """Every `syncer <command> ...` line, split into words (variables kept as words)."""
    calls = []
    for line in text.splitlines():
        for match in re.finditer(r"\bsyncer (validate|plan|apply|pull|run)\b([^|>;&\n)]*)", line):
            calls.append([match.group(1), *match.group(2).split()])
    return calls


@pytest.mark.parametrize(
    "path", [GITHUB, GITLAB, COMPOSE, DEPLOY / "hooks" / "pre-push"], ids=lambda p: p.name
)
def test_every_syncer_option_used_exists_in_the_cli(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path == COMPOSE:
        command = load(COMPOSE)["services"]["syncer"]["command"]
        calls = [command]
    else:
        calls = _syncer_invocations(text)
    assert calls, f"no syncer command found in {path.name}"
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for call in calls:
        sub = subparsers.choices[call[0]]  # type: ignore[attr-defined]
        known = {opt for action in sub._actions for opt in action.option_strings}
        for word in call[1:]:
            if word.startswith("--"):
                assert word.split("=")[0] in known, f"{path.name}: syncer {call[0]} has no option {word}"


def test_github_plans_pull_requests_and_applies_main_one_at_a_time() -> None:
    workflow = load(GITHUB)
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert "pull_request" in plan["if"]
    assert "refs/heads/main" in apply["if"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["environment"] == "grafana"
    plan_script = next(s["run"] for s in plan["steps"] if s.get("name") == "Plan against Grafana")
    assert "GITHUB_STEP_SUMMARY" in plan_script
    apply_script = next(s["run"] for s in apply["steps"] if s.get("name") == "Apply")
    assert "syncer apply" in apply_script and "GITHUB_STEP_SUMMARY" in apply_script
    for job in (plan, apply):
        assert job["timeout-minutes"] <= 15


def test_tokens_only_come_from_secret_stores() -> None:
    github_text = GITHUB.read_text(encoding="utf-8")
    assert re.findall(r"GRAFANA_TOKEN: (.+)", github_text) == ["${{ secrets.GRAFANA_TOKEN }}"] * 2
    gitlab = load(GITLAB)
    assert "GRAFANA_TOKEN" not in gitlab["variables"]
    for text in (github_text, GITLAB.read_text(encoding="utf-8")):
        assert "--token " not in text and "glsa_" not in text


def test_gitlab_plans_merge_requests_and_serialises_applies() -> None:
    pipeline = load(GITLAB)
    assert pipeline["stages"] == ["validate", "plan", "apply"]
    assert "merge_request_event" in pipeline["plan"]["rules"][0]["if"]
    assert "CI_DEFAULT_BRANCH" in pipeline["apply"]["rules"][0]["if"]
    assert pipeline["apply"]["resource_group"]
    assert pipeline["plan"]["artifacts"]["when"] == "always"


def test_compose_mounts_exist_and_syncer_runs_hardened() -> None:
    compose = load(COMPOSE)
    syncer = compose["services"]["syncer"]
    assert syncer["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert (COMPOSE.parent / syncer["build"]["context"] / syncer["build"]["dockerfile"]).exists()
    assert syncer["read_only"] is True and syncer["cap_drop"] == ["ALL"]
    assert syncer["depends_on"]["grafana"]["condition"] == "service_healthy"
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict) and volume["type"] == "tmpfs":
                continue
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            source = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", source)
            assert (COMPOSE.parent / source).exists(), source
    prometheus = yaml.safe_load((DEPLOY / "compose" / "prometheus.yml").read_text(encoding="utf-8"))
    assert prometheus["scrape_configs"][0]["static_configs"][0]["targets"] == ["syncer:8080"]


# ---- the GitHub plan step, executed for real -------------------------------------------------------


def _step_script(job: str, name: str) -> str:
    workflow = load(GITHUB)
    script: str = next(s["run"] for s in workflow["jobs"][job]["steps"] if s.get("name") == name)
    return script


def _write_dashboards(root: Path, title: str) -> None:
    (root / "dashboards" / "ops").mkdir(parents=True, exist_ok=True)
    for uid, name in (("ci-a", "ops/a.json"), ("ci-b", "b.json")):
        body = {"uid": uid, "title": f"{title} {uid}", "panels": [], "schemaVersion": 39}
        (root / "dashboards" / name).write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.skipif(shutil.which("jq") is None or shutil.which("bash") is None, reason="needs bash and jq")
def test_github_plan_step_writes_the_summary_and_fails_on_conflicts(
    tmp_path: Path, emulator: Emulator
) -> None:
    workflow_env = load(GITHUB)["env"]
    summary = tmp_path / "summary.md"
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        **{k: str(v) for k, v in workflow_env.items()},
        "GRAFANA_URL": emulator.url,
        "GRAFANA_TOKEN": emulator.token,
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    script = _step_script("plan", "Plan against Grafana")

    def plan_step() -> subprocess.CompletedProcess[str]:
        summary.write_text("", encoding="utf-8")
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    _write_dashboards(tmp_path, "First")
    first = plan_step()
    assert first.returncode == 0, first.stdout + first.stderr
    text = summary.read_text(encoding="utf-8")
    assert "Merging applies these changes" in text and "ci-a" in text
    assert emulator.token not in text + first.stdout + first.stderr

    subprocess.run(
        ["syncer", "apply", "dashboards"], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120
    )
    current = emulator.api("GET", "/api/dashboards/uid/ci-a", auth="admin").json()
    edited = dict(current["dashboard"], title="edited in the UI")
    emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": edited, "folderUid": current["meta"]["folderUid"]},
        auth="admin",
    )
    _write_dashboards(tmp_path, "Second")
    conflicted = plan_step()
    assert conflicted.returncode == 3, conflicted.stdout + conflicted.stderr
    text = summary.read_text(encoding="utf-8")
    assert "conflict(s) with edits made in Grafana" in text and "ci-a  ops/a.json" in text
    assert "::error::" in conflicted.stdout

    # On main, the apply step resolves it by the configured policy (overwrite: git wins) and reports.
    apply_script = _step_script("apply", "Apply")
    env["GITHUB_SHA"] = "0123456789abcdef0123456789abcdef01234567"
    summary.write_text("", encoding="utf-8")
    applied = subprocess.run(
        ["bash", "-e", "-c", apply_script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    text = summary.read_text(encoding="utf-8")
    assert "syncer apply" in text and "@ 0123456789ab" in text and "(exit 0)" in text
    assert title_of(emulator, "ci-a") == "Second ci-a"


def title_of(emulator: Emulator, uid: str) -> str:
    title: str = emulator.api("GET", f"/api/dashboards/uid/{uid}").json()["dashboard"]["title"]
    return title


@pytest.mark.skipif(
    shutil.which("sh") is None or shutil.which("python3") is None, reason="needs sh and python3"
)
def test_gitlab_plan_job_script_fails_on_conflicts(tmp_path: Path, emulator: Emulator) -> None:
    """before_script + script of the plan job, as GitLab's shell executor runs them (minus the install)."""
    pipeline = load(GITLAB)
    lines = [line for line in pipeline["default"]["before_script"] if "pip install" not in line]
    script = "\n".join(lines + pipeline["plan"]["script"])
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        **{k: str(v) for k, v in pipeline["variables"].items()},
        "GRAFANA_URL": emulator.url,
        "GRAFANA_TOKEN": emulator.token,
    }

    def plan_job() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", "-e", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    _write_dashboards(tmp_path, "First")
    subprocess.run(
        ["syncer", "apply", "dashboards"], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120
    )
    assert plan_job().returncode == 0
    assert json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["inSync"] is True
    current = emulator.api("GET", "/api/dashboards/uid/ci-b", auth="admin").json()
    edited = dict(current["dashboard"], title="edited in the UI")
    emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": edited, "folderUid": current["meta"]["folderUid"]},
        auth="admin",
    )
    _write_dashboards(tmp_path, "Second")
    conflicted = plan_job()
    assert conflicted.returncode == 3, conflicted.stdout + conflicted.stderr
    assert "CONFLICT ci-b (b.json)" in conflicted.stdout
    assert (tmp_path / "plan.txt").read_text(encoding="utf-8")  # kept as the artifact
