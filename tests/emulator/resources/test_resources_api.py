"""Contract: the k8s-style /apis dashboards and folders over the same store as /api."""

from __future__ import annotations

from typing import Any

import pytest
from support.emulator import Emulator

from ..helpers import folder, get, save

DASH = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"
DASH_V0 = "/apis/dashboard.grafana.app/v0alpha1/namespaces/default/dashboards"
FOLDERS = "/apis/folder.grafana.app/v1beta1/namespaces/default/folders"


def dashboard_object(
    name: str, title: str, folder_uid: str | None = None, **annotations: str
) -> dict[str, Any]:
    notes = dict(annotations)
    if folder_uid:
        notes["grafana.app/folder"] = folder_uid
    return {"metadata": {"name": name, "annotations": notes}, "spec": {"title": title, "schemaVersion": 41}}


def create(emulator: Emulator, body: dict[str, Any], base: str = DASH) -> dict[str, Any]:
    response = emulator.api("POST", base, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_discovery_lists_profile_groups(emulator: Emulator) -> None:
    groups = {g["name"]: g for g in emulator.api("GET", "/apis").json()["groups"]}
    dashboard_versions = [v["version"] for v in groups["dashboard.grafana.app"]["versions"]]
    assert dashboard_versions == ["v0alpha1", "v1beta1", "v2beta1"]
    assert groups["dashboard.grafana.app"]["preferredVersion"]["version"] == "v1beta1"
    assert [v["version"] for v in groups["folder.grafana.app"]["versions"]] == ["v1beta1"]
    resources = emulator.api("GET", "/apis/dashboard.grafana.app/v1beta1").json()
    assert resources["resources"][0]["name"] == "dashboards"


def test_create_get_and_visible_through_legacy(emulator: Emulator) -> None:
    folder(emulator, "kf", "K Folder")
    created = create(emulator, dashboard_object("k1", "K one", "kf"))
    meta = created["metadata"]
    assert created["kind"] == "Dashboard" and created["apiVersion"] == "dashboard.grafana.app/v1beta1"
    assert meta["name"] == "k1" and meta["namespace"] == "default" and meta["generation"] == 1
    assert meta["annotations"]["grafana.app/folder"] == "kf"
    assert meta["annotations"]["grafana.app/createdBy"].startswith("service-account:")
    assert meta["labels"]["grafana.app/deprecatedInternalID"].isdigit()
    assert created["spec"] == {"title": "K one", "schemaVersion": 41}
    legacy = get(emulator, "k1")
    assert legacy["dashboard"]["uid"] == "k1" and legacy["dashboard"]["version"] == 1
    assert legacy["meta"]["folderUid"] == "kf"
    fetched = emulator.api("GET", f"{DASH}/k1").json()
    assert fetched["metadata"]["resourceVersion"] == meta["resourceVersion"]


def test_legacy_writes_are_visible_through_k8s_without_server_keys(emulator: Emulator) -> None:
    save(emulator, {"uid": "leg", "title": "Legacy", "__syncer": {"x": 1}})
    fetched = emulator.api("GET", f"{DASH_V0}/leg").json()
    assert "uid" not in fetched["spec"] and "id" not in fetched["spec"] and "version" not in fetched["spec"]
    assert fetched["spec"]["__syncer"] == {"x": 1}


def test_create_existing_is_409_already_exists(emulator: Emulator) -> None:
    create(emulator, dashboard_object("dup", "Dup"))
    response = emulator.api("POST", DASH, json=dashboard_object("dup", "Dup"))
    assert response.status_code == 409
    status = response.json()
    assert status["kind"] == "Status" and status["reason"] == "AlreadyExists" and status["code"] == 409


def test_generate_name(emulator: Emulator) -> None:
    body = {"metadata": {"generateName": "gen-"}, "spec": {"title": "Generated"}}
    created = create(emulator, body)
    assert created["metadata"]["name"].startswith("gen-") and len(created["metadata"]["name"]) == 9


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"metadata": {}, "spec": {"title": "x"}}, 422),
        ({"metadata": {"name": "a" * 41}, "spec": {"title": "x"}}, 400),
        ({"metadata": {"name": "bad name"}, "spec": {"title": "x"}}, 400),
        ({"metadata": {"name": "nt"}, "spec": {"title": ""}}, 400),
        ({"metadata": {"name": "lt"}, "spec": {"title": "t" * 10000}}, 400),
        ({"metadata": {"name": "rf"}, "spec": {"title": "r", "refresh": "1s"}}, 400),
        ({"metadata": {"name": "rv", "resourceVersion": "5"}, "spec": {"title": "x"}}, 400),
        (
            {
                "metadata": {"name": "msg", "annotations": {"grafana.app/message": "m" * 501}},
                "spec": {"title": "x"},
            },
            400,
        ),
    ],
)
def test_create_validation(emulator: Emulator, body: dict[str, Any], code: int) -> None:
    response = emulator.api("POST", DASH, json=body)
    assert response.status_code == code, response.text
    assert response.json()["kind"] == "Status" and response.json()["status"] == "Failure"


