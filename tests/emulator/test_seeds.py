"""The request/response pairs of the API documentation pages in ../shared/seeds/.

The seed pages quote Grafana's docs (the 2017-era HTTP API page, 000_*, and the 2026 dashboard
API page, 003_*). Their JSON has placeholders (`...`) and trailing commas, so each pair is
restated here; when the seed files are present, the test also checks that the literal strings it
relies on really appear in them, so a restated pair cannot drift from its source.
"""

from __future__ import annotations

from support import corpora
from support.emulator import Emulator

from .helpers import folder, get, save

SEEDS = corpora.SHARED / "seeds"
K8S = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"


def seed_text(prefix: str) -> str | None:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.exists() else []
    return found[0].read_text(encoding="utf-8", errors="replace") if found else None


def assert_quoted(prefix: str, *fragments: str) -> None:
    text = seed_text(prefix)
    if text is None:
        return  # seeds absent: the restated pairs still run
    for fragment in fragments:
        assert fragment in text, f"seed {prefix} no longer quotes {fragment!r}"


def test_seed_000_create_new_dashboard_and_412(emulator: Emulator) -> None:
    assert_quoted("000", '"slug": "production-overview"', '"status": "version-mismatch"', '"version": 1')
    body = {
        "dashboard": {
            "id": None,
            "title": "Production Overview",
            "tags": ["templated"],
            "timezone": "browser",
            "rows": [{}],
            "schemaVersion": 6,
            "version": 0,
        },
        "overwrite": False,
    }
    created = emulator.api("POST", "/api/dashboards/db", json=body)
    assert created.status_code == 200
    result = created.json()
    assert (result["slug"], result["status"], result["version"]) == ("production-overview", "success", 1)
    stale = {"dashboard": {**body["dashboard"], "id": result["id"], "uid": result["uid"]}, "overwrite": False}
    refused = emulator.api("POST", "/api/dashboards/db", json=stale)
    assert refused.status_code == 412
    assert refused.json() == {
        "message": "The dashboard has been changed by someone else",
        "status": "version-mismatch",
    }
    fetched = get(emulator, result["uid"])
    assert fetched["meta"]["slug"] == "production-overview"
    assert fetched["dashboard"]["rows"] == [{}] and fetched["dashboard"]["tags"] == ["templated"]


def test_seed_003_legacy_create_update_get_delete(emulator: Emulator) -> None:
    assert_quoted(
        "003",
        '"folderUid": "l3KqBxCMz"',
        '"message": "Made changes to xyz"',
        '"refresh": "25s"',
        '"slug": "production-overview-updated"',
        '"message": "Dashboard Production Overview deleted"',
    )
    folder(emulator, "l3KqBxCMz", "Seed folder")
    new = {
        "dashboard": {
            "id": None,
            "uid": None,
            "title": "Production Overview",
            "tags": ["templated"],
            "timezone": "browser",
            "schemaVersion": 16,
            "refresh": "25s",
        },
        "folderUid": "l3KqBxCMz",
        "message": "Made changes to xyz",
        "overwrite": False,
    }
    created = emulator.api("POST", "/api/dashboards/db", json=new).json()
    assert created["status"] == "success" and created["version"] == 1 and created["folderUid"] == "l3KqBxCMz"
    update = {
        "dashboard": {
            "id": created["id"],
            "title": "Production Overview Updated",
            "tags": ["templated"],
            "timezone": "browser",
            "schemaVersion": 16,
            "version": 1,
            "refresh": "25s",
        },
        "folderUid": "l3KqBxCMz",
        "message": "Made changes to xyz",
        "overwrite": False,
    }
    updated = emulator.api("POST", "/api/dashboards/db", json=update).json()
    assert updated == {
        "id": created["id"],
        "uid": created["uid"],
        "url": f"/d/{created['uid']}/production-overview-updated",
        "status": "success",
        "version": 2,
        "slug": "production-overview-updated",
        "folderUid": "l3KqBxCMz",
    }
    fetched = get(emulator, created["uid"])
    assert fetched["dashboard"]["refresh"] == "25s"
    meta = fetched["meta"]
    assert meta["url"] == f"/d/{created['uid']}/production-overview-updated"
    assert (meta["folderUid"], meta["slug"]) == ("l3KqBxCMz", "production-overview-updated")
    history = emulator.api("GET", f"/api/dashboards/uid/{created['uid']}/versions").json()["versions"]
    assert history[0]["message"] == "Made changes to xyz"
    deleted = emulator.api("DELETE", f"/api/dashboards/uid/{created['uid']}").json()
    assert deleted["title"] == "Production Overview Updated"
    assert deleted["message"] == "Dashboard Production Overview Updated deleted"


