"""Contract: /api/folders list/get/create/update/delete/move, nesting and reserved names."""

from __future__ import annotations

import pytest
from support.emulator import Emulator

from ..helpers import folder, get, save


def test_create_returns_the_folder_dto(emulator: Emulator) -> None:
    created = folder(emulator, "team-a", "Team A", description="owned by syncer")
    assert created["uid"] == "team-a" and created["title"] == "Team A"
    assert created["url"] == "/dashboards/f/team-a/team-a"
    assert created["version"] == 1 and created["orgId"] == 1
    assert created["createdBy"] == created["updatedBy"] == emulator.admin_login
    assert created["description"] == "owned by syncer"
    assert "parentUid" not in created and "parents" not in created
    fetched = emulator.api("GET", "/api/folders/team-a").json()
    assert fetched == created


def test_create_generates_a_uid_and_trims_the_title(emulator: Emulator) -> None:
    response = emulator.api("POST", "/api/folders", json={"title": "  Spaced  "})
    assert response.status_code == 200
    assert response.json()["title"] == "Spaced"
    assert len(response.json()["uid"]) == 14


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"title": "  "}, 400, "folder title cannot be empty"),
        ({"title": "x", "uid": "bad uid"}, 400, "uid contains illegal characters"),
        ({"title": "x", "uid": "u" * 41}, 400, "uid too long, max 40 characters"),
        ({"title": "x", "uid": "general"}, 400, "invalid uid for folder provided"),
        ({"title": "x", "uid": "sharedwithme"}, 400, "invalid uid for folder provided"),
        ({"title": "General"}, 400, "A folder with that name already exists"),
        ({"title": "general"}, 400, "A folder with that name already exists"),
        ({"title": "x", "parentUid": "missing"}, 404, "folder not found"),
    ],
)
def test_create_validation(emulator: Emulator, body: dict[str, str], status: int, message: str) -> None:
    response = emulator.api("POST", "/api/folders", json=body)
    assert response.status_code == status, response.text
    assert response.json()["message"] == message


def test_duplicate_uid_is_412_in_profile_12(emulator: Emulator) -> None:
    folder(emulator, "dup")
    response = emulator.api("POST", "/api/folders", json={"uid": "dup", "title": "Again"})
    assert response.status_code == 412
    assert response.json() == {
        "status": "version-mismatch",
        "message": "the folder has been changed by someone else",
    }


def test_same_title_twice_is_allowed(emulator: Emulator) -> None:
    folder(emulator, "s1", "Same")
    folder(emulator, "s2", "Same")


def test_nested_get_carries_parents_root_first(emulator: Emulator) -> None:
    folder(emulator, "l1")
    folder(emulator, "l2", parent="l1")
    folder(emulator, "l3", parent="l2")
    leaf = emulator.api("GET", "/api/folders/l3").json()
    assert leaf["parentUid"] == "l2"
    assert [p["uid"] for p in leaf["parents"]] == ["l1", "l2"]


def test_depth_limit_is_four(emulator: Emulator) -> None:
    parent = None
    for level in range(1, 5):
        folder(emulator, f"d{level}", parent=parent)
        parent = f"d{level}"
    response = emulator.api("POST", "/api/folders", json={"uid": "d5", "title": "D5", "parentUid": "d4"})
    assert response.status_code == 400
    assert "Maximum nested folder depth reached" in response.json()["message"]


def test_list_by_parent_sorted_with_paging(emulator: Emulator) -> None:
    for uid, title in (("b", "Bravo"), ("a", "alpha"), ("c", "Charlie")):
        folder(emulator, uid, title)
    folder(emulator, "child", "Child", parent="a")
    root = emulator.api("GET", "/api/folders").json()
    assert [item["uid"] for item in root] == ["a", "b", "c"]
    assert root[0] == {"id": root[0]["id"], "uid": "a", "title": "alpha"}
    children = emulator.api("GET", "/api/folders", params={"parentUid": "a"}).json()
    assert children == [{"id": children[0]["id"], "uid": "child", "title": "Child", "parentUid": "a"}]
    page2 = emulator.api("GET", "/api/folders", params={"limit": 2, "page": 2}).json()
    assert [item["uid"] for item in page2] == ["c"]


