"""The resources adapter against `syncer emulator` over real HTTP: discovery, namespaces, annotations,
paging, idempotency, optimistic concurrency, v2 routing and adoption of legacy-written dashboards.

Objects and annotations are checked through `/apis/...` directly (as a user of Grafana would see
them), request counts through the emulator's `/__emulator/requests`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from support.emulator import Emulator
from support.inprocess import serving

from syncer.adapters.files.loader import DirectorySource
from syncer.adapters.grafana.discovery import ResourceVersions, choose_api, fetch_catalogue
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.resources.adapter import ResourcesGrafana
from syncer.app import build_grafana, open_target
from syncer.core.planner import plan as make_plan
from syncer.engine.execute import ExecuteContext, execute
from syncer.engine.reconcile import Target, reconcile_once
from syncer.engine.source_identity import default_manager_id
from syncer.model.errors import Invalid, VersionConflict
from syncer.model.plan import ActionKind, Policy
from syncer.model.results import Outcome, RunReport
from syncer.model.state import LiveState, OwnershipMarker
from syncer.ports import NullMetrics, ServerInfo
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings

DASHBOARDS = "/apis/dashboard.grafana.app/{version}/namespaces/{ns}/dashboards"
FOLDERS = "/apis/folder.grafana.app/v1beta1/namespaces/{ns}/folders"


# ---- helpers -------------------------------------------------------------------------------------


def dashboard(uid: str, title: str, *, panels: int = 2, schema: int = 39, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "schemaVersion": schema,
        "tags": ["syncer-test"],
        "time": {"from": "now-6h", "to": "now"},
        "panels": [
            {
                "id": i + 1,
                "type": "timeseries",
                "title": f"panel {i}",
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 8 * i},
                "targets": [{"refId": "A", "expr": f"rate(http_requests_total[{i + 1}m])"}],
            }
            for i in range(panels)
        ],
        **extra,
    }


def write(root: Path, rel: str, document: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def sample_tree(root: Path) -> None:
    """Nested folders (three levels) and dashboards at each level."""
    write(root, "home.json", dashboard("res-home", "Home"))
    write(root, "ops/_folder.json", {"uid": "res-ops", "title": "Operations"})
    write(root, "ops/cpu.json", dashboard("res-cpu", "CPU"))
    write(root, "ops/db/_folder.json", {"uid": "res-db", "title": "Databases"})
    write(root, "ops/db/pg.json", dashboard("res-pg", "Postgres"))
    write(root, "ops/db/replicas/_folder.json", {"uid": "res-replicas", "title": "Replicas"})
    write(root, "ops/db/replicas/lag.json", dashboard("res-lag", "Replica lag", refresh="1s"))


def grafana_settings(
    emulator: Emulator, *, api: str = "resources", org_id: int = 1, **kw: Any
) -> GrafanaSettings:
    return GrafanaSettings(
        url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour(api), org_id=org_id, retries=4, **kw
    )


def target_settings(
    emulator: Emulator, directory: Path, *, api: str = "resources", org_id: int = 1, **sync: Any
) -> TargetSettings:
    return TargetSettings(
        grafana=grafana_settings(emulator, api=api, org_id=org_id), sync=SyncSettings(dir=directory, **sync)
    )


def apply(settings: TargetSettings, *, dry_run: bool = False) -> RunReport:
    async def run() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target, dry_run=dry_run)

    report = asyncio.run(run())
    assert report.fatal is None, report.fatal
    assert not report.failures, [(r.uid, r.detail) for r in report.failures]
    return report


def written(report: RunReport) -> dict[str, str]:
    return {r.uid: r.kind.value for r in report.results if r.outcome is Outcome.OK}


def k8s(emulator: Emulator, path: str, *, ns: str = "default", version: str = "v0alpha1", **kw: Any) -> Any:
    response = emulator.api("GET", path.format(ns=ns, version=version), **kw)
    assert response.status_code == 200, response.text
    return response.json()


def k8s_dashboard(emulator: Emulator, uid: str, **kw: Any) -> dict[str, Any]:
    result: dict[str, Any] = k8s(emulator, DASHBOARDS + f"/{uid}", **kw)
    return result


def server_info(settings: GrafanaSettings) -> ServerInfo:
    async def run() -> ServerInfo:
        port = build_grafana(settings, NullMetrics())
        try:
            return await port.server_info()
        finally:
            await port.aclose()

    return asyncio.run(run())


def by_route(emulator: Emulator) -> dict[str, int]:
    routes: dict[str, int] = emulator.requests()["by_route"]
    return routes


@pytest.fixture(scope="module")
def grafana11() -> Iterator[Emulator]:
    """A server whose resource API is only the experimental v0alpha1 of Grafana 11."""
    with serving(profile="11.2") as emulator:
        yield emulator


# ---- discovery and namespaces -----------------------------------------------------------------------


def test_auto_chooses_resources_on_grafana_12_and_says_so(emulator: Emulator) -> None:
    info = server_info(grafana_settings(emulator, api="auto"))
    assert info.api == "resources"
    assert "auto" in info.detail and "dashboard.grafana.app/v0alpha1" in info.detail
    assert "namespace default" in info.detail
    assert by_route(emulator).get("GET /apis") == 1


def test_auto_stays_legacy_on_grafana_11(grafana11: Emulator) -> None:
    info = server_info(grafana_settings(grafana11, api="auto"))
    assert info.api == "legacy"
    assert "experimental" in info.detail


def test_legacy_setting_never_asks_for_apis(emulator: Emulator) -> None:
    assert server_info(grafana_settings(emulator, api="legacy")).api == "legacy"
    assert "GET /apis" not in by_route(emulator)


def test_discovery_reads_what_the_server_offers(emulator: Emulator) -> None:
    async def run() -> Any:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        try:
            return await fetch_catalogue(http)
        finally:
            await http.aclose()

    catalogue = asyncio.run(run())
    assert {"v0alpha1", "v1beta1", "v2beta1"} <= set(catalogue.groups["dashboard.grafana.app"])
    choice = choose_api(catalogue, "auto")
    assert choice.versions is not None and choice.versions.classic_dashboards == "v0alpha1"


def test_org_2_writes_land_in_namespace_org_2(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "team/_folder.json", {"uid": "org2-team", "title": "Team"})
    write(tmp_path, "team/a.json", dashboard("org2-a", "Org two"))
    report = apply(target_settings(emulator, tmp_path, org_id=2))
    assert written(report) == {"org2-team": "create-folder", "org2-a": "create"}
    obj = k8s_dashboard(emulator, "org2-a", ns="org-2")
    assert obj["metadata"]["annotations"]["grafana.app/folder"] == "org2-team"
    assert (
        emulator.api("GET", DASHBOARDS.format(version="v0alpha1", ns="default") + "/org2-a").status_code
        == 404
    )


# ---- apply, annotations, idempotency ----------------------------------------------------------------


def test_apply_writes_objects_with_manager_annotations(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    report = apply(target_settings(emulator, tmp_path, manager_id="team-a", allow_ui_edits=False))
    assert sorted(written(report)) == sorted(
        ["res-ops", "res-db", "res-replicas", "res-home", "res-cpu", "res-pg", "res-lag"]
    )

    lag = k8s_dashboard(emulator, "res-lag")
    annotations = lag["metadata"]["annotations"]
    assert annotations["grafana.app/managedBy"] == "kubectl"
    assert annotations["grafana.app/managerId"] == "team-a"
    assert annotations["grafana.app/managerAllowsEdits"] == "false"
    assert annotations["grafana.app/sourcePath"] == "ops/db/replicas/lag.json"
    assert annotations["grafana.app/sourceChecksum"].startswith("sha256:")
    assert annotations["grafana.app/sourceTimestamp"].isdigit()
    assert annotations["grafana.app/folder"] == "res-replicas"
    assert lag["metadata"]["generation"] == 1
    assert lag["spec"]["title"] == "Replica lag"
    assert "uid" not in lag["spec"] and "__syncer" not in lag["spec"]

    home = k8s_dashboard(emulator, "res-home")
    assert "grafana.app/folder" not in home["metadata"]["annotations"]  # the root

    folders = {f["metadata"]["name"]: f for f in k8s(emulator, FOLDERS)["items"]}
    assert folders["res-db"]["metadata"]["annotations"]["grafana.app/folder"] == "res-ops"
    assert folders["res-replicas"]["metadata"]["annotations"]["grafana.app/folder"] == "res-db"
    assert folders["res-ops"]["spec"]["title"] == "Operations"
    assert folders["res-ops"]["metadata"]["annotations"]["grafana.app/managerId"] == "team-a"
    assert folders["res-ops"]["metadata"]["annotations"]["grafana.app/sourcePath"] == "ops"


def test_second_apply_writes_nothing_and_keeps_generation(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    before = {uid: k8s_dashboard(emulator, uid)["metadata"] for uid in ("res-home", "res-lag")}
    writes = emulator.writes()

    report = apply(settings)
    assert report.plan.in_sync, [(a.uid, a.kind, a.reason) for a in report.plan.dashboard_actions]
    assert emulator.writes() == writes
    after = {uid: k8s_dashboard(emulator, uid)["metadata"] for uid in ("res-home", "res-lag")}
    for uid in before:
        assert after[uid]["generation"] == before[uid]["generation"] == 1
        assert after[uid]["resourceVersion"] == before[uid]["resourceVersion"]


def test_one_edited_file_is_exactly_one_write_and_one_generation(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    writes = emulator.writes()
    write(tmp_path, "ops/cpu.json", dashboard("res-cpu", "CPU", panels=3))

    report = apply(settings)
    assert written(report) == {"res-cpu": "update"}
    assert emulator.writes() == writes + 1
    cpu = k8s_dashboard(emulator, "res-cpu")
    assert cpu["metadata"]["generation"] == 2
    assert len(cpu["spec"]["panels"]) == 3


def test_moving_a_file_moves_the_dashboard(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    (tmp_path / "ops/cpu.json").rename(tmp_path / "ops/db/cpu.json")

    report = apply(settings)
    assert written(report) == {"res-cpu": "move"}
    cpu = k8s_dashboard(emulator, "res-cpu")
    assert cpu["metadata"]["annotations"]["grafana.app/folder"] == "res-db"
    assert cpu["metadata"]["annotations"]["grafana.app/sourcePath"] == "ops/db/cpu.json"


def test_prune_deletes_only_own_dashboards(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    apply(target_settings(emulator, tmp_path))
    stranger = {
        "apiVersion": "dashboard.grafana.app/v0alpha1",
        "kind": "Dashboard",
        "metadata": {"name": "stranger"},
        "spec": {"title": "Made by hand"},
    }
    assert (
        emulator.api("POST", DASHBOARDS.format(version="v0alpha1", ns="default"), json=stranger).status_code
        == 201
    )
    (tmp_path / "ops/cpu.json").unlink()

    report = apply(target_settings(emulator, tmp_path, prune=True))
    assert written(report) == {"res-cpu": "delete"}
    assert (
        emulator.api("GET", DASHBOARDS.format(version="v0alpha1", ns="default") + "/res-cpu").status_code
        == 404
    )
    assert k8s_dashboard(emulator, "stranger")["spec"]["title"] == "Made by hand"


def test_ui_edit_is_reverted_and_foreign_annotations_survive(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "a.json", dashboard("res-edit", "Edit me"))
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    obj = k8s_dashboard(emulator, "res-edit")
    obj["spec"]["title"] = "Edited in the UI"
    obj["metadata"]["annotations"]["example.com/owner-team"] = "sre"
    path = DASHBOARDS.format(version="v0alpha1", ns="default") + "/res-edit"
    assert emulator.api("PUT", path, json=obj, auth="admin").status_code == 200

    report = apply(settings)
    assert written(report) == {"res-edit": "update"}
    assert "drift" in report.results[0].detail
    reverted = k8s_dashboard(emulator, "res-edit")
    assert reverted["spec"]["title"] == "Edit me"
    assert reverted["metadata"]["annotations"]["example.com/owner-team"] == "sre"
    assert reverted["metadata"]["generation"] == 3


# ---- paging: one request per page -----------------------------------------------------------------------


def test_no_change_resync_costs_one_request_per_page(emulator: Emulator, tmp_path: Path) -> None:
    for i in range(23):
        write(tmp_path, f"many/d{i:02}.json", dashboard(f"page-{i:02}", f"Dashboard {i}", panels=1))
    apply(target_settings(emulator, tmp_path))
    emulator.reset(counters_only=True)

    async def run() -> int:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default", page_size=10)
        try:
            live = await port.fetch_live(None)
            assert len(live.dashboards) == 23 and "many" not in live.folders  # folder uid is derived
            return port.request_count
        finally:
            await port.aclose()

    sent = asyncio.run(run())
    routes = by_route(emulator)
    dashboard_lists = sum(n for r, n in routes.items() if r.startswith("GET ") and r.endswith("/dashboards"))
    folder_lists = sum(n for r, n in routes.items() if r.startswith("GET ") and r.endswith("/folders"))
    assert dashboard_lists == 3  # 23 dashboards, 10 a page
    assert folder_lists == 1
    assert emulator.requests()["total"] == sent == 1 + 1 + 3  # discovery + folders + 3 pages
    assert not any(r.endswith("/dashboards/:name") for r in routes)


def test_full_apply_with_nothing_to_do_reads_by_page_not_by_dashboard(
    emulator: Emulator, tmp_path: Path
) -> None:
    for i in range(30):
        write(tmp_path, f"d{i:02}.json", dashboard(f"bulk-{i:02}", f"Bulk {i}", panels=1))
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    emulator.reset(counters_only=True)
    report = apply(settings)
    assert report.plan.in_sync
    assert emulator.requests()["total"] <= 3  # discovery, folders, one page of dashboards
    assert emulator.writes() == 0


# ---- optimistic concurrency ------------------------------------------------------------------------------


def test_stale_resource_version_is_a_version_conflict(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "a.json", dashboard("res-race", "Race"))
    apply(target_settings(emulator, tmp_path))

    async def run() -> None:
        port = build_grafana(grafana_settings(emulator), NullMetrics())
        try:
            live = await port.get_dashboard("res-race")
            assert live is not None
            obj = k8s_dashboard(emulator, "res-race")
            obj["spec"]["title"] = "Changed meanwhile"
            path = DASHBOARDS.format(version="v0alpha1", ns="default") + "/res-race"
            assert emulator.api("PUT", path, json=obj, auth="admin").status_code == 200
            desired = DirectorySource(tmp_path).load().dashboards["res-race"]
            marker = OwnershipMarker("syncer", "a.json", desired.checksum)
            with pytest.raises(VersionConflict, match="has been modified"):
                await port.save_dashboard(desired, live, marker, "syncer: test")
        finally:
            await port.aclose()

    asyncio.run(run())
    assert k8s_dashboard(emulator, "res-race")["spec"]["title"] == "Changed meanwhile"


def test_conflict_during_execute_is_reread_and_replanned(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "a.json", dashboard("res-replan", "Replan"))
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    write(tmp_path, "a.json", dashboard("res-replan", "Replan", panels=4))

    async def run() -> Any:
        async with open_target(settings) as target:
            desired = target.source.load()
            live = await target.grafana.fetch_live(None)
            plan = make_plan(desired, live, target.policy)
            # someone changes the dashboard between our read and our write (bumps resourceVersion)
            obj = k8s_dashboard(emulator, "res-replan")
            obj["metadata"]["annotations"]["example.com/touched"] = "yes"
            path = DASHBOARDS.format(version="v0alpha1", ns="default") + "/res-replan"
            assert emulator.api("PUT", path, json=obj, auth="admin").status_code == 200
            ctx = ExecuteContext(grafana=target.grafana, policy=target.policy, desired=desired, live=live)
            return await execute(plan, ctx)

    results = asyncio.run(run())
    (result,) = [r for r in results if r.uid == "res-replan"]
    assert result.outcome is Outcome.OK and result.retries == 1
    obj = k8s_dashboard(emulator, "res-replan")
    assert len(obj["spec"]["panels"]) == 4
    assert obj["metadata"]["annotations"]["example.com/touched"] == "yes"


@pytest.mark.parametrize("adopt", [False, True], ids=["refused", "adopted"])
def test_create_race_already_exists_is_replanned(emulator: Emulator, tmp_path: Path, adopt: bool) -> None:
    write(tmp_path, "a.json", dashboard("res-born", "Born twice"))
    settings = target_settings(emulator, tmp_path, adopt=adopt)

    async def run() -> Any:
        async with open_target(settings) as target:
            desired = target.source.load()
            live = await target.grafana.fetch_live(None)
            plan = make_plan(desired, live, target.policy)
            assert [a.kind for a in plan.dashboard_actions] == [ActionKind.CREATE]
            other = {
                "apiVersion": "dashboard.grafana.app/v0alpha1",
                "kind": "Dashboard",
                "metadata": {"name": "res-born"},
                "spec": {"title": "Someone else's"},
            }
            created = emulator.api("POST", DASHBOARDS.format(version="v0alpha1", ns="default"), json=other)
            assert created.status_code == 201
            ctx = ExecuteContext(grafana=target.grafana, policy=target.policy, desired=desired, live=live)
            return await execute(plan, ctx)

    (result,) = asyncio.run(run())
    # re-read: an unmanaged dashboard with different content -> never taken over unless adopted
    # (then git's content replaces it, with the version that held the other content named)
    assert result.retries == 1
    if not adopt:
        assert result.outcome is Outcome.CONFLICT and "pass --adopt" in result.detail, result.detail
        assert k8s_dashboard(emulator, "res-born")["spec"]["title"] == "Someone else's"
        return
    assert result.outcome is Outcome.OK, result.detail
    assert result.overwrote_version is not None
    assert k8s_dashboard(emulator, "res-born")["spec"]["title"] == "Born twice"


# ---- v2 dashboards ---------------------------------------------------------------------------------------

V2_SPEC = {
    "title": "Layout v2",
    "elements": {},
    "layout": {"kind": "GridLayout", "spec": {"items": []}},
    "cursorSync": "Off",
}


def v2_file(uid: str) -> dict[str, Any]:
    return {
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": uid},
        "spec": V2_SPEC,
    }


def test_v2_files_go_to_the_v2beta1_endpoint_and_are_idempotent(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "v2.json", v2_file("res-v2"))
    write(tmp_path, "classic.json", dashboard("res-classic", "Classic"))
    settings = target_settings(emulator, tmp_path)
    report = apply(settings)
    assert written(report) == {"res-v2": "create", "res-classic": "create"}
    routes = by_route(emulator)
    assert any(r.startswith("POST /apis/dashboard.grafana.app/v2beta1/") for r in routes), routes
    obj = k8s_dashboard(emulator, "res-v2", version="v2beta1")
    assert obj["spec"]["layout"]["kind"] == "GridLayout"
    assert obj["metadata"]["annotations"]["grafana.app/sourcePath"] == "v2.json"

    writes = emulator.writes()
    again = apply(settings)
    assert again.plan.in_sync, [(a.uid, a.kind, a.reason) for a in again.plan.dashboard_actions]
    assert emulator.writes() == writes


def test_v2_file_on_a_server_without_v2_fails_clearly_and_alone(grafana11: Emulator, tmp_path: Path) -> None:
    grafana11.reset()
    write(tmp_path, "v2.json", v2_file("res-v2-old"))
    write(tmp_path, "classic.json", dashboard("res-classic-old", "Classic"))

    async def run() -> RunReport:
        async with open_target(target_settings(grafana11, tmp_path)) as target:
            return await reconcile_once(target)

    report = asyncio.run(run())
    assert report.fatal is None
    failures = {r.uid: r.detail for r in report.failures}
    assert list(failures) == ["res-v2-old"]
    assert "v2beta1" in failures["res-v2-old"] and "v2.json" in failures["res-v2-old"]
    assert written(report) == {"res-classic-old": "create"}


def test_save_dashboard_refuses_v2_before_sending(grafana11: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "v2.json", v2_file("res-v2-x"))
    desired = DirectorySource(tmp_path).load().dashboards["res-v2-x"]

    async def run() -> int:
        port = build_grafana(grafana_settings(grafana11), NullMetrics())
        try:
            with pytest.raises(Invalid, match=r"does not offer dashboard\.grafana\.app/v2beta1"):
                await port.save_dashboard(desired, None, OwnershipMarker("syncer", "v2.json", "x"), "m")
            return port.request_count
        finally:
            await port.aclose()

    assert asyncio.run(run()) == 1  # only discovery


# ---- mixed state: legacy-written dashboards ---------------------------------------------------------------


def test_dashboards_written_through_the_legacy_api_are_adopted_not_duplicated(
    emulator: Emulator, tmp_path: Path
) -> None:
    sample_tree(tmp_path)
    legacy = apply(target_settings(emulator, tmp_path, api="legacy"))
    assert len(written(legacy)) == 7
    spec = k8s_dashboard(emulator, "res-cpu")["spec"]
    assert spec["__syncer"]["managerId"] == default_manager_id(tmp_path)  # the legacy API's in-JSON marker

    emulator.reset(counters_only=True)
    settings = target_settings(emulator, tmp_path)
    report = apply(settings)
    assert report.plan.in_sync, [(a.uid, a.kind, a.reason) for a in report.plan.dashboard_actions]
    assert emulator.writes() == 0
    assert len(k8s(emulator, DASHBOARDS)["items"]) == 4

    # the next change moves the dashboard to annotations and drops the in-JSON marker
    write(tmp_path, "ops/cpu.json", dashboard("res-cpu", "CPU", panels=5))
    assert written(apply(settings)) == {"res-cpu": "update"}
    cpu = k8s_dashboard(emulator, "res-cpu")
    assert "__syncer" not in cpu["spec"]
    assert cpu["metadata"]["annotations"]["grafana.app/managerId"] == default_manager_id(tmp_path)

    # and prune still knows the legacy-written ones are ours
    (tmp_path / "ops/db/pg.json").unlink()
    assert written(apply(target_settings(emulator, tmp_path, prune=True))) == {"res-pg": "delete"}


def test_other_managers_objects_are_not_taken_over(emulator: Emulator, tmp_path: Path) -> None:
    foreign = {
        "apiVersion": "dashboard.grafana.app/v0alpha1",
        "kind": "Dashboard",
        "metadata": {
            "name": "res-tf",
            "annotations": {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "syncer"},
        },
        "spec": {"title": "Terraform's"},
    }
    assert (
        emulator.api("POST", DASHBOARDS.format(version="v0alpha1", ns="default"), json=foreign).status_code
        == 201
    )
    write(tmp_path, "tf.json", dashboard("res-tf", "Mine now?"))

    async def run() -> RunReport:
        async with open_target(target_settings(emulator, tmp_path)) as target:
            return await reconcile_once(target)

    report = asyncio.run(run())
    (action,) = report.plan.dashboard_actions
    assert action.kind in (ActionKind.SKIP, ActionKind.CONFLICT)
    assert "terraform:syncer" in action.reason
    assert k8s_dashboard(emulator, "res-tf")["spec"]["title"] == "Terraform's"


# ---- migrating versions (v1beta1 without v0alpha1) ---------------------------------------------------


def test_migrating_version_records_what_the_server_stored(emulator: Emulator, tmp_path: Path) -> None:
    """On v1beta1 Grafana migrates old-schema specs, so the stored essence differs from the file's.
    Stand-in for that: a base (the file's checksum) that differs from the checksum of what is stored."""
    write(tmp_path, "old.json", dashboard("res-mig", "Old schema", schema=16))
    write(tmp_path, "new.json", dashboard("res-cur", "Current schema"))
    loaded = DirectorySource(tmp_path).load().dashboards
    old_file = replace(loaded["res-mig"], checksum="sha256:" + "0" * 64)
    versions = ResourceVersions("v1beta1", "v1beta1", ("v0alpha1", "v1beta1", "v2beta1"))

    async def run() -> tuple[Any, Any, Any]:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default", versions=versions)
        try:
            await port.save_dashboard(
                old_file, None, OwnershipMarker("syncer", "old.json", old_file.checksum), "m"
            )
            current = loaded["res-cur"]
            await port.save_dashboard(
                current, None, OwnershipMarker("syncer", "new.json", current.checksum), "m"
            )
            untouched = await port.get_dashboard("res-mig")
            obj = k8s_dashboard(emulator, "res-mig", version="v1beta1")
            obj["spec"]["title"] = "Edited in the UI"
            path = DASHBOARDS.format(version="v1beta1", ns="default") + "/res-mig"
            assert emulator.api("PUT", path, json=obj, auth="admin").status_code == 200
            edited = await port.get_dashboard("res-mig")
            return untouched, edited, await port.get_dashboard("res-cur")
        finally:
            await port.aclose()

    untouched, edited, current = asyncio.run(run())
    routes = by_route(emulator)
    assert routes["POST /apis/dashboard.grafana.app/v1beta1/namespaces/:ns/dashboards"] == 2
    assert (
        routes["PUT /apis/dashboard.grafana.app/v1beta1/namespaces/:ns/dashboards/:name"] == 2
    )  # 1 stamp + UI edit
    assert untouched.checksum == old_file.checksum  # reads as base: no drift, no rewrite next run
    assert untouched.version == 1  # the stamp is annotation-only: no new generation
    assert edited.checksum != old_file.checksum  # a real edit is still seen
    assert current.checksum == loaded["res-cur"].checksum
    cur_annotations = k8s_dashboard(emulator, "res-cur", version="v1beta1")["metadata"]["annotations"]
    assert "syncer/storedChecksum" not in cur_annotations  # nothing was migrated: no extra write


# ---- folders ------------------------------------------------------------------------------------------


def test_folder_rename_move_and_prune(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)
    write(tmp_path, "empty/_folder.json", {"uid": "res-empty", "title": "Soon gone"})
    write(tmp_path, "empty/x.json", dashboard("res-x", "X"))
    apply(target_settings(emulator, tmp_path))

    write(tmp_path, "ops/_folder.json", {"uid": "res-ops", "title": "Ops (renamed)"})
    (tmp_path / "ops/db/replicas").rename(tmp_path / "ops/replicas")
    for name in ("x.json", "_folder.json"):
        (tmp_path / "empty" / name).unlink()
    (tmp_path / "empty").rmdir()

    report = apply(target_settings(emulator, tmp_path, prune=True))
    done = written(report)
    assert done["res-ops"] == "update-folder" and done["res-replicas"] == "update-folder"
    assert done["res-x"] == "delete" and done["res-empty"] == "delete-folder"
    folders = {f["metadata"]["name"]: f for f in k8s(emulator, FOLDERS)["items"]}
    assert folders["res-ops"]["spec"]["title"] == "Ops (renamed)"
    assert folders["res-replicas"]["metadata"]["annotations"]["grafana.app/folder"] == "res-ops"
    assert folders["res-replicas"]["metadata"]["annotations"]["grafana.app/sourcePath"] == "ops/replicas"
    assert "res-empty" not in folders
    assert (
        k8s_dashboard(emulator, "res-lag")["metadata"]["annotations"]["grafana.app/folder"] == "res-replicas"
    )
    assert apply(target_settings(emulator, tmp_path, prune=True)).plan.in_sync


def test_explicit_namespace_wins_over_the_org(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "a.json", dashboard("res-ns", "Namespaced"))
    settings = TargetSettings(
        grafana=grafana_settings(emulator, namespace="org-2"), sync=SyncSettings(dir=tmp_path)
    )
    assert written(apply(settings)) == {"res-ns": "create"}
    assert k8s_dashboard(emulator, "res-ns", ns="org-2")["spec"]["title"] == "Namespaced"


# ---- messages, retries, partial failure, adoption (counterparts of legacy-specific engine tests) ------

POST_DASHBOARD = "POST /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards"


def test_every_write_carries_the_version_message(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "dash/msg.json", dashboard("res-msg", "Message"))
    settings = target_settings(emulator, tmp_path)
    apply(settings)
    write(tmp_path, "dash/msg.json", dashboard("res-msg", "Message", panels=3))
    apply(settings)
    history = k8s(
        emulator,
        DASHBOARDS,
        params={"labelSelector": "grafana.app/get-history=true", "fieldSelector": "metadata.name=res-msg"},
    )["items"]
    assert [item["metadata"]["generation"] for item in history] == [2, 1]
    versions = emulator.api("GET", "/api/dashboards/uid/res-msg/versions").json()
    entries = versions["versions"] if isinstance(versions, dict) else versions
    messages = [v.get("message", "") for v in entries]
    # newest first; Grafana lists the first version as "Initial save" whatever its message was
    assert len(messages) == 2 and messages[0].startswith("syncer: dash/msg.json"), messages


def test_5xx_on_create_is_retried(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path, "a.json", dashboard("res-retry", "Retry"))
    emulator.fault(route=POST_DASHBOARD, status=503, count=2)
    report = apply(target_settings(emulator, tmp_path))
    assert written(report) == {"res-retry": "create"}
    assert by_route(emulator)[POST_DASHBOARD] == 3


def test_one_rejected_dashboard_does_not_stop_the_others(emulator: Emulator, tmp_path: Path) -> None:
    for i in range(5):
        write(tmp_path, f"d{i}.json", dashboard(f"res-part-{i}", f"Part {i}"))
    emulator.fault(route=POST_DASHBOARD, status=422, count=1, message="spec.panels: Invalid value")

    async def run() -> RunReport:
        async with open_target(target_settings(emulator, tmp_path)) as target:
            return await reconcile_once(target)

    report = asyncio.run(run())
    assert sorted(r.outcome.value for r in report.results) == ["failed"] + ["ok"] * 4
    (failure,) = report.failures
    assert "422" in failure.detail and "Invalid value" in failure.detail
    assert len(k8s(emulator, DASHBOARDS)["items"]) == 4


def test_unmanaged_dashboard_with_same_content_is_adopted_by_stamping_annotations(
    emulator: Emulator, tmp_path: Path
) -> None:
    write(tmp_path, "adopt.json", dashboard("res-adopt", "Adopt me"))
    handmade = {
        "apiVersion": "dashboard.grafana.app/v0alpha1",
        "kind": "Dashboard",
        "metadata": {"name": "res-adopt"},
        "spec": dashboard("res-adopt", "Adopt me"),
    }
    handmade["spec"].pop("uid")
    assert (
        emulator.api("POST", DASHBOARDS.format(version="v0alpha1", ns="default"), json=handmade).status_code
        == 201
    )

    report = apply(target_settings(emulator, tmp_path, adopt=True))
    assert written(report) == {"res-adopt": "update"}
    obj = k8s_dashboard(emulator, "res-adopt")
    assert obj["metadata"]["generation"] == 1  # content unchanged: only ownership was stamped
    assert obj["metadata"]["annotations"]["grafana.app/managerId"] == default_manager_id(tmp_path)
    assert obj["metadata"]["annotations"]["grafana.app/sourcePath"] == "adopt.json"


def test_reads_by_name_only_when_that_is_cheaper(emulator: Emulator, tmp_path: Path) -> None:
    for i in range(6):
        write(tmp_path, f"d{i}.json", dashboard(f"cost-{i}", f"Cost {i}", panels=1))
    apply(target_settings(emulator, tmp_path))

    by_name = "GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards/:name"
    listing = "GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards"

    async def fetch(port: ResourcesGrafana, uids: set[str]) -> dict[str, int]:
        emulator.reset(counters_only=True)
        live = await port.fetch_live(uids)
        assert set(live.dashboards) == uids and not live.complete
        return by_route(emulator)

    async def run() -> None:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default", page_size=2)
        try:
            # server size unknown: one or two uids by name, more through the listing (3 pages of 2)
            assert (await fetch(port, {"cost-0"})).get(by_name) == 1
            routes = await fetch(port, {"cost-0", "cost-1", "cost-2", "cost-3"})
            assert routes.get(listing) == 3 and by_name not in routes
            # now 6 dashboards are known: 3 by name cost no more than 3 pages, 4 would
            assert (await fetch(port, {"cost-0", "cost-1", "cost-5"})).get(by_name) == 3
            assert (await fetch(port, {"cost-0", "cost-1", "cost-4", "cost-5"})).get(listing) == 3
        finally:
            await port.aclose()

    asyncio.run(run())


def test_many_v2_dashboards_are_reread_through_one_v2_listing(emulator: Emulator, tmp_path: Path) -> None:
    for i in range(5):
        write(tmp_path, f"v2-{i}.json", v2_file(f"res-v2-many-{i}"))
    write(tmp_path, "classic.json", dashboard("res-v2-classic", "Classic"))
    apply(target_settings(emulator, tmp_path))

    async def run() -> LiveState:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default", page_size=10)
        try:
            emulator.reset(counters_only=True)
            return await port.fetch_live(None)
        finally:
            await port.aclose()

    live = asyncio.run(run())
    assert live.dashboards["res-v2-many-3"].api_version == "dashboard.grafana.app/v2beta1"
    assert live.dashboards["res-v2-many-3"].content == V2_SPEC
    assert live.dashboards["res-v2-classic"].api_version is None
    routes = by_route(emulator)
    lists = {r: n for r, n in routes.items() if r.endswith("/dashboards")}
    assert lists == {
        "GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards": 1,
        "GET /apis/dashboard.grafana.app/v2beta1/namespaces/:ns/dashboards": 1,
    }
    assert not any(r.endswith("/:name") for r in routes)


def test_listed_blob_dashboards_are_read_again_in_full(emulator: Emulator, tmp_path: Path) -> None:
    """Grafana keeps large specs as blobs (`grafana.app/blob`) and a listing may carry a reduced spec;
    such items are read again by name. (The emulator keeps the annotation a client sets.)"""
    for i in range(3):
        write(tmp_path, f"d{i}.json", dashboard(f"res-blob-{i}", f"Blob {i}"))
    apply(target_settings(emulator, tmp_path))
    obj = k8s_dashboard(emulator, "res-blob-1")
    obj["metadata"]["annotations"]["grafana.app/blob"] = "blob-uid-1"
    path = DASHBOARDS.format(version="v0alpha1", ns="default") + "/res-blob-1"
    assert emulator.api("PUT", path, json=obj, auth="admin").status_code == 200

    async def run() -> LiveState:
        http = GrafanaHttp(grafana_settings(emulator), metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default")
        try:
            emulator.reset(counters_only=True)
            return await port.fetch_live(None)
        finally:
            await port.aclose()

    live = asyncio.run(run())
    assert len(live.dashboards) == 3
    routes = by_route(emulator)
    assert routes["GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards"] == 1
    assert routes["GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards/:name"] == 1


# ---- default permissions at the root ------------------------------------------------------------------


class RecordingTransport(httpx.AsyncHTTPTransport):
    """Real HTTP to the emulator, keeping a copy of every POST body (observation only)."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posted.append(json.loads(request.content))
        return await super().handle_async_request(request)


def create_through(
    emulator: Emulator, tmp_path: Path, transport: RecordingTransport, *, nested: bool = True
) -> RunReport:
    write(tmp_path, "root.json", dashboard("res-root", "At the root"))
    write(tmp_path, "team/_folder.json", {"uid": "res-team", "title": "Team"})
    if nested:
        write(tmp_path, "team/inner.json", dashboard("res-inner", "In a folder"))
        write(tmp_path, "team/sub/_folder.json", {"uid": "res-sub", "title": "Sub"})
    settings = target_settings(emulator, tmp_path)

    async def run() -> RunReport:
        http = GrafanaHttp(settings.grafana, metrics=NullMetrics(), transport=transport)
        port = ResourcesGrafana(http, namespace="default")
        target = Target(
            name="t",
            source=DirectorySource(tmp_path),
            grafana=port,
            policy=Policy(),
            concurrency=4,
            inputs={},
            commit=None,
        )
        try:
            return await reconcile_once(target)
        finally:
            await port.aclose()

    return asyncio.run(run())


def grants(transport: RecordingTransport) -> dict[str, str | None]:
    return {
        body["metadata"]["name"]: body["metadata"]["annotations"].get("grafana.app/grant-permissions")
        for body in transport.posted
    }


def test_root_level_creates_ask_for_default_permissions(emulator: Emulator, tmp_path: Path) -> None:
    transport = RecordingTransport()
    report = create_through(emulator, tmp_path, transport)
    assert not report.failures
    assert grants(transport) == {
        "res-root": "default",
        "res-team": "default",
        "res-inner": None,
        "res-sub": None,
    }


def test_a_server_refusing_the_permission_request_still_gets_the_objects(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.fault(
        route=POST_DASHBOARD, status=400, count=1, message="managed resource may not grant permissions"
    )
    transport = RecordingTransport()
    report = create_through(emulator, tmp_path, transport, nested=False)  # one dashboard: the fault hits it
    assert not report.failures, [(r.uid, r.detail) for r in report.failures]
    assert {r.uid for r in report.results} == {"res-root", "res-team"}
    refused, *rest = [b for b in transport.posted if b["metadata"]["name"] == "res-root"]
    assert refused["metadata"]["annotations"]["grafana.app/grant-permissions"] == "default"
    assert [b["metadata"]["annotations"].get("grafana.app/grant-permissions") for b in rest] == [None]
