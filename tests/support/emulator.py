"""Start and drive a real `syncer emulator` subprocess from tests.

Role: the one interface tests get a Grafana through: a real process on 127.0.0.1 with a free port,
talked to over real HTTP (`support.inprocess.InProcessEmulator` serves the same app from a thread
and is what the `emulator` fixture hands out; this class is for tests about the process itself).
`Emulator.start()` waits for the `listening on` line; `api()` calls the Grafana
API as the admin token, the admin basic-auth user or the read-only token; the control helpers
(`reset`, `requests`, `fault`, `state`) use `/__emulator/`. Keep this interface stable: every
suite imports it.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any, Literal

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "glsa_test_admin"
VIEWER_TOKEN = "glsa_test_viewer"
ADMIN_LOGIN = "sa-ci"  # the login Grafana shows for the admin token's service account
STARTUP_TIMEOUT_S = 20.0
# `python -m syncer.emulator` is `syncer emulator` without importing the rest of syncer (about
# 1.5 s less per start); tests/emulator/test_lifecycle.py covers the `syncer emulator` spelling.
ENTRY_POINT = (sys.executable, "-m", "syncer.emulator")

Auth = Literal["token", "admin", "viewer", "none"]


class EmulatorStartError(RuntimeError):
    pass


def _read_first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.1):
            return process.stdout.readline()
        if process.poll() is not None:
            break
    return ""


class Emulator:
    """A running `syncer emulator` subprocess."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.token = ADMIN_TOKEN
        self.viewer_token = VIEWER_TOKEN
        self.admin_login = ADMIN_LOGIN
        self._client = httpx.Client(base_url=url, timeout=30.0)
        self._stderr_log: IO[str] | None = None

    @classmethod
    def start(cls, *extra_args: str, state_file: Path | None = None, profile: str | None = None) -> Emulator:
        command = [
            *ENTRY_POINT,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--token",
            f"ci={ADMIN_TOKEN}",
            "--token",
            f"ro={VIEWER_TOKEN}:viewer",
        ]
        if state_file is not None:
            command += ["--state", str(state_file)]
        if profile is not None:
            command += ["--profile", profile]
        command += list(extra_args)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # stderr goes to a file, not a pipe: nobody drains it during a long session, and a full
        # pipe would block the emulator the first time it logs a traceback.
        stderr_log = tempfile.TemporaryFile(mode="w+", prefix="emulator-stderr-")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr_log, text=True, env=env
        )
        line = _read_first_line(process, STARTUP_TIMEOUT_S)
        if not line.startswith("listening on "):
            process.kill()
            process.wait(timeout=5)
            stderr_log.seek(0)
            raise EmulatorStartError(f"emulator did not start: {line!r} {stderr_log.read()[-2000:]}")
        emulator = cls(process, line.split("listening on ", 1)[1].strip())
        emulator._stderr_log = stderr_log
        return emulator

    def stderr_text(self) -> str:
        """What the emulator wrote to stderr so far (tracebacks of 500s, the access log)."""
        if self._stderr_log is None:
            return ""
        self._stderr_log.seek(0)
        return self._stderr_log.read()

    # ---------------------------------------------------------------- lifecycle

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        self._client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=timeout)
        finally:
            self._close_pipes()

    def kill(self) -> None:
        self._client.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._stderr_log is not None:
            self._stderr_log.close()
            self._stderr_log = None

    # ---------------------------------------------------------------- Grafana API

    def headers(self, auth: Auth = "token") -> dict[str, str]:
        if auth == "token":
            return {"Authorization": f"Bearer {self.token}"}
        if auth == "viewer":
            return {"Authorization": f"Bearer {self.viewer_token}"}
        if auth == "admin":
            return {"Authorization": "Basic YWRtaW46YWRtaW4="}  # admin:admin
        return {}

    def api(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        auth: Auth = "token",
        params: Any = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """One Grafana API call; `content` sends raw bytes instead of `json`."""
        return self._client.request(
            method,
            path,
            json=json,
            content=content,
            params=params,
            headers={**self.headers(auth), **(headers or {})},
        )

    # ---------------------------------------------------------------- control API

    def _control(self, method: str, path: str, body: object = None) -> Any:
        response = self._client.request(method, f"/__emulator{path}", json=body)
        response.raise_for_status()
        return response.json()

    def reset(self, *, counters_only: bool = False) -> None:
        self._control("POST", "/reset?counters_only=1" if counters_only else "/reset")

    def requests(self) -> dict[str, Any]:
        counters: dict[str, Any] = self._control("GET", "/requests")
        return counters

    def writes(self) -> int:
        return int(self.requests()["writes"])

    def fault(self, **rule: Any) -> None:
        self._control("POST", "/faults", [rule])

    def faults(self) -> list[dict[str, Any]]:
        active: list[dict[str, Any]] = self._control("GET", "/faults")
        return active

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def state(self) -> dict[str, Any]:
        dump: dict[str, Any] = self._control("GET", "/state")
        return dump
