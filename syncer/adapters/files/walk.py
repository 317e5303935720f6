"""Find the candidate files of a source directory: `**/*.json`, `*.yaml`, `*.yml`.

Called by the loader. Hidden files and directories (a name starting with `.`) and whatever
`.syncignore` at the root excludes are skipped. It never yields a file whose real path lies outside
the root: a symlink leading out is reported as an error naming it. Symlinked directories are not
followed (a warning), which also avoids loops. It reads no file content except `.syncignore`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from syncer.adapters.files.ignore import IGNORE_FILE, IgnoreRules
from syncer.model.state import Severity, SourceProblem

SUFFIXES = (".json", ".yaml", ".yml")
FOLDER_FILE_STEM = "_folder"


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
        return self.rel.rpartition("/")[2].rsplit(".", 1)[0] == FOLDER_FILE_STEM


@dataclass(frozen=True)
class WalkResult:
    files: tuple[SourceFile, ...]
    problems: tuple[SourceProblem, ...]


def walk_source(root: Path) -> WalkResult:
    real_root = Path(os.path.realpath(root))
    rules, problems = _read_ignore_rules(real_root)
    files: list[SourceFile] = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename or real_root)
        rel = where.relative_to(real_root).as_posix() if where != real_root else "."
        problems.append(SourceProblem(rel, f"cannot read directory: {error.strerror or error}"))

    for current, dirnames, filenames in os.walk(real_root, onerror=unreadable, followlinks=False):
        here = Path(current)
        rel_here = here.relative_to(real_root).as_posix()
        prefix = "" if rel_here == "." else rel_here + "/"
        dirnames[:] = sorted(
            name for name in dirnames if _keep_dir(here / name, prefix + name, real_root, rules, problems)
        )
        for name in sorted(filenames):
            rel = prefix + name
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            if rules.ignored(rel, is_dir=False):
                continue
            if not _utf8(rel):
                problems.append(SourceProblem(_shown(rel), "file name is not valid UTF-8; file skipped"))
                continue
            found = _regular_file(here / name, real_root, rel, problems)
            if found is not None:
                files.append(SourceFile(rel, *found))
    return WalkResult(tuple(files), tuple(problems))


def _keep_dir(path: Path, rel: str, root: Path, rules: IgnoreRules, problems: list[SourceProblem]) -> bool:
    if path.name.startswith(".") or rules.ignored(rel, is_dir=True):
        return False
    if not _utf8(rel):
        problems.append(
            SourceProblem(_shown(rel) + "/", "directory name is not valid UTF-8; its files are skipped")
        )
        return False
    if path.is_symlink():
        if _inside_root(path, root, rel, problems) is not None:
            problems.append(
                SourceProblem(
                    rel, "symlinked directory is not followed; its files are not loaded", Severity.WARNING
                )
            )
        return False
    return True


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


def _regular_file(
    path: Path, root: Path, rel: str, problems: list[SourceProblem]
) -> tuple[Path, tuple[int, int, int] | None] | None:
    """`path` itself and its stat key when it is a regular file (one lstat: the walk starts at the
    real root and does not follow symlinked directories, so the path is already real); symlinks take
    the full check and get no stat key."""
    try:
        info = path.lstat()
    except OSError:
        problems.append(SourceProblem(rel, "file vanished while reading the directory; skipped"))
        return None
    if stat.S_ISLNK(info.st_mode):
        real = _inside_root(path, root, rel, problems)
        return None if real is None else (real, None)
    if not stat.S_ISREG(info.st_mode):
        # why: reading a FIFO or a device named *.json would block or never end
        problems.append(SourceProblem(rel, "not a regular file; skipped"))
        return None
    return path, (info.st_ino, info.st_size, info.st_mtime_ns)


def _inside_root(path: Path, root: Path, rel: str, problems: list[SourceProblem]) -> Path | None:
    real = Path(os.path.realpath(path))
    if not real.exists():
        problems.append(SourceProblem(rel, "broken symlink; file skipped"))
        return None
    if real != root and root not in real.parents:
        problems.append(SourceProblem(rel, "symlink points outside the source directory; file skipped"))
        return None
    if not (real.is_file() or real.is_dir()):
        # why: reading a FIFO or a device named *.json would block or never end
        problems.append(SourceProblem(rel, "not a regular file; skipped"))
        return None
    return real


def _read_ignore_rules(root: Path) -> tuple[IgnoreRules, list[SourceProblem]]:
    path = root / IGNORE_FILE
    if not path.is_file():
        return IgnoreRules(), []
    try:
        rules = IgnoreRules(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return IgnoreRules(), [SourceProblem(IGNORE_FILE, f"cannot read: {exc}")]
    return rules, [SourceProblem(IGNORE_FILE, message, line=line) for line, message in rules.errors]
