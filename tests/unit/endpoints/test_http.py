"""The daemon's HTTP server over real sockets on 127.0.0.1, with a recording control object, plus the
Prometheus metrics it serves and the log redaction that keeps tokens out of every line."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from syncer.endpoints import http as http_module
from syncer.endpoints.http import HttpServer
from syncer.endpoints.metrics import PrometheusMetrics
from syncer.logs import REDACTED, SecretRedactor, configure_logging, redactor


class Control:
    def __init__(self) -> None:
        self.synced: list[str | None] = []
        self.healthy = True
        self.is_ready = False

    def health(self) -> tuple[bool, dict[str, Any]]:
        return self.healthy, {"status": "ok" if self.healthy else "unhealthy"}

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        return self.is_ready, {"ready": self.is_ready, "targets": {"a": {"reason": "starting"}}}

    def request_sync(self, target: str | None) -> list[str] | None:
        if target not in (None, "a"):
            return None
        self.synced.append(target)
        return ["a"]


async def _serve(
    control: Control, metrics: PrometheusMetrics, token_file: Path | None = None
) -> tuple[HttpServer, str]:
    server = HttpServer(control, exposition=metrics.exposition, sync_token_file=token_file)
    host, port = await server.start("127.0.0.1", 0)
    return server, f"http://{host}:{port}"


def test_endpoints_answer_with_status_codes_from_the_control() -> None:
    async def scenario() -> None:
        control, metrics = Control(), PrometheusMetrics()
        server, url = await _serve(control, metrics)
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                assert (await client.get("/healthz")).status_code == 200
                control.healthy = False
                assert (await client.get("/healthz")).status_code == 503
                not_ready = await client.get("/readyz")
                assert not_ready.status_code == 503
                assert not_ready.json()["targets"]["a"]["reason"] == "starting"
                control.is_ready = True
                assert (await client.get("/readyz/")).status_code == 200
                assert (await client.post("/sync")).json() == {"accepted": ["a"]}
                assert (await client.post("/sync", params={"target": "a"})).status_code == 202
                assert (await client.post("/sync", params={"target": "zz"})).status_code == 404
                assert control.synced == [None, "a"]
                wrong = await client.get("/sync")
                assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
                assert (await client.get("/")).status_code == 404
                control.healthy = True
                head = await client.head("/healthz")
                assert head.status_code == 200 and head.content == b""
        finally:
            await server.close()

    asyncio.run(scenario())


def test_sync_token_is_checked_and_re_read(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first-token\n")

    async def scenario() -> None:
        control = Control()
        server, url = await _serve(control, PrometheusMetrics(), token_file)
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                assert (await client.post("/sync")).status_code == 401
                assert (
                    await client.post("/sync", headers={"Authorization": "Bearer nope"})
                ).status_code == 401
                assert (
                    await client.post("/sync", headers={"Authorization": "Basic Zmlyc3QtdG9rZW4="})
                ).status_code == 401
                ok = await client.post("/sync", headers={"Authorization": "Bearer first-token"})
                assert ok.status_code == 202
                assert "first-token" not in ok.text
                token_file.write_text("second-token")
                assert (
                    await client.post("/sync", headers={"Authorization": "Bearer first-token"})
                ).status_code == 401
                assert (
                    await client.post("/sync", headers={"Authorization": "bearer second-token"})
                ).status_code == 202
                token_file.unlink()
                assert (
                    await client.post("/sync", headers={"Authorization": "Bearer second-token"})
                ).status_code == 503
                assert len(control.synced) == 2
        finally:
            await server.close()

    asyncio.run(scenario())


def test_malformed_and_slow_requests_do_not_hurt_the_server() -> None:
    async def scenario() -> None:
        server, url = await _serve(Control(), PrometheusMetrics())
        host, port = url.removeprefix("http://").split(":")
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"NONSENSE\r\n\r\n")
            await writer.drain()
            # no version could be read from that line, so the answer is spelt HTTP/1.0
            assert re.match(rb"HTTP/1\.[01] 400 ", await reader.read())
            writer.close()
            reader, writer = await asyncio.open_connection(host, int(port))
            big = b"X-Big: " + b"a" * 20000
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: syncer\r\n" + big + b"\r\n\r\n")  # Host: RFC 9112
            await writer.drain()
            assert (await reader.read()).startswith(b"HTTP/1.1 413")
            writer.close()
            _slow_reader, slow = await asyncio.open_connection(host, int(port))
            slow.write(b"GET /healthz HTTP/1.1\r\n")  # never finishes its head
            async with httpx.AsyncClient(base_url=url) as client:
                assert (await client.get("/healthz")).status_code == 200  # others are still served
            slow.close()
        finally:
            await server.close()

    asyncio.run(scenario())


def test_limits_unknown_routes_and_failing_handlers_get_json_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_module, "READ_TIMEOUT_S", 0.3)

    class Failing(Control):
        def readiness(self) -> tuple[bool, dict[str, Any]]:
            raise RuntimeError("boom")

    async def scenario() -> None:
        server, url = await _serve(Failing(), PrometheusMetrics())
        host, port = url.removeprefix("http://").split(":")
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                too_big = await client.post("/sync", content=b"x" * (64 * 1024 + 1))
                assert (too_big.status_code, too_big.json()) == (413, {"error": "request body too large"})
                unknown = await client.get("/nope")
                assert unknown.status_code == 404
                assert unknown.json() == {
                    "error": "not found",
                    "endpoints": ["/healthz", "/metrics", "/readyz", "/sync"],
                }
                wrong = await client.post("/healthz")
                assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET, HEAD")
                assert wrong.json() == {"error": "method not allowed"}
                failed = await client.get("/readyz")
                assert (failed.status_code, failed.json()) == (500, {"error": "internal error"})
                healthy = await client.get("/healthz")
                assert healthy.status_code == 200 and healthy.headers["cache-control"] == "no-store"
                metrics = await client.get("/metrics")
                assert metrics.headers["content-type"].startswith("text/plain")
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"GET /healthz HTTP/1.1\r\n")  # never finishes its head
            await writer.drain()
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed after READ_TIMEOUT_S
            writer.close()
        finally:
            await server.close()

    asyncio.run(scenario())


def test_metrics_exposition_has_the_documented_names_and_labels() -> None:
    metrics = PrometheusMetrics()
    metrics.reconcile_finished("a", 0.3, True)
    metrics.reconcile_finished("a", 2.0, False)
    metrics.action_finished("a", "create", "ok")
    metrics.for_target("a").api_request("POST", "/api/dashboards/db", 200)
    metrics.api_request("GET", "/api/search", 0)
    metrics.trigger("a", "watch")
    metrics.source_error("a", "empty")
    metrics.conflicts("a", "overwritten", 2)
    metrics.drift("a", 3)
    metrics.gauges("a", {"ready": 1, "managed_dashboards": 10, "last_success_timestamp_seconds": 5.0})
    with pytest.raises(KeyError):
        metrics.gauges("a", {"no_such_gauge": 1})
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }
    assert samples[("syncer_reconcile_total", (("result", "ok"), ("target", "a")))] == 1
    assert samples[("syncer_reconcile_duration_seconds_count", (("result", "error"), ("target", "a")))] == 1
    assert samples[("syncer_actions_total", (("action", "create"), ("result", "ok"), ("target", "a")))] == 1
    key = (("method", "POST"), ("route", "/api/dashboards/db"), ("status", "200"), ("target", "a"))
    assert samples[("syncer_grafana_requests_total", key)] == 1
    assert samples[("syncer_conflicts_total", (("resolution", "overwritten"), ("target", "a")))] == 2
    assert samples[("syncer_drift_total", (("target", "a"),))] == 3
    assert samples[("syncer_source_errors_total", (("kind", "empty"), ("target", "a")))] == 1
    assert samples[("syncer_managed_dashboards", (("target", "a"),))] == 10
    assert not any(name.endswith("_created") for name, _ in samples)


def test_redactor_masks_secret_keys_values_and_patterns() -> None:
    scrub = SecretRedactor()
    scrub.register("hunter2-password")
    event = scrub(
        None,
        "info",
        {
            "event": "x",
            "token": "glsa_abc",
            "Authorization": "Bearer abc",
            "token_file": "/var/run/token",
            "error": "401 for Bearer eyJhbGciOi.x.y and glsa_0123456789abcdef_deadbeef",
            "nested": {"password": "p", "url": "https://user:hunter2-password@grafana"},
            "exc": ValueError("boom hunter2-password"),
        },
    )
    text = json.dumps(event, default=str)
    for secret in ("glsa_abc", "eyJhbGciOi", "glsa_0123456789", "hunter2-password", '"p"'):
        assert secret not in text
    assert event["token"] == REDACTED and event["Authorization"] == REDACTED
    assert event["token_file"] == "/var/run/token"
    assert REDACTED in event["error"]


def test_configured_logging_renders_json_without_secrets() -> None:
    stream = io.StringIO()
    configure_logging("info", "auto", stream=stream)  # not a TTY -> JSON
    try:
        redactor.register("glsa_registered_secret_value")
        log = structlog.get_logger("t")
        log.info("hello", target="a", detail="saw glsa_registered_secret_value", token="x")
        log.debug("hidden")
    finally:
        structlog.reset_defaults()  # other tests expect structlog's defaults
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["event"] == "hello" and lines[0]["target"] == "a" and lines[0]["level"] == "info"
    assert "glsa_registered_secret_value" not in stream.getvalue()
    assert lines[0]["token"] == REDACTED
