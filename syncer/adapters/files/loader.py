"""The source directory as desired state: `DirectorySource(root).load() -> DesiredState`.

Called by the engine (every reconcile pass, through `SourcePort`), the daemon (on file changes) and
`syncer validate` (through `validate_directory`). It walks the tree (`walk`), parses each file
(`parse`), unwraps its shape (`shapes`), checks Grafana's rules (`core.rules`), builds the folder
tree (`folders`), derives missing uids, normalises what will be sent (`core.normalise`), computes
checksums and resolves import inputs it can resolve offline (`core.inputs`).

Problems are collected, never raised per file; a file with an error contributes no dashboard, and
the errors make the planner refuse prune. It raises `SourceError` only when the root itself is
unusable. It never writes and never talks to Grafana.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType

from syncer.adapters.files.folders import DEFAULT_MAX_FOLDER_DEPTH, FolderTree, build_folder_tree
from syncer.adapters.files.jsonnet.evaluate import JsonnetOptions
from syncer.adapters.files.jsonnet.files import JsonnetFiles, Produced, is_jsonnet
from syncer.adapters.files.jsonnet.tree import in_project, is_foreign_document
from syncer.adapters.files.library_files import (
    LibraryParts,
    library_element,
    load_library_panel,
    place_library_panels,
)
from syncer.adapters.files.parse import DEFAULT_MAX_FILE_BYTES, MULTI_DOCUMENT, read_document
from syncer.adapters.files.shapes import Unwrapped, unwrap
from syncer.adapters.files.walk import SourceFile, walk_source
from syncer.core.essence import checksums_by_folder
from syncer.core.inputs import may_have_inputs, resolve_inputs
from syncer.core.library import OFFLINE, panel_references, without_missing_references
from syncer.core.library_embedded import with_embedded_panels
from syncer.core.normalise import normalise_for_grafana
from syncer.core.rules import dashboard_problems, uid_problems
from syncer.core.uids import dashboard_uid_for_path
from syncer.model import jsontext
from syncer.model.errors import SourceError
from syncer.model.state import (
    JSON,
    CompactJSON,
    DesiredDashboard,
    DesiredFolder,
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
        # Per file it holds only the compressed content and checksums (`_Parts`), never parsed JSON.
        self._cache: dict[str, tuple[_CacheKey, _Loaded]] = {}
        self._lock = threading.Lock()
        self.jsonnet: JsonnetFiles[list[_Loaded]] = JsonnetFiles(self.root, jsonnet or JsonnetOptions())

    def load(self) -> DesiredState:
        if not self.root.exists():
            raise SourceError(f"source directory {self.root} does not exist")
        if not self.root.is_dir():
            raise SourceError(f"source {self.root} is not a directory")
        with self._lock:
            return self._load()

    def _load(self) -> DesiredState:
        walked = walk_source(self.root, self.jsonnet.library_dirs_in_root())
        problems = list(walked.problems)
        dashboard_files = [f for f in walked.files if not f.is_folder_file]
        loaded = self._load_files(dashboard_files, walked.jsonnet_projects)
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
        dashboards = _place(loaded, tree, problems)
        problems += _cross_checks(tree.folders, dashboards)
        # why: that clash is an error, and an error keeps the file's dashboard out of the run
        dashboards = {uid: d for uid, d in dashboards.items() if uid not in tree.folders}
        panels = [(item.path or item.file.rel, item.file, item.library) for item in loaded if item.library]
        library = place_library_panels(panels, tree, problems)
        state = DesiredState(
            tree.folders, dashboards, tuple(problems), files_seen=len(dashboard_files), library_panels=library
        )
        state = with_embedded_panels(resolve_inputs(state, self._inputs, None))
        return dataclasses.replace(state, problems=tuple(sorted(state.problems, key=_problem_order)))

    def _load_files(self, files: list[SourceFile], projects: frozenset[str]) -> list[_Loaded]:
        cache: dict[str, tuple[_CacheKey, _Loaded]] = {}
        loaded: list[_Loaded] = []
        self.jsonnet.begin_load()
        for file in files:
            if is_jsonnet(file.rel):  # its own cache: it depends on every file it imports
                loaded += self.jsonnet.load(file.path, file.rel, partial(self._produced, file))[0]
                continue
            identity, project = _identity(file), in_project(file.rel, projects)
            hit = self._cache.get(file.rel)
            item = (
                hit[1]
                if hit is not None and identity is not None and hit[0] == (identity, project)
                else self._load_file(file, project)
            )
            if identity is not None:
                cache[file.rel] = ((identity, project), item)
            loaded.append(item)
        self._cache = cache
        self.jsonnet.end_load({f.rel for f in files if is_jsonnet(f.rel)})
        return loaded

    def _produced(
        self, file: SourceFile, produced: list[Produced], problems: list[SourceProblem]
    ) -> list[_Loaded]:
        """What a `.jsonnet` file contributes: its evaluation's problems, then one item per dashboard."""
        items = [_Loaded(file, problems=problems)] if problems else []
        return items + [self._load_value(file, doc.path, doc.value) for doc in produced]

    def _load_file(self, file: SourceFile, in_jsonnet_project: bool = False) -> _Loaded:
        """Parse, unwrap and check one file; what it contributes when it is valid. The parsed JSON
        is dropped before returning: only the compressed content and the checksums are kept."""
        parsed = read_document(file.path, file.rel, max_bytes=self._max_file_bytes)
        several = parsed.problem is not None and parsed.problem.code == MULTI_DOCUMENT
        if in_jsonnet_project and (several or (parsed.problem is None and is_foreign_document(parsed.value))):
            return _Loaded(file, problems=[_foreign_warning(file.rel)])
        if parsed.problem is not None:
            return _Loaded(file, problems=[parsed.problem])
        return self._load_value(file, file.rel, parsed.value)

    def _load_value(self, file: SourceFile, rel: str, value: JSON) -> _Loaded:
        """One document as a dashboard or a library panel; `rel` is its source path
        (`file.jsonnet#key` for one of several documents a `.jsonnet` file gives)."""
        element = library_element(value)
        if element is not None:
            library, found = load_library_panel(element, rel)
            return _Loaded(file, rel, problems=found, library=library)
        unwrapped = unwrap(value, rel)
        body = unwrapped.dashboard
        if body is None:
            return _Loaded(file, rel, problems=unwrapped.problems)
        problems = list(unwrapped.problems)
        uid = _uid(unwrapped, body, rel, problems)
        problems += dashboard_problems(rel, body)
        if uid is not None:
            problems += uid_problems(rel, uid)
        if unwrapped.folder_uid is not None:
            problems += uid_problems(rel, unwrapped.folder_uid, "folder uid")
        if uid is None or any(p.severity is Severity.ERROR for p in problems):
            return _Loaded(file, rel, problems=problems)
        content = dict(body)
        if unwrapped.api_version is None:
            content["uid"] = uid  # v2 specs keep their uid in metadata only
        # read_document normalised the numbers already
        sent = normalise_for_grafana(content, min_refresh=self._min_refresh, numbers_normal=True)
        for key in ("uid", "id"):  # last: the legacy adapter appends to the kept text (legacy_body.py)
            if key in sent:
                sent[key] = sent.pop(key)
        if sent.get("refresh") != content.get("refresh"):
            problems.append(_refresh_warning(rel, content.get("refresh"), self._min_refresh))
        try:
            parts = _dashboard_parts(uid, unwrapped, sent)
        except UnicodeEncodeError:
            # why: JSON may escape a lone UTF-16 surrogate ("\ud800"), which is no Unicode text; Grafana
            # could not store it faithfully, and hashing it would crash the whole pass for one file
            problems.append(SourceProblem(rel, "contains an unpaired UTF-16 surrogate escape (e.g. \\ud800)"))
            return _Loaded(file, rel, problems=problems)
        return _Loaded(file, rel, problems=problems, dashboard=parts)


