"""The emulator starts, answers health without auth and a dashboard round trip with auth."""

from __future__ import annotations

from support.emulator import Emulator


def test_health_needs_no_auth(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/health", auth="none")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_dashboard_round_trip(emulator: Emulator) -> None:
    saved = emulator.api("POST", "/api/dashboards/db", json={"dashboard": {"title": "Smoke", "uid": "smoke"}})
    assert saved.status_code == 200, saved.text
    fetched = emulator.api("GET", "/api/dashboards/uid/smoke")
    assert fetched.json()["dashboard"]["title"] == "Smoke"
    assert emulator.writes() == 1
