"""The in-process seam answers as the emulator process does (tests/support/inprocess.py).

The suite-wide `emulator` fixture is the in-process one, so a divergence from `syncer emulator`
(another config, another runner setting, a route missing) would make every integration test judge
something users never run. These tests drive both with the same calls and compare the answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator

DASHBOARD = {"dashboard": {"uid": "seam-1", "title": "Seam", "panels": []}, "overwrite": False}


def conversation(emulator: Emulator) -> list[tuple[int, Any]]:
    """Statuses and bodies (without ids, versions and times) of one fixed set of calls."""
    answers: list[tuple[int, Any]] = []
    calls: list[tuple[str, str, Any, str]] = [
        ("GET", "/api/health", None, "none"),
        ("GET", "/api/search", None, "none"),
        ("POST", "/api/dashboards/db", DASHBOARD, "token"),
        ("POST", "/api/dashboards/db", DASHBOARD, "token"),  # 412: exists, no overwrite
        ("POST", "/api/dashboards/db", DASHBOARD, "viewer"),  # 403
        ("GET", "/api/dashboards/uid/seam-1", None, "admin"),
        ("GET", "/api/dashboards/uid/missing", None, "token"),
        ("GET", "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards/seam-1", None, "token"),
        ("DELETE", "/api/nothing/here", None, "token"),
    ]
    for method, path, body, auth in calls:
        response = emulator.api(method, path, json=body, auth=auth)  # type: ignore[arg-type]
        answers.append((response.status_code, stable(response)))
    answers.append((200, emulator.requests()["by_route"]))
    return answers


def stable(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text
    volatile = {"id", "version", "created", "updated", "uid", "url", "resourceVersion", "creationTimestamp"}
    volatile.add("grafana.app/updatedTimestamp")  # a time too: the two runs may straddle a second
    return scrub(body, volatile)


def scrub(value: Any, volatile: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: scrub(v, volatile) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [scrub(v, volatile) for v in value]
    return value


@pytest.fixture
def both() -> Iterator[tuple[Emulator, Emulator]]:
    process, in_process = Emulator.start(), InProcessEmulator.start()
    try:
        yield process, in_process
    finally:
        process.stop()
        in_process.stop()


def test_the_seam_answers_as_the_process_does(both: tuple[Emulator, Emulator]) -> None:
    process, in_process = both
    expected = conversation(process)
    assert [status for status, _ in expected][:5] == [200, 401, 200, 412, 403]
    assert conversation(in_process) == expected


def test_faults_and_reset_work_through_the_seam() -> None:
    emulator = InProcessEmulator.start(profile="11.2")
    try:
        emulator.fault(route="GET /api/search", status=503, count=1)
        assert emulator.api("GET", "/api/search").status_code == 503
        assert emulator.api("GET", "/api/search").status_code == 200
        emulator.reset()
        assert emulator.requests()["total"] == 0 and emulator.faults() == []
        assert emulator.api("GET", "/api/health").json()["version"].startswith("11.2")
    finally:
        emulator.stop()
    assert emulator.process.poll() is not None, "a stopped seam reports itself dead to the fixture"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emulator.url}/api/health", timeout=5)
