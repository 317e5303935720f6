"""Suite-wide fixtures: one emulator per session (per xdist worker), reset before each test.

`emulator_process` serves the emulator in-process (`support.inprocess`: the real aiohttp app on a
loopback socket, from a thread of the test process) once; `emulator` hands it to a test with state,
counters and fault rules cleared, so tests stay independent without paying a start each.
`SYNCER_TEST_EMULATOR=process` serves a real `syncer emulator` subprocess instead (the same
interface; how the seam's figures were measured). Tests whose subject is the emulator process
itself (persistence, profiles, signals, restarts) call `Emulator.start()` and stop it in a `finally`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[Emulator]:
    in_process = os.environ.get("SYNCER_TEST_EMULATOR", "inprocess") != "process"
    emulator = InProcessEmulator.start() if in_process else Emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    if emulator_process.process.poll() is not None:
        pytest.fail("the session emulator died")
    emulator_process.reset()
    return emulator_process
