"""The `syncer emulator` process: start line, signals, --state persistence, CLI control commands."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.emulator import REPO_ROOT, Emulator

from ..helpers import folder, get, save

SYNCER = (sys.executable, "-m", "syncer")


def test_syncer_emulator_prints_listening_line_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [*SYNCER, "emulator", "--port", "0", "--token", "glsa_secret_token_value", "--access-log"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        port = int(url.rsplit(":", 1)[1])
        assert port > 0
        headers = {"Authorization": "Bearer glsa_secret_token_value"}
        assert httpx.get(f"{url}/api/search", headers=headers).status_code == 200
        assert httpx.get(f"{url}/__emulator/requests").status_code == 200
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        if process.poll() is None:
            process.kill()
    stdout, stderr = process.communicate(timeout=5)
    assert "GET /api/search -> 200" in stderr
    assert "GET /__emulator/requests -> 200" in stderr
    assert "glsa_secret_token_value" not in stdout + stderr


def test_sigint_exits_zero() -> None:
    emulator = Emulator.start()
    emulator.process.send_signal(signal.SIGINT)
    assert emulator.process.wait(timeout=10) == 0
    assert "emulator stopped" in emulator.stderr_text()
    emulator.stop()


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "emulator.json"
    first = Emulator.start(state_file=state_file)
    try:
        folder(first, "pf", "Persisted folder")
        save(first, {"uid": "p", "title": "Persisted", "n": 1}, folder_uid="pf")
        save(first, {"uid": "p", "title": "Persisted", "n": 2, "version": 1})
        created_id = get(first, "p")["dashboard"]["id"]
        expected = httpx.get(f"{first.url}/__emulator/state", params={"history": 1}).json()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the background save lands within ~0.25 s
            if state_file.exists() and json.loads(state_file.read_text()) == expected:
                break
            time.sleep(0.05)
        assert json.loads(state_file.read_text()) == expected
    finally:
        assert first.stop() == 0
    document = json.loads(state_file.read_text())
    assert document["format"] == 1
    second = Emulator.start(state_file=state_file)
    try:
        restored = get(second, "p")
        assert restored["dashboard"]["n"] == 2 and restored["dashboard"]["version"] == 2
        versions = second.api("GET", "/api/dashboards/uid/p/versions").json()["versions"]
        assert [v["version"] for v in versions] == [2, 1]
        assert second.api("GET", "/api/folders/pf").json()["title"] == "Persisted folder"
        new = save(second, {"uid": "q", "title": "After restart"})
        assert new["id"] > created_id  # id counter restored, no reuse
    finally:
        second.stop()
    assert not list(state_file.parent.glob("*.tmp"))


def test_state_is_saved_in_the_background_so_sigkill_loses_little(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    first = Emulator.start(state_file=state_file)
    save(first, {"uid": "k", "title": "Before kill"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not state_file.exists():
        time.sleep(0.05)
    time.sleep(0.5)
    first.kill()
    second = Emulator.start(state_file=state_file)
    try:
        assert get(second, "k")["dashboard"]["title"] == "Before kill"
    finally:
        second.stop()


def test_cli_control_commands(emulator: Emulator) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "syncer.emulator", *args, "--url", emulator.url],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    added = run(
        "fault", "--route", "GET /api/search", "--status", "503", "--count", "1", "--retry-after", "3"
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)[0]["status"] == 503
    listed = json.loads(run("faults").stdout)
    assert listed[0]["route"] == "GET /api/search"
    refused = emulator.api("GET", "/api/search")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
    counters = json.loads(run("requests").stdout)
    assert counters["by_route"]["GET /api/search"] == 1
    run("fault", "--status", "500", "--message", "scripted")
    assert emulator.api("GET", "/api/health").json() == {"message": "scripted"}
    assert json.loads(run("clear-faults").stdout) == []
    assert json.loads(run("info").stdout)["profile"] == "12"
    save(emulator, {"uid": "cli", "title": "CLI"})
    assert json.loads(run("state").stdout)["orgs"]["1"]["dashboards"][0]["uid"] == "cli"
    assert json.loads(run("reset").stdout) == {"reset": "all"}
    assert emulator.api("GET", "/api/dashboards/uid/cli").status_code == 404


def test_cli_control_reports_unreachable_emulator() -> None:
    result = subprocess.run(
        [*SYNCER, "emulator", "requests", "--url", "http://127.0.0.1:9"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and "error" in result.stderr


def test_bad_flags_fail_fast() -> None:
    for args in (["--profile", "7"], ["--token", "x:superuser"], ["--datasource", "nope"]):
        result = subprocess.run(
            [sys.executable, "-m", "syncer.emulator", "--port", "0", *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode != 0 and "error" in result.stderr, args


def test_custom_auth_and_datasources() -> None:
    emulator = Emulator.start(
        "--basic-auth", "root:pw", "--datasource", "loki:logs:Loki Logs", "--datasource", "tempo:traces:Tempo"
    )
    try:
        assert emulator.api("GET", "/api/search", auth="admin").status_code == 401
        assert httpx.get(f"{emulator.url}/api/search", auth=("root", "pw")).status_code == 200
        names = [d["name"] for d in emulator.api("GET", "/api/datasources").json()]
        assert names == ["Loki Logs", "Tempo"]
    finally:
        emulator.stop()
    closed = Emulator.start("--no-basic-auth")
    try:
        assert closed.api("GET", "/api/search", auth="admin").status_code == 401
        assert closed.api("GET", "/api/search").status_code == 200
    finally:
        closed.stop()


def test_min_refresh_interval_flag() -> None:
    emulator = Emulator.start("--min-refresh-interval", "1m")
    try:
        save(emulator, {"uid": "r", "title": "R", "refresh": "30s"})
        assert get(emulator, "r")["dashboard"]["refresh"] == "1m"
    finally:
        emulator.stop()


def test_unreadable_state_file_and_busy_port_fail_with_one_line(tmp_path: Path, emulator: Emulator) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    port = emulator.url.rsplit(":", 1)[1]
    for args in (["--port", "0", "--state", str(broken)], ["--port", port]):
        result = subprocess.run(
            [sys.executable, "-m", "syncer.emulator", *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("syncer emulator: error: ") and "Traceback" not in result.stderr
        assert result.stdout == ""
