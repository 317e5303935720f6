"""Contract: dashboard version history (list, get, restore) in profile 12."""

from __future__ import annotations

from support.emulator import Emulator

from ..helpers import get, save


def versions(emulator: Emulator, uid: str, **params: object) -> dict[str, object]:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}/versions", params=params)
    assert response.status_code == 200, response.text
    document: dict[str, object] = response.json()
    return document


def test_list_is_newest_first_with_continue_token(emulator: Emulator) -> None:
    save(emulator, {"uid": "h", "title": "H1"})
    save(emulator, {"uid": "h", "title": "H2", "version": 1}, message="second")
    save(emulator, {"uid": "h", "title": "H3", "version": 2}, auth="admin")
    listed = versions(emulator, "h")
    entries = listed["versions"]
    assert isinstance(entries, list) and listed["continueToken"] == ""
    assert [e["version"] for e in entries] == [3, 2, 1]
    assert [e["message"] for e in entries] == ["", "second", "Initial save"]
    assert [e["parentVersion"] for e in entries] == [2, 1, 0]
    assert entries[0]["createdBy"] == "admin" and entries[2]["createdBy"] == emulator.admin_login
    assert all("data" not in e and e["uid"] == "h" for e in entries)
    page = versions(emulator, "h", limit=2)
    assert [e["version"] for e in page["versions"]] == [3, 2]  # type: ignore[union-attr]
    rest = versions(emulator, "h", limit=2, continueToken=page["continueToken"])
    assert [e["version"] for e in rest["versions"]] == [1]  # type: ignore[union-attr]


def test_get_one_version_has_data(emulator: Emulator) -> None:
    save(emulator, {"uid": "g", "title": "Old"})
    save(emulator, {"uid": "g", "title": "New", "version": 1})
    one = emulator.api("GET", "/api/dashboards/uid/g/versions/1").json()
    assert one["version"] == 1 and one["data"]["title"] == "Old" and one["data"]["version"] == 1
    missing = emulator.api("GET", "/api/dashboards/uid/g/versions/9")
    assert missing.status_code == 500
    assert missing.json()["message"].startswith("Dashboard version 9 not found for dashboardId ")


def test_restore_creates_a_new_version(emulator: Emulator) -> None:
    save(emulator, {"uid": "r", "title": "First", "panels": [1]})
    save(emulator, {"uid": "r", "title": "Second", "version": 1})
    restored = emulator.api("POST", "/api/dashboards/uid/r/restore", json={"version": 1})
    assert restored.status_code == 200
    assert restored.json()["version"] == 3 and restored.json()["status"] == "success"
    current = get(emulator, "r")["dashboard"]
    assert (current["title"], current["panels"], current["version"]) == ("First", [1], 3)
    top = versions(emulator, "r")["versions"][0]  # type: ignore[index]
    assert top["restoredFrom"] == 1 and top["message"] == "Restored from version 1"
    unknown = emulator.api("POST", "/api/dashboards/uid/r/restore", json={"version": 42})
    assert unknown.status_code == 404 and unknown.json() == {"message": "Dashboard version not found"}


def test_history_needs_an_existing_dashboard_and_write_access(emulator: Emulator) -> None:
    assert emulator.api("GET", "/api/dashboards/uid/none/versions").status_code == 404
    save(emulator, {"uid": "v", "title": "V"})
    denied = emulator.api("GET", "/api/dashboards/uid/v/versions", auth="viewer")
    assert denied.status_code == 403 and denied.json() == {"message": "Access denied to this dashboard"}


def test_history_keeps_twenty_versions(emulator: Emulator) -> None:
    save(emulator, {"uid": "many", "title": "Many"})
    for version in range(1, 25):
        save(emulator, {"uid": "many", "title": "Many", "version": version})
    entries = versions(emulator, "many")["versions"]
    assert len(entries) == 20 and entries[0]["version"] == 25  # type: ignore[index, arg-type]
