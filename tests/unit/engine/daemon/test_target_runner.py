"""A daemon target's runner over real files and the real engine, with an in-memory Grafana.

The fake Grafana is a seam the project owns (ports.GrafanaPort); everything else is real: the
DirectorySource loader, the planner, the executor, reconcile_once, the funnel and the backoff.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from syncer.adapters.files.loader import DirectorySource
from syncer.core.essence import checksum
from syncer.engine.daemon.config import DaemonConfig, TargetSpec
from syncer.engine.daemon.status import TargetStatus
from syncer.engine.daemon.target import TargetRunner
from syncer.engine.funnel import Funnel, Trigger
from syncer.engine.reconcile import Target
from syncer.model.errors import ServerError, Unreachable
from syncer.model.plan import Policy
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, MetricsPort, NullMetrics, SaveResult, ServerInfo


class FakeGrafana:
    """In-memory GrafanaPort: records calls; `down` makes every call raise Unreachable."""

    def __init__(self) -> None:
        self.folders: dict[str, LiveFolder] = {}
        self.dashboards: dict[str, LiveDashboard] = {}
        self.calls: list[tuple[str, object]] = []
        self.down = False
        self.failing_saves: set[str] = set()
        self._requests = 0

    def _call(self, name: str, arg: object = None) -> None:
        self._requests += 1
        self.calls.append((name, arg))
        if self.down:
            raise Unreachable("connection refused", method="GET", route="/api/search")

    @property
    def request_count(self) -> int:
        return self._requests

    def writes(self) -> list[tuple[str, object]]:
        return [c for c in self.calls if c[0] in {"save", "delete", "create_folder", "update_folder"}]

    async def server_info(self) -> ServerInfo:
        self._call("server_info")
        return ServerInfo(version="12.0.0", api="legacy")

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        self._call("fetch_live", None if dashboard_uids is None else frozenset(dashboard_uids))
        if dashboard_uids is None:
            return LiveState(dict(self.folders), dict(self.dashboards))
        wanted = {uid: d for uid, d in self.dashboards.items() if uid in dashboard_uids}
        return LiveState(dict(self.folders), wanted, complete=False)

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        self._call("get", uid)
        return self.dashboards.get(uid)

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        self._call("create_folder", folder.uid)
        live = LiveFolder(folder.uid, folder.title, folder.parent_uid, version=1, marker=marker)
        self.folders[folder.uid] = live
        return live

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        self._call("update_folder", folder.uid)
        new = LiveFolder(
            folder.uid, folder.title, folder.parent_uid, version=(live.version or 0) + 1, marker=marker
        )
        self.folders[folder.uid] = new
        return new

    async def delete_folder(self, live: LiveFolder) -> None:
        self._call("delete_folder", live.uid)
        self.folders.pop(live.uid, None)

    async def save_dashboard(
        self, desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker, message: str
    ) -> SaveResult:
        self._call("save", desired.uid)
        if desired.uid in self.failing_saves:
            raise ServerError("HTTP 500: database is locked", status=500)
        version = (live.version if live else 0) + 1
        self.dashboards[desired.uid] = LiveDashboard(
            uid=desired.uid,
            title=desired.title,
            folder_uid=desired.folder_uid,
            version=version,
            content=dict(desired.content),
            checksum=checksum(desired.content, desired.folder_uid),
            marker=marker,
            updated_by="syncer",
        )
        return SaveResult(desired.uid, version)

    async def delete_dashboard(self, live: LiveDashboard) -> None:
        self._call("delete", live.uid)
        self.dashboards.pop(live.uid, None)

    async def list_datasources(self) -> list[DataSource]:
        self._call("datasources")
        return []

    async def aclose(self) -> None:
        return None


@dataclass
class RecordingMetrics(NullMetrics):
    triggers: Counter[str] = field(default_factory=Counter)
    source_errors: Counter[str] = field(default_factory=Counter)
    last_gauges: dict[str, float] = field(default_factory=dict)
    runs: list[bool] = field(default_factory=list)

    def reconcile_finished(self, target: str, duration_s: float, ok: bool) -> None:
        self.runs.append(ok)

    def gauges(self, target: str, values: Mapping[str, float]) -> None:
        self.last_gauges.update(values)

    def trigger(self, target: str, source: str) -> None:
        self.triggers[source] += 1

    def source_error(self, target: str, kind: str) -> None:
        self.source_errors[kind] += 1

    def conflicts(self, target: str, resolution: str, count: int) -> None:
        return None

    def drift(self, target: str, count: int) -> None:
        return None

    def for_target(self, target: str) -> MetricsPort:
        return self


def write_dashboard(root: Path, rel: str, uid: str, title: str | None = None, panels: int = 1) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"uid": uid, "title": title or uid, "panels": [{"id": i, "type": "text"} for i in range(panels)]}
    path.write_text(json.dumps(body), encoding="utf-8")


class Harness:
    def __init__(
        self,
        root: Path,
        *,
        prune: bool = False,
        probe_interval_s: float = 15.0,
        changed_paths: Callable[[], frozenset[str] | None] = lambda: None,
    ) -> None:
        self.root = root
        self.grafana = FakeGrafana()
        self.metrics = RecordingMetrics()
        self.funnel = Funnel(debounce_s=0.0, max_delay_s=0.0)
        self.status = TargetStatus("t")
        policy = Policy(prune=prune)
        grafana = self.grafana

        @asynccontextmanager
        async def opener() -> AsyncIterator[Target]:
            yield Target("t", DirectorySource(root), grafana, policy, 4, {}, None)

        config = DaemonConfig(
            backoff_initial_s=0.05, backoff_max_s=0.2, partial_retries=2, probe_interval_s=probe_interval_s
        )
        self.runner = TargetRunner(
            TargetSpec("t", root, opener),
            funnel=self.funnel,
            status=self.status,
            metrics=self.metrics,
            config=config,
            changed_paths=changed_paths,
        )
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Harness:
        self.task = asyncio.create_task(self.runner.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.funnel.close()
        self.runner.wake()
        assert self.task is not None
        await asyncio.wait_for(self.task, 2.0)

    async def settle(self, trigger: Trigger | None = None, *, full: bool = False) -> None:
        """Send a trigger and wait until the runner has processed it."""
        if trigger is not None:
            if full:
                self.funnel.request_full(trigger)
            else:
                self.funnel.notify_change(trigger)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if not self.funnel.pending and not self.status.running:
                await asyncio.sleep(0.02)
                if not self.funnel.pending and not self.status.running:
                    return
        raise AssertionError("runner did not settle")


def test_startup_full_then_incremental_edit_touches_only_the_edited_dashboard(tmp_path: Path) -> None:
    for i in range(5):
        write_dashboard(tmp_path, f"team/d{i}.json", f"d{i}")

    async def scenario() -> None:
        async with Harness(tmp_path) as h:
            await h.settle(Trigger.STARTUP, full=True)
            assert set(h.grafana.dashboards) == {f"d{i}" for i in range(5)}
            assert h.status.ready
            h.grafana.calls.clear()

            await h.settle(Trigger.WATCH)  # an event that changed nothing: no request at all
            assert h.grafana.calls == []

            write_dashboard(tmp_path, "team/d3.json", "d3", title="edited")
            await h.settle(Trigger.WATCH)
            assert ("fetch_live", frozenset({"d3"})) in h.grafana.calls
            assert h.grafana.writes() == [("save", "d3")]
            assert h.grafana.dashboards["d3"].title == "edited"

    asyncio.run(scenario())


def test_removed_file_is_pruned_by_a_full_run_only_when_prune_is_on(tmp_path: Path) -> None:
    for i in range(3):
        write_dashboard(tmp_path, f"d{i}.json", f"d{i}")

    async def scenario(prune: bool) -> FakeGrafana:
        async with Harness(tmp_path, prune=prune) as h:
            await h.settle(Trigger.STARTUP, full=True)
            (tmp_path / "d1.json").unlink()
            h.grafana.calls.clear()
            await h.settle(Trigger.WATCH)
            return h.grafana

    pruned = asyncio.run(scenario(True))
    assert "d1" not in pruned.dashboards
    assert ("fetch_live", None) in pruned.calls  # full listing: markers of absent dashboards are needed
    write_dashboard(tmp_path, "d1.json", "d1")
    kept = asyncio.run(scenario(False))
    assert "d1" in kept.dashboards
    assert kept.writes() == []


def test_vanished_or_emptied_source_is_not_acted_on_and_last_state_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "src"
    for i in range(3):
        write_dashboard(root, f"d{i}.json", f"d{i}")

    async def scenario() -> None:
        async with Harness(root, prune=True) as h:
            await h.settle(Trigger.STARTUP, full=True)
            assert len(h.grafana.dashboards) == 3
            for path in root.iterdir():
                path.unlink()
            h.grafana.calls.clear()
            await h.settle(Trigger.WATCH)
            await h.settle(Trigger.TIMER, full=True)
            assert h.grafana.calls == []
            assert h.metrics.source_errors["empty"] == 2
            assert h.status.source_problem is not None
            assert h.status.ready  # Grafana still matches the last good files

            root.rmdir()
            await h.settle(Trigger.TIMER, full=True)
            assert h.metrics.source_errors["unreadable"] == 1
            assert len(h.grafana.dashboards) == 3

            write_dashboard(root, "d0.json", "d0", title="back")
            await h.settle(Trigger.WATCH)
            assert h.status.source_problem is None
            assert h.grafana.dashboards["d0"].title == "back"

    asyncio.run(scenario())


def test_grafana_outage_makes_the_target_unready_then_it_recovers_by_itself(tmp_path: Path) -> None:
    write_dashboard(tmp_path, "d.json", "d")

    async def scenario() -> None:
        async with Harness(tmp_path) as h:
            h.grafana.down = True
            h.funnel.request_full(Trigger.STARTUP)
            for _ in range(100):
                await asyncio.sleep(0.02)
                if h.status.consecutive_failures >= 2:
                    break
            assert not h.status.ready
            assert h.status.grafana_ok is False
            assert "grafana" in h.status.reason
            assert h.metrics.last_gauges["up"] == 0.0
            h.grafana.down = False
            for _ in range(100):
                await asyncio.sleep(0.02)
                if h.status.ready:
                    break
            assert h.status.ready
            assert "d" in h.grafana.dashboards
            assert h.metrics.last_gauges["ready"] == 1.0

    asyncio.run(scenario())


def test_folder_title_change_alone_is_reconciled_incrementally(tmp_path: Path) -> None:
    write_dashboard(tmp_path, "team/d.json", "d")
    (tmp_path / "team" / "_folder.json").write_text(json.dumps({"uid": "team", "title": "Team"}))

    async def scenario() -> None:
        async with Harness(tmp_path) as h:
            await h.settle(Trigger.STARTUP, full=True)
            (tmp_path / "team" / "_folder.json").write_text(json.dumps({"uid": "team", "title": "Team 2"}))
            h.grafana.calls.clear()
            await h.settle(Trigger.WATCH)
            assert h.grafana.folders["team"].title == "Team 2"
            assert ("fetch_live", frozenset()) in h.grafana.calls

    asyncio.run(scenario())


@pytest.mark.parametrize("n", [200])
def test_many_changed_files_make_one_scoped_reconcile(tmp_path: Path, n: int) -> None:
    write_dashboard(tmp_path, "seed.json", "seed")

    async def scenario() -> None:
        async with Harness(tmp_path) as h:
            await h.settle(Trigger.STARTUP, full=True)
            runs_before = len(h.metrics.runs)
            for i in range(n):
                write_dashboard(tmp_path, f"burst/b{i}.json", f"b{i}")
                h.funnel.notify_change()
            await h.settle()
            assert len(h.metrics.runs) - runs_before == 1
            assert len(h.grafana.dashboards) == n + 1

    asyncio.run(scenario())


def test_failed_dashboards_are_retried_by_themselves_and_only_they(tmp_path: Path) -> None:
    for uid in ("ok1", "ok2", "flaky"):
        write_dashboard(tmp_path, f"{uid}.json", uid)

    async def scenario() -> None:
        async with Harness(tmp_path) as h:
            h.grafana.failing_saves = {"flaky"}
            h.funnel.request_full(Trigger.STARTUP)
            for _ in range(100):
                await asyncio.sleep(0.02)
                if h.metrics.triggers["retry"] >= 1:
                    break
            assert set(h.grafana.dashboards) == {"ok1", "ok2"}
            assert h.status.ready  # the pass completed; one dashboard failed
            h.grafana.failing_saves.clear()
            for _ in range(100):
                await asyncio.sleep(0.02)
                if "flaky" in h.grafana.dashboards:
                    break
            assert "flaky" in h.grafana.dashboards
            retried = [uid for name, uid in h.grafana.calls if name == "save"]
            assert retried.count("ok1") == 1 and retried.count("ok2") == 1  # the others were not redone

    asyncio.run(scenario())


def test_idle_probe_turns_the_target_unready_when_grafana_goes_away(tmp_path: Path) -> None:
    write_dashboard(tmp_path, "d.json", "d")

    async def until(predicate: Callable[[], bool]) -> None:
        for _ in range(200):
            if predicate():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("condition not met")

    async def scenario() -> None:
        async with Harness(tmp_path, probe_interval_s=0.05) as h:
            await h.settle(Trigger.STARTUP, full=True)
            assert h.status.ready
            await asyncio.sleep(0.2)
            assert sum(1 for name, _ in h.grafana.calls if name == "server_info") >= 2  # idle probes
            h.grafana.down = True  # no file change, no timer: only the probe can notice
            await until(lambda: not h.status.ready)
            assert h.metrics.last_gauges["ready"] == 0.0
            h.grafana.down = False
            await until(lambda: h.status.ready)
            assert h.metrics.triggers["retry"] >= 1

    asyncio.run(scenario())
