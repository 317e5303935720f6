"""Worker processes for the CPU a one-shot run spends on JSON, so that it uses every core.

Who uses it: `syncer plan`, `apply` and `validate` start `Workers` for a big source (see
`files.load_workers.workers_for`) and hand them to the adapters: the loader sends them the files
to parse (`files.load_workers`), the legacy Grafana adapter the dashboards it reads
(`grafana/legacy/decode_batches.py`). The daemon does not: it reloads only the files that changed, and the
processes would count against its memory.

Why processes: parsing, checking, hashing and compressing a dashboard is CPU under the GIL, and a
one-shot run does it for every file and every dashboard it reads, on one core. On 500 dashboards
(26.6 MB; legacy API, no-change run against the emulator, a 2-core machine; 2026-12-07, alternating
runs) the whole `syncer apply` took 1.47 s with the files loaded in a thread and 1.01 s with them
parsed by two workers.

Why fork, and only at start-up: a forked worker has every module already imported, so two start in
8 ms, where spawned ones would each import the application again (about 0.3 s of CPU). Forking is
safe only while no other thread can hold a lock the child needs, so `start` forks every worker at
once and only when the calling thread is the only one; where that cannot be had (another thread
runs, not Linux, one core) it returns None and the callers do the work themselves.
A worker that dies (say, killed for memory) makes the calls raise `WorkersFailed`; callers then do
the work themselves too.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

MAX_WORKERS = 8
_ORPHAN_CHECK_S = 0.5
_STOP_CHECK_S = 0.05  # how soon a load waiting on the workers notices it was asked to stop
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>", or "max <period>"
T = TypeVar("T")


class WorkersFailed(Exception):
    """A worker process died or could not take the work (the caller does it itself), or the caller's
    `stop` was set (it stops)."""


class Workers:
    """A pool of forked processes (`concurrent.futures`); close it (`closing_workers`)."""

    def __init__(self, pool: ProcessPoolExecutor, count: int) -> None:
        self._pool = pool
        self.count = count

    @classmethod
    def start(cls, count: int | None = None) -> Workers | None:
        """Fork one worker per usable core (at most `MAX_WORKERS`) now, or None where that is not
        safe or not worth it (see the module docstring)."""
        # why Linux only: macOS offers fork too, but a child of a process that has touched its system
        # frameworks (TLS, proxy lookup) may crash there; other systems have no fork at all
        if sys.platform != "linux" or threading.active_count() != 1:
            return None
        count = count or min(usable_cores(), MAX_WORKERS)
        return cls.fork(count) if count >= 2 else None

    @classmethod
    def fork(cls, count: int) -> Workers | None:
        """Fork `count` workers now (None if the system refuses). Only safe where no other thread can
        hold a lock the workers need: `start` makes sure of that."""
        # why here: this import alone costs about 35 ms, which a run without workers should not pay
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(
            count, mp_context=context, initializer=_as_a_worker, initargs=(os.getpid(),)
        )
        try:
            pool.submit(os.getpid).result()  # with fork, the first task starts every worker
        except (BrokenProcessPool, OSError):
            pool.shutdown(wait=False, cancel_futures=True)
            return None
        return cls(pool, count)

    def map(
        self,
        fn: Callable[..., list[T]],
        chunks: Sequence[Any],
        *args: Any,
        stop: threading.Event | None = None,
    ) -> list[T]:
        """`fn(chunk, *args)` for every chunk, in the workers; the lists joined in chunk order.
        Raises WorkersFailed, also when `stop` is set meanwhile (chunks not yet begun are dropped)."""
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        futures: list[Future[list[T]]] = []
        joined: list[T] = []
        try:
            futures += (self._pool.submit(fn, chunk, *args) for chunk in chunks)
            for future in futures:
                joined += self._result(future, stop)
        except (BrokenProcessPool, CancelledError, OSError, RuntimeError) as exc:
            raise WorkersFailed(str(exc) or type(exc).__name__) from exc
        finally:
            for future in futures:
                future.cancel()  # a no-op for those done or running
        return joined

    @staticmethod
    def _result(future: Future[list[T]], stop: threading.Event | None) -> list[T]:
        while True:
            try:
                return future.result(timeout=_STOP_CHECK_S)
            except TimeoutError:
                if stop is not None and stop.is_set():
                    raise WorkersFailed("stopped") from None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """`fn(*args)` in a worker; its future fails with `BrokenProcessPool` if the worker dies."""
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def usable_cores() -> int:
    """The cores this process may use: its CPU set, and in a container (cgroup v2) its CPU quota,
    which a CI runner or a Kubernetes limit sets while the CPU set still shows every host core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = CGROUP_CPU_MAX.read_text().split()[:2]
        allowed = -(-int(quota) // int(period))  # "max 100000" (no quota) is a ValueError too
    except (OSError, ValueError, ZeroDivisionError):
        return cores
    return max(1, min(cores, allowed))


@contextmanager
def closing_workers(workers: Workers | None) -> Iterator[Workers | None]:
    """`with closing_workers(Workers.start()) as workers:` closes them, if any, on exit."""
    try:
        yield workers
    finally:
        if workers is not None:
            workers.close()


def _as_a_worker(parent: int) -> None:
    """Set up a freshly forked worker.

    Ctrl-C reaches the whole process group; the parent cancels the run and closes the pool, and a
    traceback from every worker would bury its message, so workers ignore it. A parent killed
    outright (SIGKILL, an OOM kill) closes nothing, and a worker waiting for work would wait
    forever: a watcher thread ends the worker once it has been handed to another parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_ORPHAN_CHECK_S)
    os._exit(1)
