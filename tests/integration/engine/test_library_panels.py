"""Library panels end to end over real HTTP to the emulator: order, three-way rule, references,
prune safety, pull round trip, exported dashboards with `__elements`, both APIs; zero writes on reruns."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from support.emulator import Emulator
from support.inprocess import InProcessEmulator

from integration.engine_helpers import execute_stale_plan, run, settings_for, write
from integration.library_data import element, exported_dashboard, model, using
from syncer.adapters.files.loader import validate_directory
from syncer.app import open_target, pull_directory
from syncer.engine.execute import ExecuteContext, execute
from syncer.engine.reconcile import exit_code_for_apply, reconcile_once
from syncer.model.plan import ActionKind
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.model.state import LiveDashboard
from syncer.settings.model import GrafanaSettings, SyncSettings, TargetSettings

BASE = "/api/library-elements"
CPU = model("CPU busy", "1 - avg(rate(node_cpu_seconds_total{mode='idle'}[5m]))")
MEM = model("Memory used", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", kind="gauge")


def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(root, "infra/_folder.json", {"uid": "infra", "title": "Infrastructure"})
    write(root, "infra/cpu.library-panel.json", element("lib-cpu", "CPU busy", CPU))
    write(root, "infra/mem.json", {"result": element("lib-mem", "Memory used", MEM)})
    write(
        root, "infra/nodes.json", using("nodes", "Nodes", ("lib-cpu", "CPU busy"), ("lib-mem", "Memory used"))
    )
    write(root, "plain.json", using("plain", "Plain", extra_panels=2))
    return root


def live_element(emulator: Emulator, uid: str) -> dict[str, Any]:
    response = emulator.api("GET", f"{BASE}/{uid}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


def ui_edit(emulator: Emulator, uid: str, **model_changes: Any) -> None:
    """Edit an element as a person in the UI would (another user, the version it read)."""
    current = live_element(emulator, uid)
    body = {"kind": 1, "version": current["version"], "model": {**current["model"], **model_changes}}
    response = emulator.api("PATCH", f"{BASE}/{uid}", json=body, auth="admin")
    assert response.status_code == 200, response.text


def kinds(report: RunReport) -> dict[str, tuple[ActionKind, Outcome]]:
    return {r.uid: (r.kind, r.outcome) for r in report.results}


def rerun_writes(emulator: Emulator, root: Path, **sync: Any) -> int:
    emulator.reset(counters_only=True)
    report = run(emulator, root, **sync)
    assert report.plan.writes == 0, [a.reason for a in report.plan.library_actions]
    return emulator.writes()


def test_elements_are_created_before_their_dashboards_and_a_rerun_writes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    root = source(tmp_path)
    report = run(emulator, root)
    assert not report.failures and not report.source_errors, report
    order = [r.uid for r in report.results]
    assert max(order.index("lib-cpu"), order.index("lib-mem")) < order.index("nodes")
    assert kinds(report)["lib-cpu"] == (ActionKind.CREATE_LIBRARY_PANEL, Outcome.OK)
    cpu = live_element(emulator, "lib-cpu")
    assert cpu["folderUid"] == "infra" and cpu["name"] == "CPU busy" and cpu["model"]["title"] == "CPU busy"
    assert cpu["model"]["__syncer"]["sourcePath"] == "infra/cpu.library-panel.json"
    connections = emulator.api("GET", f"{BASE}/lib-cpu/connections/").json()["result"]
    assert [c["connectionUid"] for c in connections] == ["nodes"]
    assert rerun_writes(emulator, root) == 0
    assert rerun_writes(emulator, root, prune=True) == 0


def test_a_failed_element_keeps_the_dashboards_using_it_out(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    emulator.fault(route=f"POST {BASE}", status=400, count=1, message="refused by a test")
    report = run(emulator, root)
    results = kinds(report)
    failed = {uid for uid, (_, outcome) in results.items() if outcome is Outcome.FAILED}
    assert "nodes" in failed and failed & {"lib-cpu", "lib-mem"}
    assert emulator.api("GET", "/api/dashboards/uid/nodes").status_code == 404
    assert results["plain"] == (ActionKind.CREATE, Outcome.OK)
    assert any("library panel lib-" in r.detail for r in report.results if r.uid == "nodes")
    emulator.clear_faults()
    assert not run(emulator, root).failures
    assert emulator.api("GET", "/api/dashboards/uid/nodes").status_code == 200


def test_ui_edit_is_drift_and_an_edit_on_both_sides_is_a_conflict(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    run(emulator, root)
    ui_edit(emulator, "lib-cpu", title="CPU (edited in the UI)")
    drift = run(emulator, root, dry_run=True)
    (action,) = [a for a in drift.plan.library_actions if a.uid == "lib-cpu"]
    assert (
        action.kind is ActionKind.UPDATE_LIBRARY_PANEL and "revert drift: edited in Grafana" in action.reason
    )
    skipped = run(emulator, root, dry_run=True, on_drift="skip")
    assert {a.uid: a.kind for a in skipped.plan.library_actions}["lib-cpu"] is ActionKind.SKIP
    write(root, "infra/cpu.library-panel.json", element("lib-cpu", "CPU busy", {**CPU, "title": "CPU (git)"}))
    failed = run(emulator, root, on_conflict="fail")
    assert kinds(failed)["lib-cpu"] == (ActionKind.CONFLICT, Outcome.CONFLICT)
    assert exit_code_for_apply(failed) == 3
    assert live_element(emulator, "lib-cpu")["model"]["title"] == "CPU (edited in the UI)"
    left = run(emulator, root, on_conflict="skip")
    assert kinds(left)["lib-cpu"] == (ActionKind.SKIP, Outcome.SKIPPED)
    won = run(emulator, root)  # on-conflict overwrite (the default): git wins, and says the edit is lost
    assert kinds(won)["lib-cpu"] == (ActionKind.UPDATE_LIBRARY_PANEL, Outcome.OK)
    assert "no history of library panels" in next(r.detail for r in won.results if r.uid == "lib-cpu")
    assert live_element(emulator, "lib-cpu")["model"]["title"] == "CPU (git)"
    assert rerun_writes(emulator, root) == 0


def test_a_stale_write_is_re_read_and_re_planned(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    run(emulator, root)
    write(root, "infra/cpu.library-panel.json", element("lib-cpu", "CPU busy", {**CPU, "title": "CPU v2"}))

    async def stale() -> tuple[ActionResult, ...]:
        async with open_target(settings_for(emulator, root)) as target:
            planned = await reconcile_once(target, dry_run=True)  # reads version 1 of lib-cpu
            ui_edit(emulator, "lib-cpu", title="someone")  # version 2: the plan is now stale
            desired = target.source.load()
            live = replace(
                await target.grafana.fetch_live(None),
                library_panels=await target.library.fetch_library_panels() if target.library else {},
                library_read=True,
            )
            live = replace(live, library_panels={**live.library_panels, "lib-cpu": stale_cpu(planned)})
            ctx = ExecuteContext(
                grafana=target.grafana,
                policy=target.policy,
                desired=desired,
                live=live,
                library=target.library,
            )
            return await execute(planned.plan, ctx)

    (result,) = [r for r in asyncio.run(stale()) if r.uid == "lib-cpu"]
    assert result.outcome is Outcome.OK and result.retries == 1, result
    assert "conflict, git wins" in result.detail
    assert live_element(emulator, "lib-cpu")["model"]["title"] == "CPU v2"


def stale_cpu(report: RunReport) -> LiveDashboard:
    (action,) = [a for a in report.plan.library_actions if a.uid == "lib-cpu"]
    assert action.live is not None and action.kind is ActionKind.UPDATE_LIBRARY_PANEL
    return action.live


def test_a_reference_that_exists_nowhere_is_an_error_naming_file_and_uid(
    emulator: Emulator, tmp_path: Path
) -> None:
    root = tmp_path / "src"
    write(root, "broken.json", using("broken", "Broken", ("lib-nowhere", "Gone")))
    write(root, "served.json", using("served", "Served", ("lib-server", "On the server")))
    offline = validate_directory(root)  # offline, every library panel must be in the source
    assert sorted((p.path, p.message.split("'")[1]) for p in offline.errors) == [
        ("broken.json", "lib-nowhere"),
        ("served.json", "lib-server"),
    ]
    body = {"uid": "lib-server", "name": "On the server", "kind": 1, "model": CPU}
    assert emulator.api("POST", BASE, json=body).status_code == 200
    report = run(emulator, root)
    assert len(report.source_errors) == 1
    assert "broken.json" in report.source_errors[0] and "'lib-nowhere'" in report.source_errors[0]
    assert emulator.api("GET", "/api/dashboards/uid/broken").status_code == 404
    assert kinds(report)["served"] == (ActionKind.CREATE, Outcome.OK)
    assert exit_code_for_apply(report) == 1


def test_prune_spares_elements_still_in_use_and_deletes_after_the_dashboards(
    emulator: Emulator, tmp_path: Path
) -> None:
    root = source(tmp_path)
    write(
        root,
        "infra/disk.library-panel.json",
        element("lib-disk", "Disk", model("Disk", "node_filesystem_avail_bytes")),
    )
    run(emulator, root)
    foreign = using("handmade", "Made by hand", ("lib-disk", "Disk"))
    assert (
        emulator.api("POST", "/api/dashboards/db", json={"dashboard": foreign}, auth="admin").status_code
        == 200
    )
    (root / "infra/disk.library-panel.json").unlink()  # used by a dashboard syncer does not own
    (root / "infra/cpu.library-panel.json").unlink()  # still used by infra/nodes.json in the source
    plan = run(emulator, root, dry_run=True, prune=True).plan
    reasons = {a.uid: (a.kind, a.reason) for a in plan.library_actions}
    assert reasons["lib-disk"][0] is ActionKind.SKIP and "handmade" in reasons["lib-disk"][1]
    assert reasons["lib-cpu"][0] is ActionKind.SKIP and "infra/nodes.json" in reasons["lib-cpu"][1]
    (root / "infra/nodes.json").unlink()
    (root / "infra/mem.json").unlink()
    report = run(emulator, root, prune=True)
    order = [(r.uid, r.kind) for r in report.results if r.outcome is Outcome.OK]
    assert order.index(("nodes", ActionKind.DELETE)) < order.index(
        ("lib-cpu", ActionKind.DELETE_LIBRARY_PANEL)
    )
    assert ("lib-mem", ActionKind.DELETE_LIBRARY_PANEL) in order
    assert ("lib-disk", ActionKind.DELETE_LIBRARY_PANEL) not in order
    assert emulator.api("GET", f"{BASE}/lib-disk").status_code == 200
    assert emulator.api("GET", "/api/folders/infra").status_code == 200  # lib-disk still lives in it
    assert rerun_writes(emulator, root, prune=True) == 0


def test_an_unowned_element_is_never_taken_over_or_pruned_without_adopt(
    emulator: Emulator, tmp_path: Path
) -> None:
    body = {"uid": "lib-cpu", "name": "CPU busy", "kind": 1, "model": {**CPU, "title": "hand made"}}
    assert emulator.api("POST", BASE, json=body).status_code == 200
    body = {"uid": "lib-other", "name": "Other", "kind": 1, "model": MEM}
    assert emulator.api("POST", BASE, json=body).status_code == 200
    root = source(tmp_path)
    refused = run(emulator, root, prune=True)
    assert kinds(refused)["lib-cpu"] == (ActionKind.CONFLICT, Outcome.CONFLICT)
    assert "lib-other" not in kinds(refused)
    adopted = run(emulator, root, adopt=True, prune=True)
    assert kinds(adopted)["lib-cpu"] == (ActionKind.UPDATE_LIBRARY_PANEL, Outcome.OK)
    assert live_element(emulator, "lib-cpu")["model"]["title"] == "CPU busy"
    assert emulator.api("GET", f"{BASE}/lib-other").status_code == 200


def test_a_pulled_tree_applies_back_with_zero_writes(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    run(emulator, root, manager_id="team")
    pulled = tmp_path / "pulled"
    summary = asyncio.run(pull_directory(settings_for(emulator, root, manager_id="team"), pulled))
    assert summary.ok and summary.library_panels == 2, summary.errors
    files = sorted(pulled.rglob("*.library-panel.json"))
    assert [f.name for f in files] == ["CPU-busy.library-panel.json", "Memory-used.library-panel.json"]
    for file in files:  # beside the dashboards, in their folder's directory
        assert json.loads((file.parent / "_folder.json").read_text())["uid"] == "infra"
    exported = json.loads(files[0].read_text())
    assert "__syncer" not in exported["model"] and exported["uid"] == "lib-cpu"
    assert rerun_writes(emulator, pulled, manager_id="team", prune=True) == 0


def test_an_exported_dashboard_brings_its_library_panels(emulator: Emulator, tmp_path: Path) -> None:
    root = tmp_path / "src"
    library = {"lib-cpu": ("CPU busy", CPU), "lib-mem": ("Memory used", MEM)}
    write(root, "exports/node-exporter.json", exported_dashboard("node-export", "Node exporter", library))
    offline = validate_directory(root)
    assert not offline.errors and set(offline.library_panels) == {"lib-cpu", "lib-mem"}
    report = run(emulator, root)
    assert not report.failures and not report.source_errors, report
    cpu = live_element(emulator, "lib-cpu")
    assert cpu["model"]["datasource"] == {
        "type": "prometheus",
        "uid": "prometheus",
    }  # ${DS_PROMETHEUS} resolved
    assert cpu["folderUid"] == live_dashboard_folder(emulator, "node-export")
    assert rerun_writes(emulator, root) == 0


def live_dashboard_folder(emulator: Emulator, uid: str) -> str:
    meta: dict[str, Any] = emulator.api("GET", f"/api/dashboards/uid/{uid}").json()["meta"]
    return str(meta["folderUid"])


def test_the_resources_api_syncs_library_panels_too(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    settings = TargetSettings(
        grafana=GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api="resources"),
        sync=SyncSettings(dir=root),
    )

    async def go() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target)

    first = asyncio.run(go())
    assert kinds(first)["lib-cpu"] == (ActionKind.CREATE_LIBRARY_PANEL, Outcome.OK) and not first.failures
    emulator.reset(counters_only=True)
    assert asyncio.run(go()).plan.writes == 0 and emulator.writes() == 0


def test_moving_the_file_moves_the_element_and_a_ui_move_is_drift(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    write(root, "apps/_folder.json", {"uid": "apps", "title": "Apps"})
    run(emulator, root)
    (root / "infra/cpu.library-panel.json").rename(root / "apps/cpu.library-panel.json")
    moved = run(emulator, root)
    (action,) = [a for a in moved.plan.library_actions if a.uid == "lib-cpu"]
    assert action.kind is ActionKind.UPDATE_LIBRARY_PANEL
    assert action.reason == "moved from folder 'Infrastructure' to 'Apps'"
    assert live_element(emulator, "lib-cpu")["folderUid"] == "apps"
    assert rerun_writes(emulator, root) == 0
    current = live_element(emulator, "lib-cpu")
    body = {"kind": 1, "version": current["version"], "folderUid": "infra"}
    assert emulator.api("PATCH", f"{BASE}/lib-cpu", json=body, auth="admin").status_code == 200
    drift = run(emulator, root, dry_run=True)
    (action,) = [a for a in drift.plan.library_actions if a.uid == "lib-cpu"]
    assert action.reason.startswith("revert drift: moved in Grafana to 'Infrastructure' (version")


def test_a_refused_library_listing_stops_only_what_depends_on_it(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    emulator.fault(route=f"GET {BASE}", status=403, message="no library.panels:read")
    report = run(emulator, root, prune=True)
    assert report.fatal is None
    assert kinds(report)["plain"] == (ActionKind.CREATE, Outcome.OK)  # dashboards without library panels
    assert "nodes" not in kinds(report)  # it uses library panels that could not be synced
    errors = "\n".join(report.source_errors)
    assert "infra/cpu.library-panel.json" in errors and "infra/nodes.json" in errors
    assert exit_code_for_apply(report) == 1
    assert emulator.api("GET", "/api/dashboards/uid/nodes").status_code == 404


def test_a_save_in_grafana_without_a_change_is_no_edit(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    run(emulator, root)
    ui_edit(emulator, "lib-cpu")  # saved again in the UI, same content: version 2
    write(root, "infra/cpu.library-panel.json", element("lib-cpu", "CPU busy", {**CPU, "title": "CPU v3"}))
    report = run(emulator, root, on_conflict="fail")  # a git change only: no conflict
    assert kinds(report)["lib-cpu"] == (ActionKind.UPDATE_LIBRARY_PANEL, Outcome.OK)
    assert next(r.detail for r in report.results if r.uid == "lib-cpu") == "content changed in git"


def test_a_plan_executed_without_a_library_adapter_fails_loudly(emulator: Emulator, tmp_path: Path) -> None:
    _, results = execute_stale_plan(emulator, source(tmp_path), lambda: None)
    outcomes = {r.uid: (r.outcome, r.detail) for r in results}
    assert outcomes["lib-cpu"][0] is Outcome.FAILED and "no library panel adapter" in outcomes["lib-cpu"][1]
    assert outcomes["nodes"][0] is Outcome.FAILED and "library panel lib-" in outcomes["nodes"][1]
    assert outcomes["plain"][0] is Outcome.OK


@pytest.mark.parametrize("profile", ["11.2", "13"])
def test_the_cycle_on_other_grafana_versions(tmp_path: Path, profile: str) -> None:
    emulator = InProcessEmulator.start(profile=profile)
    try:
        root = source(tmp_path)
        first = run(emulator, root, prune=True)
        assert not first.failures and kinds(first)["nodes"] == (ActionKind.CREATE, Outcome.OK), first
        ui_edit(emulator, "lib-mem", title="edited")
        drift = run(emulator, root, dry_run=True, prune=True)
        assert {a.uid: a.kind for a in drift.plan.library_actions}[
            "lib-mem"
        ] is ActionKind.UPDATE_LIBRARY_PANEL
        run(emulator, root, prune=True)
        assert rerun_writes(emulator, root, prune=True) == 0
    finally:
        emulator.stop()


def test_a_managed_element_whose_file_is_gone_is_an_orphan_without_prune(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Issue 18's truth for library panels: the plan lists it and is not "in sync" until --prune."""
    root = source(tmp_path)
    write(root, "infra/disk.library-panel.json", element("lib-disk", "Disk", model("Disk", "x")))
    run(emulator, root)
    (root / "infra/disk.library-panel.json").unlink()

    plan = run(emulator, root, dry_run=True).plan

    assert [p.uid for p in plan.library_orphans] == ["lib-disk"]
    assert not plan.orphans and not plan.in_sync
    pruned = run(emulator, root, prune=True)
    assert ("lib-disk", ActionKind.DELETE_LIBRARY_PANEL) in [(r.uid, r.kind) for r in pruned.results]
    after = run(emulator, root, dry_run=True).plan
    assert not after.library_orphans and after.in_sync
