"""What one source file contributes to a load: a dashboard's kept parts, its uid, its warnings.

Used by `loader.DirectorySource` (which caches a `LoadedFile` per unchanged file) and `placing`.
Why a module of its own: the cache keeps `DashboardParts` (compressed content and checksums, never
parsed JSON) across reloads, so what survives a pass is defined in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syncer.adapters.files.library_files import (
    LibraryParts,
)
from syncer.adapters.files.shapes import Unwrapped
from syncer.adapters.files.walk import SourceFile
from syncer.core.essence import checksums_by_folder
from syncer.core.inputs import may_have_inputs
from syncer.core.library import panel_references
from syncer.core.uids import dashboard_uid_for_path
from syncer.model import jsontext
from syncer.model.state import (
    JSON,
    CompactJSON,
    DesiredDashboard,
    Severity,
    SourceProblem,
)


def dashboard_parts(uid: str, unwrapped: Unwrapped, sent: dict[str, JSON]) -> DashboardParts:
    title = sent.get("title")
    text = jsontext.dumps(sent)
    return DashboardParts(
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


def foreign_warning(rel: str) -> SourceProblem:
    return SourceProblem(
        rel,
        "not a dashboard (no title, panels or uid; or several YAML documents) in a jsonnet project "
        "(jsonnetfile.json): skipped, like a mixin's tests and CI files",
        Severity.WARNING,
    )


def refresh_warning(rel: str, refresh: JSON, minimum: str) -> SourceProblem:
    return SourceProblem(
        rel,
        f"refresh {refresh!r} is shorter than Grafana's minimum or not an interval; "
        f"syncer sends {minimum!r}, as Grafana would store it",
        Severity.WARNING,
    )


@dataclass
class DashboardParts:
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
class LoadedFile:
    file: SourceFile
    path: str = ""  # the source path of its dashboard when not `file.rel` (`file.jsonnet#key`)
    problems: list[SourceProblem] = field(default_factory=list)
    dashboard: DashboardParts | None = None  # None when the file contributes no dashboard
    library: LibraryParts | None = None  # a library panel file (library_files)


def file_uid(
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


FileIdentity = tuple[str, int, int, int]
CacheKey = tuple[FileIdentity, bool]  # and whether the file lies in a jsonnet project
CacheEntry = tuple[CacheKey, LoadedFile]  # the loader's reload cache, per file


def file_identity(file: SourceFile) -> FileIdentity | None:
    """What must be unchanged for a cached parse to be reused (real path, inode, size, mtime);
    taken from the walk's own lstat when it has one (a reload of 10,000 files stats each once)."""
    if file.stat_key is not None:  # a regular file at root/rel: the path part cannot change
        return ("", *file.stat_key)
    try:
        stat = file.path.stat()
    except OSError:
        return None
    return (str(file.path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