def _dashboard_parts(uid: str, unwrapped: Unwrapped, sent: dict[str, JSON]) -> _Parts:
    title = sent.get("title")
    text = jsontext.dumps(sent)
    return _Parts(
        uid=uid,
        title=title if isinstance(title, str) else "",
        folder_given=unwrapped.folder_given,
        folder_uid=unwrapped.folder_uid,
        api_version=unwrapped.api_version,
        compressed=CompactJSON.from_json_bytes(text).compressed,
        may_have_inputs=may_have_inputs(sent, text),
        checksum_for=checksums_by_folder(sent, numbers_normal=True),  # normalise_for_grafana did it
        # why the text test: a walk of every value of 10,000 dashboards costs seconds; few use any
        library_panel_uids=panel_references(sent) if b'"libraryPanel"' in text else frozenset(),
    )


def _foreign_warning(rel: str) -> SourceProblem:
    return SourceProblem(
        rel,
        "not a dashboard (no title, panels or uid; or several YAML documents) in a jsonnet project "
        "(jsonnetfile.json): skipped, like a mixin's tests and CI files",
        Severity.WARNING,
    )


def _refresh_warning(rel: str, refresh: JSON, minimum: str) -> SourceProblem:
    return SourceProblem(
        rel,
        f"refresh {refresh!r} is shorter than Grafana's minimum or not an interval; "
        f"syncer sends {minimum!r}, as Grafana would store it",
        Severity.WARNING,
    )


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


_FileIdentity = tuple[str, int, int, int]
_CacheKey = tuple[_FileIdentity, bool]  # and whether the file lies in a jsonnet project


