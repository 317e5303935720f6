"""Pull round trip (pull then apply changes no content) and the real-world corpora applied idempotently."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support import corpora
from support.emulator import Emulator

from integration.engine_helpers import dashboard, live_dashboard, run, settings_for, write
from syncer.app import pull_directory
from syncer.core.essence import essence
from syncer.engine.pull import PullOptions, PullSummary
from syncer.model.plan import ActionKind

SERVER_OWNED = ("id", "version", "__syncer")


def do_pull(emulator: Emulator, dest: Path, folder: str | None = None) -> PullSummary:
    return asyncio.run(pull_directory(settings_for(emulator, dest), dest, PullOptions(folder_uid=folder)))


def contents(emulator: Emulator) -> dict[str, tuple[str, dict[str, Any]]]:
    """uid -> (folder uid, content without server-owned fields and marker)."""
    result = {}
    for hit in emulator.api("GET", "/api/search", params={"type": "dash-db"}).json():
        body = live_dashboard(emulator, hit["uid"])
        content = {k: v for k, v in body["dashboard"].items() if k not in SERVER_OWNED}
        result[hit["uid"]] = (body["meta"]["folderUid"], content)
    return result


def seed_by_hand(emulator: Emulator) -> None:
    """A server state made outside syncer: nested folders with odd titles, unmanaged dashboards."""

    def folder(uid: str, title: str, parent: str | None = None) -> None:
        body = {"uid": uid, "title": title, **({"parentUid": parent} if parent else {})}
        assert emulator.api("POST", "/api/folders", json=body).status_code == 200

    folder("ops", "Ops / On-call")
    folder("ops-db", "Databases", "ops")
    folder("ops-db-pg", "Postgres: primary", "ops-db")
    folder("ops2", "ops - on-call")  # a title that maps to a similar directory name
    for uid, where in (("pg-main", "ops-db-pg"), ("root-one", ""), ("ops-a", "ops"), ("ops2-a", "ops2")):
        body = dashboard(f"Dash {uid}", uid, refresh="30s")
        response = emulator.api("POST", "/api/dashboards/db", json={"dashboard": body, "folderUid": where})
        assert response.status_code == 200


def test_pull_then_apply_changes_no_content(emulator: Emulator, tmp_path: Path) -> None:
    seed_by_hand(emulator)
    before = contents(emulator)
    dest = tmp_path / "pulled"

    summary = do_pull(emulator, dest)

    assert summary.ok and summary.dashboards == 4 and summary.folders == 4
    pulled = json.loads(next(dest.rglob("Dash-pg-main.json")).read_text())
    assert "id" not in pulled and "version" not in pulled and pulled["uid"] == "pg-main"
    assert (dest / "Ops-On-call" / "_folder.json").exists()

    report = run(emulator, dest, adopt=True)  # bootstrapping a repository: Terraform's import

    assert not report.failures and not report.source_errors
    # unmanaged dashboards get syncer's marker stamped (adoption) but no content change, no move
    assert {a.kind for a in report.plan.dashboard_actions} <= {ActionKind.UPDATE, ActionKind.NOOP}
    assert all(a.kind is ActionKind.NOOP for a in report.plan.folder_actions)
    assert contents(emulator) == before
    emulator.reset(counters_only=True)
    assert run(emulator, dest).plan.in_sync and emulator.writes() == 0


def test_pull_of_syncer_managed_tree_round_trips_with_zero_writes(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "a/_folder.json", {"uid": "fa", "title": "Folder A"})
    write(src, "a/b/c/deep.json", dashboard("Deep", "deep"))
    write(src, "top.json", dashboard("Top", "top"))
    run(emulator, src, manager_id="round-trip")
    dest = tmp_path / "pulled"
    do_pull(emulator, dest)
    emulator.reset(counters_only=True)

    # another directory is another source: it continues src's instance only when told so
    report = run(emulator, dest, manager_id="round-trip")

    assert report.plan.in_sync and emulator.writes() == 0


def test_pull_one_folder_keeps_its_place(emulator: Emulator, tmp_path: Path) -> None:
    seed_by_hand(emulator)
    before = contents(emulator)
    dest = tmp_path / "one"

    summary = do_pull(emulator, dest, folder="ops-db")

    assert summary.dashboards == 1
    report = run(emulator, dest)
    assert not report.failures
    assert all(a.kind is ActionKind.NOOP for a in report.plan.folder_actions)
    assert contents(emulator) == before


def test_pull_refuses_a_non_empty_directory(emulator: Emulator, tmp_path: Path) -> None:
    write(tmp_path / "busy", "x.json", dashboard("X", "x"))
    summary = do_pull(emulator, tmp_path / "busy")
    assert not summary.ok and "not empty" in summary.text()


@pytest.mark.slow
def test_corpora_apply_then_second_apply_is_zero_writes(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "corpora"
    for directory in corpora.dashboard_dirs():  # the exports only: the jsonnet corpus is source code
        shutil.copytree(directory, source / directory.name)
    first = run(emulator, source, concurrency=8)
    assert first.fatal is None and not first.failures, first.failures[:3]
    created = [r for r in first.results if r.kind is ActionKind.CREATE]
    assert len(created) >= 40
    emulator.reset(counters_only=True)

    second = run(emulator, source)

    assert emulator.writes() == 0
    assert second.plan.in_sync
    # content intact: every stored dashboard has its file's essence
    for action in second.plan.dashboard_actions:
        assert action.desired is not None and action.live is not None
        assert essence(action.live.content) == essence(action.desired.content)
