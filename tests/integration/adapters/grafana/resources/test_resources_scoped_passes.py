"""Scoped (daemon) passes on the resources API plan against the folders of the last listing: an edit
costs a read and a write of its dashboard, not a folder listing; a folder write keeps the remembered
folders current. Real HTTP to the emulator; requests counted by route."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.emulator import Emulator

from integration.adapters.grafana.resources.test_resources_api import (
    by_route,
    dashboard,
    sample_tree,
    target_settings,
    write,
    written,
)
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once


def folder_requests(emulator: Emulator) -> dict[str, int]:
    return {route: n for route, n in by_route(emulator).items() if "/folders" in route}


def test_scoped_passes_use_the_remembered_folders(emulator: Emulator, tmp_path: Path) -> None:
    sample_tree(tmp_path)

    async def run() -> None:
        async with open_target(target_settings(emulator, tmp_path)) as target:
            full = await reconcile_once(target)
            assert not full.failures and full.fatal is None
            write(tmp_path, "ops/db/pg.json", dashboard("res-pg", "Postgres, edited"))
            emulator.reset(counters_only=True)
            edit = await reconcile_once(target, desired=target.source.load(), scope={"res-pg"})
            assert written(edit) == {"res-pg": "update"}
            assert folder_requests(emulator) == {}

            write(tmp_path, "ops/_folder.json", {"uid": "res-ops", "title": "Operations, renamed"})
            emulator.reset(counters_only=True)
            renamed = await reconcile_once(target, desired=target.source.load(), scope=set())
            assert written(renamed) == {"res-ops": "update-folder"}
            assert not any(route.startswith("GET") for route in folder_requests(emulator))
            again = await reconcile_once(target, desired=target.source.load(), scope=set())
            assert written(again) == {}  # the remembered folder holds the new title

            emulator.reset(counters_only=True)
            resync = await reconcile_once(target)  # a full pass lists them all again
            assert not resync.failures and written(resync) == {}
            assert any(route.startswith("GET") for route in folder_requests(emulator))

    asyncio.run(run())
