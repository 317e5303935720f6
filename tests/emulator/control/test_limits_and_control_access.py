"""Contract: Grafana's request-body cap, and who may reach the control API (`/__emulator/*`).

Body cap: Grafana gives its apiserver `MaxRequestBodyBytes = 16 * 1024 * 1024`
(pkg/services/apiserver/service.go); a larger body on `/apis` is the k8s Status of
k8s.io/apiserver `limitedReadBody` (`Request entity too large: limit is N`), and the legacy
dashboard API converts it to `413 {"message":"Dashboard is too large, max is 16 MB"}`
(pkg/api/dashboard.go). Nothing of an oversized body is stored.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from support.emulator import REPO_ROOT, Emulator

from syncer.emulator.config import MAX_BODY_BYTES, EmulatorConfig
from syncer.emulator.control.access import is_loopback, refusal

K8S_DASHBOARDS = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"
CONTROL_TOKEN = "control-secret-for-tests"


def oversized_dashboard_body() -> bytes:
    """A syntactically valid save request one byte over the cap."""
    head, tail = b'{"dashboard":{"uid":"huge","title":"Huge","description":"', b'"}}'
    return head + b"x" * (MAX_BODY_BYTES + 1 - len(head) - len(tail)) + tail


def test_the_cap_is_grafanas_16_mib() -> None:
    assert MAX_BODY_BYTES == 16 * 1024 * 1024 == EmulatorConfig().max_body_bytes


def test_legacy_dashboard_body_over_the_cap_is_grafanas_413(emulator: Emulator) -> None:
    body = oversized_dashboard_body()
    assert len(body) == MAX_BODY_BYTES + 1
    response = emulator.api(
        "POST", "/api/dashboards/db", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"message": "Dashboard is too large, max is 16 MB"}
    assert emulator.state()["orgs"]["1"]["dashboards"] == []


def test_k8s_body_over_the_cap_is_a_request_entity_too_large_status(emulator: Emulator) -> None:
    body = b" " * (MAX_BODY_BYTES + 1)
    json_type = {"Content-Type": "application/json"}
    response = emulator.api("POST", K8S_DASHBOARDS, content=body, headers=json_type)
    assert response.status_code == 413
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"Request entity too large: limit is {MAX_BODY_BYTES}",
        "reason": "RequestEntityTooLarge",
        "code": 413,
    }


def test_chunked_body_over_the_cap_is_refused_too(emulator: Emulator) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"dashboard":{"uid":"chunked-huge","title":"T","description":"'
        for _ in range(17):
            yield b"x" * (1024 * 1024)
        yield b'"}}'

    response = emulator.api(
        "POST", "/api/dashboards/db", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert emulator.state()["orgs"]["1"]["dashboards"] == []


def test_a_body_at_the_cap_is_read(emulator: Emulator) -> None:
    head, tail = b'{"dashboard":{"uid":"at-cap","title":"At cap","description":"', b'"}}'
    body = head + b"x" * (MAX_BODY_BYTES - len(head) - len(tail)) + tail
    response = emulator.api(
        "POST", "/api/dashboards/db", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text[:200]


def test_unauthenticated_oversized_body_is_401_first(emulator: Emulator) -> None:
    """Grafana authenticates in middleware before the handler reads the body."""
    response = emulator.api("POST", "/api/dashboards/db", content=oversized_dashboard_body(), auth="none")
    assert response.status_code == 401


# ---------------------------------------------------------------- control API access


def test_loopback_peers_and_only_them_without_a_control_token() -> None:
    config = EmulatorConfig()
    for remote in ("127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"):
        assert is_loopback(remote) and refusal(config, remote, "") is None, remote
    for remote in ("192.0.2.10", "10.0.0.1", "::ffff:10.0.0.1", "fd00::2", "", None, "not-an-ip"):
        refused = refusal(config, remote, "")
        assert refused is not None and refused.status == 403, remote


def test_with_a_control_token_every_caller_needs_it() -> None:
    config = EmulatorConfig(control_token=CONTROL_TOKEN)
    for remote in ("127.0.0.1", "192.0.2.10"):
        assert refusal(config, remote, f"Bearer {CONTROL_TOKEN}") is None
        for wrong in ("", "Bearer nope", f"Basic {CONTROL_TOKEN}", CONTROL_TOKEN):
            refused = refusal(config, remote, wrong)
            assert refused is not None and refused.status == 401
            assert CONTROL_TOKEN.encode() not in refused.body
    assert CONTROL_TOKEN not in repr(config)


def _non_loopback_address() -> str | None:
    """This machine's outward IPv4 address (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.123", 9))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if is_loopback(address) else address


@pytest.fixture
def outward_address() -> str:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("no non-loopback IPv4 address on this machine")
    return address


def test_emulator_bound_elsewhere_refuses_control_requests_from_other_hosts(outward_address: str) -> None:
    emulator = Emulator.start("--host", "0.0.0.0")
    try:
        port = emulator.url.rsplit(":", 1)[1]
        remote = httpx.post(f"http://{outward_address}:{port}/__emulator/reset", timeout=10)
        assert remote.status_code == 403
        assert "--control-token" in remote.json()["message"]
        assert httpx.get(f"http://{outward_address}:{port}/api/health", timeout=10).status_code == 200
        local = httpx.get(f"http://127.0.0.1:{port}/__emulator/requests", timeout=10)
        assert local.status_code == 200
    finally:
        emulator.stop()


def test_control_token_opens_the_control_api_from_other_hosts(outward_address: str) -> None:
    emulator = Emulator.start("--host", "0.0.0.0", "--control-token", CONTROL_TOKEN)
    try:
        base = f"http://{outward_address}:{emulator.url.rsplit(':', 1)[1]}/__emulator"
        assert httpx.get(f"{base}/requests", timeout=10).status_code == 401
        bearer = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
        granted = httpx.get(f"{base}/requests", headers=bearer, timeout=10)
        assert granted.status_code == 200 and granted.json()["total"] >= 0
        assert httpx.get(f"{emulator.url}/__emulator/requests", timeout=10).status_code == 401  # loopback too
        cli = subprocess.run(
            [
                *(sys.executable, "-m", "syncer.emulator", "requests", "--url", emulator.url),
                *("--control-token", CONTROL_TOKEN),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert cli.returncode == 0, cli.stderr
        assert CONTROL_TOKEN not in cli.stdout + cli.stderr
        assert CONTROL_TOKEN not in emulator.stderr_text()
    finally:
        emulator.stop()
