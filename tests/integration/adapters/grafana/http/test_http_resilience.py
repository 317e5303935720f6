"""The shared HTTP layer against the emulator: retries on 5xx/429 (Retry-After honoured), no retry
on other 4xx, secrets never in errors, one failure never stops the others."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.emulator import Emulator

from integration.engine_helpers import dashboard, run, write
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.model.errors import Forbidden, ServerError, Unauthorized, Unreachable
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome
from syncer.ports import NullMetrics
from syncer.settings.model import GrafanaSettings


class RecordingMetrics(NullMetrics):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def api_request(self, method: str, route: str, status: int) -> None:
        self.calls.append((method, route, status))


def get(settings: GrafanaSettings, path: str, metrics: NullMetrics | None = None) -> object:
    async def go() -> object:
        http = GrafanaHttp(settings, metrics=metrics or NullMetrics())
        try:
            return await http.get_json(path, route=path)
        finally:
            await http.aclose()

    return asyncio.run(go())


def test_5xx_is_retried_until_it_succeeds(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "a.json", dashboard("A", "a"))
    emulator.fault(route="POST /api/dashboards/db", status=503, count=2)

    report = run(emulator, src)

    assert [r.outcome for r in report.results] == [Outcome.OK]
    assert emulator.requests()["by_route"]["POST /api/dashboards/db"] == 3


def test_429_retry_after_is_honoured(emulator: Emulator) -> None:
    emulator.fault(route="GET /api/search", status=429, count=1, retry_after=0.6)
    settings = GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token))
    metrics = RecordingMetrics()

    started = time.monotonic()
    assert get(settings, "/api/search", metrics) == []
    waited = time.monotonic() - started

    assert waited >= 0.55  # full jitter alone would usually wait far less than Retry-After
    assert [c[2] for c in metrics.calls] == [429, 200]


def test_persistent_5xx_gives_up_after_the_retry_budget(emulator: Emulator) -> None:
    emulator.fault(route="GET /api/search", status=500)
    settings = GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), retries=2)
    with pytest.raises(ServerError):
        get(settings, "/api/search")
    assert emulator.requests()["by_route"]["GET /api/search"] == 3


def test_4xx_is_not_retried(emulator: Emulator) -> None:
    settings = GrafanaSettings(url=emulator.url, token=SecretStr(emulator.viewer_token))

    async def go() -> None:
        http = GrafanaHttp(settings, metrics=NullMetrics())
        try:
            await http.request("POST", "/api/folders", route="/api/folders", json={"title": "x"})
        finally:
            await http.aclose()

    with pytest.raises(Forbidden):
        asyncio.run(go())
    assert emulator.requests()["by_route"]["POST /api/folders"] == 1


def test_bad_token_error_never_contains_the_token(emulator: Emulator) -> None:
    secret = "glsa_this_is_secret_do_not_print_0123456789"
    settings = GrafanaSettings(url=emulator.url, token=SecretStr(secret))
    with pytest.raises(Unauthorized) as caught:
        get(settings, "/api/search")
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert emulator.requests()["by_route"]["GET /api/search"] == 1  # 401 is permanent


def test_unreachable_server_is_classified(tmp_path: Path) -> None:
    settings = GrafanaSettings(url="http://127.0.0.1:9", token=SecretStr("glsa_x"), retries=0, timeout_s=2)
    with pytest.raises(Unreachable):
        get(settings, "/api/search")


def test_token_file_is_reread_on_every_request(emulator: Emulator, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("glsa_wrong\n")
    settings = GrafanaSettings(url=emulator.url, token_file=token_file, retries=0)

    async def go() -> tuple[str, object]:
        http = GrafanaHttp(settings, metrics=NullMetrics())
        try:
            try:
                await http.get_json("/api/search", route="/api/search")
                first = "ok"
            except Unauthorized:
                first = "unauthorized"
            token_file.write_text(emulator.token + "\n")  # rotated while the client lives
            return first, await http.get_json("/api/search", route="/api/search")
        finally:
            await http.aclose()

    assert asyncio.run(go()) == ("unauthorized", [])


def test_one_failing_dashboard_does_not_stop_the_others(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(6):
        write(src, f"d{i}.json", dashboard(f"D{i}", f"d{i}"))
    run(emulator, src, dry_run=True)  # nothing written yet
    emulator.fault(route="POST /api/dashboards/db", status=400, count=1, message="bad request data")

    report = run(emulator, src)

    outcomes = sorted(r.outcome.value for r in report.results)
    assert outcomes == ["failed"] + ["ok"] * 5
    [failure] = report.failures
    assert "HTTP 400" in failure.detail and failure.path == f"{failure.uid}.json"


def test_one_unreadable_dashboard_does_not_stop_the_pass(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(3):
        write(src, f"d{i}.json", dashboard(f"D{i}", f"d{i}"))
    run(emulator, src)
    # the first dashboard read fails on every attempt (1 + 4 retries): like a corrupt stored dashboard
    emulator.fault(
        route="GET /api/dashboards/uid/:uid", status=500, count=5, message="dashboard data is invalid"
    )

    report = run(emulator, src, concurrency=1)

    assert report.fatal is None and not report.failures, report.results
    # the unreadable one looked absent, its create met a 412, the re-read worked: nothing overwritten
    [result] = report.results
    assert result.retries == 1 and result.kind is ActionKind.NOOP and result.outcome is Outcome.OK
    for i in range(3):
        stored = emulator.api("GET", f"/api/dashboards/uid/d{i}").json()
        assert stored["meta"]["version"] == 1
