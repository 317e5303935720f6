"""The `.jsonnet` files of a source: evaluated once, re-evaluated only when something they read changed.

Called by the loader for every `.jsonnet` file of each load. The cache entry of a file holds the
content hash of every file its last evaluation read (the file itself, its imports, the library
files) and of every path it probed and did not find, plus the options' fingerprint. A load checks
those hashes (each file hashed once per load, however many `.jsonnet` files share it) and reuses
the entry when all match, so a daemon pass over an unchanged tree evaluates nothing; editing a
`.libsonnet` re-evaluates exactly the files that imported it.

What an evaluation gives is split here into dashboards: one dashboard, or an object of several (a
mixin's `grafanaDashboards`, `{"nodes.json": {...}}`), each named `dir/file.jsonnet#key`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from syncer.adapters.files.jsonnet.evaluate import Digest, Evaluation, JsonnetOptions, digest_of, evaluate
from syncer.logs import get_logger, is_configured
from syncer.model.state import JSON, Severity, SourceProblem

log = get_logger("syncer.jsonnet")
T = TypeVar("T")
SUFFIX = ".jsonnet"
KEY_SEPARATOR = "#"
# keys that only a dashboard (or one of the wrappers `shapes.unwrap` accepts) has at its top level
_DASHBOARD_KEYS = frozenset({"panels", "rows", "title", "uid", "schemaVersion", "dashboard", "apiVersion"})


@dataclass(frozen=True)
class Produced:
    """One document an evaluation gave: its source path (`file.jsonnet` or `file.jsonnet#key`)."""

    path: str
    value: JSON


def is_jsonnet(rel: str) -> bool:
    return rel.lower().endswith(SUFFIX)


@dataclass
class _Entry(Generic[T]):
    fingerprint: str
    reads: tuple[tuple[str, Digest], ...]
    item: T


class JsonnetFiles(Generic[T]):
    """Evaluation cache of one source root. `load` builds the caller's item from what a file
    produced (`build`) and keeps it while nothing the evaluation read has changed. Not thread-safe:
    its owner (`DirectorySource`) loads under its own lock."""

    def __init__(self, root: Path, options: JsonnetOptions) -> None:
        self._root = root
        self._options = options
        self._fingerprint = options.fingerprint()
        self._entries: dict[str, _Entry[T]] = {}
        self._digests: dict[str, Digest] = {}  # this load's hashes: each file is read once per load
        self.evaluations = 0  # how many evaluations ran (a no-change load adds none)

    def library_dirs_in_root(self) -> frozenset[str]:
        """The configured library directories inside the root, root-relative: never walked for
        dashboards (the default `vendor/` directories are recognised by the walk itself)."""
        if self._options.jpath is None:
            return frozenset()
        root = os.path.realpath(self._root)
        found = set()
        for directory in self._options.library_dirs(self._root, self._root):
            real = os.path.realpath(directory)
            if real.startswith(root + os.sep):
                found.add(Path(os.path.relpath(real, root)).as_posix())
        return frozenset(found)

    def library_problems(self) -> list[SourceProblem]:
        """A configured library directory that does not exist (a typo in `-J` would otherwise show
        only as "cannot find" errors far from the cause); none while no `.jsonnet` file is loaded."""
        if self._options.jpath is None or not self._entries:
            return []
        return [
            SourceProblem(
                str(directory),
                "jsonnet library directory (-J / sync.jsonnet.jpath) does not exist",
                Severity.WARNING,
            )
            for directory in self._options.library_dirs(self._root, self._root)
            if not directory.is_dir()
        ]

    def begin_load(self) -> None:
        self._digests = {}

    def end_load(self, seen: set[str]) -> None:
        """Forget the files that are gone, so a deleted file's entry does not live on."""
        self._entries = {rel: e for rel, e in self._entries.items() if rel in seen}

    def load(
        self, path: Path, rel: str, build: Callable[[list[Produced], list[SourceProblem]], T]
    ) -> tuple[T, bool]:
        """The item for the file at `path`, and whether it was evaluated now (False: cached)."""
        entry = self._entries.get(rel)
        if entry is not None and entry.fingerprint == self._fingerprint and self._unchanged(entry.reads):
            return entry.item, False
        started = time.perf_counter()
        evaluation = evaluate(path, rel, self._root, self._options)
        self.evaluations += 1
        produced, problems = split(evaluation, rel)
        if is_configured():  # the daemon; one-shot commands keep stdout for their report
            log.info(
                "jsonnet evaluated",
                path=rel,
                dashboards=len(produced),
                files_read=sum(1 for _, digest in evaluation.reads if digest is not None),
                seconds=round(time.perf_counter() - started, 3),
                ok=evaluation.problem is None,
            )
        item = build(produced, problems)
        self._entries[rel] = _Entry(self._fingerprint, evaluation.reads, item)
        for read, digest in evaluation.reads:
            self._digests[read] = digest
        return item, True

    def _unchanged(self, reads: tuple[tuple[str, Digest], ...]) -> bool:
        for read, digest in reads:
            if read not in self._digests:
                self._digests[read] = digest_of(read)
            if self._digests[read] != digest:
                return False
        return True


def split(evaluation: Evaluation, rel: str) -> tuple[list[Produced], list[SourceProblem]]:
    """The dashboards an evaluation gave, or the problem that stopped it."""
    if evaluation.problem is not None:
        return [], [evaluation.problem]
    value = evaluation.value
    if isinstance(value, dict) and _looks_like_dashboard(value):
        return [Produced(rel, value)], []
    several = isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())
    if several and any(_looks_like_dashboard(v) for v in value.values()):
        return [Produced(f"{rel}{KEY_SEPARATOR}{key}", v) for key, v in value.items()], []
    return [], [_not_dashboards(rel, value)]


def _looks_like_dashboard(value: Mapping[str, JSON]) -> bool:
    return not _DASHBOARD_KEYS.isdisjoint(value)


def _not_dashboards(rel: str, value: JSON) -> SourceProblem:
    """Not an error: a mixin's `alerts.jsonnet` and `rules.jsonnet` sit beside its dashboards."""
    if isinstance(value, dict):
        keys = ", ".join(sorted(value)[:5]) or "none"
        what = f"an object that is not a dashboard nor an object of dashboards (keys: {keys})"
    else:
        what = {str: "a string", list: "an array", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number"
        )
    return SourceProblem(
        rel,
        f"evaluates to {what}; no dashboard taken from it (list it in .syncignore to skip it)",
        Severity.WARNING,
    )