def test_create_in_missing_folder_is_404(emulator: Emulator) -> None:
    response = emulator.api("POST", DASH, json=dashboard_object("orphan", "Orphan", "nowhere"))
    assert response.status_code == 404
    assert response.json()["message"] == 'folders.folder.grafana.app "nowhere" not found'


def test_get_missing_is_404_status(emulator: Emulator) -> None:
    response = emulator.api("GET", f"{DASH}/missing")
    assert response.status_code == 404
    body = response.json()
    assert body["reason"] == "NotFound"
    assert body["message"] == 'dashboards.dashboard.grafana.app "missing" not found'


def test_update_with_resource_version_and_generation_rules(emulator: Emulator) -> None:
    created = create(emulator, dashboard_object("u", "U"))
    first_rv = created["metadata"]["resourceVersion"]
    created["spec"]["title"] = "U2"
    updated = emulator.api("PUT", f"{DASH}/u", json=created)
    assert updated.status_code == 200
    assert updated.json()["metadata"]["generation"] == 2
    assert updated.json()["metadata"]["resourceVersion"] != first_rv
    stale = emulator.api("PUT", f"{DASH}/u", json=created)  # still carries first_rv
    assert stale.status_code == 409
    assert "the object has been modified" in stale.json()["message"]
    same = updated.json()
    again = emulator.api("PUT", f"{DASH}/u", json=same).json()
    assert again["metadata"]["generation"] == 2  # identical spec: no bump
    assert again["metadata"]["resourceVersion"] == same["metadata"]["resourceVersion"]
    assert get(emulator, "u")["dashboard"]["version"] == 2


def test_annotation_only_change_keeps_generation(emulator: Emulator) -> None:
    created = create(emulator, dashboard_object("a", "A"))
    created["metadata"]["annotations"]["example.com/note"] = "hi"
    updated = emulator.api("PUT", f"{DASH}/a", json=created).json()
    assert updated["metadata"]["generation"] == 1
    assert updated["metadata"]["annotations"]["example.com/note"] == "hi"
    assert updated["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]


def test_moving_folder_bumps_generation(emulator: Emulator) -> None:
    folder(emulator, "dest")
    created = create(emulator, dashboard_object("mv", "Move"))
    created["metadata"]["annotations"]["grafana.app/folder"] = "dest"
    updated = emulator.api("PUT", f"{DASH}/mv", json=created).json()
    assert updated["metadata"]["generation"] == 2
    assert get(emulator, "mv")["meta"]["folderUid"] == "dest"


def test_update_missing_and_name_mismatch(emulator: Emulator) -> None:
    assert emulator.api("PUT", f"{DASH}/nope", json=dashboard_object("nope", "N")).status_code == 404
    create(emulator, dashboard_object("mm", "M"))
    assert emulator.api("PUT", f"{DASH}/mm", json=dashboard_object("other", "M")).status_code == 400


def test_list_with_limit_and_continue(emulator: Emulator) -> None:
    for n in range(5):
        create(emulator, dashboard_object(f"l{n}", f"L{n}"))
    names: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"continue": token} if token else {})
        page = emulator.api("GET", DASH, params=params).json()
        assert page["kind"] == "DashboardList"
        names += [item["metadata"]["name"] for item in page["items"]]
        pages += 1
        token = page["metadata"].get("continue")
        if not token:
            break
    assert names == ["l0", "l1", "l2", "l3", "l4"] and pages == 3
    everything = emulator.api("GET", DASH).json()
    assert len(everything["items"]) == 5 and "continue" not in everything["metadata"]


