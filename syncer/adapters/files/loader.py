"""The source directory as desired state: `DirectorySource(root).load() -> DesiredState`.

Called by the engine (every reconcile pass, through `SourcePort`), the daemon (on file changes) and
`syncer validate` (through `validate_directory`). It walks the tree (`walk`), parses each file
(`parse`), unwraps its shape (`shapes`), checks Grafana's rules (`core.rules`), builds the folder
tree (`folders`), derives missing uids (`file_parts`), places dashboards in folders (`placing`),
normalises what will be sent (`core.normalise`), computes checksums and resolves import inputs it
can resolve offline (`core.inputs`).

Each file is loaded by `file_load`; with `Workers` (one-shot commands) a big batch of files goes to
worker processes instead (`load_workers`), which give the same result.

Problems are collected, never raised per file; a file with an error contributes no dashboard, and
the errors make the planner refuse prune. It raises `SourceError` only when the root itself is
unusable. It never writes and never talks to Grafana.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Collection, Mapping
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from types import MappingProxyType

from syncer.adapters.files import incremental
from syncer.adapters.files.file_load import FileRules, load_file, load_value
from syncer.adapters.files.file_parts import CacheEntry, CacheKey, LoadedFile, file_identity
from syncer.adapters.files.folders import DEFAULT_MAX_FOLDER_DEPTH, build_folder_tree
from syncer.adapters.files.jsonnet.evaluate import JsonnetOptions
from syncer.adapters.files.jsonnet.files import JsonnetFiles, Produced, is_jsonnet
from syncer.adapters.files.jsonnet.tree import in_project
from syncer.adapters.files.library_files import place_library_panels
from syncer.adapters.files.load_workers import MIN_FILES, ToParse, parse_in_workers
from syncer.adapters.files.parse import DEFAULT_MAX_FILE_BYTES
from syncer.adapters.files.placing import cross_checks, place, problem_order
from syncer.adapters.files.walk import SourceFile, WalkResult, walk_source
from syncer.adapters.workers import Workers, WorkersFailed
from syncer.core.inputs import resolve_inputs
from syncer.core.library import OFFLINE, without_missing_references
from syncer.core.library_embedded import with_embedded_panels
from syncer.logs import get_logger
from syncer.model.errors import SourceError
from syncer.model.state import DesiredState, SourceProblem

_NO_INPUTS: Mapping[str, str] = MappingProxyType({})
_NOTHING_READY: Mapping[str, LoadedFile] = MappingProxyType({})


class DirectorySource:
    """`ports.SourcePort` over a directory of dashboard files."""

    def __init__(
        self,
        root: Path,
        *,
        inputs: Mapping[str, str] = _NO_INPUTS,
        min_refresh: str = "5s",
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_folder_depth: int = DEFAULT_MAX_FOLDER_DEPTH,
        jsonnet: JsonnetOptions | None = None,
        workers: Workers | None = None,
    ) -> None:
        self.root = Path(root)
        self._inputs = dict(inputs)
        self._rules = FileRules(min_refresh=min_refresh, max_file_bytes=max_file_bytes)
        self._workers = workers  # worker processes for a big load (load_workers); owned by the caller
        self._early: Future[DesiredState] | None = None  # a first load begun by start_loading
        self._stopping = threading.Event()  # set by stop_loading: this source loads no more
        self._max_folder_depth = max_folder_depth
        # why: the daemon reloads the whole tree on every change; unchanged files are not re-parsed.
        # Per file it holds only the compressed content and checksums (`DashboardParts`), never parsed JSON.
        self._cache: dict[str, CacheEntry] = {}
        self._lock = threading.Lock()
        self._memo: incremental.Memo | None = None  # what the last load leaves for `load_changed`
        self.jsonnet: JsonnetFiles[list[LoadedFile]] = JsonnetFiles(self.root, jsonnet or JsonnetOptions())

    def start_loading(self) -> None:
        """Begin the first load now, in a thread of its own, and let the next `load()` return it.

        For a one-shot command that has other work before it needs the files: its HTTP stack takes
        about 0.15 s to import, and the workers parse meanwhile. Call it after `Workers.start` (that
        forks only while no other thread runs)."""
        early: Future[DesiredState] = Future()

        def load_early() -> None:
            try:
                early.set_result(self._load_now())
            except BaseException as exc:
                early.set_exception(exc)

        self._early = early
        threading.Thread(target=load_early, name="early-load", daemon=True).start()

    def load(self) -> DesiredState:
        early, self._early = self._early, None
        if early is not None:
            return early.result()
        return self._load_now()

    def stop_loading(self) -> None:
        """Make a load in progress end soon with SourceError, and every later one at once (a shutdown:
        at 10,000 files a Ctrl-C would otherwise wait seconds for files no one will use)."""
        self._stopping.set()

    def _load_now(self) -> DesiredState:
        self._refuse_when_stopping()
        self._check_root()
        with self._lock:
            return self._load()

    def _refuse_when_stopping(self) -> None:
        if self._stopping.is_set():
            raise SourceError("loading was stopped: syncer is shutting down")

    def _check_root(self) -> None:
        """Raise SourceError for an unusable root; a load after that walks the whole tree again."""
        if self.root.is_dir():
            return
        self._memo = None
        if not self.root.exists():
            raise SourceError(f"source directory {self.root} does not exist")
        raise SourceError(f"source {self.root} is not a directory")

    def load_changed(self, paths: Collection[str]) -> DesiredState:
        """Like `load`, after a watcher reported changes at these root-relative paths: only they are
        looked at when that is sure to give what `load` would (`incremental`), else the whole tree."""
        self._check_root()
        with self._lock:
            try:
                return self._load_changed(paths)
            except BaseException:
                self._memo = None  # these paths were taken from the watcher: the next load walks
                raise

    def _load_changed(self, paths: Collection[str]) -> DesiredState:
        memo = self._memo
        files = incremental.changed_files(memo, paths)
        if memo is None or files is None:
            return self._load()
        projects = memo.walked.jsonnet_projects
        items = {rel: None if f is None else self._reload(f, projects) for rel, f in files.items()}
        for gone in (rel for rel, item in items.items() if item is None):
            self._cache.pop(gone, None)
        state = incremental.patched_state(memo, items)
        if state is not None:
            return state
        loaded = incremental.merged(memo, items)
        return self._assemble(memo.walked, loaded, len(loaded), real_root=memo.root[:-1])

    def _load(self) -> DesiredState:
        libraries = self.jsonnet.library_dirs_in_root()
        walked = walk_source(self.root, libraries)
        dashboard_files = [f for f in walked.files if not f.is_folder_file]
        loaded = self._load_files(dashboard_files, walked)
        jsonnet = bool(libraries) or any(is_jsonnet(f.rel) for f in dashboard_files)
        real_root = os.path.realpath(self.root)
        return self._assemble(walked, loaded, len(dashboard_files), real_root=real_root, jsonnet=jsonnet)

    def _assemble(
        self,
        walked: WalkResult,
        loaded: list[LoadedFile],
        files_seen: int,
        *,
        real_root: str,
        jsonnet: bool = False,
    ) -> DesiredState:
        """The desired state of every loaded file: folders, placing, cross-file checks, inputs."""
        problems = list(walked.problems)
        problems += self.jsonnet.library_problems()
        placed_by_dir = [
            item.file.rel_dir
            for item in loaded
            if (item.dashboard and not item.dashboard.folder_given) or item.library
        ]
        tree = build_folder_tree(
            (f for f in walked.files if f.is_folder_file),
            placed_by_dir,
            max_depth=self._max_folder_depth,
            max_file_bytes=self._rules.max_file_bytes,
        )
        problems += tree.problems
        dashboards = place(loaded, tree, problems)
        problems += cross_checks(tree.folders, dashboards)
        # why: that clash is an error, and an error keeps the file's dashboard out of the run
        dashboards = {uid: d for uid, d in dashboards.items() if uid not in tree.folders}
        panels = [(item.path or item.file.rel, item.file, item.library) for item in loaded if item.library]
        library = place_library_panels(panels, tree, problems)
        state = DesiredState(
            tree.folders, dashboards, tuple(problems), files_seen=files_seen, library_panels=library
        )
        state = with_embedded_panels(resolve_inputs(state, self._inputs, None))
        state = dataclasses.replace(state, problems=tuple(sorted(state.problems, key=problem_order)))
        memo = self._memo
        self._memo = incremental.remember(
            real_root, walked, loaded, tree, state, jsonnet=jsonnet, previous=memo
        )
        return state

    def _reload(self, file: SourceFile, projects: frozenset[str]) -> LoadedFile:
        """One reported file, from the cache when it did not change after all."""
        item, entry = self._cached(file, projects)
        if entry is None:
            self._cache.pop(file.rel, None)
        else:
            self._cache[file.rel] = entry
        return item

    def _cached(
        self, file: SourceFile, projects: frozenset[str], ready: Mapping[str, LoadedFile] = _NOTHING_READY
    ) -> tuple[LoadedFile, CacheEntry | None]:
        """The file's item (cached while its identity holds, else as a worker `ready` it, else parsed
        here) and its cache entry: the same entry object when unchanged (see `incremental.remember`,
        `previous`)."""
        key = self._cache_key(file, projects)
        hit = self._cache.get(file.rel)
        if key is not None and hit is not None and hit[0] == key:
            return hit[1], hit
        item = ready.get(file.rel) or load_file(file, self._rules, in_project(file.rel, projects))
        return item, None if key is None else (key, item)

    def _load_files(self, files: list[SourceFile], walked: WalkResult) -> list[LoadedFile]:
        projects = walked.jsonnet_projects
        cache: dict[str, CacheEntry] = {}
        loaded: list[LoadedFile] = []
        self.jsonnet.begin_load()
        ready = self._parsed_by_workers(files, walked)
        for file in files:
            self._refuse_when_stopping()
            if is_jsonnet(file.rel):  # its own cache: it depends on every file it imports
                loaded += self.jsonnet.load(file.path, file.rel, partial(self._produced, file))[0]
                continue
            item, entry = self._cached(file, projects, ready)
            if entry is not None:
                cache[file.rel] = entry
            loaded.append(item)
        self._cache = cache
        self.jsonnet.end_load({f.rel for f in files if is_jsonnet(f.rel)})
        return loaded

    def _parsed_by_workers(self, files: list[SourceFile], walked: WalkResult) -> dict[str, LoadedFile]:
        """The files the cache cannot answer, parsed by the worker processes when there are enough
        of them; empty when the loader parses them itself (no workers, few files, a worker died)."""
        workers = self._workers
        if workers is None:
            return {}
        projects = walked.jsonnet_projects
        todo = [f for f in files if not is_jsonnet(f.rel) and not self._unchanged(f, projects)]
        if len(todo) < MIN_FILES:
            return {}
        # the folder each file would be placed in, so the worker hashes with it (FolderChecksums)
        likely = build_folder_tree(
            (f for f in walked.files if f.is_folder_file),
            {f.rel_dir for f in todo},
            max_depth=self._max_folder_depth,
            max_file_bytes=self._rules.max_file_bytes,
        )
        batch = [ToParse(f, in_project(f.rel, projects), likely.folder_of(f.rel_dir)) for f in todo]
        try:
            parsed = parse_in_workers(workers, batch, self._rules, self._stopping)
            return {item.file.rel: item for item in parsed}
        except WorkersFailed as exc:
            self._refuse_when_stopping()
            get_logger(__name__).warning("load_workers_failed", error=str(exc), files=len(todo))
            self._workers = None  # parse here from now on
            return {}

    def _unchanged(self, file: SourceFile, projects: frozenset[str]) -> bool:
        """Whether the cache answers for the file (the stat only where it holds the file at all)."""
        hit = self._cache.get(file.rel)
        return hit is not None and hit[0] == self._cache_key(file, projects)

    @staticmethod
    def _cache_key(file: SourceFile, projects: frozenset[str]) -> CacheKey | None:
        """What must hold for a cached parse to be reused: the file's identity (path, inode, size,
        mtime) and whether it lies in a jsonnet project; None when the file cannot be stat'ed."""
        identity = file_identity(file)
        return None if identity is None else (identity, in_project(file.rel, projects))

    def _produced(
        self, file: SourceFile, produced: list[Produced], problems: list[SourceProblem]
    ) -> list[LoadedFile]:
        """What a `.jsonnet` file contributes: its evaluation's problems, then one item per dashboard."""
        items = [LoadedFile(file, problems=problems)] if problems else []
        return items + [load_value(file, doc.path, doc.value, self._rules) for doc in produced]


def validate_directory(
    root: Path,
    *,
    inputs: Mapping[str, str] = _NO_INPUTS,
    min_refresh: str = "5s",
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_folder_depth: int = DEFAULT_MAX_FOLDER_DEPTH,
    jsonnet: JsonnetOptions | None = None,
    workers: Workers | None = None,
) -> DesiredState:
    """Offline load for `syncer validate`: the same checks as every reconcile pass (`.jsonnet`
    files are evaluated too, so a pre-commit hook catches a broken mixin), and every library panel
    a dashboard uses must be in the source (the pass also accepts Grafana's)."""
    source = DirectorySource(
        root,
        inputs=inputs,
        min_refresh=min_refresh,
        max_file_bytes=max_file_bytes,
        max_folder_depth=max_folder_depth,
        jsonnet=jsonnet,
        workers=workers,
    )
    state = source.load()
    return without_missing_references(state, frozenset(state.library_panels), OFFLINE)
