"""The Daemon object: independent targets, readiness body, manual sync, watcher revival, clean stop.

Real files, the real engine and funnel; the Grafana (FakeGrafana) and the watcher are seams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from syncer.adapters.files.loader import DirectorySource
from syncer.engine.daemon.config import DaemonConfig, TargetSpec
from syncer.engine.daemon.loop import Daemon
from syncer.engine.reconcile import Target
from syncer.model.plan import Policy
from unit.engine.daemon.test_target_runner import FakeGrafana, RecordingMetrics, write_dashboard


class FakeWatcher:
    instances: list[FakeWatcher] = []

    def __init__(
        self, root: Path, on_change: Callable[[], None], creds: tuple[Path, ...], on_creds: Callable[[], None]
    ) -> None:
        self.root = root
        self.on_change = on_change
        self.on_creds = on_creds
        self.alive = False
        FakeWatcher.instances.append(self)

    def start(self) -> None:
        self.alive = True

    def stop(self) -> None:
        self.alive = False

    def is_alive(self) -> bool:
        return self.alive

    def check_root(self) -> bool:
        return False

    def take_changes(self) -> frozenset[str] | None:
        return None  # unknown: every load walks the tree


def spec(name: str, root: Path, grafana: FakeGrafana) -> TargetSpec:
    @asynccontextmanager
    async def opener() -> AsyncIterator[Target]:
        yield Target(name, DirectorySource(root), grafana, Policy(), 2, {}, None)

    return TargetSpec(name, root, opener)


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met")


def test_daemon_runs_targets_independently_and_stops_cleanly(tmp_path: Path) -> None:
    FakeWatcher.instances = []
    write_dashboard(tmp_path / "a", "d.json", "da")
    write_dashboard(tmp_path / "b", "d.json", "db")
    good, bad = FakeGrafana(), FakeGrafana()
    bad.down = True
    metrics = RecordingMetrics()
    config = DaemonConfig(
        interval_s=3600, debounce_s=0.01, backoff_initial_s=0.05, backoff_max_s=0.2, heartbeat_s=0.05
    )
    daemon = Daemon(
        [spec("a", tmp_path / "a", good), spec("b", tmp_path / "b", bad)],
        config=config,
        metrics=metrics,
        watcher_factory=FakeWatcher,
    )

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(stop))
        await eventually(lambda: "da" in good.dashboards)
        await eventually(lambda: daemon.readiness()[1]["targets"]["b"]["consecutive_failures"] >= 1)
        ready, body = daemon.readiness()
        assert not ready
        assert body["targets"]["a"]["ready"] is True
        assert body["targets"]["b"]["ready"] is False
        assert body["targets"]["b"]["reason"].startswith("grafana:")
        assert daemon.health()[0]

        assert daemon.request_sync("zz") is None
        assert daemon.request_sync(None) == ["a", "b"]
        assert metrics.triggers["http"] == 2

        # a file event from the watcher thread reaches target a's funnel only
        write_dashboard(tmp_path / "a", "e.json", "ea")
        watcher_a = next(w for w in FakeWatcher.instances if w.root == tmp_path / "a")
        await asyncio.to_thread(watcher_a.on_change)
        await eventually(lambda: "ea" in good.dashboards)

        # a watcher whose thread died is noticed by the heartbeat and replaced
        watcher_a.alive = False
        assert not daemon.health()[0]
        await eventually(lambda: len(FakeWatcher.instances) == 3)
        assert daemon.health()[0]

        bad.down = False  # Grafana b comes back: it recovers by itself
        await eventually(lambda: daemon.readiness()[0], timeout=10)
        assert "db" in bad.dashboards

        stop.set()
        await asyncio.wait_for(task, 5.0)
        assert daemon.readiness()[1]["reason"] == "shutting down"
        assert daemon.request_sync(None) == []
        assert not any(w.alive for w in FakeWatcher.instances)

    asyncio.run(scenario())