def test_seed_003_tags_and_home(emulator: Emulator) -> None:
    assert_quoted("003", '"term":"tag1"', '"isHome":true', '"canSave":false')
    save(emulator, {"uid": "t1", "title": "T1", "tags": ["tag1", "tag2"]})
    for n in range(3):
        save(emulator, {"uid": f"t2-{n}", "title": f"T2 {n}", "tags": ["tag2"]})
    assert emulator.api("GET", "/api/dashboards/tags").json() == [
        {"term": "tag1", "count": 1},
        {"term": "tag2", "count": 4},
    ]
    home = emulator.api("GET", "/api/dashboards/home").json()
    assert home["dashboard"]["title"] == "Home"
    assert home["meta"]["isHome"] is True and home["meta"]["canSave"] is False
    assert home["meta"]["expires"] == "0001-01-01T00:00:00Z"


def test_seed_003_k8s_create_update_get_list_delete(emulator: Emulator) -> None:
    assert_quoted(
        "003",
        '"name": "gdxccn"',
        '"grafana.app/folder": "fef30w4jaxla8b"',
        '"grafana.app/message": "commit message"',
        '"grafana.app/deprecatedInternalID"',
        '"title": "New dashboard - updated"',
        '"kind": "dashboards"',
    )
    folder(emulator, "fef30w4jaxla8b", "Seed k8s folder")
    spec = {
        "editable": True,
        "schemaVersion": 41,
        "tags": ["example"],
        "title": "Example Dashboard",
        "version": 0,
    }
    body = {
        "metadata": {"name": "gdxccn", "annotations": {"grafana.app/folder": "fef30w4jaxla8b"}},
        "spec": spec,
    }
    created = emulator.api("POST", K8S, json=body)
    assert created.status_code == 201
    obj = created.json()
    assert obj["kind"] == "Dashboard" and obj["apiVersion"] == "dashboard.grafana.app/v1beta1"
    meta = obj["metadata"]
    assert (meta["name"], meta["namespace"], meta["generation"]) == ("gdxccn", "default", 1)
    assert meta["labels"]["grafana.app/deprecatedInternalID"].isdigit()
    assert meta["annotations"]["grafana.app/folder"] == "fef30w4jaxla8b"
    assert meta["annotations"]["grafana.app/createdBy"].startswith("service-account:")
    assert "version" not in obj["spec"] and obj["spec"]["title"] == "Example Dashboard"
    assert obj["status"] == {}

    update = {
        "metadata": {
            "name": "gdxccn",
            "annotations": {"grafana.app/folder": "fef30w4jaxla8b", "grafana.app/message": "commit message"},
        },
        "spec": {"schemaVersion": 41, "title": "New dashboard - updated"},
    }
    updated = emulator.api("PUT", f"{K8S}/gdxccn", json=update)
    assert updated.status_code == 200
    updated_meta = updated.json()["metadata"]
    assert updated_meta["generation"] == 2
    assert "grafana.app/updatedBy" in updated_meta["annotations"]
    assert "grafana.app/updatedTimestamp" in updated_meta["annotations"]
    assert "grafana.app/message" not in updated_meta["annotations"]
    history = emulator.api("GET", "/api/dashboards/uid/gdxccn/versions").json()["versions"]
    assert history[0]["message"] == "commit message"
    assert emulator.api("GET", f"{K8S}/gdxccn").json()["spec"]["title"] == "New dashboard - updated"

    emulator.api("POST", K8S, json={"metadata": {"name": "hpqcmg"}, "spec": {"title": "Another dashboard"}})
    first = emulator.api("GET", K8S, params={"limit": 1}).json()
    assert first["kind"] == "DashboardList" and len(first["items"]) == 1 and first["metadata"]["continue"]
    second = emulator.api("GET", K8S, params={"limit": 1, "continue": first["metadata"]["continue"]}).json()
    assert len(second["items"]) == 1 and "continue" not in second["metadata"]

    deleted = emulator.api("DELETE", f"{K8S}/gdxccn").json()
    assert deleted == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {
            "name": "gdxccn",
            "group": "dashboard.grafana.app",
            "kind": "dashboards",
            "uid": meta["uid"],
        },
    }
