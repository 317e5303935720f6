"""Shared helpers of the fault, load and security suites (tests/fault, tests/security).

Role: run the real `syncer` executable as a subprocess, write realistic dashboard trees, start a
`syncer run` daemon and read its endpoints, and check the server state afterwards through the
emulator's own API: what must exist exists with the right content, there are no duplicates, and
the unmanaged dashboards seeded before a test are untouched.

Who calls it: the tests in tests/fault and tests/security. It must not import syncer's internals:
these suites judge the product from the outside, as a user and a Grafana would see it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import cli
from support.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
SYNCER = cli.SYNCER
SERVER_OWNED = ("id", "version", "uid", "__syncer")
SERVING = re.compile(r"serving http on (http://[\d.]+:\d+)")

JSONDict = dict[str, Any]
Tree = dict[str, JSONDict]  # uid -> dashboard content, as written to the files


# ---------------------------------------------------------------- dashboards and files


def dashboard(uid: str, title: str, *, panels: int = 3, note: str = "v1") -> JSONDict:
    """A small but realistic dashboard: a collapsed row with nested panels, targets, templating."""
    nested = [
        {
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "gridPos": {"h": 8, "w": 12, "x": 0, "y": i + 1},
            "id": i + 2,
            "targets": [{"expr": f'rate(http_requests_total{{job="{uid}"}}[5m])', "refId": "A"}],
            "title": f"Panel {i}",
            "type": "timeseries",
        }
        for i in range(panels)
    ]
    return {
        "annotations": {"list": [{"builtIn": 1, "enable": True, "name": "Annotations & Alerts"}]},
        "description": note,
        "panels": [{"collapsed": True, "id": 1, "panels": nested, "title": "Row", "type": "row"}],
        "schemaVersion": 39,
        "tags": ["fault-suite"],
        "templating": {"list": [{"name": "job", "query": "label_values(up, job)", "type": "query"}]},
        "time": {"from": "now-6h", "to": "now"},
        "title": title,
        "uid": uid,
    }


def write_json(path: Path, content: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return path


def write_tree(root: Path, count: int, *, prefix: str = "d", note: str = "v1") -> Tree:
    """`count` dashboards spread over nested folders `team-N/service-M`; returns uid -> content."""
    written: Tree = {}
    for i in range(count):
        uid = f"{prefix}-{i:04d}"
        content = dashboard(uid, f"{prefix.upper()} dashboard {i}", note=note)
        write_json(root / f"team-{i % 3}" / f"service-{i % 2}" / f"{uid}.json", content)
        written[uid] = content
    return written


# ---------------------------------------------------------------- the syncer executable


def run_syncer(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 120, check_token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m syncer ARGS` to completion (`support.cli.syncer`), capturing stdout and stderr."""
    done = cli.syncer(*args, cwd=REPO, env=env, timeout=timeout)
    if check_token:
        assert_secret_absent(check_token, done.stdout, done.stderr)
    return done


# The fault rules name legacy routes (`POST /api/dashboards/db`), so the suite pins the legacy API.
API = ("--api", "legacy")


def connection(emulator: Emulator) -> tuple[str, ...]:
    return ("--url", emulator.url, "--token", emulator.token, *API)


