"""Write dashboards and folders as a directory tree that the loader reads back (for `syncer pull`).

Layout: one directory per folder (named from its title, made filesystem-safe and unique among its
siblings), a `_folder.json` holding the folder's `uid` and `title` in each, and one `<slug>.json`
per dashboard: pretty-printed (indent 2, sorted keys, trailing newline) with server-owned fields
(`id`, `version`) and syncer's ownership marker removed; the `uid` is kept, it is the identity.
A v2 (layout-schema) dashboard is written as its k8s resource (`apiVersion`, `kind`, `metadata`,
`spec`), the only form the loader accepts for v2. Into a tree that already holds dashboards (its
`TreeLayout`), each goes back to its own file in its own format (`inplace`), or to the path its
marker records (`placement`); only new ones get new names, in the tree's style.

Who calls it: `syncer.engine.pull`. It must not talk to Grafana; it only writes files under `root`,
and never through a symbolic link below it (a checkout may hold `team -> /etc` or `a.json -> ~/.bashrc`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from syncer.adapters.files.pull.inplace import render_new, rewrite
from syncer.adapters.files.pull.names import FOLDER_FILE, existing_names, safe_name, unique
from syncer.adapters.files.pull.placement import Placement, folder_hints
from syncer.model.errors import SourceError
from syncer.model.layout import TreeLayout
from syncer.model.state import JSON, LiveDashboard, LiveFolder

SERVER_OWNED = frozenset({"id", "version", "__syncer"})
FOLDER_ANNOTATION = "grafana.app/folder"


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
    created: int = 0  # files that did not exist before


def write_tree(
    root: Path,
    folders: Mapping[str, LiveFolder],
    dashboards: Iterable[LiveDashboard],
    layout: TreeLayout | None = None,
) -> WrittenTree:
    """Write `folders` (each with its parent chain present in `folders`) and `dashboards` under `root`.
    With the `layout` of what `root` already holds, each goes back to its own file and directory
    (rewritten in its own format); only what is new gets a file, named in the tree's style."""
    root.mkdir(parents=True, exist_ok=True)
    layout = layout or TreeLayout()
    known = {uid: root / rel for uid, rel in layout.folders.items() if uid in folders}
    dashboards = list(dashboards)
    hints = folder_hints(folders, dashboards)
    directories = _folder_directories(root, folders, known, hints, avoid_existing=layout.avoid_existing)
    for uid, directory in directories.items():
        if uid in known:
            continue  # an existing folder directory keeps its own _folder file (or none)
        _no_link_below(root, directory / FOLDER_FILE)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"uid": uid, "title": folders[uid].title}
        (directory / FOLDER_FILE).write_text(dump_json(meta), encoding="utf-8")
    place = Placement(root, layout, directories)
    files: dict[str, Path] = {}
    created = 0
    for dashboard in sorted(dashboards, key=lambda d: (d.title, d.uid)):
        path, old = place.path_for(dashboard)
        content = exported_content(
            dashboard, folder_written=dashboard.folder_uid is None or dashboard.folder_uid in directories
        )
        _no_link_below(root, path)
        text = rewrite(old, content) if old is not None else render_new(path, content)
        created += not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if old is not None and old != path:
            old.unlink()  # moved in Grafana to another folder: the file follows (one file per uid)
        files[dashboard.uid] = path
    return WrittenTree(folders=directories, dashboards=files, created=created)


def _no_link_below(root: Path, path: Path) -> None:
    """Refuse to write `path` when it, or a directory between `root` and it, is a symbolic link:
    writing through it would leave the root or overwrite the file the link points to."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise SourceError(f"{current} is a symbolic link; pull never writes through links (remove it)")


def _folder_directories(
    root: Path,
    folders: Mapping[str, LiveFolder],
    known: Mapping[str, Path],
    hints: Mapping[str, str],
    *,
    avoid_existing: bool,
) -> dict[str, Path]:
    """Parents before children; sibling names made unique (case-insensitively, for macOS/Windows)
    among themselves and the names already on disk; `known` folders keep their directories."""
    directories: dict[str, Path] = dict(known)
    taken: dict[Path, set[str]] = {}
    pending = sorted((f for f in folders.values() if f.uid not in known), key=lambda f: (f.title, f.uid))
    while pending:
        progressed = False
        for folder in list(pending):
            parent = folder.parent_uid
            if parent and parent in folders and parent not in directories:
                continue  # its parent's directory is not named yet
            base = directories.get(parent or "", root)
            names = taken.setdefault(base, existing_names(base) if avoid_existing else set())
            hinted = root.joinpath(*hints[folder.uid].split("/")) if folder.uid in hints else None
            if hinted is not None and hinted.parent == base and hinted.name.lower() not in names:
                names.add(hinted.name.lower())
                directories[folder.uid] = hinted
            else:
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
