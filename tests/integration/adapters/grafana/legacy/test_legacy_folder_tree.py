"""The legacy adapter reads the folder tree with the fewest listings the server allows.

`/api/folders` lists one parent's children, so listing every folder costs one request per folder,
most of them answering `[]`. Search hits that name their parent tell which folders have children;
only those are listed. Hits that cannot tell (Grafana 11's SQL search leaves nested folders'
`folderUid` empty) must make the reader list every folder, as before: never a missing folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from support.emulator import Emulator

from integration.engine_helpers import dashboard, settings_for, write
from syncer.adapters.grafana.legacy.folders import folders_with_children
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.model.state import LiveState

# a/, a/b/, a/b/c/, a/b/d/, e/: three folders with children (a, b) ... and three leaves (c, d, e)
TREE = ("a/one.json", "a/b/two.json", "a/b/c/three.json", "a/b/d/four.json", "e/five.json")


def _apply_then_read(emulator: Emulator, source: Path) -> tuple[LiveState, int]:
    async def go() -> tuple[LiveState, int]:
        async with open_target(settings_for(emulator, source)) as target:
            report = await reconcile_once(target)
            assert not report.failures and report.fatal is None
            before = emulator.requests()["by_route"].get("GET /api/folders", 0)
            live = await target.grafana.fetch_live(None)
            return live, emulator.requests()["by_route"].get("GET /api/folders", 0) - before

    return asyncio.run(go())


def test_only_folders_with_children_are_listed(emulator: Emulator, tmp_path: Path) -> None:
    for i, rel in enumerate(TREE):
        write(tmp_path, rel, dashboard(f"D{i}", uid=f"d{i}"))
    live, listings = _apply_then_read(emulator, tmp_path)
    paths = {f.title: f.parent_uid for f in live.folders.values()}
    by_title = {f.title: f.uid for f in live.folders.values()}
    assert set(paths) == {"a", "b", "c", "d", "e"}
    assert paths["a"] is None and paths["e"] is None
    assert paths["b"] == by_title["a"] and paths["c"] == paths["d"] == by_title["b"]
    assert listings == 3  # the root, a and b; never the leaves c, d and e
    assert set(live.dashboards) == {f"d{i}" for i in range(len(TREE))}


def _hit(uid: str, parent: str | None = None, kind: str = "dash-folder") -> dict[str, Any]:
    return {"uid": uid, "type": kind, **({"folderUid": parent} if parent else {})}


@pytest.mark.parametrize(
    ("hits", "root", "expected"),
    [
        # parents named: only a and b have children
        (
            [_hit("a"), _hit("b", "a"), _hit("c", "b"), _hit("d", "b"), _hit("e"), _hit("x", "c", "dash-db")],
            ["a", "e"],
            frozenset({"a", "b"}),
        ),
        # no nesting at all (Grafana 9, or a flat tree): nothing below the root to list
        ([_hit("a"), _hit("e")], ["a", "e"], frozenset()),
        # Grafana 11's SQL search: a nested folder's hit has no parent, and the root lacks it
        ([_hit("a"), _hit("b"), _hit("c")], ["a"], None),
        # a parent that is not a hit (not visible to this user): the hits cannot tell
        ([_hit("a"), _hit("b", "hidden")], ["a"], None),
        # a root listing entry the search does not show (a virtual "Shared with me") changes nothing
        ([_hit("a")], ["a", "sharedwithme"], frozenset()),
    ],
)
def test_folders_with_children_trusts_only_hits_that_name_every_parent(
    hits: list[dict[str, Any]], root: list[str], expected: frozenset[str] | None
) -> None:
    assert folders_with_children(hits, [{"uid": uid} for uid in root]) == expected
