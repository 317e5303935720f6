"""Placing loaded dashboards into folders, and the checks that span files (duplicate uids, uid clashes).

Used by `loader.DirectorySource.load` once every file is loaded: per-file checks cannot see these.
Problems are collected, never raised; a duplicate uid leaves every copy out (neither is applied).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from syncer.adapters.files.file_parts import DashboardParts, LoadedFile
from syncer.adapters.files.folders import FolderTree
from syncer.adapters.files.walk import SourceFile
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    Severity,
    SourceProblem,
)


def place(
    loaded: Iterable[LoadedFile], tree: FolderTree, problems: list[SourceProblem]
) -> dict[str, DesiredDashboard]:
    """Dashboards keyed by uid; duplicates and dashboards in blocked directories are left out."""
    candidates: dict[str, list[DesiredDashboard]] = {}
    for item in loaded:
        problems.extend(item.problems)
        parts = item.dashboard
        if parts is None:
            continue
        folder_uid, blocked = _folder_for(item.file, parts, tree)
        if blocked:
            problems.append(SourceProblem(item.path or item.file.rel, f"skipped: {blocked}"))
            continue
        candidates.setdefault(parts.uid, []).append(parts.desired(item.path or item.file.rel, folder_uid))
    dashboards = {}
    for uid, group in candidates.items():
        if len(group) == 1:
            dashboards[uid] = group[0]
            continue
        for dashboard in group:
            others = ", ".join(d.path for d in group if d is not dashboard)
            problems.append(
                SourceProblem(
                    dashboard.path, f"duplicate dashboard uid {uid!r}, also in {others}; neither is applied"
                )
            )
    return dashboards


def _folder_for(file: SourceFile, parts: DashboardParts, tree: FolderTree) -> tuple[str | None, str | None]:
    if parts.folder_given:
        return parts.folder_uid, None
    blocked = tree.why_blocked(file.rel_dir)
    return tree.folder_of(file.rel_dir), blocked


def cross_checks(
    folders: Mapping[str, DesiredFolder], dashboards: Mapping[str, DesiredDashboard]
) -> list[SourceProblem]:
    problems = []
    for uid, dashboard in dashboards.items():
        if uid in folders:
            problems.append(
                SourceProblem(
                    dashboard.path,
                    f"uid {uid!r} is also the uid of folder {folders[uid].path}/ "
                    "(older Grafana keeps folders and dashboards in one uid space)",
                )
            )
        if dashboard.folder_uid is not None and dashboard.folder_uid not in folders:
            problems.append(
                SourceProblem(
                    dashboard.path,
                    f"folder {dashboard.folder_uid!r} is not defined by any directory; "
                    "it must already exist in Grafana",
                    Severity.WARNING,
                )
            )
    return problems


def problem_order(problem: SourceProblem) -> tuple[str, int, int]:
    return (problem.path, problem.line or 0, problem.column or 0)