def test_get_unknown_is_404_with_status_token(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/folders/nope")
    assert response.status_code == 404
    assert response.json() == {"status": "not-found", "message": "folder not found"}


def test_update_checks_version_unless_overwrite(emulator: Emulator) -> None:
    folder(emulator, "up", "Before")
    stale = emulator.api("PUT", "/api/folders/up", json={"title": "After", "version": 7})
    assert stale.status_code == 412
    assert stale.json()["status"] == "version-mismatch"
    ok = emulator.api("PUT", "/api/folders/up", json={"title": "After", "version": 1})
    assert ok.status_code == 200 and ok.json()["title"] == "After" and ok.json()["version"] == 2
    forced = emulator.api("PUT", "/api/folders/up", json={"title": "Forced", "overwrite": True})
    assert forced.json()["version"] == 3
    assert (
        emulator.api("PUT", "/api/folders/up", json={"title": "General", "overwrite": True}).status_code
        == 400
    )
    assert emulator.api("PUT", "/api/folders/none", json={"title": "x", "overwrite": True}).status_code == 404


def test_update_description(emulator: Emulator) -> None:
    folder(emulator, "desc", "Desc")
    emulator.api("PUT", "/api/folders/desc", json={"description": "marker", "version": 1})
    assert emulator.api("GET", "/api/folders/desc").json()["description"] == "marker"
    listed = emulator.api("GET", "/api/folders").json()
    assert listed[0]["description"] == "marker"


def test_move_and_cycles(emulator: Emulator) -> None:
    folder(emulator, "p")
    folder(emulator, "q")
    folder(emulator, "q2", parent="q")
    moved = emulator.api("POST", "/api/folders/q/move", json={"parentUid": "p"})
    assert moved.status_code == 200
    assert moved.json()["parentUid"] == "p" and [x["uid"] for x in moved.json()["parents"]] == ["p"]
    cycle = emulator.api("POST", "/api/folders/p/move", json={"parentUid": "q2"})
    assert cycle.status_code == 400 and "Circular reference" in cycle.json()["message"]
    itself = emulator.api("POST", "/api/folders/p/move", json={"parentUid": "p"})
    assert itself.status_code == 400 and itself.json()["message"] == "folder cannot be parent of itself"
    to_root = emulator.api("POST", "/api/folders/q/move", json={"parentUid": ""})
    assert "parentUid" not in to_root.json()


def test_move_respects_depth_of_the_moved_subtree(emulator: Emulator) -> None:
    folder(emulator, "x1")
    folder(emulator, "x2", parent="x1")
    folder(emulator, "x3", parent="x2")
    folder(emulator, "y1")
    folder(emulator, "y2", parent="y1")
    response = emulator.api("POST", "/api/folders/y1/move", json={"parentUid": "x3"})
    assert response.status_code == 400


def test_delete_cascades_to_subfolders_and_dashboards(emulator: Emulator) -> None:
    folder(emulator, "top")
    folder(emulator, "sub", parent="top")
    save(emulator, {"uid": "in-top", "title": "In top"}, folder_uid="top")
    save(emulator, {"uid": "in-sub", "title": "In sub"}, folder_uid="sub")
    save(emulator, {"uid": "outside", "title": "Outside"})
    response = emulator.api("DELETE", "/api/folders/top")
    assert response.status_code == 200 and response.json() == {"message": "Folder deleted"}
    for uid in ("in-top", "in-sub"):
        assert emulator.api("GET", f"/api/dashboards/uid/{uid}").status_code == 404
    assert emulator.api("GET", "/api/folders/sub").status_code == 404
    assert get(emulator, "outside")["dashboard"]["title"] == "Outside"
    assert emulator.api("DELETE", "/api/folders/top").status_code == 404


def test_viewer_cannot_write_folders(emulator: Emulator) -> None:
    assert emulator.api("POST", "/api/folders", json={"title": "x"}, auth="viewer").status_code == 403
    folder(emulator, "v")
    assert emulator.api("GET", "/api/folders/v", auth="viewer").json()["canSave"] is False
    assert emulator.api("DELETE", "/api/folders/v", auth="viewer").status_code == 403


def test_get_by_id(emulator: Emulator) -> None:
    created = folder(emulator, "byid")
    assert emulator.api("GET", f"/api/folders/id/{created['id']}").json()["uid"] == "byid"
    assert emulator.api("GET", "/api/folders/id/99999").status_code == 404


def test_descendant_counts(emulator: Emulator) -> None:
    folder(emulator, "c1")
    folder(emulator, "c2", parent="c1")
    folder(emulator, "c3", parent="c2")
    save(emulator, {"uid": "in1", "title": "In 1"}, folder_uid="c1")
    save(emulator, {"uid": "in3", "title": "In 3"}, folder_uid="c3")
    counts = emulator.api("GET", "/api/folders/c1/counts").json()
    assert counts == {"folder": 2, "dashboard": 2, "librarypanel": 0, "alertrule": 0}
    assert emulator.api("GET", "/api/folders/none/counts").status_code == 404
