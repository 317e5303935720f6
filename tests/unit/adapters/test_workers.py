"""`Workers`: how many cores a one-shot run may use, as a container or CI runner limits them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from syncer.adapters import workers
from syncer.adapters.workers import Workers, WorkersFailed, closing_workers, usable_cores

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers run on Linux")
CPU_SET = len(os.sched_getaffinity(0)) if sys.platform == "linux" else 1


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("max 100000\n", CPU_SET),  # no quota
        ("100000 100000\n", 1),  # one CPU
        ("150000 100000\n", min(CPU_SET, 2)),  # 1.5 CPUs round up
        ("100000000 100000\n", CPU_SET),  # a quota above the CPU set: the CPU set
        ("garbage", CPU_SET),
        (None, CPU_SET),  # no cgroup v2 file (cgroup v1, not Linux)
    ],
)
def test_usable_cores_follow_the_cpu_set_and_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_max: str | None, expected: int
) -> None:
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    monkeypatch.setattr(workers, "CGROUP_CPU_MAX", path)
    assert usable_cores() == expected


_ORPHANED = """
import multiprocessing, sys, time
from syncer.adapters.workers import Workers
workers = Workers.start(2)
assert workers is not None
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited orphan waits for whoever adopted it to reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\\nState:\\tZ" not in status


def test_workers_of_a_killed_parent_end_on_their_own() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _ORPHANED], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_running(p) for p in pids)
    parent.send_signal(signal.SIGKILL)  # no cleanup at all: the pool is never shut down
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(p) for p in pids)


def _slow_chunk(chunk: list[int]) -> list[int]:
    time.sleep(2)
    return chunk


def test_a_stopped_map_returns_at_once_and_drops_what_has_not_begun() -> None:
    started = Workers.fork(2)
    assert started is not None
    stop = threading.Event()
    with closing_workers(started) as workers:
        assert workers is not None
        threading.Timer(0.2, stop.set).start()
        begun = time.monotonic()
        with pytest.raises(WorkersFailed, match="stopped"):
            workers.map(_slow_chunk, [[n] for n in range(8)], stop=stop)
        assert time.monotonic() - begun < 1.5  # not the 2 s of a chunk, nor the 8 s of all of them
