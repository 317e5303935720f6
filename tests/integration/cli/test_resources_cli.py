"""`syncer plan|apply|pull` as real subprocesses with `--api auto` / `--api resources`: the API choice said
on stderr with a clean JSON report on stdout, and a pull through `/apis` that plans back to "in sync".
(Exit codes and the report schema through `/apis` are covered by test_resources_e2e_suite.py.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support import cli
from support.emulator import REPO_ROOT, Emulator

EXAMPLES = REPO_ROOT / "config" / "examples"


def syncer(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.syncer(*args, *cli.connection(emulator))


def test_auto_says_which_api_it_chose_and_keeps_stdout_clean(emulator: Emulator) -> None:
    quiet = syncer(emulator, "plan", str(EXAMPLES), "--api", "auto", "--output", "json")
    assert quiet.returncode == 0, quiet.stderr
    assert "using the" not in quiet.stderr  # issue 18: said only with -v, not on every run
    planned = syncer(emulator, "plan", str(EXAMPLES), "--api", "auto", "--output", "json", "-v")
    assert planned.returncode == 0, planned.stderr
    json.loads(planned.stdout)
    assert "using the resources API" in planned.stderr
    assert "dashboard.grafana.app/v0alpha1" in planned.stderr
    assert emulator.token not in planned.stderr + planned.stdout


def test_pull_through_apis_round_trips(emulator: Emulator, tmp_path: Path) -> None:
    owner = ("--manager-id", "round-trip")  # the pulled copy continues the examples' instance
    assert syncer(emulator, "apply", str(EXAMPLES), "--api", "resources", *owner).returncode == 0
    pulled = syncer(emulator, "pull", str(tmp_path / "out"), "--api", "resources")
    assert pulled.returncode == 0, pulled.stderr
    assert list((tmp_path / "out").rglob("*.json"))
    emulator.reset(counters_only=True)
    again = syncer(emulator, "plan", str(tmp_path / "out"), "--api", "resources", "--exit-code", *owner)
    assert again.returncode == 0, again.stdout + again.stderr
