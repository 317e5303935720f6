"""Reload only the files a watcher reported: the daemon's per-event path (`DirectorySource.load_changed`).

Why: a full load walks the whole tree (one `lstat` per file) and rebuilds the desired state of every
file; at 10,000 files that was most of the time from a saved file to Grafana having it. Here the work
grows with the number of changed paths: each is `lstat`'ed, read when it changed, and the last state
is patched for it (its dashboard replaced, its problems swapped, its folder taken from the last tree).

Safety: the patch is only taken when a change can mean nothing beyond "these files' own dashboards
changed". A directory, a link, a folder file, `.syncignore`, jsonnet, a tree whose last walk met an
unreadable entry, a path outside the directories the last walk listed: `changed_files` answers None
and the loader walks the whole tree. A duplicate uid, a folder appearing or disappearing, a blocked
directory, a library panel, an input to resolve: `patched_state` answers None and the loader
re-assembles the state from every file (from its cache, no reads). So every rule of the full load
(prune refused on unreadable entries, duplicates, folder clashes) decides exactly as before.
Who calls it: `syncer.adapters.files.loader` only. No I/O here except the `lstat` of reported paths.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import stat
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from syncer.adapters.files.file_parts import LoadedFile
from syncer.adapters.files.folders import FolderTree
from syncer.adapters.files.jsonnet.tree import NOT_DASHBOARDS
from syncer.adapters.files.placing import cross_checks, problem_order
from syncer.adapters.files.walk import UNREADABLE, SourceFile, WalkResult
from syncer.model.state import CompactJSON, DesiredDashboard, DesiredState, SourceProblem

DASHBOARD_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class Memo:
    """What one load leaves for the next incremental one (kept by the loader, under its lock)."""

    root: str  # the real root the walk ran on, with a trailing "/"
    walked: WalkResult  # its problems, rules and projects; of its files only the folder files
    loaded: dict[str, LoadedFile]  # dashboard files by path, in walk order
    tree: FolderTree
    state: DesiredState
    dirs: frozenset[str]  # directories that held a file at the last walk ("" = the root)
    placed: Counter[str]  # directory -> items placed by it (a folder exists while it is > 0)
    offered: Counter[str]  # uid -> files offering it (a duplicate when > 1)
    patchable: bool  # False: every change needs a walk (jsonnet, links, unreadable entries)


def remember(
    root: str,
    walked: WalkResult,
    loaded: Iterable[LoadedFile],
    tree: FolderTree,
    state: DesiredState,
    *,
    jsonnet: bool,
    previous: Memo | None = None,
) -> Memo:
    """`root`: the real root the walk ran on. `jsonnet`: the tree has jsonnet files or libraries
    (one file may give several dashboards, and an import may change any of them: always walk).
    Why `previous`: what did not change is kept as the objects it already has; small objects made
    anew on every full pass and kept until the next one pin the allocator's pages, which held tens
    of MB after each resync of 10,000 dashboards."""
    root += "/"
    kept = {} if previous is None else previous.state.dashboards
    by_path = {item.file.rel: item for item in loaded}
    direct = all(str(f.path) == root + f.rel for f in walked.files)  # no file reached through a link
    unreadable = any(p.code == UNREADABLE for p in walked.problems)
    placed, offered = Counter[str](), Counter[str]()
    for item in by_path.values():
        _count(item, tree, placed, offered, 1)
    return Memo(
        root=root,
        walked=dataclasses.replace(walked, files=tuple(f for f in walked.files if f.is_folder_file)),
        loaded=by_path,
        tree=tree,
        state=dataclasses.replace(
            state, dashboards={uid: _twin(d, kept.get(uid)) for uid, d in state.dashboards.items()}
        ),
        dirs=frozenset({"", *(f.rel_dir for f in walked.files)}),
        placed=placed,
        offered=offered,
        patchable=direct and not unreadable and not jsonnet,
    )


def _twin(dashboard: DesiredDashboard, kept: DesiredDashboard | None = None) -> DesiredDashboard:
    """An equal dashboard whose lazy content is a separate, unparsed object: the memo keeps twins of
    what it hands out, so content a pass parses is never pinned by the source. `kept`: the twin
    the memo holds already, reused when it is the same file's same content in the same place."""
    content = dashboard.content
    if not isinstance(content, CompactJSON):
        return dashboard
    if (
        kept is not None
        and isinstance(kept.content, CompactJSON)
        and kept.content.compressed is content.compressed
        and (kept.path, kept.folder_uid, kept.checksum)
        == (dashboard.path, dashboard.folder_uid, dashboard.checksum)
    ):
        return kept
    return dataclasses.replace(dashboard, content=CompactJSON(content.compressed))


def merged(memo: Memo, items: Mapping[str, LoadedFile | None]) -> list[LoadedFile]:
    """Every file's item with these replaced (None: gone), in the walk's order."""
    loaded = dict(memo.loaded)
    for rel, item in items.items():
        if item is None:
            loaded.pop(rel, None)
        else:
            loaded[rel] = item
    return [loaded[rel] for rel in sorted(loaded, key=_walk_order)]


def _walk_order(rel: str) -> list[str]:
    """The walk lists a directory's entries by name and descends in place: parts order."""
    return rel.split("/")


def changed_files(memo: Memo | None, paths: Collection[str]) -> dict[str, SourceFile | None] | None:
    """Path -> the file as a walk would list it now (None: gone); None when only a walk can tell."""
    if memo is None or not memo.patchable or not memo.state.files_seen:
        return None
    found: dict[str, SourceFile | None] = {}
    for rel in sorted(set(paths)):
        verdict = _classify(memo, rel)
        if verdict == "skip":
            continue
        if verdict == "walk":
            return None
        try:
            info = os.lstat(memo.root + rel)
        except FileNotFoundError:
            found[rel] = None
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None  # a directory or a link took its place: the walk's rules decide
        found[rel] = SourceFile(rel, Path(memo.root + rel), (info.st_ino, info.st_size, info.st_mtime_ns))
    return found


