"""Watch one target's source tree (and its credential files) with watchdog; report "something changed".

Who calls it: `syncer.engine.daemon.loop.Daemon` through its `SourceWatcher` seam (built by `syncer.cli.run`).
The callbacks run on watchdog's observer thread; the daemon hops them onto its event loop. This module
only says *that* something relevant changed, never what to do about it: no loading, no applying.

What it copes with:
- editors that write a temp file and rename it over the original (the move's destination counts;
  swap/backup/hidden temp files are ignored);
- a root that is a symlink atomically re-pointed by a git-sync sidecar (`ln -s new tmp && mv -T tmp root`):
  the root's parent directory is watched too, and `check_root()` re-aims the recursive watch at the link's
  new target. A root replaced by a rename (not a symlink) is noticed the same way;
- Kubernetes ConfigMap/Secret volumes, whose files are swapped through a hidden `..data` symlink;
- a root that does not exist yet (or vanished): only the parent is watched until it appears.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path, PurePath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from syncer.logs import get_logger

log = get_logger("syncer.watcher")

SOURCE_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".jsonnet", ".libsonnet"})  # libsonnet: imports
SOURCE_NAMES = frozenset({".syncignore"})
# Editor and tool droppings that are never dashboards (vim's probe file "4913", backups, swap files).
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".part", ".bak", "~")
IGNORED_NAMES = frozenset({"4913"})
KUBERNETES_SWAP = "..data"  # the atomic-writer symlink of ConfigMap/Secret volumes
RELEVANT_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})


def is_relevant_source_path(relative: PurePath, *, is_directory: bool) -> bool:
    """Would a change at this path (relative to the root) change what the loader reads?"""
    parts = relative.parts
    if not parts:
        return True
    if parts[0] == KUBERNETES_SWAP:
        return True
    name = parts[-1]
    if name in SOURCE_NAMES and len(parts) == 1:
        return True
    if any(part.startswith(".") for part in parts):
        return False
    if is_directory:
        return True
    if name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES):
        return False
    return PurePath(name).suffix.lower() in SOURCE_SUFFIXES


class _TreeHandler(FileSystemEventHandler):
    """Events inside the (resolved) root."""

    def __init__(self, root: str, on_change: Callable[[], None]) -> None:
        self._root = root
        self._on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in RELEVANT_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a directory's mtime changes with every temp file; file events say what matters
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(self._relevant(os.fsdecode(p), event.is_directory) for p in paths if p):
            self._on_change()

    def _relevant(self, path: str, is_directory: bool) -> bool:
        try:
            relative = PurePath(os.path.relpath(path, self._root))
        except ValueError:
            return False
        if relative.parts and relative.parts[0] == "..":
            return False
        return is_relevant_source_path(relative, is_directory=is_directory)


class _NameHandler(FileSystemEventHandler):
    """Events in a directory watched non-recursively, filtered to some entry names."""

    def __init__(self, names: frozenset[str], on_change: Callable[[], None], *, k8s_swaps: bool) -> None:
        self._names = names
        self._on_change = on_change
        self._k8s_swaps = k8s_swaps

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in RELEVANT_EVENTS:
            return
        for path in (event.src_path, getattr(event, "dest_path", "") or ""):
            name = os.path.basename(os.fsdecode(path)) if path else ""
            if name in self._names or (self._k8s_swaps and name.startswith("..")):
                self._on_change()
                return


class DirectoryWatcher:
    """Implements `syncer.engine.daemon.config.SourceWatcher` with a watchdog observer thread."""

    def __init__(
        self,
        root: Path,
        on_change: Callable[[], None],
        credential_files: tuple[Path, ...] = (),
        on_credentials: Callable[[], None] = lambda: None,
        *,
        observer: BaseObserver | None = None,
        library_dirs: tuple[Path, ...] = (),
    ) -> None:
        self._root = Path(os.path.abspath(root))
        # jsonnet library directories outside the tree (`-J`): an edit there re-evaluates importers
        self._library_dirs = library_dirs
        self._on_change = on_change
        self._credential_files = tuple(Path(os.path.abspath(p)) for p in credential_files)
        self._on_credentials = on_credentials
        self._observer = observer or Observer()
        self._observer.daemon = True
        self._lock = threading.Lock()
        self._tree_watch: ObservedWatch | None = None
        # (real path, (device, inode)) of the watched tree: a root replaced by a rename keeps its
        # path but not its inode, and the watch must follow it
        self._aimed_at: tuple[str | None, tuple[int, int] | None] = (None, None)

    @property
    def watching(self) -> str | None:
        """The real directory the recursive watch is on (None while the root is missing)."""
        return self._aimed_at[0]

    def start(self) -> None:
        parent = str(self._root.parent)
        self._observer.schedule(
            _NameHandler(frozenset({self._root.name}), self._on_root_entry_changed, k8s_swaps=False), parent
        )
        for directory, names in _group_by_directory(self._credential_files).items():
            self._observer.schedule(_NameHandler(names, self._on_credentials, k8s_swaps=True), directory)
        for library in self._library_dirs:
            real = os.path.realpath(library)
            if os.path.isdir(real):
                self._observer.schedule(_TreeHandler(real, self._on_change), real, recursive=True)
        self._observer.start()
        self.check_root()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive() and threading.current_thread() is not self._observer:
            self._observer.join(timeout=5.0)

    def is_alive(self) -> bool:
        """The observer thread and every emitter thread run (an emitter that died would go silent)."""
        return self._observer.is_alive() and all(e.is_alive() for e in self._observer.emitters)

    def check_root(self) -> bool:
        """Aim the recursive watch at the root's current real directory; True when that changed."""
        with self._lock:
            return self._reaim()

    def _on_root_entry_changed(self) -> None:
        """The root's entry in its parent changed (symlink re-pointed, directory replaced or removed).

        Runs on the observer thread. Re-aiming at once (watchdog allows unscheduling from a handler)
        drops the watch on the old tree before a git-sync sidecar deletes it. The lock is only tried:
        the event loop may hold it while waiting for the observer's own lock, and it re-aims anyway.
        """
        if self._lock.acquire(blocking=False):
            try:
                self._reaim()
            finally:
                self._lock.release()
        self._on_change()

    def _reaim(self) -> bool:
        resolved = os.path.realpath(self._root) if self._root.is_dir() else None
        identity = (resolved, _inode(resolved) if resolved else None)
        if identity == self._aimed_at:
            return False
        if self._tree_watch is not None:
            with contextlib.suppress(KeyError):
                self._observer.unschedule(self._tree_watch)
            self._tree_watch = None
        self._aimed_at = identity
        log.info("watching source tree", root=str(self._root), real_path=resolved)
        if resolved is not None:
            try:
                self._tree_watch = self._observer.schedule(
                    _TreeHandler(resolved, self._on_change), resolved, recursive=True
                )
            except OSError:
                # the directory vanished between the check and the watch: try again next time
                self._aimed_at = (None, None)
        return True


def _inode(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _group_by_directory(files: tuple[Path, ...]) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for file in files:
        groups.setdefault(str(file.parent), set()).add(file.name)
    return {directory: frozenset(names) for directory, names in groups.items()}
