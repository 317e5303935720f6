"""The token (and password) never appear in stdout, stderr, logs, metrics, JSON reports or error
messages: on success, on 401, on connection errors, on TLS errors, in the one-shot commands and in
the daemon. Each test captures everything the process printed or served and searches it for the
literal secret (and for its tail, so a "helpfully" truncated token is caught too).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fault.kit import API, run_syncer, running_daemon, wait_for, write_json, write_tree
from support.emulator import Emulator

pytestmark = pytest.mark.security

WRONG_TOKEN = "glsa_WrongButSecret_7f3a9c1e5b2d4f6a8c0e"
PASSWORD = "pa55-Secret-Zq8Wm3Xv"


def assert_hidden(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text, "the secret itself leaked"
        assert secret[-12:] not in text, "the tail of the secret leaked"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["plan", "apply", "pull"])
def test_token_hidden_on_success_with_json_output(emulator: Emulator, tmp_path: Path, command: str) -> None:
    write_tree(tmp_path / "src", 3)
    auth = ["--url", emulator.url, "--token", emulator.token, *API]
    if command == "pull":  # something to pull, into an empty directory
        assert run_syncer("apply", str(tmp_path / "src"), *auth).returncode == 0
        args = ["pull", str(tmp_path / "pulled"), *auth]
    else:
        args = [command, str(tmp_path / "src"), *auth, "--output", "json"]
    if command == "plan":
        args += ["--diff"]

    done = run_syncer(*args)

    assert done.returncode in (0, 2), done.stderr
    assert_hidden(emulator.token, done.stdout, done.stderr)
    if command == "pull":
        pulled = "".join(p.read_text() for p in (tmp_path / "pulled").rglob("*") if p.is_file())
        assert pulled, "pull wrote nothing"
        assert_hidden(emulator.token, pulled)


@pytest.mark.parametrize("how", ["flag", "env", "file"])
def test_wrong_token_401_is_reported_without_the_token(emulator: Emulator, tmp_path: Path, how: str) -> None:
    write_tree(tmp_path / "src", 2)
    base = ["apply", str(tmp_path / "src"), "--url", emulator.url, "--output", "json", *API]
    env: dict[str, str] = {}
    if how == "flag":
        base += ["--token", WRONG_TOKEN]
    elif how == "env":
        env["GRAFANA_TOKEN"] = WRONG_TOKEN
    else:
        token_file = tmp_path / "token"
        token_file.write_text(WRONG_TOKEN + "\n")
        base += ["--token-file", str(token_file)]

    done = run_syncer(*base, env=env)

    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "401" in output or "nauthori" in output, output
    assert_hidden(WRONG_TOKEN, done.stdout, done.stderr)
    assert emulator.writes() == 0


def test_wrong_password_is_reported_without_the_password(emulator: Emulator, tmp_path: Path) -> None:
    write_tree(tmp_path / "src", 2)

    done = run_syncer(
        "plan", str(tmp_path / "src"), "--url", emulator.url, "--user", "admin", "--password", PASSWORD, *API
    )

    assert done.returncode == 1
    assert_hidden(PASSWORD, done.stdout, done.stderr)


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_connection_error_is_reported_without_the_token(tmp_path: Path, command: str) -> None:
    write_tree(tmp_path / "src", 2)
    url = f"http://127.0.0.1:{closed_port()}"

    done = run_syncer(command, str(tmp_path / "src"), "--url", url, "--token", WRONG_TOKEN, timeout=180)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert_hidden(WRONG_TOKEN, done.stdout, done.stderr)


def test_config_file_secrets_hidden_on_invalid_config(tmp_path: Path) -> None:
    write_tree(tmp_path / "src", 1)
    config = write_json(
        tmp_path / "bad.yaml",
        {"grafana": {"url": "http://127.0.0.1:1", "token": WRONG_TOKEN, "password": PASSWORD, "bogus": 1}},
    )

    done = run_syncer("plan", str(tmp_path / "src"), "--config", str(config))

    assert done.returncode == 1
    assert_hidden(WRONG_TOKEN, done.stdout, done.stderr)
    assert_hidden(PASSWORD, done.stdout, done.stderr)


def test_daemon_hides_the_token_in_logs_metrics_and_endpoints(emulator: Emulator, tmp_path: Path) -> None:
    write_tree(tmp_path / "src", 3)
    with running_daemon(
        emulator, tmp_path / "src", tmp_path / "daemon.log", "--log-level", "debug"
    ) as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        (tmp_path / "src" / "team-0" / "service-0" / "d-0000.json").write_text("{ broken")
        reported = "the broken file to be reported"
        wait_for(lambda: daemon.metric_sum("syncer_source_problems") >= 1, timeout=30, what=reported)
        served = [daemon.get(path)[1] for path in ("/metrics", "/readyz", "/healthz")]
    assert_hidden(emulator.token, daemon.output(), *served)


def test_daemon_with_wrong_token_keeps_it_out_of_logs(emulator: Emulator, tmp_path: Path) -> None:
    write_tree(tmp_path / "src", 2)
    log = tmp_path / "daemon.log"
    with running_daemon(emulator, tmp_path / "src", log, "--interval", "1", token=WRONG_TOKEN) as daemon:
        daemon.wait_for_passes(2, what="a few failing attempts at reaching Grafana")
        status, body = daemon.get("/readyz")
        metrics = daemon.get("/metrics")[1]
        assert daemon.alive(), daemon.output()[-3000:]
    assert status == 503, body
    assert_hidden(WRONG_TOKEN, daemon.output(), body, metrics)
    assert emulator.writes() == 0


def test_token_hidden_in_json_report_of_failed_actions(emulator: Emulator, tmp_path: Path) -> None:
    """Every save fails with 500: the report lists each failure with its cause, never the token."""
    write_tree(tmp_path / "src", 2)
    emulator.fault(route="POST /api/dashboards/db", status=500)
    try:
        done = run_syncer(
            "apply",
            str(tmp_path / "src"),
            "--url",
            emulator.url,
            "--token",
            emulator.token,
            *API,
            "--output",
            "json",
        )
    finally:
        emulator.clear_faults()

    assert done.returncode == 1
    assert "500" in done.stdout + done.stderr
    assert_hidden(emulator.token, done.stdout, done.stderr)
