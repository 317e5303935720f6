"""The `syncer` executable as a user runs it: exit codes, JSON report, option precedence, secrets.

Every test runs `python -m syncer ...` as a subprocess against the emulator subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from support import cli
from support.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
GRAFANA_ENV = (
    "GRAFANA_URL",
    "GRAFANA_TOKEN",
    "GRAFANA_TOKEN_FILE",
    "GRAFANA_USER",
    "GRAFANA_PASSWORD",
    "GRAFANA_ORG_ID",
)


def syncer(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return cli.syncer(*args, cwd=REPO, env=env, without=GRAFANA_ENV.__contains__, timeout=timeout)


def conn(emulator: Emulator) -> list[str]:
    return ["--url", emulator.url, "--token", emulator.token, "--api", "legacy"]


def write(root: Path, rel: str, content: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


def board(title: str, uid: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "uid": uid, "panels": [{"id": 1, "type": "stat", "title": "up"}], **extra}


def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(src, "team/_folder.json", {"uid": "team", "title": "Team"})
    write(src, "team/svc/api.json", board("API", "api"))
    write(src, "home.json", board("Home", "home"))
    return src


def test_validate_exit_codes_and_locations(tmp_path: Path) -> None:
    src = source(tmp_path)
    ok = syncer("validate", str(src))
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout

    write(src, "broken.json", '{\n  "title": "Broken",\n  "panels": [,]\n}')
    write(src, "dup.json", board("Duplicate", "api"))
    bad = syncer("validate", str(src))
    assert bad.returncode == 1
    assert "broken.json:3:" in bad.stderr  # file:line:col for JSON syntax errors
    assert "dup.json" in bad.stderr and "team/svc/api.json" in bad.stderr

    as_json = json.loads(syncer("validate", str(src), "--output", "json").stdout)
    assert as_json["valid"] is False and any(p["path"] == "broken.json" for p in as_json["problems"])


def test_plan_apply_plan_exit_codes(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    pending = syncer("plan", str(src), "--exit-code", *conn(emulator))
    assert pending.returncode == 2, pending.stderr
    assert "create" in pending.stdout and "[api]" in pending.stdout
    assert emulator.writes() == 0  # plan never writes

    applied = syncer("apply", str(src), *conn(emulator))
    assert applied.returncode == 0, applied.stderr + applied.stdout

    emulator.reset(counters_only=True)
    again = syncer("apply", str(src), *conn(emulator))
    in_sync = syncer("plan", str(src), "--exit-code", *conn(emulator))
    assert again.returncode == 0 and in_sync.returncode == 0
    assert emulator.writes() == 0
    assert "In sync" in in_sync.stdout


def test_plan_diff_shows_the_change(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    syncer("apply", str(src), *conn(emulator))
    write(src, "home.json", board("Home", "home", description="new words"))

    result = syncer("plan", str(src), "--diff", *conn(emulator))

    assert result.returncode == 0
    assert '+  "description": "new words",' in result.stdout
    assert "--- grafana/home (version 1)" in result.stdout


def test_apply_exit_3_on_unresolved_conflict_and_1_on_errors(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    syncer("apply", str(src), *conn(emulator))
    current = emulator.api("GET", "/api/dashboards/uid/home").json()
    edited = {**current["dashboard"], "description": "ui edit"}
    emulator.api("POST", "/api/dashboards/db", json={"dashboard": edited}, auth="admin").raise_for_status()
    write(src, "home.json", board("Home", "home", tags=["git"]))

    conflict = syncer("apply", str(src), "--on-conflict", "fail", *conn(emulator))
    assert conflict.returncode == 3, conflict.stdout + conflict.stderr
    assert "CONFLICT" in conflict.stdout

    write(src, "broken.json", "{")
    broken = syncer("apply", str(src), "--on-conflict", "overwrite", *conn(emulator))
    assert broken.returncode == 1
    assert "broken.json" in broken.stderr
    assert "overwrote an edit made in Grafana: restore it from version 2" in broken.stdout


def test_apply_json_report_matches_documented_schema(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    write(src, "warned.json", board("Warned", "warned", id=7))  # a non-null id: a warning, not an error
    result = syncer("apply", str(src), "--output", "json", *conn(emulator))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)

    assert doc["schemaVersion"] == 1 and doc["command"] == "apply" and doc["exitCode"] == 0
    assert set(doc) >= {
        "source",
        "grafana",
        "inSync",
        "summary",
        "folders",
        "dashboards",
        "results",
        "refusals",
        "sourceErrors",
        "warnings",
        "fatal",
        "requests",
        "durationSeconds",
    }
    assert doc["summary"]["create"] == 3 and doc["summary"]["create-folder"] >= 2
    assert {r["uid"] for r in doc["results"] if r["action"] == "create"} == {"api", "home", "warned"}
    assert any(w.startswith("warned.json: warning:") for w in doc["warnings"])
    assert all(
        set(r) >= {"action", "uid", "outcome", "path", "version", "overwroteVersion", "detail"}
        for r in doc["results"]
    )
    assert all(set(d) >= {"action", "uid", "title", "path", "folderUid", "reason"} for d in doc["dashboards"])

    plan_doc = json.loads(syncer("plan", str(src), "--output", "json", *conn(emulator)).stdout)
    assert plan_doc["inSync"] is True and plan_doc["results"] == []


def test_flags_beat_environment_beat_config_file(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    config = tmp_path / "syncer.yaml"
    config.write_text(
        "grafana:\n  url: http://127.0.0.1:9\n  token: glsa_from_file\n  api: legacy\n  retries: 0\n"
        f"sync:\n  dir: {src}\n"
    )

    # file only: its unreachable URL is used
    from_file = syncer("plan", "--config", str(config))
    assert from_file.returncode == 1 and "cannot reach Grafana" in from_file.stderr

    # environment beats the file
    env = {"GRAFANA_URL": emulator.url, "GRAFANA_TOKEN": emulator.token}
    from_env = syncer("plan", "--config", str(config), env=env)
    assert from_env.returncode == 0, from_env.stderr

    # a flag beats the environment: a wrong token on the command line wins and fails
    flagged = syncer("plan", "--config", str(config), "--token", "glsa_wrong_flag", env=env)
    assert flagged.returncode == 1 and "401" in flagged.stderr


def test_no_url_is_a_clear_error(tmp_path: Path) -> None:
    result = syncer("plan", str(source(tmp_path)))
    assert result.returncode == 1
    assert "no Grafana URL given" in result.stderr


def test_token_never_appears_in_any_output(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    secret = "glsa_SuperSecretTokenValue_12345"
    outputs = []
    for command, output in (("plan", "text"), ("apply", "json")):
        done = syncer(command, str(src), "--output", output, "--url", emulator.url, "--token", secret)
        assert done.returncode == 1
        outputs.append(done.stdout + done.stderr)
    token_file = tmp_path / "token"
    token_file.write_text(secret)
    done = syncer("pull", str(tmp_path / "out"), "--url", emulator.url, "--token-file", str(token_file))
    outputs.append(done.stdout + done.stderr)
    assert all(secret not in text for text in outputs)
    assert any("401" in text for text in outputs)


def test_pull_then_apply_via_cli(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    syncer("apply", str(src), "--manager-id", "round-trip", *conn(emulator))
    out = tmp_path / "out"

    pulled = syncer("pull", str(out), *conn(emulator))
    assert pulled.returncode == 0, pulled.stderr
    # issue 18: the markers' paths, not the titles, name what pull writes: the source's own layout
    assert (out / "team" / "_folder.json").exists() and (out / "team" / "svc" / "api.json").exists()

    emulator.reset(counters_only=True)
    # another directory is another source: it continues src's instance only when told so
    check = syncer("plan", str(out), "--exit-code", "--manager-id", "round-trip", *conn(emulator))
    assert check.returncode == 0, check.stdout
    assert emulator.writes() == 0


def test_sigterm_during_apply_finishes_in_flight_and_starts_nothing_new(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    for i in range(12):
        write(src, f"d{i:02}.json", board(f"D{i}", f"d{i:02}"))
    emulator.fault(route="POST /api/dashboards/db", latency_ms=300)
    clean = {k: v for k, v in os.environ.items() if k not in GRAFANA_ENV}
    process = subprocess.Popen(
        [sys.executable, "-m", "syncer", "apply", str(src), "--concurrency", "1", *conn(emulator)],
        cwd=REPO,
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while emulator.writes() < 2 and time.monotonic() < deadline:  # wait until it is mid-run
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 1, stdout + stderr
    assert "interrupted" in stderr
    created = len(emulator.api("GET", "/api/search", params={"type": "dash-db"}).json())
    assert 2 <= created < 12
    assert stdout.count("skipped") + created >= 12  # every action accounted for
    emulator.clear_faults()
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    assert len(emulator.api("GET", "/api/search", params={"type": "dash-db"}).json()) == 12


def test_insecure_skip_verify_warns_loudly(emulator: Emulator, tmp_path: Path) -> None:
    result = syncer("plan", str(source(tmp_path)), "--insecure-skip-verify", *conn(emulator))
    assert result.returncode == 0
    assert "WARNING: TLS certificate verification is DISABLED" in result.stderr


def test_basic_auth_from_environment_and_password_never_printed(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    env = {"GRAFANA_URL": emulator.url, "GRAFANA_USER": "admin", "GRAFANA_PASSWORD": "admin"}
    assert syncer("plan", str(src), "--api", "legacy", env=env).returncode == 0

    wrong = "Wrong-Password-4711"
    denied = syncer("plan", str(src), "--api", "legacy", "--password", wrong, env=env)
    assert denied.returncode == 1 and "401" in denied.stderr
    assert wrong not in denied.stdout + denied.stderr


def test_validate_takes_input_mappings_from_the_config_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    exported = board("Exported", "exported")
    exported["__inputs"] = [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"}]
    exported["panels"][0]["datasource"] = {"type": "prometheus", "uid": "${DS_PROM}"}
    write(src, "exported.json", exported)
    config = tmp_path / "c.yaml"
    config.write_text("sync:\n  inputs:\n    DS_PROM: my-prometheus\n", encoding="utf-8")

    without = syncer("validate", str(src))
    with_config = syncer("validate", str(src), "--config", str(config))

    assert without.returncode == 0 and "DS_PROM" in without.stderr  # pending: resolved from the server later
    assert with_config.returncode == 0 and "DS_PROM" not in with_config.stderr
