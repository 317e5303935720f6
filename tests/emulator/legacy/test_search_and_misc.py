"""Contract: /api/search parameters and ordering, tags, home, health, user, org, datasources."""

from __future__ import annotations

from typing import Any

import pytest
from support.emulator import Emulator

from ..helpers import folder, save


def search(emulator: Emulator, **params: Any) -> list[dict[str, Any]]:
    response = emulator.api("GET", "/api/search", params=params)
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()
    return hits


@pytest.fixture
def populated(emulator: Emulator) -> Emulator:
    folder(emulator, "zf", "Zulu folder")
    folder(emulator, "af", "alpha folder")
    folder(emulator, "nested", "Nested", parent="af")
    save(emulator, {"uid": "d1", "title": "beta dash", "tags": ["prod", "team-a"]})
    save(emulator, {"uid": "d2", "title": "Alpha Dash", "tags": ["prod"]}, folder_uid="af")
    save(emulator, {"uid": "d3", "title": "gamma", "tags": ["staging", "prod", "b-tag"]}, folder_uid="nested")
    return emulator


def test_default_order_is_folders_first_then_title(populated: Emulator) -> None:
    hits = search(populated)
    assert [h["uid"] for h in hits] == ["af", "nested", "zf", "d2", "d1", "d3"]


def test_hit_shapes(populated: Emulator) -> None:
    hits = {h["uid"]: h for h in search(populated)}
    root = hits["d1"]
    assert root["type"] == "dash-db" and root["url"] == "/d/d1/beta-dash" and root["uri"] == "db/beta-dash"
    assert root["tags"] == ["prod", "team-a"] and root["isStarred"] is False and root["orgId"] == 1
    for key in ("folderUid", "folderTitle", "folderUrl", "folderId"):
        assert key not in root
    inside = hits["d2"]
    assert (inside["folderUid"], inside["folderTitle"]) == ("af", "alpha folder")
    assert inside["folderUrl"] == "/dashboards/f/af/alpha-folder"
    assert hits["d3"]["tags"] == ["b-tag", "prod", "staging"]
    top_folder = hits["zf"]
    assert top_folder["type"] == "dash-folder" and top_folder["tags"] == []
    assert top_folder["url"] == "/dashboards/f/zf/zulu-folder" and "folderUid" not in top_folder
    assert hits["nested"]["folderUid"] == "af"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"query": "ALPHA"}, ["af", "d2"]),
        ({"type": "dash-db"}, ["d2", "d1", "d3"]),
        ({"type": "dash-folder"}, ["af", "nested", "zf"]),
        ({"tag": "prod"}, ["d2", "d1", "d3"]),
        ({"tag": ["prod", "team-a"]}, ["d1"]),
        ({"dashboardUIDs": ["d1", "d3"]}, ["d1", "d3"]),
        ({"dashboardUID": "d2"}, ["d2"]),
        ({"folderUIDs": "af"}, ["nested", "d2"]),
        ({"folderUIDs": ""}, ["af", "zf", "d1"]),
        ({"folderUIDs": "general", "type": "dash-db"}, ["d1"]),
        ({"folderIds": 0, "type": "dash-db"}, ["d1"]),
        ({"starred": "true"}, []),
        ({"sort": "alpha-desc"}, ["zf", "nested", "d3", "d1", "af", "d2"]),
    ],
)
def test_filters(populated: Emulator, params: dict[str, Any], expected: list[str]) -> None:
    hits = search(populated, **params)
    assert [h["uid"] for h in hits] == expected


def test_limit_and_page(populated: Emulator) -> None:
    first = search(populated, type="dash-db", limit=2, page=1)
    second = search(populated, type="dash-db", limit=2, page=2)
    assert len(first) == 2 and len(second) == 1
    assert {h["uid"] for h in first + second} == {"d1", "d2", "d3"}


def test_limit_above_5000_is_422(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/search", params={"limit": 5001})
    assert response.status_code == 422
    assert response.json() == {
        "message": "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"
    }
    assert emulator.api("GET", "/api/search", params={"limit": 5000}).status_code == 200


def test_ids_and_uids_together_is_400(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/search", params={"dashboardIds": 1, "dashboardUIDs": "x"})
    assert response.status_code == 400
    assert response.json() == {"message": "search supports UIDs or IDs, not both"}


def test_edit_permission_filter_for_viewer(populated: Emulator) -> None:
    response = populated.api("GET", "/api/search", params={"permission": "Edit"}, auth="viewer")
    assert response.json() == []
    assert len(populated.api("GET", "/api/search", auth="viewer").json()) == 6


def test_sorting_options(emulator: Emulator) -> None:
    options = emulator.api("GET", "/api/search/sorting").json()["sortOptions"]
    assert {o["name"] for o in options} == {"alpha-asc", "alpha-desc"}


def test_tags_counts(populated: Emulator) -> None:
    tags = populated.api("GET", "/api/dashboards/tags").json()
    assert tags == [
        {"term": "b-tag", "count": 1},
        {"term": "prod", "count": 3},
        {"term": "staging", "count": 1},
        {"term": "team-a", "count": 1},
    ]


def test_home(emulator: Emulator) -> None:
    home = emulator.api("GET", "/api/dashboards/home").json()
    assert home["dashboard"]["title"] == "Home"
    assert home["meta"]["folderTitle"] == "General" and home["meta"]["isHome"] is True


def test_health_user_org(emulator: Emulator) -> None:
    health = emulator.api("GET", "/api/health", auth="none")
    assert health.json() == {"database": "ok", "version": "12.1.0", "commit": health.json()["commit"]}
    assert health.headers["content-type"].startswith("application/json")
    user = emulator.api("GET", "/api/user").json()
    assert user["login"] == emulator.admin_login and user["orgId"] == 1
    admin = emulator.api("GET", "/api/user", auth="admin").json()
    assert admin["login"] == "admin" and admin["isGrafanaAdmin"] is True
    assert emulator.api("GET", "/api/org").json()["name"] == "Main Org."
    assert emulator.api("GET", "/api/org", headers={"X-Grafana-Org-Id": "2"}).json()["id"] == 2


def test_datasources(emulator: Emulator) -> None:
    listed = emulator.api("GET", "/api/datasources").json()
    assert [(d["uid"], d["name"], d["type"]) for d in listed] == [("prometheus", "Prometheus", "prometheus")]
    assert emulator.api("GET", "/api/datasources/uid/prometheus").json()["isDefault"] is True
    missing = emulator.api("GET", "/api/datasources/uid/nope")
    assert missing.status_code == 404 and missing.json() == {"message": "Data source not found"}


def test_deleted_search_is_admin_only(populated: Emulator) -> None:
    assert populated.api("GET", "/api/search", params={"deleted": "true"}, auth="viewer").status_code == 401
    assert populated.api("GET", "/api/search", params={"deleted": "true"}).json() == []
