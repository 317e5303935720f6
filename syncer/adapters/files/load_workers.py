"""Source files parsed in worker processes, so that a big one-shot load uses every core.

Who uses it: `syncer plan`, `apply` and `validate` start a `LoadWorkers` (`LoadWorkers.start`) and
hand it to their `DirectorySource`, which sends it the files to parse when there are at least
`MIN_FILES`. The daemon does not: it reloads only the files that changed, and a pool's processes
would count against its memory.

Why processes: parsing, checking, hashing and compressing a file is CPU under the GIL, and in a
one-shot run the event loop is reading the server at the same time on the same GIL. On 500
dashboards (26.6 MB, legacy API, no-change run against the emulator on a 2-core machine) the whole
`syncer apply` took 1.60 s with the files loaded in a thread and 1.22 s with one worker process
(2026-12-07, alternating runs, `docs/benchmarks.md`).

Why fork, and only at start-up: a forked worker has every module already imported, so it starts in
a few milliseconds (8 ms for two) where a spawned one would import the application again (about
0.3 s of CPU each). Forking is safe only while no other thread can hold a lock the child needs, so
`start` forks every worker at once, at once, and only when the calling thread is the only one; where
that cannot be had (another thread runs, no `fork` on the platform, one core) it returns None and the
loader parses in its own thread as before. A worker that dies (say, killed for memory) makes `load`
raise `WorkersFailed`, and the loader parses those files itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from syncer.adapters.files.file_load import FileRules, load_file
from syncer.adapters.files.file_parts import LoadedFile
from syncer.adapters.files.walk import SourceFile
from syncer.core.essence import checksums_by_folder
from syncer.model import jsontext, packing

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MIN_FILES = 64  # fewer files load faster in the loader's own thread than round trips to the workers
MAX_WORKERS = 8
_CHUNKS_PER_WORKER = 4  # dashboards differ in size: smaller chunks keep every worker busy to the end


class WorkersFailed(Exception):
    """A worker process died or could not take the work; the loader parses the files itself."""


@dataclass(frozen=True)
class ToParse:
    """One file for a worker, with the folder it will most likely be placed in (see `FolderChecksums`)."""

    file: SourceFile
    in_jsonnet_project: bool
    likely_folder: str | None


@dataclass
class FolderChecksums:
    """`DashboardParts.checksum_for` that can cross a process boundary (a hash state cannot).

    The worker works out the checksum for the folder the file is likely placed in (its own given
    folder, or its directory's); any other folder (a blocked or clashing one) is computed again from
    the kept content, which gives the same text and so the same checksum."""

    known: dict[str | None, str]
    compressed: bytes

    def __call__(self, folder_uid: str | None) -> str:
        found = self.known.get(folder_uid)
        if found is None:
            content = jsontext.loads(packing.unpack(self.compressed))
            found = checksums_by_folder(content, numbers_normal=True)(folder_uid)
        return found


class LoadWorkers:
    """A pool of forked processes that run `file_load.load_file`; close it (`closing_workers`)."""

    def __init__(self, pool: ProcessPoolExecutor, count: int) -> None:
        self._pool = pool
        self.count = count

    @classmethod
    def start_for(cls, root: Path, count: int | None = None) -> LoadWorkers | None:
        """Fork the workers now (one per usable core, at most `MAX_WORKERS`) when the tree at `root`
        has at least `MIN_FILES` files; None where workers are not safe or not worth it (see the
        module docstring): the loader then parses in its own thread."""
        count = count or min(len(os.sched_getaffinity(0)), MAX_WORKERS)
        if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        if threading.active_count() != 1 or not _has_files(root, MIN_FILES):
            return None
        return cls.fork(count)

    @classmethod
    def fork(cls, count: int) -> LoadWorkers | None:
        """Fork `count` workers now (None if the system refuses). Only safe where no other thread can
        hold a lock the workers need: `start_for` makes sure of that."""
        # why here: this import alone costs about 35 ms, which a small tree should not pay
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(count, mp_context=context, initializer=_leave_interrupts_to_parent)
        try:
            pool.submit(os.getpid).result()  # with fork, the first task starts every worker
        except (BrokenProcessPool, OSError):
            pool.shutdown(wait=False, cancel_futures=True)
            return None
        return cls(pool, count)

    def load(self, files: Sequence[ToParse], rules: FileRules) -> list[LoadedFile]:
        """What each file contributes, in the order given; raises WorkersFailed."""
        size = max(1, -(-len(files) // (self.count * _CHUNKS_PER_WORKER)))
        chunks = [files[at : at + size] for at in range(0, len(files), size)]
        from concurrent.futures.process import BrokenProcessPool

        loaded: list[LoadedFile] = []
        try:
            for items in self._pool.map(_load_chunk, chunks, [rules] * len(chunks)):
                loaded += items
        except (BrokenProcessPool, OSError) as exc:
            raise WorkersFailed(str(exc) or type(exc).__name__) from exc
        return loaded

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def closing_workers(workers: LoadWorkers | None) -> Iterator[LoadWorkers | None]:
    """`with closing_workers(LoadWorkers.start_for(root)) as workers:` closes them, if any, on exit."""
    try:
        yield workers
    finally:
        if workers is not None:
            workers.close()


def _has_files(root: Path, wanted: int) -> bool:
    """Whether the tree at `root` holds at least `wanted` files; stops looking as soon as it does."""
    seen, pending = 0, [root]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
                    else:
                        seen += 1
                        if seen >= wanted:
                            return True
        except OSError:
            continue  # the load itself reports an unreadable directory
    return False


def _leave_interrupts_to_parent() -> None:
    # why: Ctrl-C reaches the whole process group; the parent cancels the run and closes the pool,
    # and a traceback from every worker would bury its message
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _load_chunk(files: Sequence[ToParse], rules: FileRules) -> list[LoadedFile]:
    loaded = []
    for item in files:
        result = load_file(item.file, rules, item.in_jsonnet_project)
        parts = result.dashboard
        if parts is not None:
            folder = parts.folder_uid if parts.folder_given else item.likely_folder
            parts.checksum_for = FolderChecksums({folder: parts.checksum_for(folder)}, parts.compressed)
        loaded.append(result)
    return loaded