def _identity(file: SourceFile) -> _FileIdentity | None:
    """What must be unchanged for a cached parse to be reused (real path, inode, size, mtime);
    taken from the walk's own lstat when it has one (a reload of 10,000 files stats each once)."""
    if file.stat_key is not None:  # a regular file at root/rel: the path part cannot change
        return ("", *file.stat_key)
    try:
        stat = file.path.stat()
    except OSError:
        return None
    return (str(file.path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass
class _Parts:
    """What a valid dashboard file contributes, without its parsed JSON (kept across reloads)."""

    uid: str
    title: str
    folder_given: bool  # the file names its folder (folder_uid None then means the root)
    folder_uid: str | None
    api_version: str | None
    compressed: bytes  # the content sent, as `CompactJSON` keeps it
    may_have_inputs: bool
    checksum_for: Callable[[str | None], str]
    library_panel_uids: frozenset[str] = frozenset()
    _checksums: dict[str | None, str] = field(default_factory=dict)

    def checksum_in(self, folder_uid: str | None) -> str:
        """The checksum with this folder, remembered across reloads of an unchanged file."""
        if folder_uid not in self._checksums:
            self._checksums[folder_uid] = self.checksum_for(folder_uid)
        return self._checksums[folder_uid]

    def desired(self, rel: str, folder_uid: str | None) -> DesiredDashboard:
        """The dashboard this file gives in that folder. A new object per load, never kept in the
        cache: what one pass parses of its lazy content must die with that pass."""
        return DesiredDashboard(
            uid=self.uid,
            title=self.title,
            folder_uid=folder_uid,
            path=rel,
            content=CompactJSON(self.compressed),
            checksum=self.checksum_in(folder_uid),
            api_version=self.api_version,
            may_have_inputs=self.may_have_inputs,
            library_panel_uids=self.library_panel_uids,
        )


@dataclass
class _Loaded:
    file: SourceFile
    path: str = ""  # the source path of its dashboard when not `file.rel` (`file.jsonnet#key`)
    problems: list[SourceProblem] = field(default_factory=list)
    dashboard: _Parts | None = None  # None when the file contributes no dashboard
    library: LibraryParts | None = None  # a library panel file (library_files)


def _uid(
    unwrapped: Unwrapped, body: Mapping[str, JSON], rel: str, problems: list[SourceProblem]
) -> str | None:
    own = body.get("uid")
    if own is not None and not isinstance(own, str):
        problems.append(SourceProblem(rel, f"uid must be a string, got {own!r}"))
        return None
    own = own.strip() if own else None
    if unwrapped.uid is not None:
        if own and own != unwrapped.uid:
            problems.append(
                SourceProblem(
                    rel,
                    f"uid {own!r} in the spec is ignored; metadata.name {unwrapped.uid!r} wins",
                    Severity.WARNING,
                )
            )
        return unwrapped.uid
    if own:
        return own
    derived = dashboard_uid_for_path(rel)
    problems.append(
        SourceProblem(
            rel,
            f"no uid; using {derived!r} derived from the file path "
            "(set a uid so that renaming or moving the file keeps the dashboard's identity)",
            Severity.WARNING,
        )
    )
    return derived


def _place(
    loaded: Iterable[_Loaded], tree: FolderTree, problems: list[SourceProblem]
) -> dict[str, DesiredDashboard]:
    """Dashboards keyed by uid; duplicates and dashboards in blocked directories are left out."""
    candidates: dict[str, list[DesiredDashboard]] = {}
    for item in loaded:
        problems.extend(item.problems)
        parts = item.dashboard
        if parts is None:
            continue
        folder_uid, blocked = _folder_for(item.file, parts, tree)
        if blocked:
            problems.append(SourceProblem(item.path or item.file.rel, f"skipped: {blocked}"))
            continue
        candidates.setdefault(parts.uid, []).append(parts.desired(item.path or item.file.rel, folder_uid))
    dashboards = {}
    for uid, group in candidates.items():
        if len(group) == 1:
            dashboards[uid] = group[0]
            continue
        for dashboard in group:
            others = ", ".join(d.path for d in group if d is not dashboard)
            problems.append(
                SourceProblem(
                    dashboard.path, f"duplicate dashboard uid {uid!r}, also in {others}; neither is applied"
                )
            )
    return dashboards


def _folder_for(file: SourceFile, parts: _Parts, tree: FolderTree) -> tuple[str | None, str | None]:
    if parts.folder_given:
        return parts.folder_uid, None
    blocked = tree.why_blocked(file.rel_dir)
    return tree.folder_of(file.rel_dir), blocked


def _cross_checks(
    folders: Mapping[str, DesiredFolder], dashboards: Mapping[str, DesiredDashboard]
) -> list[SourceProblem]:
    problems = []
    for uid, dashboard in dashboards.items():
        if uid in folders:
            problems.append(
                SourceProblem(
                    dashboard.path,
                    f"uid {uid!r} is also the uid of folder {folders[uid].path}/ "
                    "(older Grafana keeps folders and dashboards in one uid space)",
                )
            )
        if dashboard.folder_uid is not None and dashboard.folder_uid not in folders:
            problems.append(
                SourceProblem(
                    dashboard.path,
                    f"folder {dashboard.folder_uid!r} is not defined by any directory; "
                    "it must already exist in Grafana",
                    Severity.WARNING,
                )
            )
    return problems


def _problem_order(problem: SourceProblem) -> tuple[str, int, int]:
    return (problem.path, problem.line or 0, problem.column or 0)
