"""The folder tree: one Grafana folder per source directory that holds dashboards (or a
`_folder.json`), nested like the directories, to Grafana's depth limit.

Called by the loader with the folder metadata files and the directories that dashboards are placed
in. A `_folder.json`/`_folder.yaml` may set `uid` and `title`; otherwise the title is the directory
name and the uid is derived from the path. Directories whose folder is invalid (bad metadata,
duplicate uid, too deep) are reported as blocked so the loader skips the dashboards inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from syncer.adapters.files.parse import read_document
from syncer.adapters.files.walk import SourceFile
from syncer.core.rules import folder_title_problems, folder_uid_problems
from syncer.core.uids import folder_uid_for_path
from syncer.model.state import DesiredFolder, Severity, SourceProblem

DEFAULT_MAX_FOLDER_DEPTH = 4  # Grafana's current limit for nested folders (8 before 12.x)
_META_KEYS = frozenset({"uid", "title"})


@dataclass
class FolderTree:
    folders: dict[str, DesiredFolder] = field(default_factory=dict)  # uid -> folder
    uid_by_dir: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)  # dir -> why its dashboards are skipped
    problems: list[SourceProblem] = field(default_factory=list)

    def folder_of(self, rel_dir: str) -> str | None:
        return self.uid_by_dir.get(rel_dir) if rel_dir else None

    def why_blocked(self, rel_dir: str) -> str | None:
        """The reason dashboards in `rel_dir` cannot be placed (its folder or an ancestor is invalid)."""
        while rel_dir:
            if rel_dir in self.blocked:
                return self.blocked[rel_dir]
            rel_dir = rel_dir.rpartition("/")[0]
        return None


@dataclass(frozen=True)
class _Meta:
    source: str  # the metadata file's relative path, or the directory when there is none
    uid: str | None = None
    title: str | None = None


def build_folder_tree(
    folder_files: Iterable[SourceFile], dashboard_dirs: Iterable[str], *, max_depth: int, max_file_bytes: int
) -> FolderTree:
    tree = FolderTree()
    metas = _read_metas(folder_files, tree, max_file_bytes)
    dirs = _with_ancestors({d for d in dashboard_dirs if d} | set(metas))
    for rel_dir in sorted(dirs, key=lambda d: (d.count("/"), d)):
        depth = rel_dir.count("/") + 1
        if depth > max_depth:
            tree.blocked.setdefault(
                rel_dir, f"folder {rel_dir}/ is nested {depth} deep; Grafana allows at most {max_depth}"
            )
            continue
        _add_folder(tree, rel_dir, metas.get(rel_dir, _Meta(source=rel_dir + "/")))
    _reject_duplicate_uids(tree, metas)
    _drop_blocked_descendants(tree)
    return tree


def _drop_blocked_descendants(tree: FolderTree) -> None:
    """A folder under an invalid one has no valid parent: leave it out (its dashboards are skipped)."""
    for rel_dir in [d for d in tree.uid_by_dir if tree.why_blocked(d)]:
        uid = tree.uid_by_dir.pop(rel_dir)
        if uid in tree.folders and tree.folders[uid].path == rel_dir:
            del tree.folders[uid]


def _add_folder(tree: FolderTree, rel_dir: str, meta: _Meta) -> None:
    uid = meta.uid if meta.uid is not None else folder_uid_for_path(rel_dir)
    title = meta.title if meta.title is not None else rel_dir.rpartition("/")[2]
    problems = folder_uid_problems(meta.source, uid) + folder_title_problems(meta.source, title)
    if problems:
        tree.problems.extend(problems)
        tree.blocked[rel_dir] = f"folder {rel_dir}/ is invalid (see {meta.source})"
        return
    parent_dir = rel_dir.rpartition("/")[0]
    tree.uid_by_dir[rel_dir] = uid
    tree.folders.setdefault(uid, DesiredFolder(uid, title.strip(), tree.folder_of(parent_dir), rel_dir))


def _reject_duplicate_uids(tree: FolderTree, metas: Mapping[str, _Meta]) -> None:
    dirs_by_uid: dict[str, list[str]] = {}
    for rel_dir, uid in tree.uid_by_dir.items():
        dirs_by_uid.setdefault(uid, []).append(rel_dir)
    for uid, dirs in dirs_by_uid.items():
        if len(dirs) < 2:
            continue
        sources = [metas[d].source if d in metas else d + "/" for d in sorted(dirs)]
        for source, rel_dir in zip(sources, sorted(dirs), strict=True):
            others = ", ".join(s for s in sources if s != source)
            tree.problems.append(
                SourceProblem(source, f"duplicate folder uid {uid!r}, also used by {others}")
            )
            tree.blocked[rel_dir] = f"folder {rel_dir}/ has a duplicate uid {uid!r}"
            del tree.uid_by_dir[rel_dir]
        tree.folders.pop(uid, None)


def _read_metas(files: Iterable[SourceFile], tree: FolderTree, max_file_bytes: int) -> dict[str, _Meta]:
    metas: dict[str, _Meta] = {}
    for file in files:
        if file.rel_dir in metas:
            tree.problems.append(
                SourceProblem(file.rel, f"second folder metadata file in {file.rel_dir or '.'}/; keep one")
            )
            tree.blocked[file.rel_dir] = f"folder {file.rel_dir}/ has two metadata files"
            continue
        meta = _read_meta(file, tree.problems, max_file_bytes)
        if meta is None:
            tree.blocked[file.rel_dir] = f"folder {file.rel_dir}/ is invalid (see {file.rel})"
        elif not file.rel_dir:
            tree.problems.append(
                SourceProblem(
                    file.rel,
                    "a _folder file at the root is ignored (the root is Grafana's General)",
                    Severity.WARNING,
                )
            )
        else:
            metas[file.rel_dir] = meta
    return metas


def _read_meta(file: SourceFile, problems: list[SourceProblem], max_file_bytes: int) -> _Meta | None:
    parsed = read_document(Path(file.path), file.rel, max_bytes=max_file_bytes)
    if parsed.problem is not None:
        problems.append(parsed.problem)
        return None
    doc = parsed.value
    if not isinstance(doc, dict):
        problems.append(SourceProblem(file.rel, "folder metadata must be an object with uid and/or title"))
        return None
    errors = [f"{key} must be a string" for key in _META_KEYS if key in doc and not isinstance(doc[key], str)]
    problems.extend(SourceProblem(file.rel, message) for message in errors)
    unknown = sorted(set(doc) - _META_KEYS)
    if unknown:
        problems.append(
            SourceProblem(file.rel, f"unknown keys ignored: {', '.join(unknown)}", Severity.WARNING)
        )
    if errors:
        return None
    uid, title = doc.get("uid"), doc.get("title")
    return _Meta(file.rel, uid.strip() if uid else None, title if title is not None else None)


def _with_ancestors(dirs: set[str]) -> set[str]:
    result = set()
    for start in dirs:
        rel_dir = start
        while rel_dir:
            result.add(rel_dir)
            rel_dir = rel_dir.rpartition("/")[0]
    return result
