"""Suite-wide fixtures: one emulator per session (per xdist worker), reset before each test.

`emulator_process` serves the emulator in-process (`support.inprocess`: the real aiohttp app on a
loopback socket, from a thread of the test process) once; `emulator` hands it to a test with state,
counters and fault rules cleared, so tests stay independent without paying a start each.
`SYNCER_TEST_EMULATOR=process` serves a real `syncer emulator` subprocess instead (the same
interface; how the seam's figures were measured). Tests whose subject is the emulator process
itself (persistence, signals, restarts) call `Emulator.start()` and stop it in a `finally`.

Workers: `-n auto` (pyproject addopts) means one more pytest-xdist worker than there are cores. Much
of the suite waits on `syncer` subprocesses and daemons, so a third worker on 2 cores keeps them busy:
`pytest -n 3` ran tests/fault, e2e and security (232 tests) in 138 s and 192 s against 190 s and 250 s
for `-n 2`, in runs paired back to back (2026-12-07, 2 cores shared with other jobs, load 1-4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: the cores this process may use, plus one (see the module docstring)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


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