def apply(
    emulator: Emulator, source: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`syncer apply SOURCE` against the emulator; under every fault the token stays out of its output."""
    return run_syncer(
        "apply", str(source), *connection(emulator), *extra, timeout=timeout, check_token=emulator.token
    )


def assert_secret_absent(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text, "the secret leaked into captured output"


# ---------------------------------------------------------------- server state


def search_dashboards(emulator: Emulator) -> list[JSONDict]:
    hits: list[JSONDict] = []
    page = 1
    while True:
        response = emulator.api(
            "GET", "/api/search", params={"type": "dash-db", "limit": 5000, "page": page}, auth="admin"
        )
        assert response.status_code == 200, response.text
        batch = response.json()
        hits.extend(batch)
        if len(batch) < 5000:
            return hits
        page += 1


def get_dashboard(emulator: Emulator, uid: str) -> JSONDict | None:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}", auth="admin")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: JSONDict = response.json()
    return body


def strip_server_owned(content: Mapping[str, Any]) -> JSONDict:
    return {k: v for k, v in content.items() if k not in SERVER_OWNED}


def assert_no_duplicates(emulator: Emulator) -> list[JSONDict]:
    hits = search_dashboards(emulator)
    uids = [h["uid"] for h in hits]
    assert len(uids) == len(set(uids)), "duplicate dashboard uids on the server"
    placed = [(h.get("folderUid", ""), h["title"]) for h in hits]
    assert len(placed) == len(set(placed)), "two dashboards with one title in one folder"
    return hits


def assert_server_has(emulator: Emulator, expected: Mapping[str, JSONDict]) -> None:
    """Every expected dashboard exists once, with exactly the expected content (server fields aside)."""
    assert_no_duplicates(emulator)
    for uid, content in expected.items():
        found = get_dashboard(emulator, uid)
        assert found is not None, f"dashboard {uid} missing on the server"
        assert strip_server_owned(found["dashboard"]) == strip_server_owned(content), f"{uid} content differs"


@dataclass(frozen=True)
class Unmanaged:
    """Dashboards someone made by hand in Grafana before the test; syncer must never touch them."""

    versions: Mapping[str, int]

    @classmethod
    def seed(cls, emulator: Emulator, count: int = 2) -> Unmanaged:
        versions = {}
        for i in range(count):
            uid = f"hand-made-{i}"
            body = {"dashboard": dashboard(uid, f"Hand made {i}", note="by hand"), "overwrite": False}
            response = emulator.api("POST", "/api/dashboards/db", json=body, auth="admin")
            assert response.status_code == 200, response.text
            versions[uid] = int(response.json()["version"])
        return cls(versions)

    def assert_untouched(self, emulator: Emulator) -> None:
        for uid, version in self.versions.items():
            found = get_dashboard(emulator, uid)
            assert found is not None, f"unmanaged dashboard {uid} was deleted"
            assert found["dashboard"]["version"] == version, f"unmanaged dashboard {uid} was rewritten"
            assert "__syncer" not in found["dashboard"], f"unmanaged dashboard {uid} was adopted"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


# ---------------------------------------------------------------- the daemon


class Daemon:
    """A `syncer run` subprocess; its combined output goes to a file the test can search."""

    def __init__(self, argv: list[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.log = log
        self._handle = log.open("w")
        self.process = subprocess.Popen(
            argv, stdout=self._handle, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **(env or {})}
        )
        self.url = self._listen_url(timeout=60)

    def _listen_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = SERVING.search(self.output())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"daemon did not start:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, path: str, token: str | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=b"", method="POST")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def ready(self) -> bool:
        try:
            return self.get("/readyz")[0] == 200
        except OSError:
            return False

    def metrics(self) -> str:
        status, body = self.get("/metrics")
        assert status == 200
        return body

    def metric_sum(self, name: str, **labels: str) -> float:
        """Sum of every sample of `name` whose labels include `labels`."""
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(name) or line.startswith("#"):
                continue
            head, _, value = line.rpartition(" ")
            metric, _, label_text = head.partition("{")
            if metric != name:
                continue
            if all(f'{k}="{v}"' in label_text for k, v in labels.items()):
                total += float(value)
        return total

    def passes(self) -> float:
        """Passes finished so far: reconciles of any result, and loads refused before reconciling."""
        return self.metric_sum("syncer_reconcile_total") + self.metric_sum("syncer_source_errors_total")

    def wait_for_passes(self, count: int, timeout: float = 30, what: str = "") -> None:
        """Wait until `count` more passes have finished: the condition a fixed sleep only hoped for.

        A pass that was already running when this is called may be the first one counted, so a test
        that needs a pass *started* after its change waits for one more than it needs.
        """
        start = self.passes()
        label = what or f"{count} more reconcile passes"
        wait_for(lambda: self.alive() and self.passes() >= start + count, timeout, label)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._handle.close()
        return self.process.returncode


@contextlib.contextmanager
def running_daemon(
    emulator: Emulator,
    source: Path,
    log: Path,
    *extra: str,
    env: Mapping[str, str] | None = None,
    token: str | None = None,
    url: str | None = None,
) -> Iterator[Daemon]:
    """`syncer run` on `source` against `emulator`; `token` / `url` replace the emulator's own if given."""
    argv = [
        *SYNCER,
        "run",
        "--dir",
        str(source),
        "--url",
        url or emulator.url,
        "--token",
        token or emulator.token,
        *API,
        "--listen",
        "127.0.0.1:0",
        "--debounce",
        "0.1",
        *extra,
    ]
    daemon = Daemon(argv, log, env)
    try:
        yield daemon
    finally:
        daemon.stop()