def test_history_selector(emulator: Emulator) -> None:
    created = create(emulator, dashboard_object("hist", "H1"))
    created["spec"]["title"] = "H2"
    emulator.api("PUT", f"{DASH}/hist", json=created)
    params = {"labelSelector": "grafana.app/get-history=true", "fieldSelector": "metadata.name=hist"}
    history = emulator.api("GET", DASH, params=params).json()["items"]
    assert [(h["spec"]["title"], h["metadata"]["generation"]) for h in history] == [("H2", 2), ("H1", 1)]


def test_delete_returns_status(emulator: Emulator) -> None:
    created = create(emulator, dashboard_object("gone", "Gone"))
    response = emulator.api("DELETE", f"{DASH}/gone")
    assert response.status_code == 200
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {
            "name": "gone",
            "group": "dashboard.grafana.app",
            "kind": "dashboards",
            "uid": created["metadata"]["uid"],
        },
    }
    assert emulator.api("GET", "/api/dashboards/uid/gone").status_code == 404
    assert emulator.api("DELETE", f"{DASH}/gone").status_code == 404


def test_namespaces(emulator: Emulator) -> None:
    org2 = "/apis/dashboard.grafana.app/v1beta1/namespaces/org-2/dashboards"
    created = create(emulator, dashboard_object("n2", "In org 2"), base=org2)
    assert created["metadata"]["namespace"] == "org-2"
    assert emulator.api("GET", f"{DASH}/n2").status_code == 404
    assert emulator.api("GET", "/api/dashboards/uid/n2", headers={"X-Grafana-Org-Id": "2"}).status_code == 200
    bad = "/apis/dashboard.grafana.app/v1beta1/namespaces/org-1/dashboards"
    assert emulator.api("GET", bad).status_code == 400


def test_unauthenticated_and_viewer(emulator: Emulator) -> None:
    response = emulator.api("GET", DASH, auth="none")
    assert response.status_code == 401  # behind Grafana's ReqSignedIn: Grafana's JSON, not a Status
    assert response.json() == {
        "message": "Unauthorized",
        "messageId": "auth.unauthorized",
        "statusCode": 401,
        "traceID": "",
    }
    assert emulator.api("GET", DASH, auth="viewer").status_code == 200
    assert emulator.api("POST", DASH, json=dashboard_object("v", "V"), auth="viewer").status_code == 403


