"""Prune: deletes only this syncer's dashboards absent from the source, and refuses when unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.emulator import Emulator

from integration.engine_helpers import dashboard, run, write
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome


def uids(emulator: Emulator) -> set[str]:
    return {h["uid"] for h in emulator.api("GET", "/api/search", params={"type": "dash-db"}).json()}


def folders(emulator: Emulator) -> set[str]:
    found: set[str] = set()
    parents: list[str] = [""]
    while parents:
        parent = parents.pop()
        params = {"parentUid": parent} if parent else {}
        for item in emulator.api("GET", "/api/folders", params=params).json():
            found.add(item["uid"])
            parents.append(item["uid"])
    return found


@pytest.fixture
def seeded(emulator: Emulator, tmp_path: Path) -> Path:
    """Three managed dashboards (one alone in a nested folder), an unmanaged one and a foreign one."""
    src = tmp_path / "src"
    write(src, "keep/keep.json", dashboard("Keep", "keep"))
    write(src, "keep/gone.json", dashboard("Gone", "gone"))
    write(src, "lonely/deeper/alone.json", dashboard("Alone", "alone"))
    assert not run(emulator, src).failures
    unmanaged = emulator.api(
        "POST", "/api/dashboards/db", json={"dashboard": dashboard("Hand made", "handmade")}
    )
    assert unmanaged.status_code == 200
    foreign = {
        **dashboard("Foreign", "foreign"),
        "__syncer": {
            "managedBy": "syncer",
            "managerId": "other-team",
            "sourcePath": "x.json",
            "sourceChecksum": "sha256:0",
        },
    }
    assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": foreign}).status_code == 200
    return src


def test_prune_deletes_only_own_absent_dashboards_and_empty_managed_folders(
    emulator: Emulator, seeded: Path
) -> None:
    (seeded / "keep" / "gone.json").unlink()
    (seeded / "lonely" / "deeper" / "alone.json").unlink()
    before_folders = folders(emulator)

    report = run(emulator, seeded, prune=True)

    assert not report.failures, report.results
    assert uids(emulator) == {"keep", "handmade", "foreign"}
    removed = before_folders - folders(emulator)
    assert len(removed) == 2  # lonely/ and lonely/deeper/, children first
    kinds = [r.kind for r in report.results if r.outcome is Outcome.OK]
    assert kinds.count(ActionKind.DELETE) == 2 and kinds.count(ActionKind.DELETE_FOLDER) == 2


def test_without_prune_nothing_is_deleted(emulator: Emulator, seeded: Path) -> None:
    (seeded / "keep" / "gone.json").unlink()
    run(emulator, seeded)
    assert "gone" in uids(emulator)


def test_broken_file_blocks_every_delete(emulator: Emulator, seeded: Path) -> None:
    (seeded / "keep" / "gone.json").unlink()
    write(seeded, "keep/keep.json", '{"title": "Keep", "uid": "keep", ')  # a typo must never delete

    report = run(emulator, seeded, prune=True)

    assert report.plan.refusals and report.source_errors
    assert {"keep", "gone", "alone"} <= uids(emulator)


def test_empty_source_refuses_to_prune(emulator: Emulator, seeded: Path) -> None:
    for path in sorted(seeded.rglob("*.json")):
        path.unlink()

    report = run(emulator, seeded, prune=True)

    assert report.plan.refusals
    assert {"keep", "gone", "alone"} <= uids(emulator)


def test_another_empty_directory_owns_nothing(emulator: Emulator, seeded: Path, tmp_path: Path) -> None:
    """Another directory is another source with default settings: it may prune none of seeded's."""
    empty = tmp_path / "empty"
    empty.mkdir()

    report = run(emulator, empty, prune=True)

    assert not [a for a in report.plan.dashboard_actions if a.kind is ActionKind.DELETE]
    assert {"keep", "gone", "alone"} <= uids(emulator)


def test_max_deletes_caps_the_pass(emulator: Emulator, seeded: Path) -> None:
    (seeded / "keep" / "gone.json").unlink()
    (seeded / "lonely" / "deeper" / "alone.json").unlink()

    report = run(emulator, seeded, prune=True, max_deletes=1)

    assert report.plan.refusals
    assert {"gone", "alone"} <= uids(emulator)
