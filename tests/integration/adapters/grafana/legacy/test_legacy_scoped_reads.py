"""The legacy adapter's scoped reads (the daemon's incremental passes) over real HTTP.

A scoped pass reuses the folder tree of the last full read, so one edited file costs one GET and
one POST whatever the number of folders; a folder deleted in Grafana behind syncer's back makes
that pass fail for the dashboard (never lose it) and the next pass re-lists and heals.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.emulator import Emulator

from integration.engine_helpers import dashboard, settings_for, write
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.model.results import Outcome, RunReport


def _tree(root: Path, folders: int) -> None:
    for i in range(folders):
        write(root, f"team{i}/svc/d{i}.json", dashboard(f"D{i}", uid=f"d{i}"))


def _scoped_passes(emulator: Emulator, source: Path, between: list[object]) -> list[tuple[RunReport, int]]:
    """A full pass, then one scoped pass (uid d0) per item of `between` (callables run before it),
    on one open target as the daemon does; returns each scoped report with its request count."""

    async def go() -> list[tuple[RunReport, int]]:
        out: list[tuple[RunReport, int]] = []
        async with open_target(settings_for(emulator, source)) as target:
            full = await reconcile_once(target)
            assert not full.failures and full.fatal is None
            for step in between:
                if callable(step):
                    step()
                before = emulator.requests()["total"]
                report = await reconcile_once(target, scope={"d0"})
                out.append((report, emulator.requests()["total"] - before))
        return out

    return asyncio.run(go())


def test_one_edit_costs_two_requests_whatever_the_number_of_folders(
    emulator: Emulator, tmp_path: Path
) -> None:
    _tree(tmp_path, folders=12)
    ((report, requests),) = _scoped_passes(
        emulator, tmp_path, [lambda: write(tmp_path, "team0/svc/d0.json", dashboard("D0 edited", uid="d0"))]
    )
    assert [(r.kind.value, r.outcome) for r in report.results] == [("update", Outcome.OK)]
    assert requests == 2  # GET the dashboard, POST it
    assert emulator.api("GET", "/api/dashboards/uid/d0").json()["dashboard"]["title"] == "D0 edited"


def test_folder_deleted_in_grafana_fails_one_pass_then_heals(emulator: Emulator, tmp_path: Path) -> None:
    _tree(tmp_path, folders=2)

    def delete_folder_in_ui() -> None:
        meta = emulator.api("GET", "/api/dashboards/uid/d0").json()["meta"]
        emulator.api("DELETE", f"/api/folders/{meta['folderUid']}", auth="admin").raise_for_status()

    results = _scoped_passes(emulator, tmp_path, [delete_folder_in_ui, None])
    (first, _), (second, _) = results
    # Grafana deleted d0 with its folder; the remembered tree still has the folder, so the create fails
    assert [(r.kind.value, r.outcome) for r in first.results] == [("create", Outcome.FAILED)]
    # ... which drops the remembered tree: the next pass re-lists, re-creates the folder, then d0
    assert sorted((r.kind.value, r.outcome) for r in second.results) == [
        ("create", Outcome.OK),
        ("create-folder", Outcome.OK),
    ]
    healed = emulator.api("GET", "/api/dashboards/uid/d0")
    assert healed.status_code == 200
    assert healed.json()["meta"]["folderUid"]  # back in a (re-created) folder, not at the root
