"""Contract: /api/library-elements create/list/get/patch/delete/connections, as Grafana serves them
(pkg/services/libraryelements: api.go, database.go, model/model.go), on every version profile."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator

from ..helpers import folder, save

BASE = "/api/library-elements"
MODEL = {"type": "timeseries", "title": "CPU", "targets": [{"expr": "rate(cpu[5m])", "refId": "A"}]}


def create(emulator: Emulator, uid: str, name: str, *, expect: int = 200, **extra: Any) -> dict[str, Any]:
    body = {"uid": uid, "name": name, "kind": 1, "model": extra.pop("model", MODEL), **extra}
    response = emulator.api("POST", BASE, json=body)
    assert response.status_code == expect, response.text
    document: dict[str, Any] = response.json()
    return document


def using(uid: str, element: str) -> dict[str, Any]:
    """A dashboard with one library panel reference (and a row holding another panel)."""
    return {
        "uid": uid,
        "title": f"Uses {element}",
        "panels": [
            {
                "id": 1,
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "libraryPanel": {"uid": element, "name": "x"},
            }
        ],
    }


def test_create_returns_the_element_dto_with_synced_fields(emulator: Emulator) -> None:
    folder(emulator, "team")
    result = create(emulator, "cpu", "CPU usage", folderUid="team")["result"]
    assert result["uid"] == "cpu" and result["name"] == "CPU usage" and result["kind"] == 1
    assert result["version"] == 1 and result["folderUid"] == "team" and result["folderId"] > 0
    assert result["type"] == "timeseries" and result["description"] == ""
    # Grafana writes type and description into the stored model (syncFieldsWithModel)
    assert result["model"] == {**MODEL, "description": ""}
    assert list(result["model"]) == sorted(result["model"])
    assert result["meta"]["folderName"] == "Team" and result["meta"]["connectedDashboards"] == 0
    assert result["meta"]["createdBy"]["name"] == emulator.admin_login
    fetched = emulator.api("GET", f"{BASE}/cpu").json()
    assert fetched == {"result": result}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"uid": "a", "name": "n", "model": {}}, 400, "bad request data"),
        ({"uid": "a", "name": "n", "kind": 3, "model": {}}, 400, "the element kind is not supported"),
        ({"uid": "bad uid", "name": "n", "kind": 1, "model": {}}, 400, "uid contains illegal characters"),
        ({"uid": "u" * 41, "name": "n", "kind": 1, "model": {}}, 400, "uid too long, max 40 characters"),
        ({"uid": "a", "name": "n", "kind": 1, "model": {}, "folderUid": "nope"}, 404, "folder not found"),
        ({"uid": "a", "name": "n", "kind": 1, "model": [1]}, 400, "bad request data"),
    ],
)
def test_create_validation(emulator: Emulator, body: dict[str, Any], status: int, message: str) -> None:
    response = emulator.api("POST", BASE, json=body)
    assert response.status_code == status, response.text
    assert response.json()["message"] == message


def test_uid_and_name_in_folder_are_unique(emulator: Emulator) -> None:
    create(emulator, "one", "Same")
    exists = "library element with that name or UID already exists"
    assert create(emulator, "one", "Other", expect=400)["message"] == exists
    assert create(emulator, "two", "Same", expect=400)["message"] == exists
    folder(emulator, "elsewhere")
    create(emulator, "three", "Same", folderUid="elsewhere")  # another folder: allowed


def test_get_unknown_is_404(emulator: Emulator) -> None:
    response = emulator.api("GET", f"{BASE}/missing")
    assert response.status_code == 404
    assert response.json() == {"message": "library element could not be found"}


def test_patch_needs_the_version_it_read(emulator: Emulator) -> None:
    create(emulator, "cpu", "CPU")
    stale = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 7, "name": "New"})
    assert stale.status_code == 412
    assert stale.json() == {"message": "the library element has been changed by someone else"}
    model = {"type": "stat", "title": "CPU now"}
    ok = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1, "model": model})
    assert ok.status_code == 200, ok.text
    result = ok.json()["result"]
    assert result["version"] == 2 and result["name"] == "CPU"  # an omitted name is kept
    assert result["model"] == {"description": "", "title": "CPU now", "type": "stat"}
    again = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1, "name": "Late"})
    assert again.status_code == 412
    unversioned = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "name": "Late"})
    assert unversioned.status_code == 400 and unversioned.json() == {"message": "bad request data"}


def test_patch_moves_between_folders_and_keeps_the_model(emulator: Emulator) -> None:
    folder(emulator, "dest")
    create(emulator, "cpu", "CPU")
    moved = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1, "folderUid": "dest"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["result"]["folderUid"] == "dest"
    assert moved.json()["result"]["model"]["targets"] == MODEL["targets"]
    missing = emulator.api("PATCH", f"{BASE}/nope", json={"kind": 1, "version": 1})
    assert missing.status_code == 404


def test_list_pages_and_filters_by_folder(emulator: Emulator) -> None:
    folder(emulator, "f1")
    for n in range(5):
        create(emulator, f"e{n}", f"Element {n}", folderUid="f1" if n % 2 else "")
    page = emulator.api("GET", BASE, params={"perPage": 2, "page": 2}).json()["result"]
    assert page["totalCount"] == 5 and page["page"] == 2 and page["perPage"] == 2
    assert [e["uid"] for e in page["elements"]] == ["e2", "e3"]
    in_f1 = emulator.api("GET", BASE, params={"folderFilterUIDs": "f1"}).json()["result"]
    assert sorted(e["uid"] for e in in_f1["elements"]) == ["e1", "e3"]
    root = emulator.api("GET", BASE, params={"folderFilterUIDs": "general"}).json()["result"]
    assert sorted(e["uid"] for e in root["elements"]) == ["e0", "e2", "e4"]
    default = emulator.api("GET", BASE).json()["result"]
    assert default["perPage"] == 100 and default["page"] == 1


def test_connected_element_cannot_be_deleted(emulator: Emulator) -> None:
    create(emulator, "cpu", "CPU")
    save(emulator, using("dash-a", "cpu"))
    connections = emulator.api("GET", f"{BASE}/cpu/connections/").json()["result"]
    assert [c["connectionUid"] for c in connections] == ["dash-a"]
    assert emulator.api("GET", f"{BASE}/cpu").json()["result"]["meta"]["connectedDashboards"] == 1
    listed = emulator.api("GET", BASE).json()["result"]["elements"]
    assert [(e["uid"], e["meta"]["connectedDashboards"]) for e in listed] == [("cpu", 1)]
    refused = emulator.api("DELETE", f"{BASE}/cpu")
    assert refused.status_code == 403
    assert refused.json() == {"message": "the library element has connections"}
    assert emulator.api("DELETE", "/api/dashboards/uid/dash-a").status_code == 200
    deleted = emulator.api("DELETE", f"{BASE}/cpu")
    assert deleted.status_code == 200
    assert deleted.json()["message"] == "Library element deleted"
    assert emulator.api("GET", f"{BASE}/cpu").status_code == 404
    assert emulator.api("DELETE", f"{BASE}/cpu").status_code == 404


def test_viewer_cannot_write(emulator: Emulator) -> None:
    body = {"uid": "v", "name": "V", "kind": 1, "model": {}}
    response = emulator.api("POST", BASE, json=body, auth="viewer")
    assert response.status_code == 403
    assert "library.panels:create" in response.json()["message"]


@pytest.mark.parametrize("profile", ["11.2", "11.4", "13"])
def test_every_profile_serves_library_elements(profile: str) -> None:
    emulator = InProcessEmulator.start(profile=profile)
    try:
        create(emulator, "cpu", "CPU")
        save(emulator, using("dash-a", "cpu"))
        assert emulator.api("DELETE", f"{BASE}/cpu").status_code == 403
        patched = emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1, "name": "CPU 2"})
        assert patched.status_code == 200 and patched.json()["result"]["version"] == 2
        assert emulator.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1}).status_code == 412
    finally:
        emulator.stop()


def test_folder_delete_takes_its_library_elements(emulator: Emulator) -> None:
    folder(emulator, "gone")
    create(emulator, "inside", "Inside", folderUid="gone")
    create(emulator, "outside", "Outside")
    counts = emulator.api("GET", "/api/folders/gone/counts").json()
    assert counts["librarypanel"] == 1
    assert emulator.api("DELETE", "/api/folders/gone").status_code == 200
    assert emulator.api("GET", f"{BASE}/inside").status_code == 404
    assert emulator.api("GET", f"{BASE}/outside").status_code == 200


def test_state_dump_lists_library_elements(emulator: Emulator) -> None:
    assert "libraryElements" not in emulator.state()["orgs"]["1"]
    create(emulator, "cpu", "CPU")
    (dumped,) = emulator.state()["orgs"]["1"]["libraryElements"]
    assert dumped["uid"] == "cpu" and dumped["version"] == 1 and dumped["model"]["type"] == "timeseries"


def test_folder_holding_an_element_used_elsewhere_cannot_be_deleted(emulator: Emulator) -> None:
    folder(emulator, "lib")
    create(emulator, "shared", "Shared", folderUid="lib")
    save(emulator, using("elsewhere", "shared"))  # a dashboard at the root uses it
    refused = emulator.api("DELETE", "/api/folders/lib")
    assert refused.status_code == 403
    assert refused.json() == {
        "message": "Folder could not be deleted because it contains library elements in use"
    }
    assert emulator.api("DELETE", "/api/dashboards/uid/elsewhere").status_code == 200
    assert emulator.api("DELETE", "/api/folders/lib").status_code == 200


def test_library_elements_survive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    first = Emulator.start(state_file=state_file)
    try:
        folder(first, "kept")
        create(first, "cpu", "CPU", folderUid="kept")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the background save lands within ~0.25 s
            if state_file.exists() and "libraryElements" in state_file.read_text():
                break
            time.sleep(0.05)
        expected = first.state()["orgs"]["1"]["libraryElements"]
    finally:
        assert first.stop() == 0
    assert json.loads(state_file.read_text())["orgs"]["1"]["libraryElements"] == expected
    second = Emulator.start(state_file=state_file)
    try:
        restored = second.api("GET", f"{BASE}/cpu").json()["result"]
        assert restored["folderUid"] == "kept" and restored["version"] == 1
        assert restored["model"] == {**MODEL, "description": ""}
        assert (
            second.api("PATCH", f"{BASE}/cpu", json={"kind": 1, "version": 1, "name": "CPU 2"}).status_code
            == 200
        )
    finally:
        second.stop()
