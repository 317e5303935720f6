"""Find the candidate files of a source directory: `**/*.json`, `*.yaml`, `*.yml`, `*.jsonnet`.

Called by the loader. Hidden files and directories (a name starting with `.`) and whatever
`.syncignore` at the root excludes are skipped. It never yields a file whose real path lies outside
the root. It reads no file content except `.syncignore`.

Every entry that cannot be read as what it claims to be is an *error*, whatever its name: a dangling
link (a directory that became a dead link looks exactly like one), a link leading out of the root,
a link loop, a directory that cannot be listed, a file that vanished mid-walk. Errors make the
planner refuse prune, so a half-swapped checkout or ConfigMap never deletes the dashboards that lived
under the entry. Links to directories inside the root are followed (Kubernetes projects a ConfigMap
item `team/a.json` as `team -> ..data/team`) under the link's own path; a directory reached twice
is not walked again (an error: its dashboards would be duplicates).

Jsonnet libraries are never dashboards: `.libsonnet` files are not candidates, nor are jsonnet-bundler's
`jsonnetfile.json`/`jsonnetfile.lock.json`, nor the library directories (`jsonnet.tree`).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from syncer.adapters.files.ignore import IGNORE_FILE, IgnoreRules
from syncer.adapters.files.jsonnet.tree import NOT_DASHBOARDS, PROJECT_FILE, LibraryDirs
from syncer.model.state import SourceProblem

SUFFIXES = (".json", ".yaml", ".yml", ".jsonnet")
FOLDER_FILE_STEM = "_folder"
# The code of every problem that means "an entry of the tree could not be read": prune is refused.
UNREADABLE = "unreadable-entry"


@dataclass(frozen=True)
class SourceFile:
    rel: str  # posix path relative to the root
    path: Path  # real path, inside the root
    # (inode, size, mtime_ns) from the walk's own lstat of a regular file, so a reload can tell an
    # unchanged file without a second stat (None for symlinks: their target is stat'ed when needed)
    stat_key: tuple[int, int, int] | None = None

    @property
    def rel_dir(self) -> str:
        return self.rel.rpartition("/")[0]

    @property
    def is_folder_file(self) -> bool:
        stem, _, suffix = self.rel.rpartition("/")[2].rpartition(".")
        return stem == FOLDER_FILE_STEM and suffix.lower() != "jsonnet"


@dataclass(frozen=True)
class WalkResult:
    files: tuple[SourceFile, ...]
    problems: tuple[SourceProblem, ...]
    jsonnet_projects: frozenset[str] = frozenset()  # directories holding jsonnetfile.json ("" = root)
    rules: IgnoreRules = field(default_factory=IgnoreRules)  # `.syncignore` as read by this walk


def walk_source(root: Path, libraries: frozenset[str] = frozenset()) -> WalkResult:
    """`libraries`: root-relative directories configured as the jsonnet library path (not walked)."""
    real_root = Path(os.path.realpath(root))
    rules, problems = _read_ignore_rules(real_root)
    walk = _Walk(real_root, rules, problems, LibraryDirs(libraries))
    walk.directory(real_root, "", ())
    while batch := walk.libraries.release(f.rel for f in walk.files):  # plain folders named vendor/
        for entry, rel, chain in batch:
            walk.entry(entry, rel, chain)
    return WalkResult(tuple(walk.files), tuple(walk.problems), frozenset(walk.projects), rules)


@dataclass
class _Walk:
    root: Path
    rules: IgnoreRules
    problems: list[SourceProblem]
    libraries: LibraryDirs
    files: list[SourceFile] = field(default_factory=list)
    projects: set[str] = field(default_factory=set)
    visited: dict[Path, str] = field(default_factory=dict)  # real directory -> the path it was walked as

    def directory(self, real: Path, prefix: str, chain: tuple[Path, ...]) -> None:
        """Walk `real` (a real directory inside the root) as the root-relative `prefix`."""
        self.visited[real] = prefix
        try:
            with os.scandir(real) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self._unreadable(prefix.rstrip("/") or ".", f"cannot read directory: {exc.strerror or exc}")
            return
        for entry in entries:
            rel = prefix + entry.name
            if not entry.name.startswith(".") and not self.libraries.deferred(entry, rel, (*chain, real)):
                self.entry(entry, rel, (*chain, real))

    def entry(self, entry: os.DirEntry[str], rel: str, chain: tuple[Path, ...]) -> None:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            self._unreadable(rel, "file vanished while reading the directory; skipped")
            return
        if stat.S_ISLNK(info.st_mode):
            self._link(Path(entry.path), rel, chain)
        elif stat.S_ISDIR(info.st_mode):
            if not self.rules.ignored(rel, is_dir=True) and self._utf8_dir(rel):
                self.directory(Path(entry.path), rel + "/", chain)
        elif self._wanted_file(rel):
            if stat.S_ISREG(info.st_mode):
                key = (info.st_ino, info.st_size, info.st_mtime_ns)
                self.files.append(SourceFile(rel, Path(entry.path), key))
            else:
                # why: reading a FIFO or a device named *.json would block or never end
                self._unreadable(rel, "not a regular file; skipped")

    def _link(self, path: Path, rel: str, chain: tuple[Path, ...]) -> None:
        """A symlink of any name: its target decides what it claims to be."""
        real = Path(os.path.realpath(path))
        try:
            info = real.stat()
        except OSError:
            self._broken_link(rel)
            return
        is_dir = stat.S_ISDIR(info.st_mode)
        if is_dir and (self.rules.ignored(rel, is_dir=True) or not self._utf8_dir(rel)):
            return
        if not is_dir and not self._wanted_file(rel):
            return
        if real != self.root and self.root not in real.parents:
            self._unreadable(rel, "symlink points outside the source directory; file skipped")
        elif is_dir:
            self._linked_directory(real, rel, chain)
        elif stat.S_ISREG(info.st_mode):
            self.files.append(SourceFile(rel, real))
        else:
            self._unreadable(rel, "not a regular file; skipped")

    def _broken_link(self, rel: str) -> None:
        """A dead link may have been a file or a directory (a `team/` swapped for a dangling link):
        any name that is not ignored counts, so the dashboards that lived under it are never pruned."""
        if self.rules.ignored(rel, is_dir=False) or self.rules.ignored(rel, is_dir=True):
            return
        if self._wanted_file(rel):
            self._unreadable(rel, "broken symlink; file skipped")
        elif _utf8(rel):
            self._unreadable(
                rel, "broken symlink (a directory or file that is gone); prune is refused until it is fixed"
            )
        else:
            self._unreadable(_shown(rel), "broken symlink; prune is refused until it is fixed")

    def _linked_directory(self, real: Path, rel: str, chain: tuple[Path, ...]) -> None:
        if real in chain:
            self._unreadable(rel, "symlink loop (links to a directory that contains it); not followed")
        elif real in self.visited or self._walked_later(real):
            shown = self.visited.get(real)
            also = f" (also walked as {shown or '.'})" if shown is not None else ""
            self._unreadable(rel, f"links to a directory that is walked directly{also}; not followed")
        else:
            self.directory(real, rel + "/", chain)

    def _walked_later(self, real: Path) -> bool:
        """True when the walk reaches `real` by its own path too (not only through hidden or ignored
        directories): its files would load twice, under two names."""
        parts = real.relative_to(self.root).parts
        return not any(
            part.startswith(".") or self.rules.ignored("/".join(parts[: depth + 1]), is_dir=True)
            for depth, part in enumerate(parts)
        )

    def _wanted_file(self, rel: str) -> bool:
        if not rel.lower().endswith(SUFFIXES) or self.rules.ignored(rel, is_dir=False):
            return False
        if rel.rpartition("/")[2] in NOT_DASHBOARDS:
            if rel.rpartition("/")[2] == PROJECT_FILE:
                self.projects.add(rel.rpartition("/")[0])
            return False
        if not _utf8(rel):
            self.problems.append(SourceProblem(_shown(rel), "file name is not valid UTF-8; file skipped"))
            return False
        return True

    def _utf8_dir(self, rel: str) -> bool:
        if _utf8(rel):
            return True
        self.problems.append(
            SourceProblem(_shown(rel) + "/", "directory name is not valid UTF-8; its files are skipped")
        )
        return False

    def _unreadable(self, rel: str, message: str) -> None:
        self.problems.append(SourceProblem(rel, message, code=UNREADABLE))


def _utf8(rel: str) -> bool:
    """False for a name that is not UTF-8 on disk (a Latin-1 checkout, an old zip): Python holds its
    bytes as lone surrogates, which crash every later step that encodes the path (uids, JSON, output)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(rel: str) -> str:
    """The name with its undecodable bytes written as `\\xNN`, safe to print and to log."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read_ignore_rules(root: Path) -> tuple[IgnoreRules, list[SourceProblem]]:
    path = root / IGNORE_FILE
    if not path.is_file():
        return IgnoreRules(), []
    try:
        rules = IgnoreRules(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return IgnoreRules(), [SourceProblem(IGNORE_FILE, f"cannot read: {exc}")]
    return rules, [SourceProblem(IGNORE_FILE, message, line=line) for line, message in rules.errors]
