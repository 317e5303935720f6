"""Start and drive a real `syncer run` subprocess from tests (the daemon counterpart of emulator.py).

Role: tests of the daemon start it exactly as a user would (`python -m syncer run ...`) against a
running emulator and a temp directory, read the bound HTTP port from the `serving http on` line, and
then look at it only from the outside: its HTTP endpoints, its JSON log lines, Grafana's state through
the emulator, its exit code after a real signal. A reader thread drains stdout so the pipe never fills.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support.emulator import REPO_ROOT, Emulator

SERVING = re.compile(r"^serving http on (http://\S+)$")
STARTUP_TIMEOUT_S = 20.0


class DaemonStartError(RuntimeError):
    pass


class DaemonProcess:
    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self._lines = lines
        self._client = httpx.Client(base_url=url, timeout=10.0)

    @classmethod
    def start(
        cls,
        emulator: Emulator | None,
        source: Path | None,
        *extra: str,
        token_file: Path | None = None,
        debounce: float = 0.2,
        api: str = "legacy",
    ) -> DaemonProcess:
        command = [sys.executable, "-m", "syncer", "run", "--listen", "127.0.0.1:0", "--log-format", "json"]
        command += ["--debounce", str(debounce), "--backoff-max", "2", "--shutdown-timeout", "10"]
        if emulator is not None:
            command += ["--url", emulator.url, "--api", api]
            command += ["--token-file", str(token_file)] if token_file else ["--token", emulator.token]
        if source is not None:
            command += ["--dir", str(source)]
        command += list(extra)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        lines: list[str] = []
        found = threading.Event()
        url: list[str] = []

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                match = SERVING.match(lines[-1])
                if match:
                    url.append(match.group(1))
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(STARTUP_TIMEOUT_S):
            process.kill()
            process.wait(5)
            raise DaemonStartError("daemon did not start:\n" + "\n".join(lines[-40:]))
        return cls(process, url[0], lines)

    # ---------------------------------------------------------------- lifecycle

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        self._client.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            raise

    # ---------------------------------------------------------------- endpoints

    def get(self, path: str) -> httpx.Response:
        return self._client.get(path)

    def sync(self, *, token: str | None = None, target: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self._client.post("/sync", headers=headers, params={"target": target} if target else None)

    def ready(self) -> bool:
        return self.get("/readyz").status_code == 200

    def metrics(self) -> list[tuple[str, dict[str, str], float]]:
        text = self.get("/metrics").text
        return [
            (sample.name, dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called `name` whose labels include `labels`."""
        return sum(
            value
            for sample, got, value in self.metrics()
            if sample == name and all(got.get(k) == v for k, v in labels.items())
        )

    # ---------------------------------------------------------------- logs

    @property
    def output(self) -> str:
        return "\n".join(self._lines)

    def logs(self, event: str | None = None) -> list[dict[str, Any]]:
        parsed = []
        for line in list(self._lines):
            if line.startswith("{"):
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if event is None or record.get("event") == event:
                    parsed.append(record)
        return parsed


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; return its value, or fail with the last value seen."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


@contextmanager
def running_daemon(*args: Any, **kwargs: Any) -> Iterator[DaemonProcess]:
    daemon = DaemonProcess.start(*args, **kwargs)
    try:
        yield daemon
    finally:
        if daemon.process.poll() is None:
            daemon.stop()
