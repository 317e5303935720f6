"""The legacy adapter's reads decoded by worker processes (`decode_batches`) are what decoding in
place gives: same checksums, markers, versions and content, the same error for a bad body, and a
dead worker only moves the decoding back in place.

Real HTTP to the emulator, real forked workers. `Workers.fork`, not `Workers.start`: a pytest-xdist
worker runs idle threads of its own, so `start` would refuse (its rules: tests/unit/adapters/files/
test_load_workers.py).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.emulator import Emulator
from support.workers import forked_workers, kill_every_worker

from integration.engine_helpers import dashboard, edit_in_grafana, settings_for, write
from syncer.adapters.grafana.legacy.decode_batches import BATCH, DecodeBatches, decode_all
from syncer.adapters.workers import Workers
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.model.errors import GrafanaError
from syncer.model.state import LiveDashboard, LiveState

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers run on Linux")

COUNT = 3 * BATCH + 5  # full batches and a last one sent by its timer


@pytest.fixture
def workers() -> Iterator[Workers]:
    with forked_workers() as started:
        yield started


def seen(live: LiveState) -> dict[str, tuple[Any, ...]]:
    return {
        d.uid: (d.checksum, d.version, d.marker, d.folder_uid, d.title, d.updated_by, dict(d.content))
        for d in live.dashboards.values()
    }


def read(emulator: Emulator, source: Path, workers: Workers | None) -> LiveState:
    async def go() -> LiveState:
        async with open_target(settings_for(emulator, source), workers=workers) as target:
            return await target.grafana.fetch_live(None)

    return asyncio.run(go())


def test_decoding_in_the_workers_gives_what_decoding_in_place_gives(
    emulator: Emulator, tmp_path: Path, workers: Workers
) -> None:
    for i in range(COUNT):
        extra = {"graphTooltip": 1.0, "weight": 2.5e-7} if i % 7 == 0 else {}
        write(tmp_path, f"team-{i % 3}/d{i}.json", dashboard(f"D {i}", uid=f"d{i}", **extra))

    async def apply() -> None:
        async with open_target(settings_for(emulator, tmp_path)) as target:
            report = await reconcile_once(target)
            assert not report.failures and report.fatal is None

    asyncio.run(apply())
    edit_in_grafana(emulator, "d3", description="edited in the UI")  # drift shows in the checksum
    in_place = read(emulator, tmp_path, None)
    decoded = read(emulator, tmp_path, workers)
    assert len(decoded.dashboards) == COUNT
    assert seen(decoded) == seen(in_place)
    assert decoded.dashboards["d3"].content["description"] == "edited in the UI"


BODIES = [
    ("a", b'{"dashboard":{"uid":"a","title":"A","panels":[]},"meta":{"version":3,"folderUid":"f"}}'),
    ("b", b'{"meta":{"version":1}}'),  # no dashboard: an unexpected shape
    ("c", b'{"dashboard":{"uid":"c","title":"C","n":1.0},"meta":{"version":1}}'),
]


def decode(batches: DecodeBatches) -> list[LiveDashboard | Exception]:
    async def go() -> list[LiveDashboard | Exception]:
        futures = [batches.decode(uid, body) for uid, body in BODIES]
        batches.flush()
        return list(await asyncio.gather(*futures, return_exceptions=True))

    return asyncio.run(go())


def in_place() -> list[object]:
    """What each body gives decoded in this process (`decode_all` is `live_dashboard` per body)."""
    return decode_all(BODIES)


def same(outcomes: list[Any]) -> list[object]:
    return [
        (type(o).__name__, str(o))
        if isinstance(o, Exception)
        else (o.uid, o.checksum, o.version, dict(o.content))
        for o in outcomes
    ]


def test_each_body_gets_its_own_outcome_errors_included(workers: Workers) -> None:
    outcomes = decode(DecodeBatches(workers))
    assert isinstance(outcomes[1], GrafanaError) and "unexpected response shape" in str(outcomes[1])
    assert same(outcomes) == same(in_place())


def test_dead_workers_move_the_decoding_back_in_place(workers: Workers) -> None:
    kill_every_worker()
    batches = DecodeBatches(workers)
    assert same(decode(batches)) == same(in_place())
    assert same(decode(batches)) == same(in_place())  # and stays there
