"""Contract: the documented differences of profiles 11.2 and 13 (each in its own process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator, serving

from .helpers import folder, get, save

DASH = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"


@pytest.fixture(scope="module")
def old_process() -> Iterator[Emulator]:
    with serving(profile="11.2") as emulator:
        yield emulator


@pytest.fixture(scope="module")
def new_process() -> Iterator[Emulator]:
    with serving(profile="13") as emulator:
        yield emulator


@pytest.fixture
def old(old_process: Emulator) -> Emulator:
    old_process.reset()
    return old_process


@pytest.fixture
def new(new_process: Emulator) -> Emulator:
    new_process.reset()
    return new_process


def test_11_2_rejects_duplicate_titles_in_a_folder(old: Emulator) -> None:
    save(old, {"uid": "a", "title": "Same"})
    refused = save(old, {"uid": "b", "title": "same"}, expect=412)
    assert refused == {
        "status": "name-exists",
        "message": "A dashboard with the same name in the folder already exists",
    }
    folder(old, "f")
    save(old, {"uid": "b", "title": "Same"}, folder_uid="f")  # other folder: fine
    save(old, {"uid": "a", "title": "Same", "version": 1})  # itself: fine


def test_11_2_versions_list_is_a_bare_array_and_health_version(old: Emulator) -> None:
    save(old, {"uid": "v", "title": "V"})
    listed = old.api("GET", "/api/dashboards/uid/v/versions").json()
    assert isinstance(listed, list) and listed[0]["version"] == 1
    assert old.api("GET", "/api/health").json()["version"] == "11.2.0"


def test_11_2_duplicate_folder_uid_is_409(old: Emulator) -> None:
    folder(old, "x")
    duplicate = old.api("POST", "/api/folders", json={"uid": "x", "title": "Other"})
    assert duplicate.status_code == 409
    assert duplicate.json() == {"message": "a folder/dashboard with the same uid already exists"}
    same_title = old.api("POST", "/api/folders", json={"uid": "y", "title": "X"})
    assert same_title.status_code == 409
    assert (
        same_title.json()["message"]
        == "a folder or dashboard in the general folder with the same name already exists"
    )


def test_11_2_discovery_offers_only_v0alpha1(old: Emulator) -> None:
    groups = {g["name"]: g for g in old.api("GET", "/apis").json()["groups"]}
    assert [v["version"] for v in groups["dashboard.grafana.app"]["versions"]] == ["v0alpha1"]
    assert old.api("GET", DASH).status_code == 404


def test_13_version_conflict_is_409_use_overwrite(new: Emulator) -> None:
    save(new, {"uid": "c", "title": "C"})
    refused = save(new, {"uid": "c", "title": "C2", "version": 9}, expect=409)
    assert refused == {"message": "Dashboard already exists. Use overwrite flag to update."}
    assert save(new, {"uid": "c", "title": "C2", "version": 1})["version"] == 2


def test_13_identical_save_keeps_the_version(new: Emulator) -> None:
    save(new, {"uid": "same", "title": "Same", "panels": []})
    again = save(new, {"uid": "same", "title": "Same", "panels": [], "version": 1})
    assert again["version"] == 1


def test_13_ids_are_large(new: Emulator) -> None:
    result = save(new, {"uid": "big", "title": "Big id"})
    assert result["id"] > 2**40


def test_13_refuses_legacy_save_of_managed_dashboard(new: Emulator) -> None:
    body = {
        "metadata": {
            "name": "m",
            "annotations": {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "someone"},
        },
        "spec": {"title": "Managed"},
    }
    assert new.api("POST", DASH, json=body).status_code == 201
    refused = save(new, {"uid": "m", "title": "Edit", "version": 1}, expect=400)
    assert refused == {"message": "Cannot save provisioned dashboard"}
    body["metadata"]["annotations"]["grafana.app/managerAllowsEdits"] = "true"  # type: ignore[index]
    body["metadata"]["name"] = "m2"  # type: ignore[index]
    assert new.api("POST", DASH, json=body).status_code == 201
    assert save(new, {"uid": "m2", "title": "Edit", "version": 1})["version"] == 2
    assert get(new, "m2")["dashboard"]["title"] == "Edit"


def test_13_restore_of_identical_content_is_400(new: Emulator) -> None:
    save(new, {"uid": "r", "title": "R"})
    response = new.api("POST", "/api/dashboards/uid/r/restore", json={"version": 1})
    assert response.status_code == 400
    assert response.json() == {"message": "Current dashboard is identical to the specified version"}


def test_12_allows_legacy_save_of_kubectl_managed_dashboard(emulator: Emulator) -> None:
    body = {
        "metadata": {
            "name": "m",
            "annotations": {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "x"},
        },
        "spec": {"title": "Managed"},
    }
    assert emulator.api("POST", DASH, json=body).status_code == 201
    assert save(emulator, {"uid": "m", "title": "Edit", "version": 1})["version"] == 2


def test_13_missing_title_uses_the_k8s_message(new: Emulator) -> None:
    refused = save(new, {"uid": "nt"}, expect=400)
    assert refused == {"message": "Dashboard spec is missing required title property"}


def test_meta_api_version_only_when_the_legacy_api_is_k8s_backed(old: Emulator, emulator: Emulator) -> None:
    save(old, {"uid": "m", "title": "M"})
    assert "apiVersion" not in get(old, "m")["meta"]
    save(emulator, {"uid": "m", "title": "M"})
    assert get(emulator, "m")["meta"]["apiVersion"] == "v0alpha1"
    body = {"metadata": {"name": "k"}, "spec": {"title": "K"}}
    assert emulator.api("POST", DASH, json=body).status_code == 201
    assert get(emulator, "k")["meta"]["apiVersion"] == "v1beta1"


def test_number_literals_per_profile(old: Emulator, emulator: Emulator) -> None:
    raw = b'{"dashboard": {"uid": "n", "title": "N", "ratio": 1.0, "big": 1.5e3, "int": 2}}'
    headers = {"Content-Type": "application/json"}
    for target in (old, emulator):
        assert target.api("POST", "/api/dashboards/db", content=raw, headers=headers).status_code == 200
    kept = old.api("GET", "/api/dashboards/uid/n").text
    assert '"ratio":1.0' in kept and '"big":1500.0' in kept and '"int":2' in kept
    normalised = emulator.api("GET", "/api/dashboards/uid/n").text
    assert '"ratio":1,' in normalised and '"big":1500,' in normalised


def test_13_accepts_a_k8s_object_on_the_legacy_save(new: Emulator) -> None:
    folder(new, "kf")
    wrapped = {
        "apiVersion": "dashboard.grafana.app/v1beta1",
        "kind": "Dashboard",
        "metadata": {"name": "wrapped", "annotations": {"grafana.app/folder": "kf"}},
        "spec": {"title": "Wrapped", "panels": []},
    }
    result = save(new, wrapped)
    assert (result["uid"], result["folderUid"], result["version"]) == ("wrapped", "kf", 1)
    assert get(new, "wrapped")["dashboard"]["title"] == "Wrapped"
    no_version = {key: value for key, value in wrapped.items() if key != "apiVersion"}
    refused = save(new, no_version, expect=400)
    assert "missing an explicit apiVersion" in refused["message"]
    assert (
        "non dashboard apiVersion"
        in save(new, {**wrapped, "apiVersion": "folder.grafana.app/v1"}, expect=400)["message"]
    )
    assert "must not include an id" in save(new, {**wrapped, "id": 5}, expect=400)["message"]


def test_plugin_dashboards_need_overwrite_before_13(emulator: Emulator) -> None:
    body = {
        "metadata": {
            "name": "pl",
            "annotations": {"grafana.app/managedBy": "plugin", "grafana.app/managerId": "grafana-x-app"},
        },
        "spec": {"title": "Plugin"},
    }
    assert emulator.api("POST", DASH, json=body).status_code == 201
    refused = save(emulator, {"uid": "pl", "title": "Edit", "version": 1}, expect=412)
    assert refused == {
        "status": "plugin-dashboard",
        "message": "The dashboard belongs to plugin grafana-x-app.",
    }
    assert save(emulator, {"uid": "pl", "title": "Edit"}, overwrite=True)["version"] == 2


def test_11_2_overwrite_takes_over_the_same_titled_dashboard(old: Emulator) -> None:
    first = save(old, {"uid": "orig", "title": "Shared"})
    taken = save(old, {"uid": "newcomer", "title": "Shared", "panels": [1]}, overwrite=True)
    assert (taken["uid"], taken["id"], taken["version"]) == ("orig", first["id"], 2)
    assert old.api("GET", "/api/dashboards/uid/newcomer").status_code == 404


def test_11_2_dashboard_cannot_share_a_root_folder_title(old: Emulator) -> None:
    folder(old, "ops", "Ops")
    refused = save(old, {"uid": "d", "title": "ops"}, expect=400)
    assert refused == {"status": "name-match", "message": "Dashboard name cannot be the same as folder"}
    save(old, {"uid": "d", "title": "Ops"}, folder_uid="ops")  # inside the folder: fine


def test_no_folder_description_flag_behaves_like_real_grafana() -> None:
    strict = InProcessEmulator.start("--no-folder-description")
    try:
        folder(strict, "d", "D", description="kept but not shown")
        assert "description" not in strict.api("GET", "/api/folders/d").json()
        assert "description" not in strict.api("GET", "/api/folders").json()[0]
        k8s = strict.api("GET", "/apis/folder.grafana.app/v1beta1/namespaces/default/folders/d").json()
        assert k8s["spec"]["description"] == "kept but not shown"
    finally:
        strict.stop()
