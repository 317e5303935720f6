"""Which file a pulled dashboard goes to. In order: the file that already holds its uid (moved to
its folder's directory if Grafana moved it), the path its ownership marker records (the file it
was applied from), else a new name in the tree's style (the uid, or a slug of the title).

Who calls it: `syncer.adapters.files.pull.writer.write_tree`. Never two dashboards in one file, never a
path outside the root (a marker's path is only a hint: it may come from another checkout).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from syncer.adapters.files.pull.names import FOLDER_FILE, existing_names, safe_name
from syncer.model.layout import TreeLayout
from syncer.model.state import LiveDashboard, LiveFolder

DASHBOARD_SUFFIXES = (".json", ".yaml", ".yml")


def folder_hints(folders: Mapping[str, LiveFolder], dashboards: Iterable[LiveDashboard]) -> dict[str, str]:
    """The directory each folder was applied from, as its own marker or its dashboards' markers
    record it (when they agree), so a pull into a fresh directory reproduces the source tree."""
    seen: dict[str, set[str]] = {}
    for dashboard in dashboards:
        if dashboard.folder_uid and dashboard.marker and dashboard.marker.source_path:
            parent = str(PurePosixPath(dashboard.marker.source_path).parent)
            seen.setdefault(dashboard.folder_uid, set()).add(parent)
    hints = {uid: next(iter(dirs)) for uid, dirs in seen.items() if len(dirs) == 1}
    for uid, folder in folders.items():
        if folder.marker is not None and folder.marker.source_path:
            hints[uid] = folder.marker.source_path.strip("/")
    return {uid: rel for uid, rel in hints.items() if _safe_rel(rel)}


def _safe_rel(rel: str) -> bool:
    path = PurePosixPath(rel)
    return bool(rel) and rel != "." and not path.is_absolute() and ".." not in path.parts


class Placement:
    def __init__(self, root: Path, layout: TreeLayout, directories: Mapping[str, Path]) -> None:
        self.root = root
        self.layout = layout
        self.directories = directories
        self.claimed: set[Path] = {root / rel for rel in layout.dashboards.values()}
        self.names: dict[Path, set[str]] = {}

    def path_for(self, dashboard: LiveDashboard) -> tuple[Path, Path | None]:
        """(where to write, the existing file holding this uid or None)."""
        directory = self.directories.get(dashboard.folder_uid or "", self.root)
        rel = self.layout.dashboards.get(dashboard.uid)
        if rel is not None:
            old = self.root / rel
            return (old if old.parent == directory else self._fresh(directory, old.name)), old
        hinted = self._marker_path(dashboard, directory)
        if hinted is not None:
            self.claimed.add(hinted)
            return hinted, None
        return self._fresh(directory, self._name(dashboard)), None

    def _marker_path(self, dashboard: LiveDashboard, directory: Path) -> Path | None:
        if dashboard.marker is None:
            return None
        rel = PurePosixPath(dashboard.marker.source_path)
        if rel.is_absolute() or ".." in rel.parts or rel.suffix.lower() not in DASHBOARD_SUFFIXES:
            return None
        path = self.root.joinpath(*rel.parts)
        if path.parent != directory:  # moved in Grafana since: the same name, in its folder's directory
            path = directory / rel.name
        if path in self.claimed or path.exists():
            return None
        return path

    def _name(self, dashboard: LiveDashboard) -> str:
        stem = dashboard.uid if self.layout.name_by_uid else safe_name(dashboard.title, dashboard.uid)
        return (stem.lower() if self.layout.lowercase else stem) + self.layout.extension

    def _fresh(self, directory: Path, name: str) -> Path:
        """`name` in `directory`, suffixed -2, -3, ... while taken on disk or by this pull."""
        on_disk = existing_names(directory) if self.layout.avoid_existing else set()
        taken = self.names.setdefault(directory, on_disk | {FOLDER_FILE.lower()})
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        candidate, n = name, 2
        while candidate.lower() in taken or directory / candidate in self.claimed:
            candidate, n = f"{stem}-{n}{suffix}", n + 1
        taken.add(candidate.lower())
        path = directory / candidate
        self.claimed.add(path)
        return path
