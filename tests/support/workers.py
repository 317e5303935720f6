"""Worker processes for tests (`syncer.adapters.workers`): a pool forked for one test, and a way to
kill its processes to see what the callers do when workers die.

`Workers.fork`, not `Workers.start`: a pytest-xdist worker runs threads of its own (idle ones,
holding no lock a forked worker needs), so `start` would refuse there; its rules are tested in
fresh subprocesses (tests/unit/adapters/files/test_load_workers.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from syncer.adapters.workers import Workers, closing_workers


@contextmanager
def forked_workers(count: int = 2) -> Iterator[Workers]:
    started = Workers.fork(count)
    assert started is not None
    with closing_workers(started):
        yield started


def kill_every_worker() -> None:
    """SIGKILL to this process's children (the pool's workers; others may be exiting already)."""
    for child in multiprocessing.active_children():
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid or 0, signal.SIGKILL)
        child.join()
