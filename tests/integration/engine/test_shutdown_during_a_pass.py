"""A shutdown (Ctrl-C, SIGTERM) during a pass: it ends soon, changes nothing more, and says exactly
what happened.

- While the files load, the pass asks the source to stop (`stop_loading`) instead of waiting for
  10,000 files no one will use, and reports that nothing was changed.
- While it writes, what was not started because its folder was not started is "skipped: not
  started", never "FAILED" (the summary and the exit message count it as not started).

Real HTTP to the emulator, the real engine; a source whose load waits to be stopped makes the first
case deterministic.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

from support.emulator import Emulator

from integration.engine_helpers import dashboard, settings_for, write
from syncer.app import open_target
from syncer.engine.execute import CANCELLED
from syncer.engine.reconcile import reconcile_once
from syncer.model.errors import SourceError
from syncer.model.results import Outcome
from syncer.model.state import DesiredState


class SlowSource:
    """A load that only ends when asked to stop (as a very big tree would seem to a Ctrl-C)."""

    def __init__(self) -> None:
        self.loading = threading.Event()
        self.stopped = threading.Event()

    def load(self) -> DesiredState:
        self.loading.set()
        if not self.stopped.wait(timeout=30):
            raise AssertionError("the pass never asked the load to stop")
        raise SourceError("loading was stopped: syncer is shutting down")

    def stop_loading(self) -> None:
        self.stopped.set()


def test_a_shutdown_while_the_files_load_stops_the_load_and_changes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = SlowSource()

    async def go() -> str | None:
        cancel = asyncio.Event()
        async with open_target(settings_for(emulator, tmp_path)) as target:
            pass_ = asyncio.ensure_future(reconcile_once(replace(target, source=source), cancel=cancel))
            await asyncio.to_thread(source.loading.wait)
            cancel.set()
            report = await asyncio.wait_for(pass_, timeout=10)
        return report.fatal

    assert asyncio.run(go()) == "interrupted while reading the source files: nothing was changed"
    assert source.stopped.is_set()
    assert emulator.writes() == 0


def test_what_a_shutdown_kept_from_starting_is_skipped_not_failed(emulator: Emulator, tmp_path: Path) -> None:
    for i in range(6):
        write(tmp_path, f"team/svc-{i % 2}/d{i}.json", dashboard(f"D{i}", uid=f"d{i}"))

    async def go() -> list[tuple[str, Outcome, str]]:
        cancel = asyncio.Event()
        async with open_target(settings_for(emulator, tmp_path)) as target:
            # the shutdown comes as the plan is made: nothing may start
            report = await reconcile_once(target, cancel=cancel, on_plan=lambda _: cancel.set())
        assert report.fatal == f"interrupted: {len(report.results)} action(s) were not started"
        return [(r.uid, r.outcome, r.detail) for r in report.results]

    results = asyncio.run(go())
    assert len(results) == 3 + 6  # team/, team/svc-0/, team/svc-1/ and the six dashboards
    assert {(outcome, detail) for _, outcome, detail in results} == {(Outcome.SKIPPED, CANCELLED)}
    assert emulator.writes() == 0
