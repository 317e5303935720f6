"""Which parts of a source tree are jsonnet libraries, never dashboards.

Called by the walk (`walk.walk_source`). jsonnet-bundler installs libraries into `vendor/` beside
`jsonnetfile.json` (the repository root, or a mixin's directory), and those trees hold `.jsonnet`
and `.json` files of their own (grafonnet's examples, its `jsonnetfile.json`) that must never
become dashboards. So:

- a directory `P/vendor` is a library tree when a `.jsonnet` file lies in `P` or below it (it is on
  that file's default library path); otherwise it is an ordinary folder, so a team that named a
  folder "vendor" keeps its dashboards;
- a directory configured on the library path (`sync.jsonnet.jpath`) inside the root is never walked.

A directory holding `jsonnetfile.json` is a jsonnet *project* (a mixin's repository). Its JSON and
YAML files that are plainly no dashboards (promtool's `tests.yaml`, CI and provisioning files) are
skipped with a warning instead of failing the source (`is_foreign_document`); anything that looks
like a dashboard is still checked, and outside projects every such file is an error as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

NOT_DASHBOARDS = frozenset({"jsonnetfile.json", "jsonnetfile.lock.json"})
PROJECT_FILE = "jsonnetfile.json"
# top-level keys of a dashboard or of a wrapper of one (envelope, resource): a document with any of
# them is a dashboard to check, never skipped
_DASHBOARD_KEYS = frozenset({"title", "panels", "rows", "uid", "schemaVersion", "dashboard", "templating"})
_DASHBOARD_API_GROUPS = ("dashboard.grafana.app/", "grafana.integreatly.org/")
VENDOR = "vendor"
JSONNET_SUFFIX = ".jsonnet"

Deferred = tuple[os.DirEntry[str], str, tuple[Path, ...]]


class LibraryDirs:
    """Decides, during one walk, which directories are libraries (see the module docstring)."""

    def __init__(self, configured: frozenset[str]) -> None:
        self._configured = configured
        self._deferred: list[Deferred] = []

    def deferred(self, entry: os.DirEntry[str], rel: str, chain: tuple[Path, ...]) -> bool:
        """True when the walk must not enter `entry` now: a configured library directory (never),
        or a `vendor/` that is a library tree if a `.jsonnet` file turns up beside or below it."""
        if rel in self._configured:
            return True
        if entry.name != VENDOR or not _is_dir(entry):
            return False
        self._deferred.append((entry, rel, chain))
        return True

    def release(self, walked: Iterable[str]) -> list[Deferred]:
        """The `vendor/` directories deferred so far that are ordinary folders after all, given the
        root-relative paths of the files walked (the others are libraries and stay unwalked)."""
        homes = {rel.rpartition("/")[0] for rel in walked if rel.lower().endswith(JSONNET_SUFFIX)}
        batch, self._deferred = self._deferred, []
        return [item for item in batch if not _serves(item[1].rpartition("/")[0], homes)]


def in_project(rel: str, projects: frozenset[str]) -> bool:
    """Whether the file `rel` lies in a jsonnet project directory (or below one)."""
    return any(not p or rel.startswith(p + "/") for p in projects)


def is_foreign_document(value: object) -> bool:
    """A JSON/YAML document that is plainly not a dashboard (no dashboard key, not a dashboard resource)."""
    if not isinstance(value, dict):
        return False
    api_version = value.get("apiVersion")
    if isinstance(api_version, str) and api_version.startswith(_DASHBOARD_API_GROUPS):
        return False
    return _DASHBOARD_KEYS.isdisjoint(value) and value.get("kind") not in ("Dashboard", "GrafanaDashboard")


def _serves(parent: str, homes: set[str]) -> bool:
    """Whether `parent/vendor` is on the default library path of a file in one of `homes`."""
    return any(not parent or home == parent or home.startswith(parent + "/") for home in homes)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False
