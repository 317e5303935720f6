"""Write dashboards and folders as a directory tree that the loader reads back (for `syncer pull`).

Layout: one directory per folder (named from its title, made filesystem-safe and unique among its
siblings), a `_folder.json` holding the folder's `uid` and `title` in each, and one `<slug>.json`
per dashboard: pretty-printed (indent 2, sorted keys, trailing newline) with server-owned fields
(`id`, `version`) and syncer's ownership marker removed; the `uid` is kept, it is the identity.
A v2 (layout-schema) dashboard is written as its k8s resource (`apiVersion`, `kind`, `metadata`,
`spec`), the only form the loader accepts for v2.

Who calls it: `syncer.engine.pull`. It must not talk to Grafana; it only writes files under `root`,
and never through a symbolic link below it (a checkout may hold `team -> /etc` or `a.json -> ~/.bashrc`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from syncer.model.errors import SourceError
from syncer.model.state import JSON, LiveDashboard, LiveFolder

FOLDER_FILE = "_folder.json"
SERVER_OWNED = frozenset({"id", "version", "__syncer"})
FOLDER_ANNOTATION = "grafana.app/folder"
_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
MAX_NAME = 80


def safe_name(title: str, fallback: str) -> str:
    """A portable file/directory name from a title: never hidden, never `_folder`, never empty."""
    name = _UNSAFE.sub("-", title.strip()).strip("-._")[:MAX_NAME].rstrip("-._")
    return name or fallback


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def dump_json(value: JSON) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def exported_content(dashboard: LiveDashboard, *, folder_written: bool = True) -> dict[str, JSON]:
    """A bare dashboard; a v2 (layout-schema) dashboard as its k8s resource, which keeps its apiVersion
    (the loader rejects a bare v2 spec). The directory places it, so moving the file still moves the
    dashboard; only when its folder has no directory in the tree (`folder_written=False`: a folder
    we could not list) is the folder named explicitly, or apply would move it to the root."""
    content = {k: v for k, v in dashboard.content.items() if k not in SERVER_OWNED}
    explicit_folder = dashboard.folder_uid if dashboard.folder_uid and not folder_written else None
    if dashboard.api_version:
        metadata: dict[str, JSON] = {"name": dashboard.uid}
        if explicit_folder:
            metadata["annotations"] = {FOLDER_ANNOTATION: explicit_folder}
        return {
            "apiVersion": dashboard.api_version,
            "kind": "Dashboard",
            "metadata": metadata,
            "spec": content,
        }
    content["uid"] = dashboard.uid
    if explicit_folder:
        return {"dashboard": content, "folderUid": explicit_folder}
    return content


@dataclass(frozen=True)
class WrittenTree:
    folders: Mapping[str, Path]  # folder uid -> directory
    dashboards: Mapping[str, Path]  # dashboard uid -> file


def write_tree(
    root: Path, folders: Mapping[str, LiveFolder], dashboards: Iterable[LiveDashboard]
) -> WrittenTree:
    """Write `folders` (each with its parent chain present in `folders`) and `dashboards` under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    directories = _folder_directories(root, folders)
    for uid, directory in directories.items():
        _no_link_below(root, directory / FOLDER_FILE)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"uid": uid, "title": folders[uid].title}
        (directory / FOLDER_FILE).write_text(dump_json(meta), encoding="utf-8")
    taken: dict[Path, set[str]] = {}
    files: dict[str, Path] = {}
    for dashboard in sorted(dashboards, key=lambda d: (d.title, d.uid)):
        directory = directories.get(dashboard.folder_uid or "", root)
        names = taken.setdefault(directory, {FOLDER_FILE.lower()})
        path = directory / (unique(safe_name(dashboard.title, dashboard.uid), names) + ".json")
        content = exported_content(
            dashboard, folder_written=dashboard.folder_uid is None or dashboard.folder_uid in directories
        )
        _no_link_below(root, path)
        path.write_text(dump_json(content), encoding="utf-8")
        files[dashboard.uid] = path
    return WrittenTree(folders=directories, dashboards=files)


def _no_link_below(root: Path, path: Path) -> None:
    """Refuse to write `path` when it, or a directory between `root` and it, is a symbolic link:
    writing through it would leave the root or overwrite the file the link points to."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise SourceError(f"{current} is a symbolic link; pull never writes through links (remove it)")


def _folder_directories(root: Path, folders: Mapping[str, LiveFolder]) -> dict[str, Path]:
    """Parents before children; sibling names made unique (case-insensitively, for macOS/Windows)."""
    directories: dict[str, Path] = {}
    taken: dict[Path, set[str]] = {}
    pending = sorted(folders.values(), key=lambda f: (f.title, f.uid))
    while pending:
        progressed = False
        for folder in list(pending):
            parent = folder.parent_uid
            if parent and parent in folders and parent not in directories:
                continue  # its parent's directory is not named yet
            base = directories.get(parent or "", root)
            names = taken.setdefault(base, set())
            directories[folder.uid] = base / unique(safe_name(folder.title, folder.uid), names)
            pending.remove(folder)
            progressed = True
        if not progressed:  # a parent cycle cannot come from Grafana; place the rest at the root
            for folder in pending:
                directories[folder.uid] = root / unique(
                    safe_name(folder.title, folder.uid), taken.setdefault(root, set())
                )
            pending = []
    return directories
