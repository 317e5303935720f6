"""`syncer plan|apply|pull` as real subprocesses with `--api resources` / `--api auto`: exit codes, a clean
JSON report on stdout, the API choice said on stderr, and the result visible through `/apis`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.emulator import REPO_ROOT, Emulator

EXAMPLES = REPO_ROOT / "config" / "examples"


def syncer(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syncer", *args, "--url", emulator.url, "--token", emulator.token]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_apply_then_plan_through_apis(emulator: Emulator) -> None:
    applied = syncer(emulator, "apply", str(EXAMPLES), "--api", "resources", "--output", "json")
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout)  # stdout holds the report and nothing else
    assert report["exitCode"] == 0 and report["fatal"] is None
    assert report["results"] and all(r["outcome"] == "ok" for r in report["results"])

    items = emulator.api("GET", "/apis/dashboard.grafana.app/v0alpha1/namespaces/default/dashboards").json()
    managed = [
        i for i in items["items"] if i["metadata"]["annotations"].get("grafana.app/managerId") == "syncer"
    ]
    assert len(managed) == len(items["items"]) >= 6
    assert all(i["metadata"]["annotations"]["grafana.app/managedBy"] == "kubectl" for i in managed)

    emulator.reset(counters_only=True)
    planned = syncer(emulator, "plan", str(EXAMPLES), "--api", "resources", "--exit-code")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert emulator.writes() == 0


def test_auto_says_which_api_it_chose_and_keeps_stdout_clean(emulator: Emulator) -> None:
    planned = syncer(emulator, "plan", str(EXAMPLES), "--api", "auto", "--output", "json")
    assert planned.returncode == 0, planned.stderr
    json.loads(planned.stdout)
    assert "using the resources API" in planned.stderr
    assert "dashboard.grafana.app/v0alpha1" in planned.stderr
    assert emulator.token not in planned.stderr + planned.stdout


def test_pull_through_apis_round_trips(emulator: Emulator, tmp_path: Path) -> None:
    assert syncer(emulator, "apply", str(EXAMPLES), "--api", "resources").returncode == 0
    pulled = syncer(emulator, "pull", str(tmp_path / "out"), "--api", "resources")
    assert pulled.returncode == 0, pulled.stderr
    assert list((tmp_path / "out").rglob("*.json"))
    emulator.reset(counters_only=True)
    again = syncer(emulator, "plan", str(tmp_path / "out"), "--api", "resources", "--exit-code")
    assert again.returncode == 0, again.stdout + again.stderr