def test_manager_annotations_are_kept_and_enforced(emulator: Emulator) -> None:
    managed = dashboard_object(
        "mg", "Managed", **{"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "syncer"}
    )
    created = create(emulator, managed)
    assert created["metadata"]["annotations"]["grafana.app/managerId"] == "syncer"
    changed_kind = dict(created)
    changed_kind["metadata"] = {
        **created["metadata"],
        "annotations": {**created["metadata"]["annotations"], "grafana.app/managedBy": "terraform"},
    }
    refused = emulator.api("PUT", f"{DASH}/mg", json=changed_kind)
    assert refused.status_code == 403 and "manager kind" in refused.json()["message"]
    changed_id = {
        **created,
        "metadata": {
            **created["metadata"],
            "annotations": {**created["metadata"]["annotations"], "grafana.app/managerId": "x"},
        },
    }
    assert emulator.api("PUT", f"{DASH}/mg", json=changed_id).status_code == 403
    repo = dashboard_object("rp", "Repo", **{"grafana.app/managedBy": "repo", "grafana.app/managerId": "git"})
    assert emulator.api("POST", DASH, json=repo).status_code == 403


def test_folders_crud(emulator: Emulator) -> None:
    body = {"metadata": {"name": "kf1"}, "spec": {"title": "KF one", "description": "d"}}
    created = create(emulator, body, base=FOLDERS)
    assert created["kind"] == "Folder" and created["spec"] == {"title": "KF one", "description": "d"}
    assert emulator.api("GET", "/api/folders/kf1").json()["title"] == "KF one"
    child = {
        "metadata": {"name": "kf2", "annotations": {"grafana.app/folder": "kf1"}},
        "spec": {"title": "Child"},
    }
    create(emulator, child, base=FOLDERS)
    assert emulator.api("GET", "/api/folders/kf2").json()["parentUid"] == "kf1"
    assert emulator.api("POST", FOLDERS, json=body).status_code == 409
    created["spec"]["title"] = "Renamed"
    updated = emulator.api("PUT", f"{FOLDERS}/kf1", json=created)
    assert updated.status_code == 200 and updated.json()["metadata"]["generation"] == 2
    assert emulator.api("PUT", f"{FOLDERS}/kf1", json=created).status_code == 409
    listing = emulator.api("GET", FOLDERS, params={"limit": 1}).json()
    assert listing["kind"] == "FolderList" and len(listing["items"]) == 1 and listing["metadata"]["continue"]
    deleted = emulator.api("DELETE", f"{FOLDERS}/kf1")
    assert deleted.status_code == 200 and deleted.json()["kind"] == "Folder"
    assert emulator.api("GET", f"{FOLDERS}/kf2").status_code == 404


@pytest.mark.parametrize(
    ("name", "title", "code"),
    [("general", "x", 400), ("ok", "General", 400), ("ok2", " ", 400), ("bad name", "x", 400)],
)
def test_folder_create_validation(emulator: Emulator, name: str, title: str, code: int) -> None:
    response = emulator.api("POST", FOLDERS, json={"metadata": {"name": name}, "spec": {"title": title}})
    assert response.status_code == code, response.text
    assert response.json()["kind"] == "Status"


def test_dto_subresource(emulator: Emulator) -> None:
    create(emulator, dashboard_object("dto", "With Access"))
    admin = emulator.api("GET", f"{DASH}/dto/dto").json()
    assert admin["metadata"]["name"] == "dto" and admin["access"]["canSave"] is True
    assert admin["access"]["url"] == "/d/dto/with-access"
    viewer = emulator.api("GET", f"{DASH}/dto/dto", auth="viewer").json()
    assert viewer["access"]["canSave"] is False
    assert emulator.api("GET", f"{DASH}/missing/dto").status_code == 404


def test_folder_generate_name(emulator: Emulator) -> None:
    created = create(
        emulator, {"metadata": {"generateName": "team-"}, "spec": {"title": "Generated"}}, base=FOLDERS
    )
    name = created["metadata"]["name"]
    assert name.startswith("team-") and len(name) == 10
    assert emulator.api("GET", f"/api/folders/{name}").json()["title"] == "Generated"
    assert emulator.api("POST", FOLDERS, json={"metadata": {}, "spec": {"title": "x"}}).status_code == 422


def test_label_selectors_on_lists(emulator: Emulator) -> None:
    for name, team in (("s1", "a"), ("s2", "b"), ("s3", None)):
        body = dashboard_object(name, name.upper())
        if team:
            body["metadata"]["labels"] = {"example.com/team": team}
        create(emulator, body)

    def names(selector: str) -> list[str]:
        listed = emulator.api("GET", DASH, params={"labelSelector": selector}).json()["items"]
        return [item["metadata"]["name"] for item in listed]

    assert names("example.com/team=a") == ["s1"]
    assert names("example.com/team==b") == ["s2"]
    assert names("example.com/team!=a") == ["s2", "s3"]
    assert names("example.com/team") == ["s1", "s2"]
    assert names("!example.com/team") == ["s3"]
    assert names("example.com/team,example.com/team!=b") == ["s1"]
    folder_body = {"metadata": {"name": "lf", "labels": {"example.com/team": "a"}}, "spec": {"title": "LF"}}
    create(emulator, folder_body, base=FOLDERS)
    listed = emulator.api("GET", FOLDERS, params={"labelSelector": "example.com/team=a"}).json()["items"]
    assert [item["metadata"]["name"] for item in listed] == ["lf"]