def _classify(memo: Memo, rel: str) -> str:
    """ "file" (reload it), "skip" (ignored by `.syncignore`) or "walk" (only a full walk can tell)."""
    parts = rel.split("/")
    name = parts[-1]
    if not rel or any(not p or p.startswith(".") or p == ".." for p in parts):
        return "walk"
    if not rel.lower().endswith(DASHBOARD_SUFFIXES) or name in NOT_DASHBOARDS:
        return "walk"
    if SourceFile(rel, Path(rel)).is_folder_file or not _utf8(rel):
        return "walk"
    rules = memo.walked.rules
    ancestors = ("/".join(parts[:depth]) for depth in range(1, len(parts)))
    if rules.ignored(rel, is_dir=False) or any(rules.ignored(d, is_dir=True) for d in ancestors):
        return "skip"
    return "file" if rel.rpartition("/")[0] in memo.dirs else "walk"


def _utf8(rel: str) -> bool:
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def patched_state(memo: Memo, items: Mapping[str, LoadedFile | None]) -> DesiredState | None:
    """The last state with these files' contributions replaced; None when the change reaches further
    (then every file must be placed again). Updates `memo` only when it answers a state."""
    olds = {rel: memo.loaded.get(rel) for rel in items}
    if not _local(memo, olds, items):
        return None
    dashboards = dict(memo.state.dashboards)
    kept = dict(dashboards)  # the memo's own: twins of what this load hands out
    for rel, old in olds.items():
        if old is not None and old.dashboard is not None:
            current = dashboards.pop(old.dashboard.uid, None)
            kept.pop(old.dashboard.uid, None)
            if current is None or current.path != rel:
                return None
    added = []
    for rel, new in items.items():
        if new is None:
            continue
        added += new.problems
        if new.dashboard is not None:
            parts = new.dashboard
            folder = parts.folder_uid if parts.folder_given else memo.tree.folder_of(new.file.rel_dir)
            dashboard = parts.desired(rel, folder)
            dashboards[dashboard.uid] = dashboard
            kept[dashboard.uid] = parts.desired(rel, folder)
            added += cross_checks(memo.tree.folders, {dashboard.uid: dashboard})
    problems = _without_paths(list(memo.state.problems), items)
    for problem in added:
        bisect.insort_right(problems, problem, key=problem_order)
    seen = memo.state.files_seen + sum(new is not None for new in items.values())
    seen -= sum(old is not None for old in olds.values())
    state = DesiredState(
        memo.state.folders, dashboards, tuple(problems), seen, library_panels=memo.state.library_panels
    )
    _commit(memo, olds, items, dataclasses.replace(state, dashboards=kept))
    return state


def _local(memo: Memo, olds: Mapping[str, LoadedFile | None], items: Mapping[str, LoadedFile | None]) -> bool:
    """True when these files' changes touch nothing but their own dashboards and problems."""
    placed: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    for sign, group in ((-1, olds), (1, items)):
        for rel, item in group.items():
            if item is None:
                continue
            parts = item.dashboard
            if item.library is not None or memo.tree.why_blocked(rel.rpartition("/")[0]) is not None:
                return False
            if parts is not None and (parts.may_have_inputs or parts.library_panel_uids):
                return False
            if parts is not None and parts.uid in memo.tree.folders:
                return False
            _count(item, memo.tree, placed, offered, sign)
    folders_same = all((memo.placed[d] > 0) == (memo.placed[d] + n > 0) for d, n in placed.items())
    unique = all(memo.offered[u] <= 1 and memo.offered[u] + n <= 1 for u, n in offered.items())
    return folders_same and unique


def _count(item: LoadedFile, tree: FolderTree, placed: Counter[str], offered: Counter[str], n: int) -> None:
    """What the item adds to the placed-by-directory and offered-uid counts (as `place` sees it)."""
    parts = item.dashboard
    if item.library is not None or (parts is not None and not parts.folder_given):
        placed[item.file.rel_dir] += n
    if parts is not None and (parts.folder_given or tree.why_blocked(item.file.rel_dir) is None):
        offered[parts.uid] += n


def _without_paths(problems: list[SourceProblem], paths: Collection[str]) -> list[SourceProblem]:
    """The sorted problems without those naming these paths (a range each, found by bisection)."""
    for rel in paths:
        start = bisect.bisect_left(problems, (rel, -1, -1), key=problem_order)
        end = bisect.bisect_left(problems, (rel + "\0", -1, -1), key=problem_order)
        del problems[start:end]
    return problems


def _commit(
    memo: Memo,
    olds: Mapping[str, LoadedFile | None],
    items: Mapping[str, LoadedFile | None],
    state: DesiredState,
) -> None:
    added = False
    for rel, old in olds.items():
        if old is not None:
            _count(old, memo.tree, memo.placed, memo.offered, -1)
        new = items[rel]
        if new is None:
            memo.loaded.pop(rel, None)
            continue
        _count(new, memo.tree, memo.placed, memo.offered, 1)
        added = added or old is None
        memo.loaded[rel] = new
    if added:  # keep the walk's order (name by name, directory by directory) for a later re-assembly
        memo.loaded = {rel: memo.loaded[rel] for rel in sorted(memo.loaded, key=_walk_order)}
    memo.state = state
