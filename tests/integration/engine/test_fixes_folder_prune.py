"""Folder prune against a Grafana whose legacy folder API does not return `description` (real 11/12),
so syncer's folder markers cannot be read back; and folder deletes when a move out of the folder
fails. Real HTTP to emulator subprocesses; real files; the real loader, planner and executor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from support.emulator import Emulator
from support.inprocess import InProcessEmulator

from integration.engine_helpers import dashboard, execute_stale_plan, write
from syncer.app import open_target
from syncer.engine.reconcile import exit_code_for_apply, reconcile_once
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome, RunReport
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings


@pytest.fixture(scope="module")
def real_like_process() -> Iterator[Emulator]:
    emulator = InProcessEmulator.start("--no-folder-description")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def grafana(real_like_process: Emulator) -> Emulator:
    real_like_process.reset()
    return real_like_process


def apply(emulator: Emulator, source: Path, *, api: str = "legacy", **sync: Any) -> RunReport:
    """One apply pass with no HTTP retries, so an injected 5xx fails its action at once."""
    grafana = GrafanaSettings(
        url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour(api), retries=0
    )
    settings = TargetSettings(
        grafana=grafana,
        sync=SyncSettings(dir=source, **sync),
    )

    async def go() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target, dry_run=False)

    return asyncio.run(go())


def folder_uids(emulator: Emulator) -> set[str]:
    found: set[str] = set()
    parents = [""]
    while parents:
        parent = parents.pop()
        params = {"parentUid": parent} if parent else {}
        for item in emulator.api("GET", "/api/folders", params=params).json():
            found.add(item["uid"])
            parents.append(item["uid"])
    return found


def dashboard_uids(emulator: Emulator) -> set[str]:
    return {h["uid"] for h in emulator.api("GET", "/api/search", params={"type": "dash-db"}).json()}


def folder(root: Path, directory: str, uid: str) -> None:
    write(root, f"{directory}/_folder.json", {"uid": uid, "title": directory.rsplit("/", 1)[-1].title()})


@pytest.fixture
def source(grafana: Emulator, tmp_path: Path) -> Path:
    """keep/ (two dashboards), lonely/deeper/ (one), team/ (one), applied once; plus a hand-made
    empty folder and a hand-made folder holding a hand-made dashboard."""
    src = tmp_path / "src"
    for directory, uid in [("keep", "f-keep"), ("lonely", "f-lonely"), ("lonely/deeper", "f-deeper")]:
        folder(src, directory, uid)
    folder(src, "team", "f-team")
    write(src, "keep/keep.json", dashboard("Keep", "keep"))
    write(src, "keep/gone.json", dashboard("Gone", "gone"))
    write(src, "lonely/deeper/alone.json", dashboard("Alone", "alone"))
    write(src, "team/board.json", dashboard("Board", "board"))
    assert exit_code_for_apply(apply(grafana, src)) == 0
    for uid in ("hand-empty", "hand-full"):
        made = grafana.api("POST", "/api/folders", json={"uid": uid, "title": uid}, auth="admin")
        assert made.status_code == 200, made.text
    body = {"dashboard": dashboard("By hand", "by-hand"), "folderUid": "hand-full"}
    assert grafana.api("POST", "/api/dashboards/db", json=body).status_code == 200
    return src


def test_markers_are_really_unreadable_on_this_server(grafana: Emulator, source: Path) -> None:
    assert "description" not in grafana.api("GET", "/api/folders/f-lonely").json()


def test_folders_only_this_prune_empties_are_deleted_children_first(grafana: Emulator, source: Path) -> None:
    (source / "keep" / "gone.json").unlink()
    for rel in ("lonely/deeper/alone.json", "lonely/deeper/_folder.json", "lonely/_folder.json"):
        (source / rel).unlink()

    report = apply(grafana, source, prune=True)

    assert exit_code_for_apply(report) == 0, report.results
    deleted = [
        r.uid for r in report.results if r.kind is ActionKind.DELETE_FOLDER and r.outcome is Outcome.OK
    ]
    assert deleted == ["f-deeper", "f-lonely"]
    assert folder_uids(grafana) == {"f-keep", "f-team", "hand-empty", "hand-full"}
    assert dashboard_uids(grafana) == {"keep", "board", "by-hand"}
    assert apply(grafana, source, prune=True).plan.in_sync  # converged: nothing left to do


def test_folder_keeps_when_someone_else_put_a_dashboard_in_it(grafana: Emulator, source: Path) -> None:
    body = {"dashboard": dashboard("Visitor", "visitor"), "folderUid": "f-team"}
    assert grafana.api("POST", "/api/dashboards/db", json=body, auth="admin").status_code == 200
    (source / "team" / "board.json").unlink()
    (source / "team" / "_folder.json").unlink()

    report = apply(grafana, source, prune=True)

    assert exit_code_for_apply(report) == 0, report.results
    assert "f-team" in folder_uids(grafana) and "visitor" in dashboard_uids(grafana)
    assert "board" not in dashboard_uids(grafana)


def test_folder_left_by_a_moved_dashboard_is_kept(grafana: Emulator, source: Path) -> None:
    (source / "team" / "board.json").rename(source / "board.json")
    (source / "team" / "_folder.json").unlink()

    report = apply(grafana, source, prune=True)

    assert exit_code_for_apply(report) == 0, report.results
    assert "f-team" in folder_uids(grafana)  # a move is not a delete: its ownership stays unknown


def test_dashboard_added_after_planning_stops_the_cascading_delete(grafana: Emulator, source: Path) -> None:
    (source / "team" / "board.json").unlink()
    (source / "team" / "_folder.json").unlink()

    def someone_adds_a_dashboard() -> None:
        body = {"dashboard": dashboard("Late", "late"), "folderUid": "f-team"}
        assert grafana.api("POST", "/api/dashboards/db", json=body, auth="admin").status_code == 200

    stale, results = execute_stale_plan(grafana, source, someone_adds_a_dashboard, prune=True)

    assert ("f-team", ActionKind.DELETE_FOLDER) in [(a.uid, a.kind) for a in stale.plan.folder_actions]
    (refused,) = [r for r in results if r.kind is ActionKind.DELETE_FOLDER]
    assert refused.outcome is Outcome.FAILED and "not empty" in (refused.detail or "")
    assert "late" in dashboard_uids(grafana) and "f-team" in folder_uids(grafana)


@pytest.mark.parametrize(
    ("api", "save_route"), [("legacy", "POST /api/dashboards/db"), ("resources", "PUT *")]
)
def test_failed_move_out_keeps_the_folder_and_everything_in_it(
    emulator: Emulator, tmp_path: Path, api: str, save_route: str
) -> None:
    """A managed folder that the plan empties by moving its dashboards out is not deleted when a
    move fails (Grafana's folder delete would take the dashboard with it): the re-check right
    before the delete, in both adapters, sees the dashboard still there and the delete is reported."""
    src = tmp_path / "src"
    folder(src, "old", "f-old")
    write(src, "old/a.json", dashboard("A", "a"))
    write(src, "old/b.json", dashboard("B", "b"))
    assert exit_code_for_apply(apply(emulator, src, api=api)) == 0
    for name in ("a.json", "b.json"):
        (src / "old" / name).rename(src / name)
    (src / "old" / "_folder.json").unlink()
    emulator.fault(route=save_route, status=500, count=1)  # one of the two moves fails

    report = apply(emulator, src, api=api, prune=True)

    moves = {r.uid: r.outcome for r in report.results if r.kind is ActionKind.MOVE}
    assert sorted(moves.values()) == [Outcome.FAILED, Outcome.OK], report.results
    (delete,) = [r for r in report.results if r.kind is ActionKind.DELETE_FOLDER]
    assert delete.outcome is Outcome.FAILED and "not empty" in (delete.detail or "")
    assert exit_code_for_apply(report) == 1
    assert {"a", "b"} <= dashboard_uids(emulator) and "f-old" in folder_uids(emulator)
    stuck = next(uid for uid, outcome in moves.items() if outcome is Outcome.FAILED)
    assert emulator.api("GET", f"/api/dashboards/uid/{stuck}").json()["meta"]["folderUid"] == "f-old"
    healed = apply(emulator, src, api=api, prune=True)  # next run: the move succeeds, then the folder goes
    assert exit_code_for_apply(healed) == 0 and "f-old" not in folder_uids(emulator)
