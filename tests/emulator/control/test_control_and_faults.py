"""Contract: the /__emulator control API (counters, reset, state) and fault injection."""

from __future__ import annotations

import time

import httpx
import pytest
from support.emulator import Emulator

from ..helpers import folder, save


def test_counters_by_route_template_and_method(emulator: Emulator) -> None:
    save(emulator, {"uid": "a", "title": "A"})
    emulator.api("GET", "/api/dashboards/uid/a")
    emulator.api("GET", "/api/dashboards/uid/missing")
    emulator.api("GET", "/api/health", auth="none")
    counters = emulator.requests()
    assert counters["total"] == 4 and counters["writes"] == 1 and counters["reads"] == 3
    assert counters["by_route"] == {
        "POST /api/dashboards/db": 1,
        "GET /api/dashboards/uid/:uid": 2,
        "GET /api/health": 1,
    }
    assert counters["by_method"] == {"GET": 3, "POST": 1}
    assert counters["by_status"] == {"200": 3, "404": 1}
    assert emulator.writes() == 1


def test_reset_counters_only_keeps_state(emulator: Emulator) -> None:
    save(emulator, {"uid": "keep", "title": "Keep"})
    emulator.reset(counters_only=True)
    assert emulator.requests()["total"] == 0
    assert emulator.api("GET", "/api/dashboards/uid/keep").status_code == 200
    emulator.reset()
    assert emulator.api("GET", "/api/dashboards/uid/keep").status_code == 404


def test_state_dump(emulator: Emulator) -> None:
    folder(emulator, "f", "F")
    save(emulator, {"uid": "s", "title": "S", "panels": []}, folder_uid="f")
    state = emulator.state()
    org1 = state["orgs"]["1"]
    (dashboard,) = org1["dashboards"]
    assert (dashboard["uid"], dashboard["folderUid"], dashboard["version"]) == ("s", "f", 1)
    assert dashboard["dashboard"]["panels"] == []
    assert [f["uid"] for f in org1["folders"]] == ["f"]
    assert state["orgs"]["2"] == {"dashboards": [], "folders": []}


def test_status_fault_for_n_requests_with_retry_after(emulator: Emulator) -> None:
    emulator.fault(route="POST /api/dashboards/db", status=429, count=2, retry_after=2)
    for _ in range(2):
        refused = emulator.api("POST", "/api/dashboards/db", json={"dashboard": {"title": "x"}})
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
        assert refused.json() == {"message": "Too Many Requests"}
    assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": {"title": "x"}}).status_code == 200
    assert emulator.faults() == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_faults(emulator: Emulator, status: int) -> None:
    emulator.fault(route="GET /api/search", status=status, count=1)
    assert emulator.api("GET", "/api/search").status_code == status
    assert emulator.api("GET", "/api/search").status_code == 200


def test_faults_match_only_their_route(emulator: Emulator) -> None:
    emulator.fault(route="GET /api/dashboards/uid/:uid", status=500)
    assert emulator.api("GET", "/api/search").status_code == 200
    assert emulator.api("GET", "/api/dashboards/uid/any").status_code == 500
    assert emulator.api("GET", "/api/dashboards/uid/other").status_code == 500
    emulator.clear_faults()
    assert emulator.api("GET", "/api/dashboards/uid/any").status_code == 404


def test_faults_apply_before_auth(emulator: Emulator) -> None:
    emulator.fault(route="*", status=503, count=1)
    assert emulator.api("GET", "/api/search", auth="none").status_code == 503


def test_latency(emulator: Emulator) -> None:
    emulator.fault(route="GET /api/health", latency_ms=300, count=1)
    started = time.monotonic()
    assert emulator.api("GET", "/api/health").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_dropped_connection(emulator: Emulator) -> None:
    emulator.fault(route="POST /api/dashboards/db", drop=True, count=1)
    with httpx.Client(base_url=emulator.url, headers=emulator.headers()) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/api/dashboards/db", json={"dashboard": {"title": "lost"}})
        assert client.post("/api/dashboards/db", json={"dashboard": {"title": "kept"}}).status_code == 200
    titles = [d["title"] for d in emulator.state()["orgs"]["1"]["dashboards"]]
    assert titles == ["kept"]
    assert emulator.requests()["by_status"]["dropped"] == 1


def test_down_period_closes_connections_then_recovers(emulator: Emulator) -> None:
    emulator.fault(down_for_s=0.6)
    with httpx.Client(base_url=emulator.url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/health")
        assert client.get("/__emulator/requests").status_code == 200  # control API stays up
        time.sleep(0.7)
        assert client.get("/api/health").status_code == 200


def test_down_period_in_503_mode(emulator: Emulator) -> None:
    emulator.fault(down_for_s=5, mode="503")
    assert emulator.api("GET", "/api/health").status_code == 503
    emulator.clear_faults()
    assert emulator.api("GET", "/api/health").status_code == 200


def test_bad_fault_rules_are_400(emulator: Emulator) -> None:
    for rule in ({"route": "*"}, {"status": 99}, {"drop": True, "bogus": 1}, {"latency_ms": -1}):
        response = httpx.post(f"{emulator.url}/__emulator/faults", json=[rule])
        assert response.status_code == 400, rule


def test_first_refusing_rule_decides_and_only_applied_rules_are_consumed(emulator: Emulator) -> None:
    emulator.fault(route="GET /api/search", status=500, count=1)
    emulator.fault(route="*", status=502, count=1)
    emulator.fault(route="/api/search", latency_ms=50, count=2)
    assert emulator.api("GET", "/api/search").status_code == 500
    remaining = {(rule["route"], rule.get("status")): rule for rule in emulator.faults()}
    assert ("GET /api/search", 500) not in remaining
    assert remaining[("*", 502)]["hits"] == 0 and remaining[("*", 502)]["count"] == 1
    assert remaining[("/api/search", None)]["count"] == 1
    assert emulator.api("GET", "/api/search").status_code == 502
    assert emulator.api("GET", "/api/search").status_code == 200
    assert emulator.faults() == []
