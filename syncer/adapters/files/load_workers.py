"""Source files parsed by worker processes (`syncer.adapters.workers`) for a big load.

Who uses it: `loader.DirectorySource` sends the files its cache cannot answer here when it has
`Workers` and at least `MIN_FILES` such files; the commands start them with `workers_for(root)`.
A `LoadedFile` comes back per file, as `file_load.load_file` gives it in the loader's own thread,
except that its checksums cross the process boundary as `FolderChecksums`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from syncer.adapters.files.file_load import FileRules, load_file
from syncer.adapters.files.file_parts import LoadedFile
from syncer.adapters.files.walk import SourceFile
from syncer.adapters.workers import Workers
from syncer.core.essence import checksums_by_folder
from syncer.model import jsontext, packing

MIN_FILES = 64  # fewer files load faster in the loader's own thread than round trips to the workers
_CHUNKS_PER_WORKER = 4  # dashboards differ in size: smaller chunks keep every worker busy to the end


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


def workers_for(root: Path) -> Workers | None:
    """Workers for loading the tree at `root` (`Workers.start`) when it is big enough to be worth
    them, else None. Call it before any other thread starts."""
    return Workers.start() if _worth_workers(root) else None


def _worth_workers(root: Path) -> bool:
    """Whether the tree at `root` holds at least `MIN_FILES` files; stops looking as soon as it does."""
    seen, pending = 0, [root]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
                    else:
                        seen += 1
                        if seen >= MIN_FILES:
                            return True
        except OSError:
            continue  # the load itself reports an unreadable directory
    return False


def parse_in_workers(
    workers: Workers, files: Sequence[ToParse], rules: FileRules, stop: threading.Event
) -> list[LoadedFile]:
    """What each file contributes, in the order given; raises `WorkersFailed` (also once `stop` is set)."""
    size = max(1, -(-len(files) // (workers.count * _CHUNKS_PER_WORKER)))
    chunks = [files[at : at + size] for at in range(0, len(files), size)]
    return workers.map(_load_chunk, chunks, rules, stop=stop)


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
