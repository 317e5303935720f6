"""A daemon target's runner reloading only the files its watcher reported, over real files and the
real engine (in-memory Grafana from test_target_runner). Work is counted (files read, tree walks,
requests), never timed: an event on one file must read that file and nothing else, whatever the
size of the tree, and every safety rule of a full load must still decide."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from syncer.engine.funnel import Trigger
from unit.adapters.files.test_incremental_loader import Spy
from unit.engine.daemon.test_target_runner import Harness, write_dashboard


class Reported:
    """What the fake watcher reports on the next take (None: only a walk can tell)."""

    def __init__(self) -> None:
        self.paths: frozenset[str] | None = None
        self.takes = 0

    def __call__(self) -> frozenset[str] | None:
        self.takes += 1
        paths, self.paths = self.paths, frozenset()
        return paths


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for i in range(30):
        write_dashboard(tmp_path, f"team-{i % 3}/d{i}.json", f"d{i}")
    return tmp_path


def test_an_event_on_one_file_reads_only_that_file(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reported = Reported()
    spy = Spy(monkeypatch)

    async def scenario() -> None:
        async with Harness(tree, changed_paths=reported) as h:
            await h.settle(Trigger.STARTUP, full=True)
            assert spy.walks == 1 and len(spy.reads) == 30
            spy.reset()
            h.grafana.calls.clear()
            write_dashboard(tree, "team-1/d7.json", "d7", title="edited")
            reported.paths = frozenset({"team-1/d7.json"})
            await h.settle(Trigger.WATCH)
            assert spy.walks == 0 and spy.reads == ["team-1/d7.json"]
            assert h.grafana.calls == [("fetch_live", frozenset({"d7"})), ("save", "d7")]
            assert h.grafana.dashboards["d7"].title == "edited"

    asyncio.run(scenario())


def test_a_full_batch_walks_the_tree_and_unknown_changes_do_too(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported = Reported()
    spy = Spy(monkeypatch)

    async def scenario() -> None:
        async with Harness(tree, changed_paths=reported) as h:
            await h.settle(Trigger.STARTUP, full=True)
            spy.reset()
            reported.paths = frozenset({"team-0/d0.json"})
            await h.settle(Trigger.TIMER, full=True)  # periodic resync: sees everything, UI edits too
            assert spy.walks == 1 and reported.paths == frozenset()  # the reported paths were taken
            spy.reset()
            write_dashboard(tree, "new/d99.json", "d99")
            reported.paths = None  # a directory appeared
            await h.settle(Trigger.WATCH)
            assert spy.walks == 1
            assert "d99" in h.grafana.dashboards

    asyncio.run(scenario())


def test_a_broken_or_vanished_file_reported_alone_never_prunes_by_mistake(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported = Reported()

    async def scenario() -> None:
        async with Harness(tree, prune=True, changed_paths=reported) as h:
            await h.settle(Trigger.STARTUP, full=True)
            h.grafana.calls.clear()
            (tree / "team-2/d5.json").write_text('{"uid": "d5", "title": ')  # a save cut short
            reported.paths = frozenset({"team-2/d5.json"})
            await h.settle(Trigger.WATCH)
            assert "d5" in h.grafana.dashboards and h.grafana.writes() == []
            assert h.status.source_problem and "team-2/d5.json" in h.status.source_problem
            write_dashboard(tree, "team-2/d5.json", "d5")  # fixed again
            (tree / "team-0/d3.json").unlink()  # and one deleted on purpose: pruned by a full pass
            reported.paths = frozenset({"team-2/d5.json", "team-0/d3.json"})
            await h.settle(Trigger.WATCH)
            assert ("fetch_live", None) in h.grafana.calls
            assert "d3" not in h.grafana.dashboards and "d5" in h.grafana.dashboards
            assert len(h.grafana.dashboards) == 29

    asyncio.run(scenario())
