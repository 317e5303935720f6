"""Folder moves and renames, the last-moment folder-delete check, and other Grafana profiles
(11.2: unique titles per folder; 13: k8s-routed legacy API answering 409 on stale versions)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.emulator import Emulator
from support.inprocess import serving

from integration.engine_helpers import (
    dashboard,
    edit_in_grafana,
    execute_stale_plan,
    live_dashboard,
    run,
    settings_for,
    write,
)
from syncer.app import open_target
from syncer.engine.execute import ExecuteContext, execute
from syncer.engine.reconcile import reconcile_once
from syncer.model.plan import ActionKind
from syncer.model.results import ActionResult, Outcome


def test_moving_a_directory_moves_the_folder_and_keeps_its_dashboards(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "apps/_folder.json", {"uid": "apps", "title": "Apps"})
    write(src, "apps/web/_folder.json", {"uid": "web", "title": "Web"})
    write(src, "apps/web/front.json", dashboard("Front", "front"))
    write(src, "infra/_folder.json", {"uid": "infra", "title": "Infra"})
    write(src, "infra/net.json", dashboard("Net", "net"))
    run(emulator, src)
    (src / "apps" / "web").rename(src / "infra" / "web")
    write(src, "infra/_folder.json", {"uid": "infra", "title": "Infrastructure"})  # and a rename
    emulator.reset(counters_only=True)

    report = run(emulator, src)

    assert not report.failures
    assert emulator.api("GET", "/api/folders/web").json()["parentUid"] == "infra"
    assert emulator.api("GET", "/api/folders/infra").json()["title"] == "Infrastructure"
    assert live_dashboard(emulator, "front")["meta"]["folderUid"] == "web"
    kinds = sorted(r.kind.value for r in report.results)
    assert kinds == ["update-folder", "update-folder"]  # the dashboard itself is untouched
    emulator.reset(counters_only=True)
    assert run(emulator, src).plan.in_sync and emulator.writes() == 0


def test_folder_delete_is_rechecked_right_before_it_runs(emulator: Emulator, tmp_path: Path) -> None:
    """Grafana deletes a folder's whole subtree; a dashboard added after the plan must survive."""
    src = tmp_path / "src"
    write(src, "stay.json", dashboard("Stay", "stay"))
    write(src, "temp/t.json", dashboard("Temp", "temp"))
    run(emulator, src)
    (src / "temp" / "t.json").unlink()
    (src / "temp").rmdir()
    settings = settings_for(emulator, src, prune=True)

    async def go() -> tuple[ActionResult, ...]:
        async with open_target(settings) as target:
            stale = await reconcile_once(target, dry_run=True)
            folder_uid = next(a.uid for a in stale.plan.folder_actions if a.kind is ActionKind.DELETE_FOLDER)
            late = dashboard("Added meanwhile", "late")
            emulator.api("POST", "/api/dashboards/db", json={"dashboard": late, "folderUid": folder_uid})
            live = await target.grafana.fetch_live(None)
            ctx = ExecuteContext(
                grafana=target.grafana, policy=target.policy, desired=target.source.load(), live=live
            )
            return await execute(stale.plan, ctx)

    results = asyncio.run(go())

    by_kind = {r.kind: r for r in results}
    assert by_kind[ActionKind.DELETE].outcome is Outcome.OK
    assert by_kind[ActionKind.DELETE_FOLDER].outcome is Outcome.FAILED
    assert "not empty" in by_kind[ActionKind.DELETE_FOLDER].detail
    assert emulator.api("GET", "/api/dashboards/uid/late").status_code == 200


@pytest.fixture(params=["11.2", "13"])
def profiled(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with serving(profile=request.param) as emulator:
        yield emulator


def test_other_profiles_converge_idempotently_and_handle_races(profiled: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "a/b/c/deep.json", dashboard("Deep", "deep", refresh="1s"))
    write(src, "a/top.json", dashboard("Top", "top"))
    first = run(profiled, src)
    assert not first.failures, first.results
    profiled.reset(counters_only=True)
    assert run(profiled, src).plan.in_sync and profiled.writes() == 0

    write(src, "a/top.json", dashboard("Top", "top", tags=["git"]))
    ui_versions: list[int] = []

    # someone saves between our read and our write: 412 (11.2) / 409 (13) -> re-read, re-plan
    _, results = execute_stale_plan(
        profiled, src, lambda: ui_versions.append(edit_in_grafana(profiled, "top", description="ui"))
    )

    [result] = results
    assert result.outcome is Outcome.OK and result.retries == 1
    assert result.overwrote_version == ui_versions[0]
    assert live_dashboard(profiled, "top")["dashboard"]["tags"] == ["git"]


def test_dashboard_in_a_folder_that_failed_to_create_names_that_cause(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "doomed/_folder.json", {"uid": "doomed", "title": "Doomed"})
    write(src, "doomed/inner/in.json", dashboard("Inside", "inside"))
    write(src, "fine.json", dashboard("Fine", "fine"))
    emulator.fault(route="POST /api/folders", status=400, count=1, message="folder refused by test")

    report = run(emulator, src)

    by_uid = {r.uid: r for r in report.results}
    assert by_uid["doomed"].outcome is Outcome.FAILED and "folder refused by test" in by_uid["doomed"].detail
    inner = next(r for r in report.results if r.kind is ActionKind.CREATE_FOLDER and r.uid != "doomed")
    assert inner.outcome is Outcome.FAILED and "parent folder doomed failed" in inner.detail
    assert by_uid["inside"].outcome is Outcome.FAILED and "folder refused by test" in by_uid["inside"].detail
    assert by_uid["fine"].outcome is Outcome.OK
    assert emulator.api("GET", "/api/dashboards/uid/inside").status_code == 404
