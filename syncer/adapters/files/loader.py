"""The source directory as desired state: `DirectorySource(root).load() -> DesiredState`.

Called by the engine (every reconcile pass, through `SourcePort`), the daemon (on file changes) and
`syncer validate` (through `validate_directory`). It walks the tree (`walk`), parses each file
(`parse`), unwraps its shape (`shapes`), checks Grafana's rules (`core.rules`), builds the folder
tree (`folders`), derives missing uids (`file_parts`), places dashboards in folders (`placing`),
normalises what will be sent (`core.normalise`), computes checksums and resolves import inputs it
can resolve offline (`core.inputs`).

Problems are collected, never raised per file; a file with an error contributes no dashboard, and
the errors make the planner refuse prune. It raises `SourceError` only when the root itself is
unusable. It never writes and never talks to Grafana.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Collection, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType

from syncer.adapters.files import incremental
from syncer.adapters.files.file_parts import (
    CacheEntry,
    LoadedFile,
    dashboard_parts,
    file_identity,
    file_uid,
    foreign_warning,
    refresh_warning,
)
from syncer.adapters.files.folders import DEFAULT_MAX_FOLDER_DEPTH, build_folder_tree
from syncer.adapters.files.jsonnet.evaluate import JsonnetOptions
from syncer.adapters.files.jsonnet.files import JsonnetFiles, Produced, is_jsonnet
from syncer.adapters.files.jsonnet.tree import in_project, is_foreign_document
from syncer.adapters.files.library_files import (
    library_element,
    load_library_panel,
    place_library_panels,
)
from syncer.adapters.files.parse import DEFAULT_MAX_FILE_BYTES, MULTI_DOCUMENT, read_document
from syncer.adapters.files.placing import cross_checks, place, problem_order
from syncer.adapters.files.shapes import unwrap
from syncer.adapters.files.walk import SourceFile, WalkResult, walk_source
from syncer.core.inputs import resolve_inputs
from syncer.core.library import OFFLINE, without_missing_references
from syncer.core.library_embedded import with_embedded_panels
from syncer.core.normalise import normalise_for_grafana
from syncer.core.rules import dashboard_problems, uid_problems
from syncer.model.errors import SourceError
from syncer.model.state import (
    JSON,
    DesiredState,
    Severity,
    SourceProblem,
)

_NO_INPUTS: Mapping[str, str] = MappingProxyType({})


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
    ) -> None:
        self.root = Path(root)
        self._inputs = dict(inputs)
        self._min_refresh = min_refresh
        self._max_file_bytes = max_file_bytes
        self._max_folder_depth = max_folder_depth
        # why: the daemon reloads the whole tree on every change; unchanged files are not re-parsed.
        # Per file it holds only the compressed content and checksums (`DashboardParts`), never parsed JSON.
        self._cache: dict[str, CacheEntry] = {}
        self._lock = threading.Lock()
        self._memo: incremental.Memo | None = None  # what the last load leaves for `load_changed`
        self.jsonnet: JsonnetFiles[list[LoadedFile]] = JsonnetFiles(self.root, jsonnet or JsonnetOptions())

    def load(self) -> DesiredState:
        self._check_root()
        with self._lock:
            return self._load()

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
        loaded = self._load_files(dashboard_files, walked.jsonnet_projects)
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
            max_file_bytes=self._max_file_bytes,
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

    def _cached(self, file: SourceFile, projects: frozenset[str]) -> tuple[LoadedFile, CacheEntry | None]:
        """The file's item (cached while its identity holds) and its cache entry: the same entry
        object when unchanged (see `incremental.remember`, `previous`)."""
        identity, project = file_identity(file), in_project(file.rel, projects)
        hit = self._cache.get(file.rel)
        if hit is not None and identity is not None and hit[0] == (identity, project):
            return hit[1], hit
        item = self._load_file(file, project)
        return item, None if identity is None else ((identity, project), item)

    def _load_files(self, files: list[SourceFile], projects: frozenset[str]) -> list[LoadedFile]:
        cache: dict[str, CacheEntry] = {}
        loaded: list[LoadedFile] = []
        self.jsonnet.begin_load()
        for file in files:
            if is_jsonnet(file.rel):  # its own cache: it depends on every file it imports
                loaded += self.jsonnet.load(file.path, file.rel, partial(self._produced, file))[0]
                continue
            item, entry = self._cached(file, projects)
            if entry is not None:
                cache[file.rel] = entry
            loaded.append(item)
        self._cache = cache
        self.jsonnet.end_load({f.rel for f in files if is_jsonnet(f.rel)})
        return loaded

    def _produced(
        self, file: SourceFile, produced: list[Produced], problems: list[SourceProblem]
    ) -> list[LoadedFile]:
        """What a `.jsonnet` file contributes: its evaluation's problems, then one item per dashboard."""
        items = [LoadedFile(file, problems=problems)] if problems else []
        return items + [self._load_value(file, doc.path, doc.value) for doc in produced]

    def _load_file(self, file: SourceFile, in_jsonnet_project: bool = False) -> LoadedFile:
        """Parse, unwrap and check one file; what it contributes when it is valid. The parsed JSON
        is dropped before returning: only the compressed content and the checksums are kept."""
        parsed = read_document(file.path, file.rel, max_bytes=self._max_file_bytes)
        several = parsed.problem is not None and parsed.problem.code == MULTI_DOCUMENT
        if in_jsonnet_project and (several or (parsed.problem is None and is_foreign_document(parsed.value))):
            return LoadedFile(file, problems=[foreign_warning(file.rel)])
        if parsed.problem is not None:
            return LoadedFile(file, problems=[parsed.problem])
        return self._load_value(file, file.rel, parsed.value)

    def _load_value(self, file: SourceFile, rel: str, value: JSON) -> LoadedFile:
        """One document as a dashboard or a library panel; `rel` is its source path
        (`file.jsonnet#key` for one of several documents a `.jsonnet` file gives)."""
        element = library_element(value)
        if element is not None:
            library, found = load_library_panel(element, rel)
            return LoadedFile(file, rel, problems=found, library=library)
        unwrapped = unwrap(value, rel)
        body = unwrapped.dashboard
        if body is None:
            return LoadedFile(file, rel, problems=unwrapped.problems)
        problems = list(unwrapped.problems)
        uid = file_uid(unwrapped, body, rel, problems)
        problems += dashboard_problems(rel, body)
        if uid is not None:
            problems += uid_problems(rel, uid)
        if unwrapped.folder_uid is not None:
            problems += uid_problems(rel, unwrapped.folder_uid, "folder uid")
        if uid is None or any(p.severity is Severity.ERROR for p in problems):
            return LoadedFile(file, rel, problems=problems)
        content = dict(body)
        if unwrapped.api_version is None:
            content["uid"] = uid  # v2 specs keep their uid in metadata only
        # read_document normalised the numbers already
        sent = normalise_for_grafana(content, min_refresh=self._min_refresh, numbers_normal=True)
        for key in ("uid", "id"):  # last: the legacy adapter appends to the kept text (legacy/body.py)
            if key in sent:
                sent[key] = sent.pop(key)
        if sent.get("refresh") != content.get("refresh"):
            problems.append(refresh_warning(rel, content.get("refresh"), self._min_refresh))
        try:
            parts = dashboard_parts(uid, unwrapped, sent)
        except UnicodeEncodeError:
            # why: JSON may escape a lone UTF-16 surrogate ("\ud800"), which is no Unicode text; Grafana
            # could not store it faithfully, and hashing it would crash the whole pass for one file
            problems.append(SourceProblem(rel, "contains an unpaired UTF-16 surrogate escape (e.g. \\ud800)"))
            return LoadedFile(file, rel, problems=problems)
        return LoadedFile(file, rel, problems=problems, dashboard=parts)


def validate_directory(
    root: Path,
    *,
    inputs: Mapping[str, str] = _NO_INPUTS,
    min_refresh: str = "5s",
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_folder_depth: int = DEFAULT_MAX_FOLDER_DEPTH,
    jsonnet: JsonnetOptions | None = None,
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
    )
    state = source.load()
    return without_missing_references(state, frozenset(state.library_panels), OFFLINE)
