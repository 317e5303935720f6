"""Suite-wide fixtures: one emulator process per session, reset before each test.

`emulator_process` starts a real `syncer emulator` once; `emulator` hands it to a test with
state, counters and fault rules cleared, so tests stay independent without paying a process
start each. Tests that need their own process (persistence, profiles, signals) call
`Emulator.start()` themselves and stop it in a `finally`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.emulator import Emulator


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[Emulator]:
    emulator = Emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    if emulator_process.process.poll() is not None:
        pytest.fail("the session emulator process died")
    emulator_process.reset()
    return emulator_process
